//! Serves `/metrics` for Prometheus while simulating a gateway's traffic: two channels, an
//! auth and a rate-limit middleware, sessions opening and closing, and a flaky upstream that
//! needs retries, all recorded through the explicit `record_*` functions.
//!
//! ```text
//! cargo run -p examples --example exporter -- 127.0.0.1:9184
//! curl http://127.0.0.1:9184/metrics
//! ```
//!
//! It runs until killed. `--for 30s` stops it after a while and `--requests 500` stops the
//! traffic after that many messages (the endpoint keeps serving), for scripted runs.

use gort_metrics::{
    MetricsServer, PrometheusCollector, record_channel_error, record_channel_status,
    record_message_duration, record_message_received, record_message_sent,
    record_middleware_duration, record_retry, record_session_active, record_session_duration,
    set_global_collector,
};
use std::time::{Duration, Instant};

mod dice;
use dice::Dice;

const CHANNELS: [(&str, &str); 2] = [("dingtalk-main", "dingtalk"), ("feishu-ops", "feishu")];
const MESSAGE_TYPES: [&str; 3] = ["text", "image", "card"];

/// What the command line asked for.
struct Options {
    address: String,
    run_for: Option<Duration>,
    requests: Option<u64>,
}

fn usage() -> String {
    "usage: exporter [ADDRESS] [--for DURATION] [--requests N]\n\
     ADDRESS defaults to 127.0.0.1:9184; DURATION is like 30s or 500ms"
        .to_owned()
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, ""), |split| text.split_at(split));
    let number: u64 = number
        .parse()
        .map_err(|_| format!("bad duration {text:?}"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "s" | "" => Ok(Duration::from_secs(number)),
        "m" => Ok(Duration::from_secs(number * 60)),
        _ => Err(format!("bad duration unit in {text:?}; use ms, s or m")),
    }
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        address: "127.0.0.1:9184".to_owned(),
        run_for: None,
        requests: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--for" => {
                let value = args.next().ok_or_else(usage)?;
                options.run_for = Some(parse_duration(&value)?);
            }
            "--requests" => {
                let value = args.next().ok_or_else(usage)?;
                options.requests = Some(value.parse().map_err(|_| usage())?);
            }
            "-h" | "--help" => return Err(usage()),
            address if !address.starts_with('-') => options.address = address.to_owned(),
            _ => return Err(usage()),
        }
    }
    Ok(options)
}

/// The simulated gateway's state between messages.
struct Gateway {
    dice: Dice,
    sessions: i64,
    feishu_running: bool,
}

impl Gateway {
    /// One inbound message, from arrival to reply. Durations are drawn, not slept, so the
    /// histograms fill quickly.
    fn handle_message(&mut self) {
        let (channel, channel_type) = CHANNELS[self.dice.roll(2) as usize];
        if channel_type == "feishu" && !self.feishu_running {
            return;
        }
        let msg_type = MESSAGE_TYPES[self.dice.roll(3) as usize];
        record_message_received(channel, "inbound", msg_type);

        record_middleware_duration("auth", self.dice.millis(0, 3));
        if self.dice.roll(50) == 0 {
            record_channel_error(channel, channel_type, "auth");
            return;
        }
        record_middleware_duration("rate_limit", self.dice.millis(0, 1));

        // The upstream fails a fifth of the time; up to three tries.
        let mut attempts = 0;
        let success = loop {
            attempts += 1;
            let ok = self.dice.roll(5) != 0;
            if ok || attempts == 3 {
                break ok;
            }
        };
        record_retry("upstream-send", attempts, success);
        if success {
            record_message_sent(channel, "outbound", msg_type);
        } else {
            record_channel_error(channel, channel_type, "upstream");
        }
        record_message_duration(channel, self.dice.millis(5, 120 * u64::from(attempts)));
    }

    /// Sessions come and go; now and then the feishu channel restarts.
    fn churn(&mut self) {
        match self.dice.roll(4) {
            0 => self.sessions += 1,
            1 if self.sessions > 0 => {
                self.sessions -= 1;
                record_session_duration(Duration::from_secs(5 + self.dice.roll(600)));
            }
            _ => {}
        }
        record_session_active(self.sessions);
        if self.dice.roll(200) == 0 {
            self.feishu_running = !self.feishu_running;
            let (channel, channel_type) = CHANNELS[1];
            record_channel_status(channel, channel_type, self.feishu_running);
        }
    }
}

fn main() {
    if let Err(error) = run() {
        eprintln!("exporter: {error}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let options = parse_options()?;
    let prometheus = PrometheusCollector::new();
    set_global_collector(prometheus.clone());
    let server = MetricsServer::bind(options.address.as_str(), prometheus.registry())?;
    println!("serving http://{}/metrics", server.local_addr());

    for (channel, channel_type) in CHANNELS {
        record_channel_status(channel, channel_type, true);
    }
    let mut gateway = Gateway {
        dice: Dice(2024),
        sessions: 0,
        feishu_running: true,
    };
    let started = Instant::now();
    let mut messages = 0_u64;
    while options
        .run_for
        .is_none_or(|limit| started.elapsed() < limit)
    {
        if options.requests.is_none_or(|limit| messages < limit) {
            gateway.handle_message();
            gateway.churn();
            messages += 1;
        }
        // About a hundred messages a second: enough to see rates move.
        std::thread::sleep(Duration::from_millis(10));
    }
    println!("simulated {messages} messages; stopping");
    server.shutdown();
    Ok(())
}
