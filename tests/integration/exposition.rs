//! Any UTF-8 label value yields a valid text exposition that gives the value back unchanged:
//! property tests against a strict parser of the format, and the real `promtool`.

use crate::servers::{on_path, promtool_check_metrics, skip_or_fail};
use gort_metrics::{Collector, Outcome, PrometheusCollector};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// Decoded label pairs, in order.
type Labels = Vec<(String, String)>;

/// One sample line: metric name, label pairs (decoded), value.
type Sample = (String, Labels, String);

/// Parses a text exposition (format 0.0.4) strictly; returns the samples or what is wrong.
fn parse_exposition(text: &str) -> Result<Vec<Sample>, String> {
    if !text.is_empty() && !text.ends_with('\n') {
        return Err("exposition does not end with a newline".into());
    }
    let mut samples = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let fail = |what: &str| format!("line {}: {what}: {line:?}", number + 1);
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.splitn(3, ' ');
            match (words.next(), words.next()) {
                (Some("HELP" | "TYPE"), Some(name)) if is_metric_name(name) => continue,
                _ => return Err(fail("malformed HELP/TYPE line")),
            }
        }
        let name_end = line.find(['{', ' ']).ok_or_else(|| fail("no value"))?;
        let name = &line[..name_end];
        if !is_metric_name(name) {
            return Err(fail("bad metric name"));
        }
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(inner) = rest.strip_prefix('{') {
            let (parsed, after) = parse_labels(inner).map_err(|why| fail(&why))?;
            labels = parsed;
            rest = after;
        }
        let value = rest
            .strip_prefix(' ')
            .ok_or_else(|| fail("no space before value"))?;
        if value.parse::<f64>().is_err() && !["+Inf", "-Inf", "NaN"].contains(&value) {
            return Err(fail("bad value"));
        }
        samples.push((name.to_owned(), labels, value.to_owned()));
    }
    Ok(samples)
}

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Parses `name="value",...}` and returns the pairs and what follows the `}`.
fn parse_labels(mut text: &str) -> Result<(Labels, &str), String> {
    let mut labels = Vec::new();
    loop {
        if let Some(after) = text.strip_prefix('}') {
            return Ok((labels, after));
        }
        let equals = text.find('=').ok_or("label without '='")?;
        let name = &text[..equals];
        if !is_metric_name(name) || name.contains(':') {
            return Err(format!("bad label name {name:?}"));
        }
        text = text[equals + 1..]
            .strip_prefix('"')
            .ok_or("label value not quoted")?;
        let mut value = String::new();
        let mut chars = text.char_indices();
        let end = loop {
            match chars.next().ok_or("unterminated label value")? {
                (at, '"') => break at,
                (_, '\\') => match chars.next().ok_or("dangling escape")?.1 {
                    '\\' => value.push('\\'),
                    '"' => value.push('"'),
                    'n' => value.push('\n'),
                    other => return Err(format!("unknown escape \\{other}")),
                },
                (_, '\n') => return Err("raw newline in label value".into()),
                (_, c) => value.push(c),
            }
        };
        labels.push((name.to_owned(), value));
        text = &text[end + 1..];
        text = text.strip_prefix(',').unwrap_or(text);
    }
}

/// Records one message, one error and one call of each kind per channel name; returns the
/// exposition of `collector`.
fn exposition_of(collector: &PrometheusCollector, channels: &[String]) -> String {
    for (index, channel) in channels.iter().enumerate() {
        let outcome = Outcome::ALL[index % Outcome::ALL.len()];
        collector.record_message_received(channel, "inbound", channel);
        collector.record_channel_error(channel, "dingtalk", "auth");
        collector.record_message_call(channel, outcome, std::time::Duration::from_millis(2));
        collector.record_middleware_call(channel, outcome, std::time::Duration::from_millis(1));
    }
    collector.render()
}

/// [`exposition_of`] a collector with the default options.
fn exposition_for(channels: &[String]) -> String {
    exposition_of(&PrometheusCollector::new(), channels)
}

fn label_values() -> impl Strategy<Value = Vec<String>> {
    let hostile = prop_oneof![
        any::<String>(),
        "[\\\\\"\n\r\t\u{0}-\u{1f}\u{7f}]{0,8}",
        Just(String::new()),
        Just("\\n".to_owned()),
    ];
    proptest::collection::vec(hostile, 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_label_value_round_trips_through_a_valid_exposition(values in label_values()) {
        let text = exposition_for(&values);
        let samples = parse_exposition(&text).map_err(TestCaseError::fail)?;
        for value in &values {
            let found = samples.iter().any(|(name, labels, _)| {
                name == "gort_messages_received_total"
                    && labels.contains(&("channel".to_owned(), value.clone()))
                    && labels.contains(&("type".to_owned(), value.clone()))
            });
            prop_assert!(found, "value {:?} not found back", value);
            for (family, label) in [
                ("gort_message_calls_total", "channel"),
                ("gort_middleware_calls_total", "middleware"),
            ] {
                let calls = samples.iter().filter(|(name, labels, _)| {
                    name == family && labels.contains(&(label.to_owned(), value.clone()))
                });
                prop_assert_eq!(calls.count(), 4, "{} of {:?}: one series per outcome", family, value);
            }
        }
    }
}

#[test]
fn a_64_kib_label_value_round_trips_where_the_limit_allows_it() {
    let long: String = "quote\" back\\ newline\n 钉钉 ".repeat(64 * 1024 / 28 + 1);
    assert!(long.len() >= 64 * 1024);
    let collector = PrometheusCollector::builder()
        .max_label_value_len(128 * 1024)
        .build()
        .expect("collector");
    let text = exposition_of(&collector, std::slice::from_ref(&long));
    let samples = parse_exposition(&text).expect("valid");
    assert!(
        samples
            .iter()
            .any(|(_, labels, _)| labels.contains(&("channel".to_owned(), long.clone())))
    );
}

#[test]
fn cut_values_of_hostile_bytes_make_a_valid_exposition() {
    let hostile = [
        "quote\" back\\ newline\n 钉钉 🚀".repeat(600),
        "\\".repeat(5000),
    ];
    let samples = parse_exposition(&exposition_for(&hostile)).expect("valid");
    let channels: Vec<&str> = samples
        .iter()
        .filter(|(name, _, _)| name == "gort_messages_received_total")
        .flat_map(|(_, labels, _)| labels.iter())
        .filter(|(name, _)| name == "channel")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(channels.len(), 2);
    for original in &hostile {
        let cut = channels
            .iter()
            .find(|channel| original.starts_with(&channel[..channel.len() - 17]))
            .expect("the cut value is a prefix of the original and a hash");
        assert!(cut.len() <= 1024, "{} bytes", cut.len());
    }
}

#[test]
fn the_parser_rejects_broken_expositions() {
    for broken in [
        "gort_x{channel=\"a\nb\"} 1\n",
        "gort_x{channel=\"a\\q\"} 1\n",
        "gort_x{channel=a} 1\n",
        "gort_x 1",
        "9bad 1\n",
        "gort_x{channel=\"a\"} one\n",
    ] {
        assert!(parse_exposition(broken).is_err(), "{broken:?}");
    }
}

#[test]
fn promtool_accepts_expositions_of_hostile_label_values() {
    let Some(promtool) = on_path("promtool") else {
        skip_or_fail(
            "promtool_accepts_expositions_of_hostile_label_values",
            "promtool (Debian package prometheus)",
        );
        return;
    };
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut checked = 0;
    for _ in 0..24 {
        let values = label_values()
            .new_tree(&mut runner)
            .expect("generate values")
            .current();
        let mut all = values;
        all.push("quote\" back\\ newline\n".repeat(3000));
        let text = exposition_for(&all);
        assert!(
            text.contains("gort_messages_received_total{"),
            "non-empty exposition"
        );
        if let Err(report) = promtool_check_metrics(&promtool, &text) {
            panic!("promtool rejected:\n{report}\n--- exposition ---\n{text}");
        }
        checked += 1;
    }
    assert_eq!(checked, 24);
}
