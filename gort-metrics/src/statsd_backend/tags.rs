//! Making arbitrary strings safe to put on the StatsD wire, and acceptable to agents.
//!
//! A DogStatsD line is `name:value|type|#key:value,key:value`: a `|` or `,` inside a tag value
//! would split it, a `#` confuses some servers, a newline would start another metric. The
//! Datadog agent also drops or truncates a tag longer than 200 characters (key included) and
//! rejects one that ends with `:`. Label values come from callers (and from payloads), so they
//! are rewritten rather than trusted, and a rewrite must never merge two distinct values into
//! one series: a rewritten value carries a hash of the original.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Longest tag sent, `key:value` together, in bytes: the Datadog agent's limit of 200
/// characters (bytes are never fewer than characters), and it keeps one record well inside a
/// UDP datagram.
pub(super) const MAX_TAG_BYTES: usize = 200;

/// What an empty tag value is sent as: `type:` would be a tag ending with `:`, which agents
/// reject or read as a key-only tag.
pub(super) const EMPTY_VALUE: &str = "__empty__";

/// Values the backend itself sends with a meaning of their own; a caller's value equal to one
/// is rewritten, so that the placeholder keeps meaning only what it is documented to mean.
const RESERVED_VALUES: [&str; 2] = [EMPTY_VALUE, super::cardinality::OVERFLOW_VALUE];

/// What replaces characters the wire format cannot carry.
const REPLACEMENT: char = '_';

/// Hex digits of the hash a rewritten value ends with: 48 bits, so that among 10,000 rewritten
/// values of one tag the chance of any two sharing a hash is below one in a million.
const HASH_DIGITS: usize = 12;

/// `-` and the hash.
const HASH_SUFFIX_BYTES: usize = 1 + HASH_DIGITS;

/// A tag value ready for the wire, and whether it had to be rewritten to get there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TagValue<'a> {
    pub(super) value: Cow<'a, str>,
    pub(super) rewritten: bool,
}

fn breaks_tag_value(c: char) -> bool {
    matches!(c, '|' | ',' | '#') || c.is_control()
}

fn breaks_metric_name(c: char) -> bool {
    matches!(c, '|' | ',' | '#' | ':' | '@') || c.is_control() || c.is_whitespace()
}

/// The value to send for tag `key`: `value` itself (borrowed) when it is non-empty, has no
/// character that breaks the line, does not end with `:`, is no reserved placeholder and fits
/// in [`MAX_TAG_BYTES`] with its key, which is the common case.
///
/// Otherwise an empty value becomes [`EMPTY_VALUE`]; any other has each breaking character
/// replaced by `_`, is cut on a character boundary so that `key:value` fits, and ends with `-`
/// and 12 hex digits of a stable hash of the original, so that `a|b` and `a,b` (or two long
/// values sharing their first 200 bytes) stay two series.
pub(super) fn tag_value<'a>(key: &str, value: &'a str) -> TagValue<'a> {
    let budget = MAX_TAG_BYTES.saturating_sub(key.len() + 1);
    if value.is_empty() {
        return TagValue {
            value: Cow::Borrowed(EMPTY_VALUE),
            rewritten: true,
        };
    }
    let acceptable = value.len() <= budget
        && !value.ends_with(':')
        && !value.contains(breaks_tag_value)
        && !RESERVED_VALUES.contains(&value);
    if acceptable {
        return TagValue {
            value: Cow::Borrowed(value),
            rewritten: false,
        };
    }
    let room = budget.saturating_sub(HASH_SUFFIX_BYTES);
    let mut rewritten = String::with_capacity(budget);
    for c in value.chars() {
        let c = if breaks_tag_value(c) { REPLACEMENT } else { c };
        if rewritten.len() + c.len_utf8() > room {
            break;
        }
        rewritten.push(c);
    }
    let _ = write!(
        rewritten,
        "-{:0width$x}",
        stable_hash(value),
        width = HASH_DIGITS
    );
    TagValue {
        value: Cow::Owned(rewritten),
        rewritten: true,
    }
}

/// 48 bits of the 64-bit FNV-1a hash of `value`: the same in every process and release, so a
/// rewritten value names the same series after a restart.
fn stable_hash(value: &str) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = value.bytes().fold(OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    });
    // The high bits mix every input byte best.
    hash >> (64 - 4 * HASH_DIGITS)
}

/// A metric name prefix: spaces around it trimmed, anything that would end the name replaced
/// by `_`, and empty dot-separated parts dropped, so that `"."` or `""` mean no prefix (never a
/// leading dot) and `"gw..eu."` means `gw.eu`.
pub(super) fn metric_prefix(prefix: &str) -> String {
    let mut cleaned = String::with_capacity(prefix.len());
    for part in prefix.trim().split('.').filter(|part| !part.is_empty()) {
        if !cleaned.is_empty() {
            cleaned.push('.');
        }
        cleaned.extend(part.chars().map(|c| {
            if breaks_metric_name(c) {
                REPLACEMENT
            } else {
                c
            }
        }));
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sent(key: &str, value: &str) -> String {
        tag_value(key, value).value.into_owned()
    }

    #[test]
    fn ordinary_values_are_borrowed_unchanged() {
        let my_dingtalk = tag_value("channel", "my-dingtalk");
        assert!(matches!(my_dingtalk.value, Cow::Borrowed("my-dingtalk")));
        assert!(!my_dingtalk.rewritten);
        assert_eq!(sent("type", "a:b.c/d"), "a:b.c/d");
        assert_eq!(sent("type", "__overflow__x"), "__overflow__x");
    }

    #[test]
    fn rewritten_values_keep_a_readable_prefix_and_end_with_the_hash() {
        let value = sent("channel", "a|b");
        assert_eq!(value.len(), 3 + HASH_SUFFIX_BYTES);
        assert!(value.starts_with("a_b-"), "{value}");
        assert!(value[4..].bytes().all(|b| b.is_ascii_hexdigit()), "{value}");
        assert_eq!(sent("channel", "a|b"), value, "the hash is stable");
        assert!(tag_value("channel", "a|b").rewritten);
    }

    #[test]
    fn values_that_clean_alike_stay_distinct() {
        let cleaned = ["a|b", "a,b", "a#b", "a\nb", "a_b"].map(|value| sent("channel", value));
        assert_eq!(cleaned[4], "a_b", "a clean value is sent as it is");
        for (i, first) in cleaned.iter().enumerate() {
            for second in &cleaned[i + 1..] {
                assert_ne!(first, second);
            }
        }
    }

    #[test]
    fn a_tag_fits_in_200_bytes_with_its_key() {
        let long = "t".repeat(300);
        let value = sent("channel", &long);
        assert_eq!("channel:".len() + value.len(), MAX_TAG_BYTES);
        assert!(value.starts_with(&"t".repeat(MAX_TAG_BYTES - 8 - HASH_SUFFIX_BYTES)));
        let exact = "t".repeat(MAX_TAG_BYTES - "channel:".len());
        assert_eq!(
            sent("channel", &exact),
            exact,
            "a value that just fits is kept"
        );
        let one_more = format!("{exact}t");
        assert_ne!(sent("channel", &one_more), one_more);
    }

    #[test]
    fn long_values_sharing_their_first_200_bytes_stay_distinct() {
        let tenant = "tenant-".repeat(40);
        let (first, second) = (format!("{tenant}1"), format!("{tenant}2"));
        assert_ne!(sent("channel", &first), sent("channel", &second));
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_TAG_BYTES);
        let value = sent("type", &long);
        assert!("type:".len() + value.len() <= MAX_TAG_BYTES);
        let (kept, _hash) = value.rsplit_once('-').expect("a hash suffix");
        assert!(!kept.is_empty() && kept.chars().all(|c| c == 'é'));
    }

    #[test]
    fn an_empty_value_becomes_the_placeholder() {
        let empty = tag_value("type", "");
        assert_eq!(empty.value, EMPTY_VALUE);
        assert!(empty.rewritten);
    }

    #[test]
    fn no_tag_ends_with_a_colon() {
        let value = sent("type", "v1:");
        assert!(value.starts_with("v1:-"), "{value}");
        assert_ne!(sent("type", "v1:"), sent("type", "v1::"));
    }

    #[test]
    fn a_value_equal_to_a_placeholder_is_not_mistaken_for_it() {
        for placeholder in RESERVED_VALUES {
            let value = sent("type", placeholder);
            assert_ne!(value, placeholder);
            assert!(value.starts_with(placeholder));
        }
    }

    #[test]
    fn the_hash_is_fnv_1a() {
        // The published FNV-1a 64 digests of "" and "a", cut to their high 48 bits.
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325 >> 16);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c >> 16);
    }

    #[test]
    fn prefixes_lose_what_would_end_the_name_and_every_stray_dot() {
        assert_eq!(metric_prefix("my app:v1|x"), "my_app_v1_x");
        assert_eq!(metric_prefix("."), "");
        assert_eq!(metric_prefix("..."), "");
        assert_eq!(metric_prefix(""), "");
        assert_eq!(metric_prefix("  "), "");
        assert_eq!(metric_prefix(".gw..eu."), "gw.eu");
        assert_eq!(metric_prefix(" gateway.eu "), "gateway.eu");
    }

    proptest! {
        #[test]
        fn any_value_becomes_one_well_formed_tag(key in "[a-z_]{1,12}", value in any::<String>()) {
            let TagValue { value: sent, rewritten } = tag_value(&key, &value);
            prop_assert!(key.len() + 1 + sent.len() <= MAX_TAG_BYTES);
            prop_assert!(!sent.is_empty());
            prop_assert!(!sent.ends_with(':'));
            prop_assert!(!sent.contains(breaks_tag_value));
            prop_assert_eq!(rewritten, sent != value);
        }

        #[test]
        fn distinct_values_are_sent_distinct(first in any::<String>(), second in any::<String>()) {
            prop_assume!(first != second);
            prop_assert_ne!(tag_value("channel", &first).value, tag_value("channel", &second).value);
        }

        #[test]
        fn no_prefix_starts_or_ends_with_a_dot_or_has_an_empty_part(prefix in any::<String>()) {
            let cleaned = metric_prefix(&prefix);
            prop_assert!(!cleaned.starts_with('.') && !cleaned.ends_with('.'));
            prop_assert!(!cleaned.contains(".."));
            prop_assert!(!cleaned.contains(breaks_metric_name));
        }
    }
}
