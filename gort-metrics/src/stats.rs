//! [`StatsCollector`]: lock-free in-memory totals, read back as a [`Stats`] snapshot.

use crate::Collector;
use core::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use core::time::Duration;

/// A snapshot of a [`StatsCollector`].
///
/// The first four fields are the Go `Stats`; the rest go further, so that tests and health pages
/// can see latencies and retries without a metrics server. `errors` counts channel errors.
///
/// ```
/// use gort_metrics::{Collector, Stats, StatsCollector};
///
/// let collector = StatsCollector::new();
/// collector.record_message_received("dingtalk", "inbound", "text");
/// collector.record_session_active(2);
/// assert_eq!(
///     collector.stats(),
///     Stats { messages_received: 1, active_sessions: 2, ..Stats::default() }
/// );
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Messages received, on every channel.
    pub messages_received: u64,
    /// Messages sent, on every channel.
    pub messages_sent: u64,
    /// Channel errors, of every type.
    pub errors: u64,
    /// The last active-session count recorded.
    pub active_sessions: i64,
    /// Message processing times.
    pub message_durations: DurationStats,
    /// Middleware run times.
    pub middleware_durations: DurationStats,
    /// Finished session lengths.
    pub session_durations: DurationStats,
    /// Retried operations.
    pub retries: RetryStats,
}

/// Count, sum and maximum of a set of durations.
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{Collector, StatsCollector};
///
/// let collector = StatsCollector::new();
/// collector.record_middleware_duration("auth", Duration::from_millis(10));
/// collector.record_middleware_duration("auth", Duration::from_millis(30));
/// let durations = collector.stats().middleware_durations;
/// assert_eq!(durations.count, 2);
/// assert_eq!(durations.max, Duration::from_millis(30));
/// assert_eq!(durations.mean(), Some(Duration::from_millis(20)));
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DurationStats {
    /// How many durations were recorded.
    pub count: u64,
    /// Their sum.
    pub total: Duration,
    /// The longest.
    pub max: Duration,
}

impl DurationStats {
    /// The average duration, or `None` if none was recorded.
    ///
    /// ```
    /// assert_eq!(gort_metrics::DurationStats::default().mean(), None);
    /// ```
    pub fn mean(&self) -> Option<Duration> {
        let count = u32::try_from(self.count).ok().filter(|&c| c > 0);
        match count {
            Some(count) => Some(self.total / count),
            None if self.count > 0 => Some(Duration::from_secs_f64(
                self.total.as_secs_f64() / self.count as f64,
            )),
            None => None,
        }
    }
}

/// Totals over retried operations.
///
/// ```
/// use gort_metrics::{Collector, RetryStats, StatsCollector};
///
/// let collector = StatsCollector::new();
/// collector.record_retry("api-call", 3, true);
/// collector.record_retry("api-call", 1, false);
/// assert_eq!(
///     collector.stats().retries,
///     RetryStats { calls: 2, attempts: 4, succeeded: 1, failed: 1 }
/// );
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RetryStats {
    /// Operations recorded (one per call of a retried operation).
    pub calls: u64,
    /// Tries made in all, first tries included.
    pub attempts: u64,
    /// Operations that succeeded in the end.
    pub succeeded: u64,
    /// Operations that failed in the end.
    pub failed: u64,
}

/// Keeps each counter on its own cache line, so that two threads recording different things
/// do not slow each other down by sharing one.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Padded<T>(T);

#[derive(Debug, Default)]
struct DurationCells {
    count: AtomicU64,
    total_nanos: AtomicU64,
    max_nanos: AtomicU64,
}

impl DurationCells {
    #[inline]
    fn record(&self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.count.fetch_add(1, Ordering::Relaxed);
        self.total_nanos.fetch_add(nanos, Ordering::Relaxed);
        self.max_nanos.fetch_max(nanos, Ordering::Relaxed);
    }

    fn snapshot(&self) -> DurationStats {
        DurationStats {
            count: self.count.load(Ordering::Relaxed),
            total: Duration::from_nanos(self.total_nanos.load(Ordering::Relaxed)),
            max: Duration::from_nanos(self.max_nanos.load(Ordering::Relaxed)),
        }
    }
}

/// A collector that keeps totals in memory, lock-free: every record is one to three relaxed
/// atomic additions.
///
/// Install it globally behind an `Arc` to read it back later:
///
/// ```
/// use std::sync::Arc;
/// use gort_metrics::{record_channel_error, set_global_collector, StatsCollector};
///
/// let stats = Arc::new(StatsCollector::new());
/// set_global_collector(stats.clone());
/// record_channel_error("my-dingtalk", "dingtalk", "connection");
/// assert_eq!(stats.stats().errors, 1);
/// ```
///
/// Per-label breakdowns are the job of the Prometheus backend; this one keeps only totals.
#[derive(Debug, Default)]
pub struct StatsCollector {
    messages_received: Padded<AtomicU64>,
    messages_sent: Padded<AtomicU64>,
    errors: Padded<AtomicU64>,
    active_sessions: Padded<AtomicI64>,
    message_durations: Padded<DurationCells>,
    middleware_durations: Padded<DurationCells>,
    session_durations: Padded<DurationCells>,
    retries: Padded<RetryCells>,
}

#[derive(Debug, Default)]
struct RetryCells {
    calls: AtomicU64,
    attempts: AtomicU64,
    succeeded: AtomicU64,
}

impl StatsCollector {
    /// A collector with every total at zero.
    ///
    /// ```
    /// let stats = gort_metrics::StatsCollector::new();
    /// assert_eq!(stats.stats(), gort_metrics::Stats::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A snapshot of the totals so far (the Go `GetStats`).
    ///
    /// Each field is read atomically; fields recorded concurrently with this call may be read
    /// a record apart from each other.
    ///
    /// ```
    /// use gort_metrics::{Collector, StatsCollector};
    ///
    /// let collector = StatsCollector::new();
    /// collector.record_message_sent("feishu", "outbound", "image");
    /// let snapshot = collector.stats();
    /// collector.record_message_sent("feishu", "outbound", "image");
    /// assert_eq!(snapshot.messages_sent, 1);
    /// assert_eq!(collector.stats().messages_sent, 2);
    /// ```
    pub fn stats(&self) -> Stats {
        let calls = self.retries.0.calls.load(Ordering::Relaxed);
        let succeeded = self.retries.0.succeeded.load(Ordering::Relaxed);
        Stats {
            messages_received: self.messages_received.0.load(Ordering::Relaxed),
            messages_sent: self.messages_sent.0.load(Ordering::Relaxed),
            errors: self.errors.0.load(Ordering::Relaxed),
            active_sessions: self.active_sessions.0.load(Ordering::Relaxed),
            message_durations: self.message_durations.0.snapshot(),
            middleware_durations: self.middleware_durations.0.snapshot(),
            session_durations: self.session_durations.0.snapshot(),
            retries: RetryStats {
                calls,
                attempts: self.retries.0.attempts.load(Ordering::Relaxed),
                succeeded,
                failed: calls.saturating_sub(succeeded),
            },
        }
    }
}

impl Collector for StatsCollector {
    #[inline]
    fn record_message_received(&self, _channel: &str, _direction: &str, _msg_type: &str) {
        self.messages_received.0.fetch_add(1, Ordering::Relaxed);
    }

    #[inline]
    fn record_message_sent(&self, _channel: &str, _direction: &str, _msg_type: &str) {
        self.messages_sent.0.fetch_add(1, Ordering::Relaxed);
    }

    #[inline]
    fn record_message_duration(&self, _channel: &str, duration: Duration) {
        self.message_durations.0.record(duration);
    }

    /// Keeps nothing: a status is per channel, and these stats keep only totals (as in Go).
    #[inline]
    fn record_channel_status(&self, _channel: &str, _channel_type: &str, _running: bool) {}

    #[inline]
    fn record_channel_error(&self, _channel: &str, _channel_type: &str, _error_type: &str) {
        self.errors.0.fetch_add(1, Ordering::Relaxed);
    }

    #[inline]
    fn record_session_active(&self, count: i64) {
        self.active_sessions.0.store(count, Ordering::Relaxed);
    }

    #[inline]
    fn record_session_duration(&self, duration: Duration) {
        self.session_durations.0.record(duration);
    }

    #[inline]
    fn record_middleware_duration(&self, _middleware: &str, duration: Duration) {
        self.middleware_durations.0.record(duration);
    }

    #[inline]
    fn record_retry(&self, _operation: &str, attempts: u32, success: bool) {
        let cells = &self.retries.0;
        // `succeeded` first: a concurrent snapshot then never sees more successes than calls.
        if success {
            cells.succeeded.fetch_add(1, Ordering::Relaxed);
        }
        cells
            .attempts
            .fetch_add(u64::from(attempts), Ordering::Relaxed);
        cells.calls.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_keep_count_sum_and_max() {
        let collector = StatsCollector::new();
        collector.record_message_duration("c", Duration::from_millis(5));
        collector.record_message_duration("c", Duration::from_millis(1));
        collector.record_session_duration(Duration::from_secs(60));
        let stats = collector.stats();
        assert_eq!(
            stats.message_durations,
            DurationStats {
                count: 2,
                total: Duration::from_millis(6),
                max: Duration::from_millis(5)
            }
        );
        assert_eq!(stats.session_durations.count, 1);
        assert_eq!(stats.middleware_durations, DurationStats::default());
    }

    #[test]
    fn an_enormous_duration_saturates_instead_of_wrapping() {
        let collector = StatsCollector::new();
        collector.record_session_duration(Duration::MAX);
        assert_eq!(
            collector.stats().session_durations.max,
            Duration::from_nanos(u64::MAX)
        );
    }

    #[test]
    fn mean_of_more_than_u32_max_durations_is_computed_in_floating_point() {
        let stats = DurationStats {
            count: u64::from(u32::MAX) + 1,
            total: Duration::from_secs(u64::from(u32::MAX) + 1),
            max: Duration::from_secs(1),
        };
        assert_eq!(stats.mean(), Some(Duration::from_secs(1)));
    }

    #[test]
    fn padding_puts_counters_on_separate_cache_lines() {
        assert_eq!(core::mem::align_of::<Padded<AtomicU64>>(), 128);
    }
}
