//! Label values of any length: the Prometheus backend cuts over-long values to
//! `max_label_value_len` (a prefix and a hash of the whole), keeps distinct values distinct,
//! counts what it cut, and so bounds the exposition; a real Prometheus with
//! `label_value_length_limit: 1024` keeps scraping.

use crate::servers::{
    ServerProcess, TempDir, free_tcp_port, http_get, on_path, poll, skip_or_fail, url_encode,
};
use gort_metrics::prometheus::proto::MetricFamily;
use gort_metrics::{
    Collector, DEFAULT_MAX_LABEL_VALUE_LEN, DEFAULT_MAX_SERIES_PER_FAMILY, MetricsServer, Outcome,
    PrometheusCollector,
};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

/// The `channel` values of `gort_messages_received_total` and their counts.
fn channels(families: &[MetricFamily]) -> Vec<(String, f64)> {
    let Some(family) = families
        .iter()
        .find(|family| family.name() == "gort_messages_received_total")
    else {
        return Vec::new();
    };
    family
        .get_metric()
        .iter()
        .map(|metric| {
            let channel = metric
                .get_label()
                .iter()
                .find(|pair| pair.name() == "channel")
                .map(|pair| pair.value().to_owned())
                .unwrap_or_default();
            (channel, metric.get_counter().get_value())
        })
        .collect()
}

fn truncated(text: &str, family: &str) -> u64 {
    let prefix = format!("gort_metrics_label_values_truncated_total{{family=\"{family}\"}} ");
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}

#[test]
fn values_of_4_and_16_kib_are_cut_to_the_default_limit_and_still_count() {
    assert_eq!(DEFAULT_MAX_LABEL_VALUE_LEN, 1024);
    let collector = PrometheusCollector::new();
    let values = [
        "a".repeat(4 * 1024),
        "b".repeat(16 * 1024),
        "short".to_owned(),
    ];
    for value in &values {
        collector.record_message_received(value, "inbound", "text");
        collector.record_message_received(value, "inbound", "text");
    }
    let found = channels(&collector.registry().gather());
    assert_eq!(found.len(), 3);
    for value in &values {
        let (channel, count) = found
            .iter()
            .find(|(channel, _)| value.starts_with(&channel[..channel.len().min(100)]))
            .unwrap_or_else(|| panic!("no series for a value of {} bytes", value.len()));
        assert_eq!(*count, 2.0, "every record counts");
        assert!(channel.len() <= 1024, "{} bytes", channel.len());
        if value.len() > 1024 {
            // The longest prefix that leaves room for `~` and 16 hex digits.
            assert_eq!(channel.len(), 1024);
            assert!(value.starts_with(&channel[..1024 - 17]));
            assert!(channel[1024 - 17..].starts_with('~'));
        } else {
            assert_eq!(channel, value);
        }
    }
    let text = collector.render();
    assert_eq!(
        truncated(&text, "gort_messages_received_total"),
        4,
        "two records of two values"
    );
    assert!(text.contains("# TYPE gort_metrics_label_values_truncated_total counter\n"));
}

#[test]
fn distinct_long_values_stay_distinct_and_equal_ones_share_a_series() {
    let collector = PrometheusCollector::builder()
        .max_label_value_len(64)
        .build()
        .expect("collector");
    let common = "tenant/".repeat(100);
    for index in 0..500 {
        let channel = format!("{common}{index}");
        collector.record_message_received(&channel, "inbound", "text");
        collector.record_message_call(&channel, Outcome::Ok, Duration::from_millis(1));
    }
    collector.record_message_received(&format!("{common}7"), "inbound", "text");
    let found = channels(&collector.registry().gather());
    let distinct: BTreeSet<&str> = found.iter().map(|(channel, _)| channel.as_str()).collect();
    assert_eq!(distinct.len(), 500, "no two long values collide");
    assert!(found.iter().all(|(channel, _)| channel.len() <= 64));
    let total: f64 = found.iter().map(|(_, count)| count).sum();
    assert_eq!(total, 501.0);
    let text = collector.render();
    assert_eq!(truncated(&text, "gort_messages_received_total"), 501);
    assert_eq!(truncated(&text, "gort_message_duration_seconds"), 500);
    assert_eq!(truncated(&text, "gort_message_calls_total"), 500);
}

#[test]
fn cuts_never_split_a_character() {
    let collector = PrometheusCollector::builder()
        .max_label_value_len(100)
        .build()
        .expect("collector");
    // One, two, three and four bytes per char, at every offset against the cut.
    for pad in 0..4 {
        for unit in ["x", "é", "钉", "🚀"] {
            let value = format!("{}{}", "p".repeat(pad), unit.repeat(16 * 1024 / unit.len()));
            collector.record_message_received(&value, &value, &value);
        }
    }
    let families = collector.registry().gather();
    let found = channels(&families);
    assert_eq!(found.len(), 16);
    for (channel, _) in &found {
        // The registry holds `String`s, so a split char could not even get here; check that
        // the cut came as late as the boundary allowed.
        let prefix = &channel[..channel.len() - 17];
        assert!(
            channel.len() <= 100 && prefix.len() > 100 - 17 - 4,
            "{channel:?}"
        );
    }
    let text = collector.render();
    assert_eq!(truncated(&text, "gort_messages_received_total"), 16 * 3);
}

/// Every sample line of the exposition; HELP and TYPE lines are a fixed overhead.
fn sample_bytes(text: &str) -> usize {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| line.len() + 1)
        .sum()
}

#[test]
fn the_exposition_is_bounded_by_series_cap_times_value_cap() {
    const SERIES_CAP: usize = 50;
    const VALUE_CAP: usize = 256;
    let collector = PrometheusCollector::builder()
        .max_series_per_family(SERIES_CAP)
        .max_label_value_len(VALUE_CAP)
        .build()
        .expect("collector");
    // Quotes and backslashes escape to two bytes each: the worst case for the text.
    let hostile = "\"\\".repeat(8 * 1024);
    for index in 0..1_000 {
        let value = format!("{index}{hostile}");
        collector.record_message_received(&value, &value, &value);
        collector.record_middleware_call(&value, Outcome::Error, Duration::from_millis(1));
    }
    let text = collector.render();
    // Per series: its sample lines, each at most 120 bytes of names and number plus every
    // label value escaped (at most twice its bytes). Histograms have 11 buckets, +Inf, sum
    // and count; the call family four outcomes.
    let line = |labels: usize| 120 + labels * 2 * VALUE_CAP;
    let per_series = line(3) + 14 * line(1) + 4 * line(1);
    let bound = (SERIES_CAP + 1) * per_series + 4 * line(1);
    let size = sample_bytes(&text);
    println!("samples {size} bytes for 1,000 values of 16 KiB (bound {bound})");
    assert!(size <= bound, "{size} > {bound}");
    assert!(size > bound / 4, "the bound is not vacuous: {size}");
}

#[test]
fn ten_thousand_16_kib_channel_names_make_a_bounded_scrape_with_the_defaults() {
    let collector = PrometheusCollector::new();
    let started = Instant::now();
    let mut channel = "c".repeat(16 * 1024);
    for index in 0..DEFAULT_MAX_SERIES_PER_FAMILY {
        channel.truncate(16 * 1024);
        channel.push_str(&index.to_string());
        collector.record_message_received(&channel, "inbound", "text");
    }
    let recorded = started.elapsed();
    let text = collector.render();
    let raw = DEFAULT_MAX_SERIES_PER_FAMILY * 16 * 1024;
    println!(
        "10,000 distinct 16 KiB channels: exposition {:.1} MiB (values alone were {} MiB), \
         recorded in {:.0} ms",
        text.len() as f64 / f64::from(1 << 20),
        raw >> 20,
        recorded.as_secs_f64() * 1e3
    );
    let bound = DEFAULT_MAX_SERIES_PER_FAMILY * (DEFAULT_MAX_LABEL_VALUE_LEN + 120) + 64 * 1024;
    assert!(text.len() <= bound, "{} > {bound}", text.len());
    assert_eq!(channels(&collector.registry().gather()).len(), 10_000);
}

fn query_value(prometheus: SocketAddr, promql: &str) -> Result<f64, String> {
    let path = format!("/api/v1/query?query={}", url_encode(promql));
    let response = http_get(prometheus, &path).map_err(|error| error.to_string())?;
    let json: serde_json::Value =
        serde_json::from_str(&response.body).map_err(|error| format!("{error}: {response:?}"))?;
    match json["data"]["result"].as_array().map(Vec::as_slice) {
        Some([series]) => series["value"][1]
            .as_str()
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| format!("no value in {series}")),
        other => Err(format!("{promql}: expected one series, got {other:?}")),
    }
}

#[test]
fn a_prometheus_with_a_1024_byte_label_limit_keeps_scraping_a_4_kib_value() {
    let Some(binary) = on_path("prometheus") else {
        return skip_or_fail(
            "a_prometheus_with_a_1024_byte_label_limit_keeps_scraping_a_4_kib_value",
            "prometheus",
        );
    };
    let long = "x".repeat(4 * 1024);
    let bounded = PrometheusCollector::new();
    // The same traffic without the bound shows what the limit protects against.
    let unbounded = PrometheusCollector::builder()
        .max_label_value_len(usize::MAX)
        .build()
        .expect("collector");
    for collector in [&bounded, &unbounded] {
        collector.record_message_received("dingtalk", "inbound", "text");
        collector.record_message_received(&long, "inbound", "text");
    }
    let bounded_server = MetricsServer::bind("127.0.0.1:0", bounded.registry()).expect("bind");
    let unbounded_server = MetricsServer::bind("127.0.0.1:0", unbounded.registry()).expect("bind");

    let dir = TempDir::new("prometheus-label-limit");
    let config = dir.path().join("prometheus.yml");
    let job = |name: &str, target: SocketAddr| {
        format!(
            "  - job_name: {name}\n    label_value_length_limit: 1024\n    \
             static_configs:\n      - targets: ['{target}']\n"
        )
    };
    let text = format!(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n{}{}",
        job("bounded", bounded_server.local_addr()),
        job("unbounded", unbounded_server.local_addr())
    );
    std::fs::write(&config, text).expect("write the Prometheus config");
    let web: SocketAddr = ([127, 0, 0, 1], free_tcp_port()).into();
    let mut prometheus = ServerProcess::spawn(
        "prometheus",
        Command::new(binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={web}")),
        dir.path(),
    );
    let expected = [
        (r#"up{job="bounded"}"#, 1.0),
        (r#"up{job="unbounded"}"#, 0.0),
        (
            r#"gort_messages_received_total{job="bounded",channel="dingtalk"}"#,
            1.0,
        ),
        (
            r#"gort_messages_received_total{job="bounded",channel=~"x{1000}x{7}~[0-9a-f]{16}"}"#,
            1.0,
        ),
        (
            r#"gort_metrics_label_values_truncated_total{job="bounded",family="gort_messages_received_total"}"#,
            1.0,
        ),
    ];
    poll(
        "Prometheus scrapes both targets",
        Duration::from_secs(30),
        || {
            prometheus.assert_running();
            for (promql, value) in expected {
                let got = query_value(web, promql)?;
                if got != value {
                    return Err(format!("{promql} = {got}, want {value}"));
                }
            }
            Ok(())
        },
    );
}
