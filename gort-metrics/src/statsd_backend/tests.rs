//! The exact lines each record becomes, read off a spy sink.

use super::send::Millis;
use super::*;
use crate::collector::{Collector, Outcome};
use cadence::SpyMetricSink;
use core::time::Duration;

/// A collector on a spy sink, and a function returning the lines sent since its last call.
fn spy(builder: StatsdBuilder) -> (StatsdCollector, impl Fn() -> Vec<String>) {
    let (lines, sink) = SpyMetricSink::new();
    let drain = move || {
        lines
            .try_iter()
            .map(|line| String::from_utf8(line).expect("cadence writes UTF-8"))
            .collect()
    };
    (builder.build_with_sink(sink), drain)
}

#[test]
fn every_record_becomes_its_documented_line() {
    let (statsd, drain) = spy(StatsdCollector::builder());
    statsd.record_message_received("dingtalk", "inbound", "text");
    statsd.record_message_sent("feishu", "outbound", "image");
    statsd.record_message_duration("dingtalk", Duration::from_micros(30_400));
    statsd.record_channel_status("my-dingtalk", "dingtalk", true);
    statsd.record_channel_error("my-dingtalk", "dingtalk", "connection");
    statsd.record_session_active(4);
    statsd.record_session_duration(Duration::from_secs(2));
    statsd.record_middleware_duration("auth", Duration::from_micros(6_500));
    statsd.record_retry("api-call", 3, false);
    assert_eq!(
        drain(),
        [
            "gort.messages_received:1|c|#channel:dingtalk,direction:inbound,type:text",
            "gort.messages_sent:1|c|#channel:feishu,direction:outbound,type:image",
            "gort.message_duration:30.4|ms|#channel:dingtalk",
            "gort.channel_status:1|g|#channel:my-dingtalk,type:dingtalk",
            "gort.channel_errors:1|c|#channel:my-dingtalk,type:dingtalk,error_type:connection",
            "gort.sessions_active:4|g",
            "gort.session_duration:2000|ms",
            "gort.middleware_duration:6.5|ms|#middleware:auth",
            "gort.retry_attempts:3|c|#operation:api-call,success:false",
            "gort.retry_calls:1|c|#operation:api-call,outcome:failed_with_retry",
        ]
    );
}

#[test]
fn the_prefix_is_configurable_and_cleaned() {
    let (statsd, drain) = spy(StatsdCollector::builder().prefix("gw:eu"));
    statsd.record_channel_status("c", "t", false);
    assert_eq!(drain(), ["gw_eu.channel_status:0|g|#channel:c,type:t"]);
}

#[test]
fn a_negative_session_count_is_sent_as_zero_not_as_a_decrement() {
    let (statsd, drain) = spy(StatsdCollector::builder());
    statsd.record_session_active(-2);
    assert_eq!(drain(), ["gort.sessions_active:0|g"]);
}

#[test]
fn tag_values_cannot_break_the_line() {
    let (statsd, drain) = spy(StatsdCollector::builder());
    statsd.record_message_received("a,b|c#d\ne", "in:bound", "text");
    let [line] = <[String; 1]>::try_from(drain()).expect("one line");
    let tags = line
        .strip_prefix("gort.messages_received:1|c|#channel:a_b_c_d_e-")
        .expect(&line);
    let (hash, rest) = tags.split_once(',').expect(&line);
    assert_eq!(hash.len(), 12, "{line}");
    assert_eq!(rest, "direction:in:bound,type:text");
    assert_eq!(statsd.rewritten_tag_values(), 1);
}

#[test]
fn an_empty_tag_value_is_sent_as_the_placeholder_not_as_a_trailing_colon() {
    let (statsd, drain) = spy(StatsdCollector::builder());
    statsd.record_channel_error("", "dingtalk", "");
    assert_eq!(
        drain(),
        ["gort.channel_errors:1|c|#channel:__empty__,type:dingtalk,error_type:__empty__"]
    );
    assert_eq!(statsd.rewritten_tag_values(), 2);
}

#[test]
fn values_that_clean_alike_are_sent_as_distinct_series() {
    let (statsd, drain) = spy(StatsdCollector::builder());
    let long = "t".repeat(250);
    let values = ["a|b", "a,b", "a#b", "a\nb", "a_b"]
        .map(str::to_owned)
        .into_iter()
        .chain([format!("{long}1"), format!("{long}2")]);
    for value in values {
        statsd.record_middleware_duration(&value, Duration::ZERO);
    }
    let lines = drain();
    assert_eq!(lines.len(), 7);
    for (i, line) in lines.iter().enumerate() {
        let tag = line.split_once("|#").expect(line).1;
        assert!(tag.len() <= 200, "a tag of {} bytes: {tag}", tag.len());
        assert!(!lines[i + 1..].contains(line), "{line} sent for two values");
    }
    assert_eq!(lines[4], "gort.middleware_duration:0|ms|#middleware:a_b");
    assert_eq!(statsd.rewritten_tag_values(), 6);
}

#[test]
fn a_tag_is_at_most_200_bytes_with_its_key() {
    let (statsd, drain) = spy(StatsdCollector::builder());
    statsd.record_message_duration(&"c".repeat(300), Duration::ZERO);
    let [line] = <[String; 1]>::try_from(drain()).expect("one line");
    let tag = line
        .strip_prefix("gort.message_duration:0|ms|#")
        .expect(&line);
    assert_eq!(tag.len(), 200, "{tag}");
    assert!(tag.starts_with("channel:ccc"));
}

#[test]
fn a_prefix_of_dots_or_nothing_gives_names_without_a_leading_dot() {
    for prefix in [".", "", "..", " . "] {
        let (statsd, drain) = spy(StatsdCollector::builder().prefix(prefix));
        statsd.record_session_active(1);
        assert_eq!(drain(), ["sessions_active:1|g"], "prefix {prefix:?}");
    }
    let (statsd, drain) = spy(StatsdCollector::builder().prefix(".gw..eu."));
    statsd.record_session_active(1);
    assert_eq!(drain(), ["gw.eu.sessions_active:1|g"]);
}

#[test]
fn calls_send_their_timer_and_count_their_outcome() {
    let (statsd, drain) = spy(StatsdCollector::builder());
    for outcome in Outcome::ALL {
        statsd.record_middleware_call("auth", outcome, Duration::from_micros(125));
    }
    statsd.record_message_call("dingtalk", Outcome::Error, Duration::from_millis(3));
    assert_eq!(
        drain(),
        [
            "gort.middleware_duration:0.125|ms|#middleware:auth",
            "gort.middleware_calls:1|c|#middleware:auth,outcome:ok",
            "gort.middleware_duration:0.125|ms|#middleware:auth",
            "gort.middleware_calls:1|c|#middleware:auth,outcome:error",
            "gort.middleware_duration:0.125|ms|#middleware:auth",
            "gort.middleware_calls:1|c|#middleware:auth,outcome:panicked",
            "gort.middleware_duration:0.125|ms|#middleware:auth",
            "gort.middleware_calls:1|c|#middleware:auth,outcome:cancelled",
            "gort.message_duration:3|ms|#channel:dingtalk",
            "gort.message_calls:1|c|#channel:dingtalk,outcome:error",
        ]
    );
}

#[test]
fn a_folded_call_folds_its_timer_and_its_count_together() {
    let (statsd, drain) = spy(StatsdCollector::builder().max_tag_sets(1));
    statsd.record_message_call("a", Outcome::Ok, Duration::ZERO);
    statsd.record_message_call("b", Outcome::Cancelled, Duration::ZERO);
    assert_eq!(
        drain(),
        [
            "gort.message_duration:0|ms|#channel:a",
            "gort.message_calls:1|c|#channel:a,outcome:ok",
            "gort.metrics_overflow:1|c|#family:message_duration",
            "gort.message_duration:0|ms|#channel:__overflow__",
            "gort.message_calls:1|c|#channel:__overflow__,outcome:cancelled",
        ]
    );
    assert_eq!(statsd.overflowed_records(), 1);
}

#[test]
fn retry_calls_carry_the_prometheus_outcome_vocabulary() {
    let (statsd, drain) = spy(StatsdCollector::builder());
    for (attempts, success) in [(1, true), (2, true), (3, false), (1, false)] {
        statsd.record_retry("op", attempts, success);
    }
    let calls: Vec<String> = drain()
        .into_iter()
        .filter(|line| line.starts_with("gort.retry_calls:"))
        .collect();
    assert_eq!(
        calls,
        [
            "gort.retry_calls:1|c|#operation:op,outcome:successful_without_retry",
            "gort.retry_calls:1|c|#operation:op,outcome:successful_with_retry",
            "gort.retry_calls:1|c|#operation:op,outcome:failed_with_retry",
            "gort.retry_calls:1|c|#operation:op,outcome:failed_without_retry",
        ]
    );
}

#[test]
fn tag_sets_past_the_limit_fold_into_overflow_and_are_counted() {
    let (statsd, drain) = spy(StatsdCollector::builder().max_tag_sets(2));
    for channel in ["a", "b", "c", "d", "a"] {
        statsd.record_message_received(channel, "inbound", "text");
    }
    statsd.record_retry("op-1", 1, true);
    assert_eq!(
        drain(),
        [
            "gort.messages_received:1|c|#channel:a,direction:inbound,type:text",
            "gort.messages_received:1|c|#channel:b,direction:inbound,type:text",
            "gort.metrics_overflow:1|c|#family:messages_received",
            "gort.messages_received:1|c|#channel:__overflow__,direction:__overflow__,type:__overflow__",
            "gort.metrics_overflow:1|c|#family:messages_received",
            "gort.messages_received:1|c|#channel:__overflow__,direction:__overflow__,type:__overflow__",
            "gort.messages_received:1|c|#channel:a,direction:inbound,type:text",
            "gort.retry_attempts:1|c|#operation:op-1,success:true",
            "gort.retry_calls:1|c|#operation:op-1,outcome:successful_without_retry",
        ]
    );
    assert_eq!(statsd.overflowed_records(), 2);
}

#[test]
fn each_metric_has_its_own_limit() {
    let (statsd, drain) = spy(StatsdCollector::builder().max_tag_sets(1));
    statsd.record_message_received("a", "inbound", "text");
    statsd.record_message_sent("b", "outbound", "text");
    statsd.record_middleware_duration("auth", Duration::ZERO);
    assert_eq!(statsd.overflowed_records(), 0);
    assert_eq!(drain().len(), 3);
}

#[test]
fn timers_keep_microseconds() {
    let sent = |duration| {
        let (statsd, drain) = spy(StatsdCollector::builder());
        statsd.record_session_duration(duration);
        drain().remove(0)
    };
    assert_eq!(
        sent(Duration::from_micros(125)),
        "gort.session_duration:0.125|ms"
    );
    assert_eq!(
        sent(Duration::from_nanos(1_499)),
        "gort.session_duration:0.001|ms"
    );
    assert_eq!(
        sent(Duration::from_nanos(1_500)),
        "gort.session_duration:0.002|ms"
    );
    assert_eq!(
        sent(Duration::from_nanos(499)),
        "gort.session_duration:0|ms"
    );
    assert_eq!(
        sent(Duration::from_millis(1_234)),
        "gort.session_duration:1234|ms"
    );
    assert_eq!(
        sent(Duration::from_micros(86_400_000_001)),
        "gort.session_duration:86400000.001|ms"
    );
}

#[test]
fn the_longest_duration_is_sent_as_a_plain_number() {
    let Millis(millis) = Millis::of(Duration::MAX);
    assert!((millis - Duration::MAX.as_secs_f64() * 1000.0).abs() / millis < 1e-9);
    assert!(!format!("{millis}").contains(['e', 'E', 'i', 'N']));
}

#[test]
fn a_full_queue_drops_lines_and_counts_them_without_blocking() {
    // Nothing listens on the discard port of the loopback; UDP sends succeed or fail
    // silently there, so only the queue's bound decides what is dropped.
    let statsd = StatsdCollector::builder()
        .queue_capacity(1)
        .build("127.0.0.1:9")
        .expect("a loopback UDP socket");
    let started = std::time::Instant::now();
    for i in 0..10_000 {
        statsd.record_session_active(i);
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "recording blocked"
    );
    statsd.flush();
    assert!(
        statsd.send_errors() > 0,
        "a one-line queue cannot take 10,000 lines at once"
    );
}
