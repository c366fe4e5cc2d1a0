//! The pure arithmetic of waiting: how long the wait after a failed try may be, and where full
//! jitter puts it inside that bound. No clocks, no randomness of its own, no state.

use core::time::Duration;

/// How the wait between tries grows.
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{Backoff, RetryPolicy};
///
/// let policy = RetryPolicy::new("api-call").backoff(Backoff::Fixed);
/// assert_eq!(policy.wait_ceiling(4), Duration::from_millis(100));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Backoff {
    /// The wait after try `n` (counting from 1) is `delay * 2^(n-1)`: 1x, 2x, 4x, 8x the
    /// first delay, until it reaches `max_delay`.
    #[default]
    Exponential,
    /// Every wait is `delay`.
    Fixed,
}

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// The longest wait after try number `try_number` (1 for the first try): `delay * 2^(n-1)` or
/// `delay`, never above `max_delay`. Saturates instead of overflowing.
pub(crate) fn wait_ceiling(
    backoff: Backoff,
    delay: Duration,
    max_delay: Duration,
    try_number: u32,
) -> Duration {
    let uncapped = match backoff {
        Backoff::Fixed => delay.as_nanos(),
        Backoff::Exponential => doubled(delay.as_nanos(), try_number.saturating_sub(1)),
    };
    from_nanos(uncapped.min(max_delay.as_nanos()))
}

/// `nanos * 2^doublings`, saturating at `u128::MAX`.
///
/// Zero stays zero however many doublings: a zero delay means no wait, not a wait that grows
/// to the cap once the shift would overflow. Any other value saturates once a bit would be
/// shifted out, which for a shift of 128 or more (where `checked_shl` gives up) is always.
fn doubled(nanos: u128, doublings: u32) -> u128 {
    if nanos == 0 {
        return 0;
    }
    match nanos.checked_shl(doublings) {
        Some(shifted) if shifted >> doublings == nanos => shifted,
        _ => u128::MAX,
    }
}

/// Full jitter: a wait drawn uniformly from `[0, ceiling]`, given 64 uniformly random bits.
///
/// Scaling by multiplication (rather than a modulo) keeps the draw uniform to within one part in
/// 2^64 and can never exceed `ceiling`.
pub(crate) fn full_jitter(ceiling: Duration, random: u64) -> Duration {
    let span = ceiling.as_nanos().saturating_add(1);
    let nanos = mul_shift_64(span, random);
    from_nanos(nanos.min(ceiling.as_nanos()))
}

/// `(span * random) >> 64` without overflowing: `span` may use up to 96 bits (a `Duration`'s
/// nanoseconds), so it is split into a high and a low 64-bit half.
fn mul_shift_64(span: u128, random: u64) -> u128 {
    let random = u128::from(random);
    let low = span & u128::from(u64::MAX);
    let high = span >> 64;
    (high * random) + ((low * random) >> 64)
}

fn from_nanos(nanos: u128) -> Duration {
    let secs = nanos / NANOS_PER_SEC;
    let subsec = (nanos % NANOS_PER_SEC) as u32;
    match u64::try_from(secs) {
        Ok(secs) => Duration::new(secs, subsec),
        Err(_) => Duration::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn exponential_doubles_from_the_first_delay() {
        let waits: Vec<_> = (1..=5)
            .map(|n| wait_ceiling(Backoff::Exponential, 100 * MS, 10_000 * MS, n))
            .collect();
        assert_eq!(waits, [100 * MS, 200 * MS, 400 * MS, 800 * MS, 1600 * MS]);
    }

    #[test]
    fn exponential_is_capped_at_max_delay() {
        let cap = 300 * MS;
        assert_eq!(
            wait_ceiling(Backoff::Exponential, 100 * MS, cap, 2),
            200 * MS
        );
        assert_eq!(wait_ceiling(Backoff::Exponential, 100 * MS, cap, 3), cap);
        assert_eq!(
            wait_ceiling(Backoff::Exponential, 100 * MS, cap, u32::MAX),
            cap
        );
    }

    #[test]
    fn exponential_saturates_instead_of_overflowing() {
        let huge = wait_ceiling(Backoff::Exponential, Duration::MAX, Duration::MAX, 200);
        assert_eq!(huge, Duration::MAX);
        let wide = wait_ceiling(Backoff::Exponential, MS, Duration::MAX, 120);
        assert_eq!(wide, Duration::MAX);
    }

    #[test]
    fn a_zero_delay_never_grows_however_late_the_try() {
        for try_number in [1, 2, 64, 128, 129, 130, 1_000, u32::MAX - 1, u32::MAX] {
            for backoff in [Backoff::Exponential, Backoff::Fixed] {
                assert_eq!(
                    wait_ceiling(backoff, Duration::ZERO, Duration::MAX, try_number),
                    Duration::ZERO,
                    "{backoff:?}, try {try_number}"
                );
            }
        }
    }

    #[test]
    fn the_smallest_delay_saturates_exactly_when_its_bit_leaves_the_word() {
        let one = Duration::from_nanos(1);
        // Try 128 shifts the single bit to position 127: still exact, then capped.
        assert_eq!(
            wait_ceiling(Backoff::Exponential, one, Duration::MAX, 64),
            from_nanos(1 << 63)
        );
        for try_number in [129, 130, u32::MAX] {
            assert_eq!(
                wait_ceiling(Backoff::Exponential, one, 7 * MS, try_number),
                7 * MS
            );
        }
        assert_eq!(doubled(1, 127), 1 << 127);
        assert_eq!(doubled(1, 128), u128::MAX);
        assert_eq!(doubled(1, u32::MAX), u128::MAX);
        assert_eq!(doubled(0, u32::MAX), 0);
    }

    #[test]
    fn fixed_is_the_delay_capped_at_max_delay() {
        assert_eq!(
            wait_ceiling(Backoff::Fixed, 100 * MS, 10_000 * MS, 7),
            100 * MS
        );
        assert_eq!(wait_ceiling(Backoff::Fixed, 100 * MS, 40 * MS, 1), 40 * MS);
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        assert_eq!(full_jitter(100 * MS, 0), Duration::ZERO);
        assert_eq!(full_jitter(100 * MS, u64::MAX), 100 * MS);
        assert_eq!(full_jitter(100 * MS, u64::MAX / 2), 50 * MS);
        assert_eq!(full_jitter(Duration::ZERO, u64::MAX), Duration::ZERO);
        // Near the top of the range the draw falls short of the ceiling by under a second
        // in 2^64 seconds: uniform enough.
        assert!(full_jitter(Duration::MAX, u64::MAX) >= Duration::MAX - Duration::from_secs(1));
    }

    fn any_duration() -> impl Strategy<Value = Duration> {
        prop_oneof![
            (0u64..=100_000_000_000).prop_map(Duration::from_nanos),
            (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        ]
    }

    fn any_backoff() -> impl Strategy<Value = Backoff> {
        prop_oneof![Just(Backoff::Exponential), Just(Backoff::Fixed)]
    }

    proptest! {
        #[test]
        fn no_wait_ceiling_exceeds_max_delay(
            backoff in any_backoff(),
            delay in any_duration(),
            max_delay in any_duration(),
            try_number in 1u32..=u32::MAX,
        ) {
            prop_assert!(wait_ceiling(backoff, delay, max_delay, try_number) <= max_delay);
        }

        #[test]
        fn exponential_never_shrinks(
            delay in any_duration(),
            max_delay in any_duration(),
            try_number in 1u32..10_000,
        ) {
            let this = wait_ceiling(Backoff::Exponential, delay, max_delay, try_number);
            let next = wait_ceiling(Backoff::Exponential, delay, max_delay, try_number + 1);
            prop_assert!(this <= next);
        }

        #[test]
        fn exponential_matches_delay_times_a_power_of_two(
            delay_ms in 0u64..1_000_000,
            max_delay in any_duration(),
            try_number in 1u32..=40,
        ) {
            let delay = Duration::from_millis(delay_ms);
            let expected = (delay.as_nanos() << (try_number - 1)).min(max_delay.as_nanos());
            let actual = wait_ceiling(Backoff::Exponential, delay, max_delay, try_number);
            prop_assert_eq!(actual.as_nanos(), expected);
        }

        #[test]
        fn jitter_stays_within_zero_and_the_ceiling(
            ceiling in any_duration(),
            random in any::<u64>(),
        ) {
            prop_assert!(full_jitter(ceiling, random) <= ceiling);
        }

        #[test]
        fn jitter_grows_with_the_random_bits(
            ceiling in any_duration(),
            a in any::<u64>(),
            b in any::<u64>(),
        ) {
            let (low, high) = (a.min(b), a.max(b));
            prop_assert!(full_jitter(ceiling, low) <= full_jitter(ceiling, high));
        }
    }
}
