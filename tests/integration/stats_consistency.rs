//! `StatsCollector::stats()` read while other threads record never shows an impossible state.

use gort_metrics::{Collector, DurationStats, Outcome, Stats, StatsCollector};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

fn check_durations(name: &str, durations: DurationStats, snapshot: &Stats) {
    if durations.count > 0 {
        assert!(
            durations.max > Duration::ZERO && durations.max <= durations.total,
            "{name}: impossible durations in {snapshot:?}"
        );
    }
}

fn check(snapshot: &Stats) {
    let retries = snapshot.retries;
    assert_eq!(
        retries.calls,
        retries.succeeded + retries.failed,
        "{snapshot:?}"
    );
    assert!(retries.attempts >= retries.calls, "{snapshot:?}");
    check_durations("message", snapshot.message_durations, snapshot);
    check_durations("middleware", snapshot.middleware_durations, snapshot);
    check_durations("session", snapshot.session_durations, snapshot);
}

#[test]
fn snapshots_taken_during_concurrent_records_are_always_possible() {
    const RUN_FOR: Duration = Duration::from_secs(2);
    let collector = StatsCollector::new();
    let stop = AtomicBool::new(false);
    let mut snapshots = 0u64;
    thread::scope(|scope| {
        for worker in 0..3u64 {
            let (collector, stop) = (&collector, &stop);
            scope.spawn(move || {
                let mut round = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    round += 1;
                    // Durations grow, so a new maximum keeps arriving while totals lag.
                    let duration = Duration::from_nanos(round * (worker + 1));
                    collector.record_retry("api-call", (round % 4) as u32 + 1, round % 3 != 0);
                    collector.record_message_duration("dingtalk", duration);
                    collector.record_middleware_call("auth", Outcome::Ok, duration);
                    collector.record_session_duration(duration * 1_000);
                }
            });
        }
        let started = Instant::now();
        while started.elapsed() < RUN_FOR {
            check(&collector.stats());
            snapshots += 1;
        }
        stop.store(true, Ordering::Relaxed);
    });
    check(&collector.stats());
    assert!(snapshots > 100, "only {snapshots} snapshots taken");
}

#[test]
fn totals_saturate_instead_of_wrapping() {
    const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);
    let collector = StatsCollector::new();
    for _ in 0..3 {
        collector.record_session_duration(YEAR * 300);
    }
    let total = collector.stats().session_durations.total;
    assert!(
        total >= YEAR * 600,
        "three 300-year sessions total {total:?}"
    );
    collector.record_session_duration(Duration::MAX);
    collector.record_session_duration(Duration::MAX);
    assert_eq!(collector.stats().session_durations.total, Duration::MAX);
}
