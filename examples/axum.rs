//! An axum service measured two ways: `TimedLayer` counts and times every HTTP request by
//! outcome (a 5xx is an error), and `#[timed]` on the handlers counts each message by the
//! channel it names. The same Prometheus registry is then served at `/metrics`.
//!
//! Run with `cargo run -p examples --example axum --features axum`. It binds a free port on
//! 127.0.0.1, sends itself a few requests (one answered 500, one 404), prints the RED samples
//! from its own `/metrics`, and exits.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use gort_metrics::tower::TimedLayer;
use gort_metrics::{PrometheusCollector, metrics_response, set_global_collector, timed};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug)]
struct Rejected(&'static str);

/// Counted as `gort_message_calls_total{channel=<the path's channel>, outcome}`: the label is
/// read from the argument when the call starts.
#[timed(channel = channel)]
async fn deliver(channel: &str, text: &str) -> Result<usize, Rejected> {
    if text.is_empty() {
        return Err(Rejected("empty message"));
    }
    tokio::task::yield_now().await;
    Ok(text.len())
}

async fn message(Path(channel): Path<String>, body: String) -> (StatusCode, String) {
    match deliver(&channel, &body).await {
        Ok(length) => (
            StatusCode::OK,
            format!("delivered {length} bytes to {channel}\n"),
        ),
        Err(Rejected(why)) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{why}\n")),
    }
}

async fn metrics(State(prometheus): State<Arc<PrometheusCollector>>) -> axum::response::Response {
    metrics_response(prometheus.registry()).map(axum::body::Body::from)
}

/// Sends one request over TCP and returns the status line.
async fn request(address: std::net::SocketAddr, method: &str, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: example\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    response
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let prometheus = Arc::new(PrometheusCollector::new());
    set_global_collector(prometheus.clone());

    let app = Router::new()
        .route("/channels/{channel}/messages", post(message))
        .layer(TimedLayer::middleware("http"))
        // `/metrics` is routed after the layer, so scrapes are not counted as traffic.
        .route("/metrics", get(metrics))
        .with_state(prometheus.clone());

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    println!("serving on http://{address}");

    for (path, body) in [
        ("/channels/dingtalk/messages", "hello"),
        ("/channels/dingtalk/messages", "again"),
        ("/channels/feishu/messages", ""),
        ("/nowhere", "lost"),
    ] {
        let response = request(address, "POST", path, body).await;
        println!(
            "POST {path:<30} -> {}",
            response.lines().next().unwrap_or("")
        );
    }

    let exposition = request(address, "GET", "/metrics", "").await;
    println!("\nRED samples from /metrics:");
    for line in exposition.lines().filter(|line| {
        line.starts_with("gort_middleware_calls_total")
            || line.starts_with("gort_message_calls_total")
            || line.starts_with("gort_middleware_duration_seconds_count")
    }) {
        println!("  {line}");
    }
    server.abort();
}
