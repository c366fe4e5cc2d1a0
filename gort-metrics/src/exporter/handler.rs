//! [`metrics_response`]: the `/metrics` answer as an `http::Response`, for services that
//! already run an HTTP server (axum, hyper, or anything built on the `http` crate).

use crate::prometheus_backend::render_registry;
use prometheus::{Encoder, Registry, TextEncoder};

/// The text exposition of `registry` as a `200 OK` response with
/// `Content-Type: text/plain; version=0.0.4`: what [`MetricsServer`](crate::MetricsServer)
/// serves, for a route in a server you already have.
///
/// The body is a `String`, which implements `http_body::Body`, so axum returns the response as
/// is (`.route("/metrics", get(move || async move { metrics_response(&registry) }))`) and
/// hyper's `service_fn` can answer with it directly.
///
/// ```
/// use gort_metrics::{metrics_response, Collector, PrometheusCollector};
///
/// let collector = PrometheusCollector::new();
/// collector.record_session_active(2);
///
/// let response = metrics_response(collector.registry());
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers()["content-type"], "text/plain; version=0.0.4");
/// assert!(response.body().contains("\ngort_sessions_active 2\n"));
/// ```
pub fn metrics_response(registry: &Registry) -> http::Response<String> {
    let mut response = http::Response::new(render_registry(registry));
    // The encoder's format type is a constant ASCII string, always a valid header value.
    if let Ok(content_type) = http::HeaderValue::from_str(TextEncoder::new().format_type()) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, content_type);
    }
    response
}
