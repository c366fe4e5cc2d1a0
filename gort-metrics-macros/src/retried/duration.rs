//! Duration strings: a number (integer or decimal) and a unit, like `"100ms"` or `"1.5s"`.
//! Underscores may group digits as in Rust literals, one at a time between two digits:
//! `"1_000ms"`, `"0.000_5s"`.

use std::time::Duration;

/// The units a duration string may end in, with their length in nanoseconds.
const UNITS: [(&str, u128); 6] = [
    ("ns", 1),
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

const NANOS_PER_SECOND: u128 = 1_000_000_000;

const ACCEPTED: &str =
    "a number and a unit, like \"100ms\" or \"1.5s\" (units: ns, us, ms, s, m, h)";

/// Parses `text`; the error says what was wrong and what is accepted.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(number_end);
    if number.is_empty() {
        return Err(format!("{text:?} is not a duration: expected {ACCEPTED}"));
    }
    if unit.is_empty() {
        return Err(format!("{text:?} has no unit: expected {ACCEPTED}"));
    }
    let Some(&(_, unit_nanos)) = UNITS.iter().find(|(name, _)| *name == unit) else {
        return Err(format!(
            "unknown unit {unit:?} in {text:?}: expected {ACCEPTED}"
        ));
    };
    if !underscores_between_digits(number) {
        return Err(format!(
            "{text:?} has a misplaced `_`: an underscore may only stand between two digits, \
             like \"1_000ms\""
        ));
    }
    let digits: String = number.chars().filter(|&c| c != '_').collect();
    let (whole, fraction) = digits.split_once('.').unwrap_or((&digits, ""));
    let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_only(fraction) || (digits.contains('.') && fraction.is_empty()) {
        return Err(format!("{text:?} is not a duration: expected {ACCEPTED}"));
    }
    let too_long = || {
        format!(
            "{text:?} is too long: a duration holds at most {}s (about 585 billion years)",
            u64::MAX
        )
    };
    let whole: u128 = whole.parse().map_err(|_| too_long())?;
    let mut nanos = whole.checked_mul(unit_nanos).ok_or_else(too_long)?;
    // The fraction is exact: digit k after the point is worth unit / 10^k.
    let mut scale = unit_nanos;
    for digit in fraction.bytes().map(|b| u128::from(b - b'0')) {
        if scale % 10 != 0 {
            if digit != 0 {
                return Err(format!(
                    "{text:?} is finer than a nanosecond: use fewer decimal places"
                ));
            }
            continue;
        }
        scale /= 10;
        nanos = nanos.checked_add(digit * scale).ok_or_else(too_long)?;
    }
    let seconds = u64::try_from(nanos / NANOS_PER_SECOND).map_err(|_| too_long())?;
    let subsecond = u32::try_from(nanos % NANOS_PER_SECOND).map_err(|_| too_long())?;
    Ok(Duration::new(seconds, subsecond))
}

/// Whether every `_` in `number` has a digit on both sides.
fn underscores_between_digits(number: &str) -> bool {
    let bytes = number.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'_'
            || (i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
    })
}

/// `duration` the way a user would write it, for error messages: `"1.5s"`, `"250ms"`.
pub(crate) fn display(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    for &(name, unit) in UNITS.iter().rev() {
        if nanos >= unit && nanos % unit == 0 {
            return format!("{}{name}", nanos / unit);
        }
    }
    format!("{}s", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_unit() {
        let expected = [
            ("7ns", Duration::from_nanos(7)),
            ("7us", Duration::from_micros(7)),
            ("7ms", Duration::from_millis(7)),
            ("7s", Duration::from_secs(7)),
            ("7m", Duration::from_secs(7 * 60)),
            ("7h", Duration::from_secs(7 * 3600)),
        ];
        for (text, duration) in expected {
            assert_eq!(parse_duration(text), Ok(duration), "{text}");
        }
    }

    #[test]
    fn accepts_decimals_exactly() {
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0.25ms"), Ok(Duration::from_micros(250)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2.000ns"), Ok(Duration::from_nanos(2)));
    }

    #[test]
    fn rejects_what_is_not_a_number_and_a_unit() {
        for text in [
            "", "soon", "ms", "1.s", ".5s", "1..5s", "1.5.2s", "-1s", " 1s", "1 s",
        ] {
            assert!(parse_duration(text).is_err(), "{text:?} accepted");
        }
    }

    #[test]
    fn says_when_the_unit_is_missing_or_unknown() {
        assert!(parse_duration("10").unwrap_err().contains("has no unit"));
        assert!(
            parse_duration("10d")
                .unwrap_err()
                .contains("unknown unit \"d\"")
        );
    }

    #[test]
    fn rejects_overflow_and_sub_nanosecond_precision() {
        assert!(parse_duration("99999999999999999999999999999999999999999h").is_err());
        assert!(parse_duration("600y").is_err());
        assert!(parse_duration("1.5ns").is_err());
        // The whole part fits in u128 nanoseconds; adding the fraction would not.
        let error = parse_duration("340282366920938463463374607431.9s").unwrap_err();
        assert!(error.contains("is too long"), "{error}");
        assert!(parse_duration("18446744073709551616s").is_err());
    }

    #[test]
    fn accepts_anything_a_duration_holds() {
        assert_eq!(
            parse_duration("10000000h"),
            Ok(Duration::from_secs(36_000_000_000))
        );
        assert_eq!(
            parse_duration("18446744073709551615.999999999s"),
            Ok(Duration::MAX)
        );
    }

    #[test]
    fn underscores_group_digits() {
        assert_eq!(parse_duration("1_000ms"), Ok(Duration::from_secs(1)));
        assert_eq!(
            parse_duration("1_0.2_5s"),
            Ok(Duration::from_millis(10_250))
        );
        assert_eq!(parse_duration("0.000_5s"), Ok(Duration::from_micros(500)));
    }

    #[test]
    fn underscores_only_between_two_digits() {
        for text in ["_1ms", "1_ms", "1__000ms", "1_.5s", "1._5s", "_ms"] {
            let error = parse_duration(text).unwrap_err();
            assert!(error.contains("misplaced `_`"), "{text:?}: {error}");
        }
    }

    #[test]
    fn displays_in_the_largest_exact_unit() {
        assert_eq!(display(Duration::from_millis(1500)), "1500ms");
        assert_eq!(display(Duration::from_secs(120)), "2m");
        assert_eq!(display(Duration::ZERO), "0s");
    }
}
