//! With no collector that keeps data, a timed call does not read the clock. Observable: a
//! call that begins unobserved records nothing, even if a collector is installed before it
//! ends, because it never took a start time.

use gort_metrics::{NoopCollector, is_recording, set_global_collector, timed};
use tests::{RecordingCollector, lock_global};

#[timed(middleware = "installs")]
fn install_during_the_call(collector: &RecordingCollector) -> bool {
    let was_recording = is_recording();
    set_global_collector(collector.clone());
    was_recording
}

#[test]
fn a_call_that_starts_with_nothing_recording_records_nothing() {
    let _global = lock_global();
    set_global_collector(NoopCollector);

    let collector = RecordingCollector::new();
    let was_recording = install_during_the_call(&collector);
    assert!(!was_recording);
    assert!(collector.records().is_empty(), "{:?}", collector.records());

    // The same call once the collector is in place does record: the check above can fail.
    let _ = install_during_the_call(&collector);
    assert_eq!(collector.middleware_durations().len(), 1);

    set_global_collector(NoopCollector);
}
