//! The `/metrics` endpoint: HTTP behaviour, bind errors and shutdown, then the real thing:
//! `promtool` checks the exposition and a real Prometheus scrapes it and answers queries.

use crate::dashboard::dashboard_queries;
use crate::servers::{
    ServerProcess, TempDir, free_tcp_port, http_get, http_request, on_path, poll,
    promtool_check_metrics, skip_or_fail, url_encode,
};
use gort_metrics::prometheus::{Encoder, TextEncoder};
use gort_metrics::{Collector, ExporterError, MetricsServer, PrometheusCollector, with_collector};
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

fn serve(collector: &PrometheusCollector) -> MetricsServer {
    MetricsServer::bind("127.0.0.1:0", collector.registry()).expect("bind a free loopback port")
}

/// Known values through the explicit API, so that Prometheus can be asked for exactly them.
fn record_gateway_traffic(collector: &PrometheusCollector) {
    with_collector(collector.clone(), tests::record_gateway_traffic);
}

#[test]
fn serves_the_registry_at_metrics_with_the_text_content_type() {
    let collector = PrometheusCollector::new();
    record_gateway_traffic(&collector);
    let server = serve(&collector);

    let response = http_get(server.local_addr(), "/metrics").expect("GET /metrics");
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("Content-Type"),
        Some(TextEncoder::new().format_type())
    );
    assert_eq!(response.body, collector.render());
    assert!(response.body.contains(
        "gort_messages_received_total{channel=\"dingtalk\",direction=\"inbound\",type=\"text\"} 3\n"
    ));
}

#[test]
fn each_scrape_shows_what_was_recorded_up_to_then() {
    let collector = PrometheusCollector::new();
    let server = serve(&collector);
    for count in 1..=3 {
        collector.record_session_active(count);
        let body = http_get(server.local_addr(), "/metrics").expect("GET").body;
        assert!(
            body.contains(&format!("\ngort_sessions_active {count}\n")),
            "{body}"
        );
    }
}

#[test]
fn other_paths_are_not_found_and_other_methods_not_allowed() {
    let collector = PrometheusCollector::new();
    let server = serve(&collector);
    let address = server.local_addr();

    assert_eq!(http_get(address, "/").expect("GET /").status, 404);
    assert_eq!(
        http_get(address, "/metric").expect("GET /metric").status,
        404
    );
    let post = http_request(address, "POST", "/metrics").expect("POST /metrics");
    assert_eq!(post.status, 405);
    assert_eq!(post.header("Allow"), Some("GET, HEAD"));

    let head = http_request(address, "HEAD", "/metrics").expect("HEAD /metrics");
    assert_eq!(head.status, 200);
    assert_eq!(head.body, "");
}

#[test]
fn an_address_in_use_is_an_error_that_names_it() {
    let collector = PrometheusCollector::new();
    let first = serve(&collector);
    let taken = first.local_addr();

    let error = MetricsServer::bind(taken, collector.registry()).expect_err("the port is taken");
    let ExporterError::Bind { addresses, source } = &error else {
        panic!("expected a bind error, got {error:?}");
    };
    assert_eq!(addresses, &[taken]);
    assert_eq!(source.kind(), std::io::ErrorKind::AddrInUse);
    assert!(error.to_string().contains(&taken.to_string()), "{error}");
    // The first endpoint is unharmed.
    assert_eq!(http_get(taken, "/metrics").expect("GET").status, 200);
}

#[test]
fn an_address_that_does_not_resolve_is_an_error() {
    let registry = PrometheusCollector::new().registry().clone();
    let error = MetricsServer::bind("not an address", &registry).expect_err("no such address");
    assert!(matches!(error, ExporterError::Resolve { .. }), "{error:?}");
}

#[test]
fn shutdown_stops_serving_and_releases_the_port() {
    let collector = PrometheusCollector::new();
    let server = serve(&collector);
    let address = server.local_addr();
    assert_eq!(http_get(address, "/metrics").expect("GET").status, 200);

    let started = Instant::now();
    server.shutdown();
    assert!(started.elapsed() < Duration::from_secs(5), "shutdown hung");

    // The listening socket closes right after the worker stops; binding the same port again
    // is the proof that nothing holds it.
    let again = poll("rebind the released port", Duration::from_secs(5), || {
        MetricsServer::bind(address, collector.registry()).map_err(|error| error.to_string())
    });
    assert_eq!(again.local_addr(), address);
}

#[test]
fn dropping_the_handle_stops_the_endpoint() {
    let collector = PrometheusCollector::new();
    let address = {
        let server = serve(&collector);
        server.local_addr()
    };
    let _again = poll("rebind after drop", Duration::from_secs(5), || {
        MetricsServer::bind(address, collector.registry()).map_err(|error| error.to_string())
    });
}

#[test]
fn promtool_accepts_the_served_exposition() {
    let Some(promtool) = on_path("promtool") else {
        return skip_or_fail("promtool_accepts_the_served_exposition", "promtool");
    };
    let collector = PrometheusCollector::new();
    record_gateway_traffic(&collector);
    let server = serve(&collector);

    let body = http_get(server.local_addr(), "/metrics").expect("GET").body;
    // promtool passes empty input, so emptiness is checked here.
    assert!(
        body.lines().filter(|line| !line.starts_with('#')).count() >= 9,
        "{body}"
    );
    if let Err(report) = promtool_check_metrics(&promtool, &body) {
        panic!("promtool rejected the exposition:\n{report}\n--- exposition ---\n{body}");
    }
}

/// One instant query against Prometheus: the value of the single series, if exactly one.
fn query_value(prometheus: SocketAddr, promql: &str) -> Result<f64, String> {
    let path = format!("/api/v1/query?query={}", url_encode(promql));
    let response = http_get(prometheus, &path).map_err(|error| error.to_string())?;
    let json: serde_json::Value = serde_json::from_str(&response.body)
        .map_err(|error| format!("{error}: {}", response.body))?;
    if json["status"] != "success" {
        return Err(format!("query {promql} failed: {}", response.body));
    }
    match json["data"]["result"].as_array().map(Vec::as_slice) {
        Some([series]) => series["value"][1]
            .as_str()
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| format!("no value in {series}")),
        other => Err(format!("{promql}: expected one series, got {other:?}")),
    }
}

/// Whether Prometheus accepts `promql` (it may well have no data yet).
fn query_is_valid(prometheus: SocketAddr, promql: &str) -> Result<(), String> {
    let path = format!("/api/v1/query?query={}", url_encode(promql));
    let response = http_get(prometheus, &path).map_err(|error| error.to_string())?;
    match response.status {
        200 => Ok(()),
        status => Err(format!("{status}: {}", response.body)),
    }
}

#[test]
fn a_real_prometheus_scrapes_the_exact_values() {
    let Some(prometheus_binary) = on_path("prometheus") else {
        return skip_or_fail("a_real_prometheus_scrapes_the_exact_values", "prometheus");
    };
    let started = Instant::now();
    let collector = PrometheusCollector::new();
    record_gateway_traffic(&collector);
    let exporter = serve(&collector);

    let dir = TempDir::new("prometheus");
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n  - job_name: gort\n    static_configs:\n      - targets: ['{}']\n",
            exporter.local_addr()
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
        "Prometheus returns every recorded value",
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

    // The dashboard's queries run against the same data: every one must be valid PromQL.
    for query in dashboard_queries() {
        if let Err(error) = query_is_valid(web, &query) {
            panic!("Prometheus rejects the dashboard query {query}: {error}");
        }
    }
    eprintln!(
        "real Prometheus scraped and answered in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn the_http_handler_answers_what_the_endpoint_serves() {
    let collector = PrometheusCollector::new();
    record_gateway_traffic(&collector);
    let server = serve(&collector);

    let response = gort_metrics::metrics_response(collector.registry());
    let served = http_get(server.local_addr(), "/metrics").expect("GET /metrics");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().ok(),
        served.header("Content-Type")
    );
    assert_eq!(response.body(), &served.body);
}
