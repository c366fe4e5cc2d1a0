//! A deterministic pseudo-random source shared by the examples, so that every run is alike.

use std::time::Duration;

/// A 64-bit linear congruential generator, seeded by the example.
pub struct Dice(pub u64);

impl Dice {
    /// A number in `0..sides`.
    pub fn roll(&mut self, sides: u64) -> u64 {
        // Knuth's MMIX constants; the high bits are the good ones.
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % sides
    }

    /// A duration between `low` and `high` milliseconds, to the microsecond.
    #[allow(dead_code, reason = "not every example draws durations")]
    pub fn millis(&mut self, low: u64, high: u64) -> Duration {
        Duration::from_micros(1_000 * low + self.roll(1_000 * (high - low)))
    }
}
