//! A real Etsy statsd 0.9.0 for the tests: started on free loopback ports with a backend that
//! writes every flush to a file, read back as totals; killed on drop.

use crate::servers::{
    ServerProcess, TempDir, free_tcp_port, free_udp_port, on_path, poll, skip_or_fail,
    workspace_root,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A statsd backend that appends every flush to a JSON-lines file: statsd resets counters at
/// each flush, so reading them back means adding up what every flush saw.
const FLUSH_TO_FILE_BACKEND: &str = r#"
const fs = require('fs');
exports.init = function (startupTime, config, events) {
  events.on('flush', function (timestamp, metrics) {
    fs.appendFileSync(config.flushFile, JSON.stringify({
      counters: metrics.counters, gauges: metrics.gauges, timers: metrics.timers
    }) + '\n');
  });
  return true;
};
"#;

/// A running statsd; killed on drop.
pub struct Statsd {
    pub udp: SocketAddr,
    flush_file: std::path::PathBuf,
    pub process: ServerProcess,
    _dir: TempDir,
}

impl Statsd {
    pub fn start(node: &Path, stats_js: &Path) -> Statsd {
        let dir = TempDir::new("statsd");
        let backend = dir.path().join("flush-to-file.js");
        std::fs::write(&backend, FLUSH_TO_FILE_BACKEND).expect("write the backend");
        let flush_file = dir.path().join("flushes.jsonl");
        let udp: SocketAddr = ([127, 0, 0, 1], free_udp_port()).into();
        let management: SocketAddr = ([127, 0, 0, 1], free_tcp_port()).into();
        let config = dir.path().join("config.js");
        let settings = serde_json::json!({
            "address": "127.0.0.1",
            "port": udp.port(),
            "mgmt_address": "127.0.0.1",
            "mgmt_port": management.port(),
            "flushInterval": 1000,
            "backends": [backend],
            "flushFile": flush_file,
            "automaticConfigReload": false,
        });
        // statsd evaluates its config file as a JavaScript object literal; JSON is one.
        std::fs::write(&config, settings.to_string()).expect("write the config");
        let mut process = ServerProcess::spawn(
            "statsd",
            Command::new(node).arg(stats_js).arg(&config),
            dir.path(),
        );
        poll(
            "statsd management port answers",
            Duration::from_secs(15),
            || {
                process.assert_running();
                management_command(management, "health")
                    .filter(|answer| answer.contains("up"))
                    .ok_or_else(|| "not up yet".to_owned())
            },
        );
        Statsd {
            udp,
            flush_file,
            process,
            _dir: dir,
        }
    }

    /// Every flush so far.
    pub fn flushes(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.flush_file).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// Counters summed over all flushes; gauges as of the last; timer samples of all.
    pub fn totals(&self, prefix: &str) -> Totals {
        let mut totals = Totals::default();
        for flush in self.flushes() {
            let keys = |section: &str| {
                flush[section]
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(key, _)| key.starts_with(prefix))
            };
            for (key, value) in keys("counters") {
                *totals.counters.entry(key).or_default() += value.as_f64().unwrap_or(f64::NAN);
            }
            for (key, value) in keys("gauges") {
                totals
                    .gauges
                    .insert(key, value.as_f64().unwrap_or(f64::NAN));
            }
            for (key, samples) in keys("timers") {
                let samples = samples.as_array().cloned().unwrap_or_default();
                let samples = samples.iter().filter_map(Value::as_f64);
                totals.timers.entry(key).or_default().extend(samples);
            }
        }
        for samples in totals.timers.values_mut() {
            samples.sort_by(f64::total_cmp);
        }
        totals.counters.retain(|_, value| *value != 0.0);
        totals.timers.retain(|_, samples| !samples.is_empty());
        totals
    }
}

#[derive(Debug, Default, PartialEq)]
pub struct Totals {
    pub counters: BTreeMap<String, f64>,
    pub gauges: BTreeMap<String, f64>,
    pub timers: BTreeMap<String, Vec<f64>>,
}

fn management_command(address: SocketAddr, command: &str) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.write_all(format!("{command}\n").as_bytes()).ok()?;
    let mut answer = vec![0; 256];
    let read = stream.read(&mut answer).ok()?;
    Some(String::from_utf8_lossy(&answer[..read]).into_owned())
}

/// Node and the statsd install from `.ci/install-servers.sh`, or `None` after the CI rule.
pub fn statsd_install(test: &str) -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let stats_js = workspace_root().join("target/statsd/node_modules/statsd/stats.js");
    let node = on_path("node").or_else(|| on_path("nodejs"));
    match node {
        Some(node) if stats_js.is_file() => Some((node, stats_js)),
        _ => {
            skip_or_fail(test, "node or statsd 0.9.0 (target/statsd)");
            None
        }
    }
}
