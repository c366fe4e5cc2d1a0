//! The atomic cells behind a [`StatsCollector`](super::StatsCollector): striped per thread,
//! written and read in an order that keeps every snapshot possible.
//!
//! # Why a snapshot is never impossible
//!
//! A record writes the fields a snapshot checks against each other first, with relaxed adds,
//! and then the field the snapshot reads first, with a release add. The snapshot reads that
//! field with an acquire load, so for every record it counts there, it also sees what that
//! record wrote before. For durations the record writes the total, then the maximum (release),
//! then the count (release); the snapshot reads count, maximum, total. For retries it writes
//! the attempts, then the outcome (release); the snapshot reads outcomes, then attempts.
//! Records that land between the snapshot's loads can only make the later-read fields larger,
//! which keeps `0 < max <= total` for a counted duration and `attempts >= calls`. The totals
//! are still a few records apart from one another; only these inequalities are promised.

use super::{CallCounts, DurationStats, RetryStats};
use crate::collector::Outcome;
use core::cell::Cell;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use core::time::Duration;

/// How many stripes a collector spreads its counters over.
pub(super) const STRIPES: usize = 8;

/// One thread's share of the counters, on cache lines of its own, so that threads on
/// different stripes never contend. Written by the threads assigned to it, read by snapshots.
#[derive(Debug, Default)]
#[repr(align(128))]
pub(super) struct Stripe {
    pub(super) messages_received: AtomicU64,
    pub(super) messages_sent: AtomicU64,
    pub(super) errors: AtomicU64,
    pub(super) message_durations: DurationCells,
    pub(super) middleware_durations: DurationCells,
    pub(super) session_durations: DurationCells,
    pub(super) middleware_calls: OutcomeCells,
    pub(super) message_calls: OutcomeCells,
    pub(super) retries: RetryCells,
}

thread_local! {
    /// This thread's stripe, assigned on its first record; `usize::MAX` until then.
    static STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// Hands out stripes to threads round-robin.
static NEXT_STRIPE: AtomicUsize = AtomicUsize::new(0);

/// This thread's stripe index, always below [`STRIPES`]: a thread-local read once assigned.
#[inline]
pub(super) fn stripe_index() -> usize {
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

const NANOS_PER_SECOND: u64 = 1_000_000_000;
/// When a stripe's sub-second nanoseconds pass this, whole seconds move to the seconds cell:
/// far below `u64::MAX`, so no add in flight can wrap it.
const CARRY_AT: u64 = 1 << 62;

/// Count, total and maximum of one kind of duration, on one stripe.
#[derive(Debug, Default)]
pub(super) struct DurationCells {
    count: AtomicU64,
    /// The whole seconds of the total, saturating.
    total_seconds: AtomicU64,
    /// The rest of the total, in nanoseconds; whole seconds are carried out past `CARRY_AT`.
    total_nanos: AtomicU64,
    /// In nanoseconds, saturating at `u64::MAX` (584 years).
    max_nanos: AtomicU64,
}

impl DurationCells {
    /// Records one duration. A zero duration counts as one nanosecond, the clock's grain, so
    /// that a counted duration always has a positive maximum.
    #[inline]
    pub(super) fn record(&self, duration: Duration) {
        let duration = duration.max(Duration::from_nanos(1));
        let seconds = duration.as_secs();
        if seconds > 0 {
            add_saturating(&self.total_seconds, seconds);
        }
        let nanos = u64::from(duration.subsec_nanos());
        if self.total_nanos.fetch_add(nanos, Ordering::Relaxed) >= CARRY_AT {
            self.carry();
        }
        let max = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        self.max_nanos.fetch_max(max, Ordering::Release);
        self.count.fetch_add(1, Ordering::Release);
    }

    /// Moves whole seconds out of the nanoseconds cell: seconds first, so that a snapshot in
    /// between counts them twice (for a moment, by at most the carry) rather than not at all.
    #[cold]
    fn carry(&self) {
        let seconds = CARRY_AT / NANOS_PER_SECOND;
        add_saturating(&self.total_seconds, seconds);
        self.total_nanos
            .fetch_sub(seconds * NANOS_PER_SECOND, Ordering::Relaxed);
    }

    /// Adds this stripe's share to `sum`: count first, then maximum, then total (see the
    /// module docs for why this order).
    pub(super) fn add_to(&self, sum: &mut DurationStats) {
        let count = self.count.load(Ordering::Acquire);
        let max = Duration::from_nanos(self.max_nanos.load(Ordering::Acquire));
        let nanos = self.total_nanos.load(Ordering::Relaxed);
        let seconds = self
            .total_seconds
            .load(Ordering::Relaxed)
            .saturating_add(nanos / NANOS_PER_SECOND);
        // Saturated seconds stand for "at least this much": the most a `Duration` holds.
        let total = match seconds {
            u64::MAX => Duration::MAX,
            seconds => Duration::new(seconds, (nanos % NANOS_PER_SECOND) as u32),
        };
        sum.count = sum.count.saturating_add(count);
        sum.total = sum.total.saturating_add(total);
        sum.max = sum.max.max(max);
    }
}

/// Adds without wrapping. Only durations of a second or more take this compare-and-swap loop;
/// shorter ones never touch the seconds cell.
fn add_saturating(cell: &AtomicU64, value: u64) {
    let _ = cell.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |current| {
        Some(current.saturating_add(value))
    });
}

/// Calls counted by outcome, on one stripe.
#[derive(Debug, Default)]
pub(super) struct OutcomeCells([AtomicU64; 4]);

impl OutcomeCells {
    #[inline]
    pub(super) fn record(&self, outcome: Outcome) {
        self.0[outcome_index(outcome)].fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn add_to(&self, sum: &mut CallCounts) {
        for outcome in Outcome::ALL {
            let count = self.0[outcome_index(outcome)].load(Ordering::Relaxed);
            let total = sum.get_mut(outcome);
            *total = total.saturating_add(count);
        }
    }
}

fn outcome_index(outcome: Outcome) -> usize {
    match outcome {
        Outcome::Ok => 0,
        Outcome::Error => 1,
        Outcome::Panicked => 2,
        Outcome::Cancelled => 3,
    }
}

/// Retried operations, on one stripe. The number of calls is not kept: it is the successes
/// plus the failures, so the three can never disagree.
#[derive(Debug, Default)]
pub(super) struct RetryCells {
    attempts: AtomicU64,
    succeeded: AtomicU64,
    failed: AtomicU64,
}

impl RetryCells {
    /// Records one operation. A call makes at least one try, so `attempts` counts as at
    /// least 1, which keeps `attempts >= calls`.
    #[inline]
    pub(super) fn record(&self, attempts: u32, success: bool) {
        self.attempts
            .fetch_add(u64::from(attempts.max(1)), Ordering::Relaxed);
        let outcome = if success {
            &self.succeeded
        } else {
            &self.failed
        };
        outcome.fetch_add(1, Ordering::Release);
    }

    /// Adds this stripe's share to `sum`: outcomes first, then attempts.
    pub(super) fn add_to(&self, sum: &mut RetryStats) {
        let succeeded = self.succeeded.load(Ordering::Acquire);
        let failed = self.failed.load(Ordering::Acquire);
        let attempts = self.attempts.load(Ordering::Relaxed);
        sum.succeeded = sum.succeeded.saturating_add(succeeded);
        sum.failed = sum.failed.saturating_add(failed);
        sum.calls = sum.succeeded.saturating_add(sum.failed);
        sum.attempts = sum.attempts.saturating_add(attempts);
    }
}

/// Sets a cell's nanoseconds, for the carry test.
#[cfg(test)]
pub(super) fn cells_set_nanos(cells: &DurationCells, nanos: u64) {
    cells.total_nanos.store(nanos, Ordering::Relaxed);
}
