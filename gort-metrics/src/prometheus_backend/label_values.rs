//! The bound on label value length: over-long values are cut to a prefix plus a hash of the
//! whole value, so that distinct values stay distinct series and the same value always maps to
//! the same series, in this process and the next.
//!
//! Pure functions, apart from the guard's state, so that they can be property-tested.

use std::borrow::Cow;

/// The default bound on a label value, in bytes: Prometheus drops a whole scrape when one value
/// exceeds its `label_value_length_limit`, and 1024 is the common setting of that limit. See
/// [`PrometheusBuilder::max_label_value_len`](crate::PrometheusBuilder::max_label_value_len).
///
/// ```
/// use gort_metrics::{Collector, DEFAULT_MAX_LABEL_VALUE_LEN, PrometheusCollector};
///
/// let collector = PrometheusCollector::new();
/// collector.record_middleware_duration(&"m".repeat(10_000), std::time::Duration::ZERO);
/// let families = collector.registry().gather();
/// let durations = families
///     .iter()
///     .find(|family| family.name() == "gort_middleware_duration_seconds")
///     .unwrap();
/// let middleware = durations.get_metric()[0].get_label()[0].value();
/// assert_eq!(middleware.len(), DEFAULT_MAX_LABEL_VALUE_LEN);
/// ```
pub const DEFAULT_MAX_LABEL_VALUE_LEN: usize = 1024;

/// The smallest accepted bound: room for the suffix and a prefix that still says something.
pub const MIN_LABEL_VALUE_LEN: usize = 32;

/// What separates the kept prefix from the hash in a shortened value.
const SUFFIX_MARK: char = '~';

/// The suffix of a shortened value: the mark and 16 hex digits.
const SUFFIX_LEN: usize = 1 + 16;

/// `value` itself when it fits in `limit` bytes; else its longest prefix that ends on a char
/// boundary and leaves room for `~` and the 16 hex digits of the whole value's FNV-1a hash.
///
/// `limit` must be at least [`MIN_LABEL_VALUE_LEN`] (the builder checks it); a smaller one is
/// treated as that minimum, so the result is never longer than `max(limit, 32)`.
pub(super) fn shorten(value: &str, limit: usize) -> Cow<'_, str> {
    let limit = limit.max(MIN_LABEL_VALUE_LEN);
    if value.len() <= limit {
        return Cow::Borrowed(value);
    }
    let mut cut = limit - SUFFIX_LEN;
    // A char is at most four bytes, so this takes at most three steps back.
    while !value.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut shortened = String::with_capacity(cut + SUFFIX_LEN);
    shortened.push_str(&value[..cut]);
    shortened.push(SUFFIX_MARK);
    push_hex(&mut shortened, fnv1a(value.as_bytes()));
    Cow::Owned(shortened)
}

/// 64-bit FNV-1a: a fixed, documented function (unlike `std`'s hasher, whose output may change
/// between releases), so a value keeps its series across restarts and upgrades.
fn fnv1a(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(PRIME)
    })
}

fn push_hex(out: &mut String, value: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..16).rev() {
        let nibble = (value >> (shift * 4)) & 0xf;
        out.push(char::from(DIGITS[nibble as usize]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn values_within_the_limit_are_borrowed_unchanged() {
        let value = "x".repeat(64);
        assert!(matches!(shorten(&value, 64), Cow::Borrowed(v) if v == value));
        assert!(matches!(shorten("", 64), Cow::Borrowed("")));
    }

    #[test]
    fn a_long_value_keeps_its_prefix_and_gets_the_hash_of_the_whole() {
        let value = "a".repeat(100);
        let shortened = shorten(&value, 40);
        assert_eq!(shortened.len(), 40);
        assert_eq!(&shortened[..23], "a".repeat(23));
        assert_eq!(&shortened[23..24], "~");
        assert_eq!(
            &shortened[24..],
            format!("{:016x}", fnv1a(value.as_bytes()))
        );
    }

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_cut_never_splits_a_char() {
        // "钉" is three bytes: 40 - 17 = 23 is not a boundary, 21 is.
        let value = "钉".repeat(40);
        let shortened = shorten(&value, 40);
        assert_eq!(&shortened[..21], "钉".repeat(7));
        assert_eq!(shortened.len(), 21 + SUFFIX_LEN);
    }

    #[test]
    fn a_limit_below_the_minimum_acts_as_the_minimum() {
        let value = "b".repeat(100);
        assert_eq!(shorten(&value, 3).len(), MIN_LABEL_VALUE_LEN);
    }

    proptest! {
        #[test]
        fn shortened_values_fit_are_utf8_and_stay_distinct(
            prefix in ".{0,40}",
            a in ".{1,20}",
            b in ".{1,20}",
            limit in MIN_LABEL_VALUE_LEN..80usize,
        ) {
            let (long_a, long_b) = (format!("{prefix}{}{a}", "z".repeat(80)), format!("{prefix}{}{b}", "z".repeat(80)));
            let (short_a, short_b) = (shorten(&long_a, limit), shorten(&long_b, limit));
            prop_assert!(short_a.len() <= limit);
            prop_assert!(short_a.len() > limit - SUFFIX_LEN - 4);
            prop_assert!(long_a.starts_with(&short_a[..short_a.len() - SUFFIX_LEN]));
            prop_assert_eq!(short_a == short_b, long_a == long_b);
            prop_assert_eq!(shorten(&long_a, limit), short_a.clone(), "deterministic");
        }
    }
}
