//! A small simulated gateway: two channels, an auth middleware, sessions and a flaky upstream
//! call, recorded through the explicit `record_*` functions into a Prometheus collector.
//!
//! Run it with `cargo run -p examples --example quickstart`; it needs no external service and
//! prints a summary followed by the Prometheus text exposition.

use gort_metrics::prometheus::proto::MetricFamily;
use gort_metrics::{
    PrometheusCollector, record_channel_error, record_channel_status, record_message_duration,
    record_message_received, record_message_sent, record_middleware_duration, record_retry,
    record_session_active, record_session_duration, set_global_collector,
};
use std::time::{Duration, Instant};

mod dice;
use dice::Dice;

/// One inbound message as a channel hands it to the gateway.
struct Message {
    channel: &'static str,
    msg_type: &'static str,
    user: u64,
}

/// The middleware: checks the sender, timed by hand around the check.
fn authenticate(message: &Message) -> bool {
    let start = Instant::now();
    let allowed = message.user % 7 != 0;
    record_middleware_duration("auth", start.elapsed());
    allowed
}

/// The upstream call that fails now and then, retried up to three times.
fn call_upstream(dice: &mut Dice) -> Result<(), &'static str> {
    let mut attempts = 0;
    let outcome = loop {
        attempts += 1;
        let result = if dice.roll(4) == 0 {
            Err("upstream timeout")
        } else {
            Ok(())
        };
        if result.is_ok() || attempts == 3 {
            break result;
        }
    };
    record_retry("api-call", attempts, outcome.is_ok());
    outcome
}

fn handle(message: &Message, dice: &mut Dice) {
    let start = Instant::now();
    record_message_received(message.channel, "inbound", message.msg_type);
    if !authenticate(message) {
        record_channel_error(message.channel, message.channel, "auth");
    } else if call_upstream(dice).is_err() {
        record_channel_error(message.channel, message.channel, "upstream");
    } else {
        record_message_sent(message.channel, "outbound", "text");
    }
    record_message_duration(message.channel, start.elapsed());
}

fn main() {
    let prometheus = PrometheusCollector::new();
    set_global_collector(prometheus.clone());

    let channels = ["dingtalk", "feishu"];
    for channel in channels {
        record_channel_status(channel, channel, true);
    }

    let mut dice = Dice(2024);
    let mut sessions = 0i64;
    for user in 1..=200u64 {
        let message = Message {
            channel: channels[(user % 2) as usize],
            msg_type: ["text", "image", "text", "file"][dice.roll(4) as usize],
            user,
        };
        if user % 25 == 1 {
            sessions += 1;
            record_session_active(sessions);
        }
        handle(&message, &mut dice);
        if user % 40 == 0 {
            sessions -= 1;
            record_session_active(sessions);
            record_session_duration(Duration::from_secs(60 + dice.roll(600)));
        }
    }
    record_channel_status("feishu", "feishu", false);

    print_summary(&prometheus.registry().gather());
    println!("\n--- Prometheus exposition ---\n{}", prometheus.render());
}

/// Sums a family's series whose `label` equals `value` (all series when `label` is empty).
fn total(families: &[MetricFamily], name: &str, label: &str, value: &str) -> f64 {
    let Some(family) = families.iter().find(|family| family.name() == name) else {
        return 0.0;
    };
    family
        .get_metric()
        .iter()
        .filter(|metric| {
            label.is_empty()
                || metric
                    .get_label()
                    .iter()
                    .any(|pair| pair.name() == label && pair.value() == value)
        })
        .map(|metric| metric.get_counter().get_value())
        .sum()
}

fn print_summary(families: &[MetricFamily]) {
    println!("--- Gateway summary ---");
    for channel in ["dingtalk", "feishu"] {
        println!(
            "{channel:>9}: {:>3} received, {:>3} sent, {:>2} errors",
            total(families, "gort_messages_received_total", "channel", channel),
            total(families, "gort_messages_sent_total", "channel", channel),
            total(families, "gort_channel_errors_total", "channel", channel),
        );
    }
    let attempts = total(families, "gort_retry_attempts_total", "", "");
    let calls = total(families, "gort_retry_calls_total", "", "");
    let failed = total(
        families,
        "gort_retry_calls_total",
        "outcome",
        "failed_with_retry",
    );
    println!(
        " api-call: {calls} calls, {attempts} attempts ({:.2} per call), {failed} failed after retrying",
        attempts / calls.max(1.0)
    );
}
