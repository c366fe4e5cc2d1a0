//! The one word every hot path reads first: the generation of the installed global collector
//! and whether it is enabled.
//!
//! Each `set_global_collector` stores a new generation. A thread compares the word with the
//! generation it cached (see [`super::local`]); while they are equal its cached collector is
//! current and no lock, reference count or shared write is involved. Scoped collectors live
//! only in the thread itself and never touch this word, so a server that scopes every request
//! costs the other threads nothing.

use core::sync::atomic::{AtomicU64, Ordering};

/// Bit 0: the installed global collector is enabled. Bits 1 and up: its generation, counted in
/// steps of [`GENERATION`]. Generation 0 is the no-op collector the process
/// starts with.
static STATE: AtomicU64 = AtomicU64::new(0);

/// Bit 0 of a state value: the collector it describes is enabled.
pub(crate) const ENABLED: u64 = 1;
/// What one installation adds to the state.
const GENERATION: u64 = 2;

/// A state value no installation ever produces: a thread that cached it always refreshes.
/// Generations would need 2^62 installations to reach it.
pub(crate) const NEVER: u64 = u64::MAX;

/// Reads the state: one relaxed load.
///
/// Relaxed suffices: a thread whose cached generation equals the word uses the collector it
/// already holds a counted reference to; one that sees a new generation takes the slot's lock
/// to fetch it, and the lock orders it after the installation. A record racing a swap goes to
/// the collector before or after it, never to neither.
#[inline(always)]
pub(crate) fn load() -> u64 {
    STATE.load(Ordering::Relaxed)
}

/// The state value that follows `previous` for a collector that is (or is not) `enabled`.
/// Callers hold the slot's lock, so installations are numbered without gaps or repeats.
pub(crate) fn next(previous: u64, enabled: bool) -> u64 {
    (previous & !ENABLED).wrapping_add(GENERATION) | u64::from(enabled)
}

/// Publishes `state`. Called with the slot's lock held, after the slot holds the collector.
pub(crate) fn publish(state: u64) {
    STATE.store(state, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_advance_and_carry_the_enabled_bit() {
        let first = next(0, true);
        assert_eq!(first, 3);
        let second = next(first, false);
        assert_eq!(second, 4);
        assert_eq!(next(second, true), 7);
        assert_ne!(next(second, true), NEVER);
    }
}
