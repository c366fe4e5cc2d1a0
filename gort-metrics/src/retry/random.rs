//! A small seedable source of random bits for jitter.
//!
//! Jitter needs spread, not secrecy, so SplitMix64 (Steele, Lea and Flood, 2014) is plenty: one
//! add and three multiply-xorshift rounds per draw, every seed valid, full period of 2^64.

use core::sync::atomic::{AtomicU64, Ordering};

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64: a deterministic sequence of 64-bit values from a seed.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(crate) fn seeded(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// A generator whose seed differs from every other one this process made, and from run to
    /// run, so that clients retrying together do not wait in lockstep.
    pub(crate) fn unpredictable() -> Self {
        static SEQUENCE: AtomicU64 = AtomicU64::new(0);
        let count = SEQUENCE.fetch_add(GOLDEN_GAMMA, Ordering::Relaxed);
        let clock = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos() as u64);
        // The address of a local differs between runs under ASLR and between threads.
        let local = 0u8;
        let address = core::ptr::addr_of!(local) as usize as u64;
        let mut mixer = SplitMix64::seeded(clock ^ address.rotate_left(32));
        SplitMix64::seeded(mixer.next_u64() ^ count)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_sequence_for_seed_zero() {
        // First outputs of the reference implementation for seed 0.
        let mut random = SplitMix64::seeded(0);
        assert_eq!(random.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(random.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(random.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn equal_seeds_give_equal_sequences() {
        let mut a = SplitMix64::seeded(42);
        let mut b = SplitMix64::seeded(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn unpredictable_generators_differ() {
        let mut a = SplitMix64::unpredictable();
        let mut b = SplitMix64::unpredictable();
        assert_ne!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn draws_cover_both_halves_of_the_range() {
        let mut random = SplitMix64::seeded(7);
        let high = (0..1000)
            .filter(|_| random.next_u64() > u64::MAX / 2)
            .count();
        assert!(
            (400..600).contains(&high),
            "{high} of 1000 draws in the upper half"
        );
    }
}
