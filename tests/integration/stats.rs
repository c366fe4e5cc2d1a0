//! The in-memory stats backend.

use gort_metrics::{Collector, DurationStats, RetryStats, Stats, StatsCollector};
use std::thread;
use std::time::Duration;

#[test]
fn eight_threads_times_100k_records_are_exact() {
    let stats = StatsCollector::new();
    thread::scope(|scope| {
        for thread_index in 0..8i64 {
            let stats = &stats;
            scope.spawn(move || {
                for _ in 0..100_000 {
                    stats.record_message_received("dingtalk", "inbound", "text");
                    stats.record_message_sent("feishu", "outbound", "image");
                    stats.record_channel_error("my-dingtalk", "dingtalk", "connection");
                    stats.record_middleware_duration("auth", Duration::from_nanos(3));
                    stats.record_retry("api-call", 2, thread_index % 2 == 0);
                }
            });
        }
    });
    let snapshot = stats.stats();
    assert_eq!(snapshot.messages_received, 800_000);
    assert_eq!(snapshot.messages_sent, 800_000);
    assert_eq!(snapshot.errors, 800_000);
    assert_eq!(
        snapshot.middleware_durations,
        DurationStats {
            count: 800_000,
            total: Duration::from_nanos(2_400_000),
            max: Duration::from_nanos(3),
        }
    );
    assert_eq!(
        snapshot.retries,
        RetryStats {
            calls: 800_000,
            attempts: 1_600_000,
            succeeded: 400_000,
            failed: 400_000,
        }
    );
}

#[test]
fn the_go_fields_count_what_go_counted() {
    let stats = StatsCollector::new();
    stats.record_message_received("dingtalk", "inbound", "text");
    stats.record_message_received("feishu", "inbound", "image");
    stats.record_message_sent("feishu", "outbound", "image");
    stats.record_channel_error("my-dingtalk", "dingtalk", "auth");
    stats.record_session_active(3);
    stats.record_session_active(2);
    stats.record_channel_status("my-dingtalk", "dingtalk", true);
    assert_eq!(
        stats.stats(),
        Stats {
            messages_received: 2,
            messages_sent: 1,
            errors: 1,
            active_sessions: 2,
            ..Stats::default()
        }
    );
}

#[test]
fn every_duration_kind_has_its_own_totals() {
    let stats = StatsCollector::new();
    stats.record_message_duration("dingtalk", Duration::from_millis(20));
    stats.record_session_duration(Duration::from_secs(90));
    stats.record_session_duration(Duration::from_secs(30));
    let snapshot = stats.stats();
    assert_eq!(snapshot.message_durations.count, 1);
    assert_eq!(
        snapshot.message_durations.mean(),
        Some(Duration::from_millis(20))
    );
    assert_eq!(snapshot.session_durations.total, Duration::from_secs(120));
    assert_eq!(snapshot.session_durations.max, Duration::from_secs(90));
    assert_eq!(snapshot.middleware_durations.count, 0);
}
