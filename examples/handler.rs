//! Timing message handlers with `#[timed(channel = "..")]`, next to the explicit recording
//! functions, and reading the totals back from a `StatsCollector`.
//!
//! Run with `cargo run -p examples --example handler`.

use gort_metrics::{
    StatsCollector, record_message_received, record_message_sent, set_global_collector,
    time_message, timed,
};
use std::sync::Arc;
use std::thread::sleep;
use std::time::Duration;

struct Message {
    channel: &'static str,
    text: String,
}

/// One handler per channel: its processing time is recorded under `channel="dingtalk"`.
#[timed(channel = "dingtalk")]
fn handle_dingtalk(message: &Message) -> Result<String, String> {
    if message.text.is_empty() {
        return Err("empty message".to_owned()); // recorded too
    }
    sleep(Duration::from_millis(3));
    Ok(format!("dingtalk echo: {}", message.text))
}

struct FeishuHandler {
    prefix: &'static str,
}

// Every method handles messages of the `feishu` channel.
#[timed(channel = "feishu")]
impl FeishuHandler {
    fn handle(&self, message: &Message) -> Result<String, String> {
        sleep(Duration::from_millis(1));
        Ok(format!("{}{}", self.prefix, message.text.to_uppercase()))
    }
}

/// Channels added at run time have no handler of their own: time them by hand.
fn handle_generic(message: &Message) -> Result<String, String> {
    let _timer = time_message(message.channel);
    Ok(message.text.chars().rev().collect())
}

fn dispatch(feishu: &FeishuHandler, message: &Message) -> Result<String, String> {
    record_message_received(message.channel, "inbound", "text");
    let reply = match message.channel {
        "dingtalk" => handle_dingtalk(message),
        "feishu" => feishu.handle(message),
        _ => handle_generic(message),
    }?;
    record_message_sent(message.channel, "outbound", "text");
    Ok(reply)
}

fn main() {
    let stats = Arc::new(StatsCollector::new());
    set_global_collector(stats.clone());

    let feishu = FeishuHandler { prefix: "feishu: " };
    let inbox = [
        Message {
            channel: "dingtalk",
            text: "hello".to_owned(),
        },
        Message {
            channel: "dingtalk",
            text: String::new(),
        },
        Message {
            channel: "feishu",
            text: "status".to_owned(),
        },
        Message {
            channel: "wecom",
            text: "ping".to_owned(),
        },
    ];
    for message in &inbox {
        match dispatch(&feishu, message) {
            Ok(reply) => println!("{reply}"),
            Err(error) => println!("{} failed: {error}", message.channel),
        }
    }

    let snapshot = stats.stats();
    println!(
        "received {}, sent {}, handled {} (slowest {:?})",
        snapshot.messages_received,
        snapshot.messages_sent,
        snapshot.message_durations.count,
        snapshot.message_durations.max,
    );
}
