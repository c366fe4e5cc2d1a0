//! Local recorders are told the descriptions of what is recorded into them, however often
//! they come and go.

use super::{CountingRecorder, recorded, series};
use crate::collector::{Collector, Outcome};
use crate::facade_backend::{FacadeCollector, families};
use core::time::Duration;

#[test]
fn a_local_recorder_made_where_a_dropped_one_lived_is_described_too() {
    let collector = FacadeCollector::new();
    // Each round's recorder is likely at the previous one's address, on the same thread.
    for round in 0..3 {
        let got = recorded(|| collector.record_channel_error("c", "dingtalk", "auth"));
        let (_, help, _) = &got[&series(
            "gort_channel_errors_total",
            &[
                ("channel", "c"),
                ("type", "dingtalk"),
                ("error_type", "auth"),
            ],
        )];
        assert_eq!(
            help.as_deref(),
            Some("Total number of channel errors."),
            "round {round}"
        );
    }
}

#[test]
fn describe_tells_the_current_recorder_every_family() {
    let recorder = CountingRecorder::new(metrics::NoopRecorder);
    metrics::with_local_recorder(&recorder, || FacadeCollector::new().describe());
    assert_eq!(recorder.descriptions(), families::ALL.len());
}

#[test]
fn families_are_described_as_the_kind_they_are_recorded_as() {
    // A recorder keeps descriptions by kind and name: a histogram described as a counter
    // would show no HELP.
    let collector = FacadeCollector::new();
    let got = recorded(|| {
        collector.record_message_received("c", "inbound", "text");
        collector.record_message_sent("c", "outbound", "text");
        collector.record_message_duration("c", Duration::from_millis(1));
        collector.record_channel_status("c", "dingtalk", true);
        collector.record_channel_error("c", "dingtalk", "auth");
        collector.record_session_active(1);
        collector.record_session_duration(Duration::from_secs(1));
        collector.record_middleware_duration("m", Duration::from_millis(1));
        collector.record_retry("op", 2, true);
        collector.record_middleware_call("m", Outcome::Ok, Duration::from_millis(1));
        collector.record_message_call("c", Outcome::Ok, Duration::from_millis(1));
    });
    for ((name, _), (_, help, _)) in &got {
        assert!(help.is_some(), "{name} has no description");
    }
    assert_eq!(
        got.len(),
        families::ALL.len() - 1,
        "all but the overflow counter: {got:#?}"
    );
}
