//! Duration strings: a number (integer or decimal) and a unit, like `"100ms"` or `"1.5s"`.

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

const ACCEPTED: &str =
    "a number and a unit, like \"100ms\" or \"1.5s\" (units: ns, us, ms, s, m, h)";

/// Parses `text`; the error says what was wrong and what is accepted.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
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
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_only = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_only(fraction) || (number.contains('.') && fraction.is_empty()) {
        return Err(format!("{text:?} is not a duration: expected {ACCEPTED}"));
    }
    let too_long = || format!("{text:?} is too long: the longest wait is about 584 years");
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
        nanos += digit * scale;
    }
    let nanos = u64::try_from(nanos).map_err(|_| too_long())?;
    Ok(Duration::from_nanos(nanos))
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
        assert!(parse_duration("10000000h").is_err());
        assert!(parse_duration("1.5ns").is_err());
    }

    #[test]
    fn displays_in_the_largest_exact_unit() {
        assert_eq!(display(Duration::from_millis(1500)), "1500ms");
        assert_eq!(display(Duration::from_secs(120)), "2m");
        assert_eq!(display(Duration::ZERO), "0s");
    }
}
