//! The clock timers read: [`Stamp::now`] and [`Stamp::elapsed`].
//!
//! With the `quanta` feature (on by default) a stamp is a raw CPU counter reading (`RDTSC` on
//! x86-64, `CNTVCT_EL0` on aarch64) taken through [`quanta::Clock`], which checks at start-up
//! that the counter is invariant (constant rate, not stopped in sleep states), calibrates it
//! against the OS monotonic clock once (0.65 ms on the benchmark machine, at most 200 ms), and
//! falls back to the OS clock where the counter is unfit. A reading costs about a third of
//! `Instant::now()` on a typical KVM guest, where the OS clock goes through the vDSO.
//!
//! Without the feature a stamp is a [`std::time::Instant`].
//!
//! Either way an elapsed time never goes backwards: a later reading that compares lower (a
//! counter read on another core that lags by a few cycles) yields zero, not a wrap-around.

use core::time::Duration;

/// A point in time, read from the fastest monotonic clock available.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp(Raw);

/// Non-zero, so that `Option<Stamp>` takes no more room than a stamp. A counter reading of zero
/// (which only a counter reset could give) is taken as one: an error of one tick, once.
#[cfg(feature = "quanta")]
type Raw = core::num::NonZeroU64;
#[cfg(not(feature = "quanta"))]
type Raw = std::time::Instant;

#[cfg(feature = "quanta")]
#[inline]
fn clock() -> &'static quanta::Clock {
    static CLOCK: std::sync::OnceLock<quanta::Clock> = std::sync::OnceLock::new();
    CLOCK.get_or_init(quanta::Clock::new)
}

impl Stamp {
    /// Reads the clock.
    #[inline]
    pub(crate) fn now() -> Self {
        #[cfg(feature = "quanta")]
        return Stamp(
            core::num::NonZeroU64::new(clock().raw()).unwrap_or(core::num::NonZeroU64::MIN),
        );
        #[cfg(not(feature = "quanta"))]
        return Stamp(std::time::Instant::now());
    }

    /// The time since this stamp was read.
    #[inline]
    pub(crate) fn elapsed(self) -> Duration {
        #[cfg(feature = "quanta")]
        {
            let clock = clock();
            clock.delta(self.0.get(), clock.raw())
        }
        #[cfg(not(feature = "quanta"))]
        self.0.elapsed()
    }
}

/// Calibrates the clock now rather than on the first timed call. Collectors call this when
/// they are installed, so that the one-off calibration falls at start-up.
#[inline]
pub(crate) fn warm_up() {
    #[cfg(feature = "quanta")]
    clock();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;
    use std::time::Instant;

    #[test]
    fn elapsed_agrees_with_the_os_clock() {
        let os = Instant::now();
        let stamp = Stamp::now();
        thread::sleep(Duration::from_millis(20));
        let ours = stamp.elapsed();
        let theirs = os.elapsed();
        // Read after ours, so theirs is the longer; calibration error is far below 1 ms.
        assert!(ours >= Duration::from_millis(20), "{ours:?}");
        assert!(
            ours <= theirs + Duration::from_millis(1),
            "{ours:?} vs {theirs:?}"
        );
    }

    #[test]
    fn elapsed_never_goes_backwards() {
        let mut last = Duration::ZERO;
        let stamp = Stamp::now();
        for _ in 0..100_000 {
            let now = stamp.elapsed();
            assert!(now >= last, "{now:?} after {last:?}");
            last = now;
        }
    }

    #[test]
    fn a_stamp_moved_to_another_thread_still_measures() {
        let stamp = Stamp::now();
        let elapsed = thread::spawn(move || {
            thread::sleep(Duration::from_millis(5));
            stamp.elapsed()
        })
        .join()
        .expect("thread");
        assert!(elapsed >= Duration::from_millis(5), "{elapsed:?}");
    }
}
