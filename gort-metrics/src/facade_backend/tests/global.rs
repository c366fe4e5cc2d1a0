//! The global recorder: learnt on construction or by a record, described once, and its
//! handles kept; a local recorder still takes precedence over it.

use super::{CountingRecorder, read, recorded, series};
use crate::collector::Collector;
use crate::facade_backend::{FacadeCollector, current, families};
use core::time::Duration;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};

/// The one test of this binary that installs a global recorder (there can be only one per
/// process): every other one records into a local recorder, which takes precedence on its
/// thread, so they are unaffected.
#[test]
fn the_global_recorder_is_learnt_described_once_and_its_handles_are_kept() {
    let built_early = FacadeCollector::new();
    let debugging = DebuggingRecorder::new();
    let snapshotter = debugging.snapshotter();
    let global: &'static CountingRecorder<DebuggingRecorder> =
        Box::leak(Box::new(CountingRecorder::new(debugging)));
    metrics::set_global_recorder(global).expect("no other test installs a global recorder");
    assert!(!current::global_is_known(), "nothing has looked since");

    // A collector built before the recorder was installed learns it from a record: a
    // thread's first record looks, at most every 50 ms (other tests' records look too).
    let (mut learnt, mut unlearnt_records) = (false, 0);
    for _ in 0..40 {
        std::thread::scope(|scope| {
            scope.spawn(|| built_early.record_session_duration(Duration::from_secs(1)));
        });
        learnt = built_early.families.session_duration.has_global_handle();
        if learnt {
            break;
        }
        unlearnt_records += 1;
        std::thread::sleep(Duration::from_millis(60));
    }
    assert!(learnt, "no record learnt the global recorder in 2.4 s");
    assert!(current::global_is_known());
    // Until then each record told its own family; the first one that knew told them all.
    assert_eq!(
        global.descriptions(),
        families::ALL.len() + unlearnt_records
    );
    let described = global.descriptions();
    let _ = read(&snapshotter);

    let collector = FacadeCollector::new();
    let registered_before = global.registrations();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for count in 0..100 {
                    collector.record_session_active(count);
                    collector.record_message_received("dingtalk", "inbound", "text");
                }
            });
        }
    });
    assert_eq!(global.descriptions(), described, "described once");
    assert_eq!(
        global.registrations() - registered_before,
        2,
        "one registration per series, however many records and threads"
    );
    let got = read(&snapshotter);
    let sessions = &got[&series("gort_sessions_active", &[])];
    assert_eq!(sessions.2, DebugValue::Gauge(99.0.into()));
    assert_eq!(sessions.1.as_deref(), Some("Number of active sessions."));
    let labels = [
        ("channel", "dingtalk"),
        ("direction", "inbound"),
        ("type", "text"),
    ];
    let received = &got[&series("gort_messages_received_total", &labels)];
    assert_eq!(received.2, DebugValue::Counter(400));

    // The kept handle does not leak into a local recorder, nor the local one into it.
    let local = recorded(|| collector.record_session_active(7));
    let sessions = series("gort_sessions_active", &[]);
    assert_eq!(local[&sessions].2, DebugValue::Gauge(7.0.into()));
    collector.record_session_active(8);
    assert_eq!(
        read(&snapshotter)[&sessions].2,
        DebugValue::Gauge(8.0.into())
    );

    // Caching off: the same values, through a registration per record.
    let uncached = FacadeCollector::builder().cache_handles(false).build();
    let registered_before = global.registrations();
    uncached.record_retry("op", 2, true);
    uncached.record_retry("op", 3, true);
    assert_eq!(global.registrations() - registered_before, 2);
    let got = read(&snapshotter);
    let retries = series(
        "gort_retry_attempts_total",
        &[("operation", "op"), ("success", "true")],
    );
    assert_eq!(got[&retries].2, DebugValue::Counter(5));
    assert!(
        !uncached
            .families
            .retry_attempts
            .resolve(&["op", "true"])
            .unwrap()
            .has_global_handle()
    );
    assert_eq!(global.descriptions(), described, "still described once");
}
