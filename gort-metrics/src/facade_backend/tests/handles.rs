//! What is kept and what is not: handles per recorder, label sets per family.

use super::{recorded, series};
use crate::collector::{Collector, DurationKind, Outcome};
use crate::facade_backend::{
    DEFAULT_MAX_SERIES_PER_FAMILY, FacadeCollector, series as facade_series,
};
use core::time::Duration;
use metrics::Unit;
use metrics_util::debugging::DebugValue;

#[test]
fn handles_of_local_recorders_are_not_kept() {
    let collector = FacadeCollector::new();
    for round in 1..=2 {
        let got = recorded(|| collector.record_session_active(round));
        let sessions = &got[&series("gort_sessions_active", &[])];
        assert_eq!(sessions.2, DebugValue::Gauge((round as f64).into()));
    }
    assert!(!collector.families.sessions_active.has_global_handle());
}

#[test]
fn past_the_limit_new_label_sets_fold_into_the_overflow_series_and_are_counted() {
    let collector = FacadeCollector::builder().max_series_per_family(2).build();
    let got = recorded(|| {
        for channel in ["a", "b", "a", "c", "d", "b"] {
            collector.record_message_received(channel, "inbound", "text");
        }
    });
    let received = |channel: &str| {
        let labels = [
            ("channel", channel),
            ("direction", "inbound"),
            ("type", "text"),
        ];
        got.get(&series("gort_messages_received_total", &labels))
            .map(|c| &c.2)
    };
    assert_eq!(received("a"), Some(&DebugValue::Counter(2)));
    assert_eq!(received("b"), Some(&DebugValue::Counter(2)));
    assert_eq!(received("c"), None);
    let overflow = "__overflow__";
    let folded = [
        ("channel", overflow),
        ("direction", overflow),
        ("type", overflow),
    ];
    let folded = &got[&series("gort_messages_received_total", &folded)];
    assert_eq!(folded.2, DebugValue::Counter(2));
    let counted = series(
        "gort_metrics_overflow_total",
        &[("family", "gort_messages_received_total")],
    );
    let (unit, help, value) = &got[&counted];
    assert_eq!(*value, DebugValue::Counter(2));
    assert_eq!(*unit, Some(Unit::Count));
    assert!(
        help.as_deref()
            .is_some_and(|help| help.contains("__overflow__"))
    );
    assert_eq!(collector.families.messages_received.series_count(), 2);
    // The limit is per family: another family still takes new label sets.
    let other = recorded(|| collector.record_message_sent("c", "outbound", "text"));
    assert_eq!(other.len(), 1, "{other:#?}");
}

#[test]
fn a_call_handle_is_declined_at_the_limit_and_the_plain_call_folds() {
    let collector = FacadeCollector::builder().max_series_per_family(1).build();
    assert!(collector.call_handle(DurationKind::Message, "a").is_some());
    assert!(collector.call_handle(DurationKind::Message, "b").is_none());
    let got = recorded(|| collector.record_message_call("b", Outcome::Ok, Duration::ZERO));
    let counted = series(
        "gort_metrics_overflow_total",
        &[("family", "gort_message_duration_seconds")],
    );
    assert_eq!(got[&counted].2, DebugValue::Counter(1));
}

#[test]
fn the_defaults_are_the_prometheus_backends() {
    assert_eq!(DEFAULT_MAX_SERIES_PER_FAMILY, 10_000);
    assert_eq!(facade_series::OVERFLOW_LABEL_VALUE, "__overflow__");
    #[cfg(feature = "prometheus")]
    {
        assert_eq!(
            DEFAULT_MAX_SERIES_PER_FAMILY,
            crate::DEFAULT_MAX_SERIES_PER_FAMILY
        );
        assert_eq!(
            facade_series::OVERFLOW_LABEL_VALUE,
            crate::OVERFLOW_LABEL_VALUE
        );
    }
}
