//! [`StatsCollector`]: lock-free in-memory totals, read back as a [`Stats`] snapshot.

use crate::Collector;
use core::cell::Cell;
use core::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
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

/// How many stripes a [`StatsCollector`] spreads its counters over.
const STRIPES: usize = 8;

/// One thread's share of the counters: a cache line pair of its own, so that threads on
/// different stripes never contend. A stripe is written by the threads assigned to it and read
/// only by [`StatsCollector::stats`].
#[derive(Debug, Default)]
#[repr(align(128))]
struct Stripe {
    messages_received: AtomicU64,
    messages_sent: AtomicU64,
    errors: AtomicU64,
    message_durations: DurationCells,
    middleware_durations: DurationCells,
    session_durations: DurationCells,
    retries: RetryCells,
}

/// Keeps a value on its own cache lines.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Padded<T>(T);

thread_local! {
    /// This thread's stripe, assigned on its first record; `usize::MAX` until then.
    static STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Hands out stripes to threads round-robin.
static NEXT_STRIPE: AtomicUsize = AtomicUsize::new(0);

/// This thread's stripe index: a thread-local read once assigned.
#[inline]
fn stripe_index() -> usize {
    // `try_with` fails only while this thread's locals are being destroyed; recording from a
    // destructor then shares stripe 0, which is as correct, only less spread.
    STRIPE
        .try_with(|stripe| {
            let index = stripe.get();
            if index < STRIPES {
                index
            } else {
                let index = NEXT_STRIPE.fetch_add(1, Ordering::Relaxed) % STRIPES;
                stripe.set(index);
                index
            }
        })
        .unwrap_or(0)
}

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
}

/// Sums one duration kind over all stripes.
fn duration_snapshot<'a>(cells: impl Iterator<Item = &'a DurationCells>) -> DurationStats {
    let (count, total, max) = cells.fold((0u64, 0u64, 0u64), |(count, total, max), cells| {
        (
            count + cells.count.load(Ordering::Relaxed),
            total.saturating_add(cells.total_nanos.load(Ordering::Relaxed)),
            max.max(cells.max_nanos.load(Ordering::Relaxed)),
        )
    });
    DurationStats {
        count,
        total: Duration::from_nanos(total),
        max: Duration::from_nanos(max),
    }
}

/// A collector that keeps totals in memory, lock-free: every record is one to three relaxed
/// atomic additions.
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
    /// Each total is summed over the stripes with atomic reads; totals recorded concurrently
    /// with this call may be read a few records apart from each other.
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
                .sum()
        };
        let durations = |cells: fn(&Stripe) -> &DurationCells| {
            duration_snapshot(self.stripes.iter().map(cells))
        };
        // `calls` after `succeeded`, the reverse of the order records write them, so that a
        // snapshot taken during records does not count more successes than calls.
        let succeeded = sum(|stripe| &stripe.retries.succeeded);
        let calls = sum(|stripe| &stripe.retries.calls);
        Stats {
            messages_received: sum(|stripe| &stripe.messages_received),
            messages_sent: sum(|stripe| &stripe.messages_sent),
            errors: sum(|stripe| &stripe.errors),
            active_sessions: self.active_sessions.0.load(Ordering::Relaxed),
            message_durations: durations(|stripe| &stripe.message_durations),
            middleware_durations: durations(|stripe| &stripe.middleware_durations),
            session_durations: durations(|stripe| &stripe.session_durations),
            retries: RetryStats {
                calls,
                attempts: sum(|stripe| &stripe.retries.attempts),
                succeeded,
                failed: calls.saturating_sub(succeeded),
            },
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

    #[inline]
    fn record_retry(&self, _operation: &str, attempts: u32, success: bool) {
        let cells = &self.stripe().retries;
        // `succeeded` first: with `stats` reading `calls` last, a snapshot never sees more
        // successes than calls.
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
