//! The tower layer: every request of a wrapped service is timed and counted by outcome,
//! including over real TCP through axum.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use gort_metrics::tower::{Timed, TimedLayer, TimedResponse};
use gort_metrics::{
    Outcome, PrometheusCollector, StatsCollector, set_global_collector, with_collector,
};
use std::convert::Infallible;
use std::future::{Future, Ready, pending, ready};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tests::lock_global;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower_layer::Layer;
use tower_service::Service;

/// A non-HTTP service: answers `Ok(n)` for even requests, `Err` for odd ones.
#[derive(Clone, Default)]
struct Parity {
    ready_polls: usize,
}

impl Service<u32> for Parity {
    type Response = u32;
    type Error = String;
    type Future = Ready<Result<u32, String>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        self.ready_polls += 1;
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: u32) -> Self::Future {
        ready(if request % 2 == 0 {
            Ok(request)
        } else {
            Err(format!("{request} is odd"))
        })
    }
}

fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
fn assert_send<T: Send>() {}

#[test]
fn the_service_is_clone_send_and_its_future_send_when_the_inner_ones_are() {
    assert_send_sync_clone::<Timed<Parity>>();
    assert_send::<TimedResponse<Ready<Result<u32, String>>, gort_metrics::tower::DefaultClassifier>>(
    );
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(future)
}

#[test]
fn errors_count_as_error_and_poll_ready_is_forwarded() {
    let stats = Arc::new(StatsCollector::new());
    let mut service = TimedLayer::middleware("parity").layer(Parity::default());
    with_collector(stats.clone(), || {
        for request in 0..5 {
            let _ = block_on(service.call(request));
        }
    });
    let stats = stats.stats();
    assert_eq!(
        (stats.middleware_calls.ok, stats.middleware_calls.error),
        (3, 2)
    );
    assert_eq!(stats.middleware_durations.count, 5);
    let _ = block_on(std::future::poll_fn(|cx| service.poll_ready(cx)));
    assert_eq!(service.get_ref().ready_polls, 1);
}

#[test]
fn a_custom_classifier_decides_the_outcome() {
    let stats = Arc::new(StatsCollector::new());
    let mut service = TimedLayer::channel("dingtalk")
        .classify_with(|result: &Result<u32, String>| match result {
            Ok(n) if *n >= 4 => Outcome::Error,
            _ => Outcome::Ok,
        })
        .layer(Parity::default());
    with_collector(stats.clone(), || {
        for request in [2, 3, 4] {
            let _ = block_on(service.call(request));
        }
    });
    let calls = stats.stats().message_calls;
    assert_eq!((calls.ok, calls.error), (2, 1));
}

/// A service whose future never completes, to be dropped.
#[derive(Clone)]
struct Never;

impl Service<()> for Never {
    type Response = ();
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<(), Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, (): ()) -> Self::Future {
        Box::pin(pending())
    }
}

#[test]
fn a_future_dropped_before_completion_counts_as_cancelled() {
    let stats = Arc::new(StatsCollector::new());
    let mut service = TimedLayer::middleware("slow").layer(Never);
    with_collector(stats.clone(), || {
        let future = service.call(());
        drop(future);
    });
    let calls = stats.stats().middleware_calls;
    assert_eq!((calls.cancelled, calls.total()), (1, 1));
}

async fn ok() -> &'static str {
    "ok"
}

async fn broken() -> (StatusCode, &'static str) {
    (StatusCode::INTERNAL_SERVER_ERROR, "broken")
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(30)).await;
    "late"
}

/// Sends one HTTP/1.1 request and returns the status line's code.
async fn request(address: std::net::SocketAddr, path: &str) -> u16 {
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let head = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let text = String::from_utf8_lossy(&response);
    text.split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {text:?}"))
}

#[test]
fn an_axum_router_counts_ok_404_500_and_cancelled_requests_over_tcp() {
    // axum runs each connection as a task of its own, so the collector is the global one.
    let _lock = lock_global();
    let prometheus = PrometheusCollector::new();
    let stats = Arc::new(StatsCollector::new());
    set_global_collector(
        gort_metrics::FanoutCollector::new()
            .with(prometheus.clone())
            .with(stats.clone()),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let app = Router::new()
            .route("/ok", get(ok))
            .route("/broken", get(broken))
            .route("/slow", get(slow))
            .layer(TimedLayer::middleware("gateway"));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let server = tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        assert_eq!(request(address, "/ok").await, 200);
        assert_eq!(request(address, "/ok").await, 200);
        assert_eq!(request(address, "/missing").await, 404);
        assert_eq!(request(address, "/broken").await, 500);
        // A client that gives up: the server drops the handler's future.
        let mut stream = TcpStream::connect(address).await.expect("connect");
        stream
            .write_all(b"GET /slow HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .expect("write");
        tokio::time::sleep(Duration::from_millis(200)).await;
        drop(stream);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while stats.stats().middleware_calls.cancelled == 0
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        server.abort();
    });
    set_global_collector(gort_metrics::NoopCollector);
    let calls = stats.stats().middleware_calls;
    assert_eq!(
        (calls.ok, calls.error, calls.cancelled, calls.panicked),
        (3, 1, 1, 0),
        "200, 200 and 404 are ok, 500 is an error, the abandoned request is cancelled"
    );
    let text = prometheus.render();
    assert!(
        text.contains("gort_middleware_duration_seconds_count{middleware=\"gateway\"} 5"),
        "{text}"
    );
}
