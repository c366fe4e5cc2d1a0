//! Making arbitrary strings safe to put on the StatsD wire.
//!
//! A DogStatsD line is `name:value|type|#key:value,key:value`: a `|` or `,` inside a tag value
//! would split it, a `#` confuses some servers, a newline would start another metric. Label
//! values come from callers (and from payloads), so they are cleaned rather than trusted.

use std::borrow::Cow;

/// Longest tag value sent, in bytes: the Datadog agent's own limit, and it keeps one record
/// well inside one UDP datagram.
pub(super) const MAX_TAG_VALUE_BYTES: usize = 200;

/// What replaces characters the wire format cannot carry.
const REPLACEMENT: char = '_';

fn breaks_tag_value(c: char) -> bool {
    matches!(c, '|' | ',' | '#') || c.is_control()
}

fn breaks_metric_name(c: char) -> bool {
    matches!(c, '|' | ',' | '#' | ':' | '@') || c.is_control() || c.is_whitespace()
}

/// `value` with unsafe characters replaced by `_` and cut to [`MAX_TAG_VALUE_BYTES`] on a
/// character boundary; borrowed when it needs no change, which is the common case.
pub(super) fn tag_value(value: &str) -> Cow<'_, str> {
    clean(value, MAX_TAG_VALUE_BYTES, breaks_tag_value)
}

/// A metric name prefix with anything that would end the name replaced by `_`.
pub(super) fn metric_prefix(prefix: &str) -> String {
    clean(prefix, usize::MAX, breaks_metric_name).into_owned()
}

fn clean(value: &str, max_bytes: usize, breaks: fn(char) -> bool) -> Cow<'_, str> {
    let mut end = value.len().min(max_bytes);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    let value = &value[..end];
    if !value.contains(breaks) {
        return Cow::Borrowed(value);
    }
    let cleaned = value
        .chars()
        .map(|c| if breaks(c) { REPLACEMENT } else { c })
        .collect();
    Cow::Owned(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_values_are_borrowed_unchanged() {
        assert!(matches!(
            tag_value("my-dingtalk"),
            Cow::Borrowed("my-dingtalk")
        ));
        assert_eq!(tag_value("a:b.c/d"), "a:b.c/d");
        assert_eq!(tag_value(""), "");
    }

    #[test]
    fn separators_and_control_characters_are_replaced() {
        assert_eq!(tag_value("a|b,c#d\ne\r\tf"), "a_b_c_d_e__f");
        assert_eq!(metric_prefix("my app:v1|x"), "my_app_v1_x");
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_TAG_VALUE_BYTES);
        let cut = tag_value(&long);
        assert_eq!(cut.len(), MAX_TAG_VALUE_BYTES);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(
            tag_value(&format!("a{long}")).len(),
            MAX_TAG_VALUE_BYTES - 1
        );
    }

    proptest! {
        #[test]
        fn any_value_becomes_one_well_formed_tag(value in any::<String>()) {
            let cleaned = tag_value(&value);
            prop_assert!(cleaned.len() <= MAX_TAG_VALUE_BYTES);
            prop_assert!(!cleaned.contains(breaks_tag_value));
            prop_assert!(value.starts_with(&*cleaned) || cleaned.contains(REPLACEMENT));
        }
    }
}
