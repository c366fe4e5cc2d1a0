//! [`StatsCollector`]: lock-free in-memory totals, read back as a [`Stats`] snapshot.

mod cells;

use crate::collector::{Collector, Outcome};
use cells::{DurationCells, STRIPES, Stripe, stripe_index};
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
    /// Middleware calls by outcome (`#[timed]`, the tower layer, `record_middleware_call`).
    pub middleware_calls: CallCounts,
    /// Message handler calls by outcome (`#[timed(channel = ..)]`, `record_message_call`).
    pub message_calls: CallCounts,
}

/// Calls counted by how they ended: see [`Outcome`].
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{Collector, Outcome, StatsCollector};
///
/// let collector = StatsCollector::new();
/// collector.record_middleware_call("auth", Outcome::Ok, Duration::from_millis(1));
/// collector.record_middleware_call("auth", Outcome::Error, Duration::from_millis(2));
/// let calls = collector.stats().middleware_calls;
/// assert_eq!((calls.ok, calls.error, calls.total()), (1, 1, 2));
/// assert_eq!(calls.get(Outcome::Error), 1);
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CallCounts {
    /// Calls that returned normally (an `Ok`, for a `Result`).
    pub ok: u64,
    /// Calls that returned an `Err`, or a response classified as failed.
    pub error: u64,
    /// Calls that panicked.
    pub panicked: u64,
    /// Async calls whose future was dropped before it completed.
    pub cancelled: u64,
}

impl CallCounts {
    /// The count of one outcome.
    ///
    /// ```
    /// use gort_metrics::{CallCounts, Outcome};
    ///
    /// assert_eq!(CallCounts { panicked: 2, ..CallCounts::default() }.get(Outcome::Panicked), 2);
    /// ```
    pub fn get(&self, outcome: Outcome) -> u64 {
        match outcome {
            Outcome::Ok => self.ok,
            Outcome::Error => self.error,
            Outcome::Panicked => self.panicked,
            Outcome::Cancelled => self.cancelled,
        }
    }

    fn get_mut(&mut self, outcome: Outcome) -> &mut u64 {
        match outcome {
            Outcome::Ok => &mut self.ok,
            Outcome::Error => &mut self.error,
            Outcome::Panicked => &mut self.panicked,
            Outcome::Cancelled => &mut self.cancelled,
        }
    }

    /// All calls, whatever their outcome.
    ///
    /// ```
    /// use gort_metrics::CallCounts;
    ///
    /// assert_eq!(CallCounts { ok: 3, cancelled: 1, ..CallCounts::default() }.total(), 4);
    /// ```
    pub fn total(&self) -> u64 {
        Outcome::ALL
            .iter()
            .fold(0u64, |sum, &outcome| sum.saturating_add(self.get(outcome)))
    }
}

/// Count, sum and maximum of a set of durations.
///
/// A zero duration is kept as one nanosecond (the clock's grain), so a counted set always has
/// a positive maximum; the sum saturates at [`Duration::MAX`] and the maximum at `u64::MAX`
/// nanoseconds (584 years) instead of wrapping.
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

/// Keeps a value on its own cache lines.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Padded<T>(T);

/// A collector that keeps totals in memory, lock-free: every record is one to four atomic
/// additions on a stripe of the recording thread's own.
///
/// The counters are striped: each thread adds to one of eight cache-line-aligned copies, and
/// [`stats`](Self::stats) sums them. Threads recording at once therefore do not fight over one
/// cache line, and a record costs about what a lone `fetch_add` does, however many threads
/// record (see the README's performance table).
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
    stripes: [Stripe; STRIPES],
    /// A gauge, set rather than added to: one value for all threads.
    active_sessions: Padded<AtomicI64>,
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
    /// Each total is summed over the stripes with atomic reads while other threads may go on
    /// recording, so totals recorded concurrently with this call may be read a few records
    /// apart from each other. What a snapshot does promise, however it interleaves with
    /// records: `retries.calls == retries.succeeded + retries.failed`, `retries.attempts >=
    /// retries.calls`, and for every [`DurationStats`] with `count > 0`, `0 < max <= total`.
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
        let sum = |counter: fn(&Stripe) -> &AtomicU64| -> u64 {
            self.stripes
                .iter()
                .map(|stripe| counter(stripe).load(Ordering::Relaxed))
                .fold(0u64, u64::saturating_add)
        };
        let durations = |cells: fn(&Stripe) -> &DurationCells| {
            let mut sum = DurationStats::default();
            for stripe in &self.stripes {
                cells(stripe).add_to(&mut sum);
            }
            sum
        };
        let mut retries = RetryStats::default();
        let mut middleware_calls = CallCounts::default();
        let mut message_calls = CallCounts::default();
        for stripe in &self.stripes {
            stripe.retries.add_to(&mut retries);
            stripe.middleware_calls.add_to(&mut middleware_calls);
            stripe.message_calls.add_to(&mut message_calls);
        }
        Stats {
            messages_received: sum(|stripe| &stripe.messages_received),
            messages_sent: sum(|stripe| &stripe.messages_sent),
            errors: sum(|stripe| &stripe.errors),
            active_sessions: self.active_sessions.0.load(Ordering::Relaxed),
            message_durations: durations(|stripe| &stripe.message_durations),
            middleware_durations: durations(|stripe| &stripe.middleware_durations),
            session_durations: durations(|stripe| &stripe.session_durations),
            retries,
            middleware_calls,
            message_calls,
        }
    }

    /// This thread's stripe.
    #[inline]
    fn stripe(&self) -> &Stripe {
        // `stripe_index` is always below `STRIPES`; indexing keeps the bounds check, which the
        // optimiser removes after the `% STRIPES`.
        &self.stripes[stripe_index() % STRIPES]
    }
}

impl Collector for StatsCollector {
    #[inline]
    fn record_message_received(&self, _channel: &str, _direction: &str, _msg_type: &str) {
        self.stripe()
            .messages_received
            .fetch_add(1, Ordering::Relaxed);
    }

    #[inline]
    fn record_message_sent(&self, _channel: &str, _direction: &str, _msg_type: &str) {
        self.stripe().messages_sent.fetch_add(1, Ordering::Relaxed);
    }

    #[inline]
    fn record_message_duration(&self, _channel: &str, duration: Duration) {
        self.stripe().message_durations.record(duration);
    }

    /// Keeps nothing: a status is per channel, and these stats keep only totals (as in Go).
    #[inline]
    fn record_channel_status(&self, _channel: &str, _channel_type: &str, _running: bool) {}

    #[inline]
    fn record_channel_error(&self, _channel: &str, _channel_type: &str, _error_type: &str) {
        self.stripe().errors.fetch_add(1, Ordering::Relaxed);
    }

    #[inline]
    fn record_session_active(&self, count: i64) {
        self.active_sessions.0.store(count, Ordering::Relaxed);
    }

    #[inline]
    fn record_session_duration(&self, duration: Duration) {
        self.stripe().session_durations.record(duration);
    }

    #[inline]
    fn record_middleware_duration(&self, _middleware: &str, duration: Duration) {
        self.stripe().middleware_durations.record(duration);
    }

    /// Counts the call as one of at least one try (`attempts` of 0 counts as 1).
    #[inline]
    fn record_retry(&self, _operation: &str, attempts: u32, success: bool) {
        self.stripe().retries.record(attempts, success);
    }

    #[inline]
    fn record_middleware_call(&self, _middleware: &str, outcome: Outcome, duration: Duration) {
        let stripe = self.stripe();
        stripe.middleware_durations.record(duration);
        stripe.middleware_calls.record(outcome);
    }

    #[inline]
    fn record_message_call(&self, _channel: &str, outcome: Outcome, duration: Duration) {
        let stripe = self.stripe();
        stripe.message_durations.record(duration);
        stripe.message_calls.record(outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::cells::cells_set_nanos;
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
        collector.record_session_duration(Duration::MAX);
        let durations = collector.stats().session_durations;
        assert_eq!(durations.max, Duration::from_nanos(u64::MAX));
        assert_eq!(durations.total, Duration::MAX);
    }

    #[test]
    fn three_records_of_300_years_total_900_years() {
        const YEAR: u64 = 365 * 24 * 3600;
        let collector = StatsCollector::new();
        for _ in 0..3 {
            collector.record_session_duration(Duration::from_secs(300 * YEAR));
        }
        let durations = collector.stats().session_durations;
        assert_eq!(durations.total, Duration::from_secs(900 * YEAR));
        assert_eq!(durations.max, Duration::from_secs(300 * YEAR));
    }

    #[test]
    fn nanoseconds_carry_into_seconds_without_losing_any() {
        let cells = DurationCells::default();
        // Enough sub-second records to pass the carry threshold several times over would take
        // billions of records; start the cell just below it instead.
        let start = (1u64 << 62) - 5;
        cells_set_nanos(&cells, start);
        cells.record(Duration::from_nanos(999_999_999));
        cells.record(Duration::from_nanos(999_999_999));
        let mut sum = DurationStats::default();
        cells.add_to(&mut sum);
        let expected = Duration::from_nanos(start) + Duration::from_nanos(2 * 999_999_999);
        assert_eq!(sum.total, expected);
        assert_eq!(sum.count, 2);
    }

    #[test]
    fn a_zero_duration_counts_as_one_nanosecond_and_zero_attempts_as_one() {
        let collector = StatsCollector::new();
        collector.record_middleware_duration("auth", Duration::ZERO);
        collector.record_retry("api-call", 0, false);
        let stats = collector.stats();
        assert_eq!(stats.middleware_durations.max, Duration::from_nanos(1));
        assert_eq!(stats.middleware_durations.total, Duration::from_nanos(1));
        assert_eq!(
            stats.retries,
            RetryStats {
                calls: 1,
                attempts: 1,
                succeeded: 0,
                failed: 1
            }
        );
    }

    #[test]
    fn calls_record_their_duration_and_their_outcome() {
        let collector = StatsCollector::new();
        for outcome in Outcome::ALL {
            collector.record_middleware_call("auth", outcome, Duration::from_millis(1));
        }
        collector.record_message_call("dingtalk", Outcome::Cancelled, Duration::from_millis(2));
        let stats = collector.stats();
        assert_eq!(
            stats.middleware_calls,
            CallCounts {
                ok: 1,
                error: 1,
                panicked: 1,
                cancelled: 1
            }
        );
        assert_eq!(stats.middleware_durations.count, 4);
        assert_eq!(stats.message_calls.cancelled, 1);
        assert_eq!(stats.message_durations.total, Duration::from_millis(2));
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
    fn stripes_and_the_gauge_sit_on_separate_cache_lines() {
        assert_eq!(core::mem::align_of::<Stripe>(), 128);
        assert_eq!(core::mem::size_of::<Stripe>() % 128, 0);
        assert_eq!(core::mem::align_of::<Padded<AtomicI64>>(), 128);
    }

    #[test]
    fn threads_spread_over_the_stripes_and_the_totals_add_up() {
        let collector = StatsCollector::new();
        std::thread::scope(|scope| {
            for _ in 0..2 * STRIPES {
                scope.spawn(|| {
                    for _ in 0..1_000 {
                        collector.record_message_received("c", "inbound", "text");
                        collector.record_retry("op", 3, true);
                        collector.record_middleware_duration("auth", Duration::from_nanos(7));
                    }
                });
            }
        });
        let used = collector
            .stripes
            .iter()
            .filter(|stripe| stripe.messages_received.load(Ordering::Relaxed) > 0)
            .count();
        // Sixteen threads, handed stripes round-robin (other tests' threads take turns too).
        assert!(used > 1, "all records landed in {used} stripe");
        let stats = collector.stats();
        let records = 2 * STRIPES as u64 * 1_000;
        assert_eq!(stats.messages_received, records);
        assert_eq!(stats.retries.calls, records);
        assert_eq!(stats.retries.attempts, 3 * records);
        assert_eq!(stats.retries.failed, 0);
        assert_eq!(stats.middleware_durations.count, records);
        assert_eq!(
            stats.middleware_durations.total,
            Duration::from_nanos(7 * records)
        );
        assert_eq!(stats.middleware_durations.max, Duration::from_nanos(7));
    }
}
