//! Against `metrics-exporter-prometheus`: its text output for the facade's records, checked
//! line by line and by `promtool`, installed globally for every thread, and served over HTTP
//! to a real Prometheus that must answer queries with exactly the recorded values.

use crate::dashboard::dashboard_queries;
use crate::servers::{
    ServerProcess, TempDir, free_tcp_port, http_get, on_path, poll, promtool_check_metrics,
    skip_or_fail, url_encode,
};
use gort_metrics::metrics::with_local_recorder;
use gort_metrics::{Collector, DEFAULT_BUCKETS, FacadeCollector, with_collector};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// The exporter's recorder with Go's buckets, so histograms render as histograms.
fn recorder() -> PrometheusRecorder {
    PrometheusBuilder::new()
        .set_buckets(&DEFAULT_BUCKETS)
        .expect("Go's buckets are valid")
        .build_recorder()
}

/// The shared gateway traffic, through the facade, into `recorder`; its rendered text.
fn render_gateway_traffic(recorder: &PrometheusRecorder) -> String {
    with_local_recorder(recorder, || {
        with_collector(FacadeCollector::new(), tests::record_gateway_traffic)
    });
    recorder.handle().render()
}

#[test]
fn the_exporter_renders_the_go_families_with_their_help_and_buckets() {
    let text = render_gateway_traffic(&recorder());
    for line in [
        "# HELP gort_messages_received_total Total number of messages received by channel.",
        "# TYPE gort_messages_received_total counter",
        r#"gort_messages_received_total{channel="dingtalk",direction="inbound",type="text"} 3"#,
        r#"gort_messages_sent_total{channel="feishu",direction="outbound",type="image"} 2"#,
        "# HELP gort_channel_status Current status of the channel (1=running, 0=stopped).",
        "# TYPE gort_channel_status gauge",
        r#"gort_channel_status{channel="my-dingtalk",type="dingtalk"} 1"#,
        r#"gort_channel_errors_total{channel="my-dingtalk",type="dingtalk",error_type="connection"} 1"#,
        "# HELP gort_sessions_active Number of active sessions.",
        "gort_sessions_active 4",
        "# HELP gort_message_duration_seconds Duration of message processing in seconds.",
        "# TYPE gort_message_duration_seconds histogram",
        r#"gort_message_duration_seconds_bucket{channel="dingtalk",le="0.025"} 0"#,
        r#"gort_message_duration_seconds_bucket{channel="dingtalk",le="0.05"} 1"#,
        r#"gort_message_duration_seconds_count{channel="dingtalk"} 1"#,
        "gort_session_duration_seconds_sum 2",
        r#"gort_middleware_duration_seconds_bucket{middleware="auth",le="0.005"} 0"#,
        r#"gort_middleware_duration_seconds_bucket{middleware="auth",le="0.01"} 1"#,
        r#"gort_middleware_duration_seconds_bucket{middleware="auth",le="+Inf"} 1"#,
        "# HELP gort_retry_attempts_total Total number of retry attempts.",
        r#"gort_retry_attempts_total{operation="api-call",success="true"} 3"#,
    ] {
        assert!(
            text.lines().any(|got| got == line),
            "missing line {line:?} in:\n{text}"
        );
    }
}

#[test]
fn promtool_accepts_the_exporters_text() {
    let Some(promtool) = on_path("promtool") else {
        return skip_or_fail("promtool_accepts_the_exporters_text", "promtool");
    };
    let text = render_gateway_traffic(&recorder());
    assert!(
        text.lines().filter(|line| !line.starts_with('#')).count() >= 9,
        "{text}"
    );
    if let Err(report) = promtool_check_metrics(&promtool, &text) {
        panic!("promtool rejected the exporter's text:\n{report}\n--- text ---\n{text}");
    }
}

/// The one test of this binary that installs a global `metrics` recorder; the others record
/// into local recorders, which take precedence on their threads.
#[test]
fn an_installed_exporter_gets_every_threads_records_and_the_help_once() {
    let handle = PrometheusBuilder::new()
        .set_buckets(&DEFAULT_BUCKETS)
        .expect("Go's buckets are valid")
        .install_recorder()
        .expect("no other test installs a global recorder");
    let collector = FacadeCollector::new();
    std::thread::scope(|scope| {
        for thread in 0..4 {
            let collector = &collector;
            scope.spawn(move || {
                for _ in 0..1000 {
                    collector.record_message_received("dingtalk", "inbound", "text");
                    collector.record_middleware_call(
                        "auth",
                        gort_metrics::Outcome::Ok,
                        Duration::from_millis(thread + 1),
                    );
                }
            });
        }
    });
    let text = handle.render();
    let has = |line: &str| text.lines().any(|got| got == line);
    assert!(
        has(
            r#"gort_messages_received_total{channel="dingtalk",direction="inbound",type="text"} 4000"#
        ),
        "{text}"
    );
    assert!(
        has(r#"gort_middleware_calls_total{middleware="auth",outcome="ok"} 4000"#),
        "{text}"
    );
    assert!(
        has(r#"gort_middleware_duration_seconds_count{middleware="auth"} 4000"#),
        "{text}"
    );
    assert!(has(
        r#"gort_middleware_duration_seconds_bucket{middleware="auth",le="0.005"} 4000"#
    ));
    let help = "# HELP gort_middleware_calls_total Total number of middleware calls by outcome.";
    assert_eq!(text.lines().filter(|got| *got == help).count(), 1, "{text}");
}

/// Serves `handle.render()` to every request on a loopback port until dropped; just enough
/// HTTP for a Prometheus scrape.
struct RenderServer {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl RenderServer {
    fn start(handle: PrometheusHandle) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let worker = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::Acquire) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = answer(stream, &handle.render());
                }
            }
        });
        RenderServer {
            address,
            stop,
            worker: Some(worker),
        }
    }
}

fn answer(stream: TcpStream, body: &str) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    // The request head ends with an empty line; the body of a GET is empty.
    while reader.read_line(&mut line)? > 0 && line != "\r\n" {
        line.clear();
    }
    let mut stream = reader.into_inner();
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

impl Drop for RenderServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Wakes the blocking accept so that the worker sees the flag.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// One instant query: the value of the single series it returns.
fn query_value(prometheus: SocketAddr, promql: &str) -> Result<f64, String> {
    let path = format!("/api/v1/query?query={}", url_encode(promql));
    let response = http_get(prometheus, &path).map_err(|error| error.to_string())?;
    let json: serde_json::Value = serde_json::from_str(&response.body)
        .map_err(|error| format!("{error}: {}", response.body))?;
    match json["data"]["result"].as_array().map(Vec::as_slice) {
        Some([series]) => series["value"][1]
            .as_str()
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| format!("no value in {series}")),
        other => Err(format!("{promql}: expected one series, got {other:?}")),
    }
}

#[test]
fn a_real_prometheus_scrapes_the_facade_records_exactly() {
    let Some(prometheus_binary) = on_path("prometheus") else {
        return skip_or_fail(
            "a_real_prometheus_scrapes_the_facade_records_exactly",
            "prometheus",
        );
    };
    let recorder = recorder();
    render_gateway_traffic(&recorder);
    let exporter = RenderServer::start(recorder.handle());

    let dir = TempDir::new("prometheus-facade");
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n  - job_name: gort\n    static_configs:\n      - targets: ['{}']\n",
            exporter.address
        ),
    )
    .expect("write the Prometheus config");
    let web: SocketAddr = ([127, 0, 0, 1], free_tcp_port()).into();
    let mut prometheus = ServerProcess::spawn(
        "prometheus",
        Command::new(prometheus_binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={web}")),
        dir.path(),
    );

    let expected = [
        (r#"up{job="gort"}"#, 1.0),
        (
            r#"gort_messages_received_total{channel="dingtalk",direction="inbound",type="text"}"#,
            3.0,
        ),
        (
            r#"gort_messages_sent_total{channel="feishu",direction="outbound",type="image"}"#,
            2.0,
        ),
        (
            r#"gort_message_duration_seconds_count{channel="dingtalk"}"#,
            1.0,
        ),
        (
            r#"gort_message_duration_seconds_sum{channel="dingtalk"}"#,
            0.03,
        ),
        (
            r#"gort_channel_status{channel="my-dingtalk",type="dingtalk"}"#,
            1.0,
        ),
        (r#"gort_channel_errors_total{error_type="connection"}"#, 1.0),
        ("gort_sessions_active", 4.0),
        ("gort_session_duration_seconds_sum", 2.0),
        (
            r#"gort_middleware_duration_seconds_bucket{middleware="auth",le="0.01"}"#,
            1.0,
        ),
        (
            r#"gort_middleware_duration_seconds_bucket{middleware="auth",le="0.005"}"#,
            0.0,
        ),
        (
            r#"gort_retry_attempts_total{operation="api-call",success="true"}"#,
            3.0,
        ),
    ];
    poll(
        "Prometheus returns every value recorded through the facade",
        Duration::from_secs(20),
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
    // The dashboard built for the Go service runs on the facade's families too.
    for query in dashboard_queries() {
        let path = format!("/api/v1/query?query={}", url_encode(&query));
        let response = http_get(web, &path).expect("query Prometheus");
        assert_eq!(response.status, 200, "{query}: {}", response.body);
    }
}
