//! The exact lines each record becomes, read off a spy sink.

use super::*;
use cadence::SpyMetricSink;

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
            "gort.message_duration:30|ms|#channel:dingtalk",
            "gort.channel_status:1|g|#channel:my-dingtalk,type:dingtalk",
            "gort.channel_errors:1|c|#channel:my-dingtalk,type:dingtalk,error_type:connection",
            "gort.sessions_active:4|g",
            "gort.session_duration:2000|ms",
            "gort.middleware_duration:7|ms|#middleware:auth",
            "gort.retry_attempts:3|c|#operation:api-call,success:false",
            "gort.retry_calls:1|c|#operation:api-call,success:false",
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
    statsd.record_message_received("a,b|c#d\ne", "in:bound", "");
    assert_eq!(
        drain(),
        ["gort.messages_received:1|c|#channel:a_b_c_d_e,direction:in:bound,type:"]
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
            "gort.retry_calls:1|c|#operation:op-1,success:true",
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
fn durations_round_to_the_nearest_millisecond() {
    assert_eq!(millis(Duration::from_micros(499)), 0);
    assert_eq!(millis(Duration::from_micros(500)), 1);
    assert_eq!(millis(Duration::from_millis(1_234)), 1_234);
    assert_eq!(millis(Duration::MAX), Duration::MAX.as_millis() as u64);
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
