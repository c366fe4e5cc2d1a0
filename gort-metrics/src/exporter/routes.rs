//! What a request gets: the exposition at `/metrics`, `405` for other methods there, `404`
//! elsewhere. Decided from the method and the URI's path alone, so the request target's form
//! (`/metrics`, `http://host/metrics`, RFC 9112 section 3.2) makes no difference.

use crate::prometheus_backend::render_registry;
use hyper::body::{Body, Bytes, Frame, SizeHint};
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Response, StatusCode, Uri};
use prometheus::{Encoder, Registry, TextEncoder};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The path the exposition is served on.
const METRICS_PATH: &str = "/metrics";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Route {
    Metrics,
    MethodNotAllowed,
    NotFound,
}

/// `uri.path()` is the path of an origin-form and of an absolute-form target alike, without
/// the query; an asterisk-form or authority-form target has no `/metrics` path.
pub(super) fn route(method: &Method, uri: &Uri) -> Route {
    if uri.path() != METRICS_PATH {
        return Route::NotFound;
    }
    if method == Method::GET || method == Method::HEAD {
        Route::Metrics
    } else {
        Route::MethodNotAllowed
    }
}

/// The answer to `method uri`, rendering `registry` afresh for every scrape.
pub(super) fn respond(registry: &Registry, method: &Method, uri: &Uri) -> Response<WholeBody> {
    match route(method, uri) {
        Route::Metrics => {
            let mut response = Response::new(WholeBody::new(render_registry(registry)));
            // The encoder's format type is a constant ASCII string, a valid header value.
            if let Ok(content_type) = HeaderValue::from_str(TextEncoder::new().format_type()) {
                response.headers_mut().insert(CONTENT_TYPE, content_type);
            }
            response
        }
        Route::MethodNotAllowed => {
            let mut response = plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "only GET and HEAD are allowed\n",
            );
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            response
        }
        Route::NotFound => plain(
            StatusCode::NOT_FOUND,
            "not found: metrics are at /metrics\n",
        ),
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<WholeBody> {
    let mut response = Response::new(WholeBody::new(text.into()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

/// A body known in full before the response starts: one data frame, with its exact length as
/// the size hint so that hyper sends `Content-Length` rather than chunks.
#[derive(Debug)]
pub(super) struct WholeBody(Option<Bytes>);

impl WholeBody {
    fn new(text: String) -> Self {
        WholeBody(Some(Bytes::from(text)))
    }
}

impl Body for WholeBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.get_mut().0.take().map(|data| Ok(Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0.as_ref().map_or(0, |data| data.len() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(text: &str) -> Uri {
        text.parse().expect("a valid request target")
    }

    #[test]
    fn metrics_is_served_to_get_and_head_with_or_without_a_query() {
        assert_eq!(route(&Method::GET, &uri("/metrics")), Route::Metrics);
        assert_eq!(route(&Method::HEAD, &uri("/metrics")), Route::Metrics);
        assert_eq!(route(&Method::GET, &uri("/metrics?name=x")), Route::Metrics);
    }

    #[test]
    fn an_absolute_form_target_is_routed_by_its_path() {
        for target in [
            "http://127.0.0.1:9184/metrics",
            "http://gateway.example/metrics?x=1",
            "HTTP://GATEWAY/metrics",
        ] {
            assert_eq!(
                route(&Method::GET, &uri(target)),
                Route::Metrics,
                "{target}"
            );
        }
        assert_eq!(
            route(&Method::GET, &uri("http://gateway.example/")),
            Route::NotFound
        );
    }

    #[test]
    fn other_methods_and_paths_are_refused() {
        assert_eq!(
            route(&Method::POST, &uri("/metrics")),
            Route::MethodNotAllowed
        );
        assert_eq!(route(&Method::GET, &uri("/")), Route::NotFound);
        assert_eq!(route(&Method::GET, &uri("/metrics/")), Route::NotFound);
        assert_eq!(route(&Method::GET, &uri("/metricsx")), Route::NotFound);
        assert_eq!(route(&Method::OPTIONS, &uri("*")), Route::NotFound);
    }

    #[test]
    fn the_metrics_response_carries_the_exposition_and_its_exact_length() {
        let registry = Registry::new();
        let gauge = prometheus::IntGauge::new("scrape_fresh", "help").expect("valid gauge");
        registry
            .register(Box::new(gauge.clone()))
            .expect("register");
        gauge.set(7);
        let response = respond(&registry, &Method::GET, &uri("/metrics"));
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[CONTENT_TYPE],
            TextEncoder::new().format_type()
        );
        let expected = render_registry(&registry);
        assert!(expected.contains("\nscrape_fresh 7\n"), "{expected}");
        assert_eq!(
            response.body().size_hint().exact(),
            Some(expected.len() as u64)
        );
        assert_eq!(response.body().0.as_deref(), Some(expected.as_bytes()));
    }

    #[test]
    fn refusals_say_why() {
        let registry = Registry::new();
        let refused = respond(&registry, &Method::DELETE, &uri("/metrics"));
        assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(refused.headers()[ALLOW], "GET, HEAD");
        let missing = respond(&registry, &Method::GET, &uri("/"));
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn a_whole_body_yields_one_frame_then_ends() {
        let mut body = WholeBody::new("abc".into());
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        assert!(!body.is_end_stream());
        let frame = Pin::new(&mut body).poll_frame(&mut cx);
        let Poll::Ready(Some(Ok(frame))) = frame else {
            panic!("expected a data frame, got {frame:?}");
        };
        assert_eq!(frame.into_data().ok().as_deref(), Some(&b"abc"[..]));
        assert!(body.is_end_stream());
        assert_eq!(body.size_hint().exact(), Some(0));
        assert!(matches!(
            Pin::new(&mut body).poll_frame(&mut cx),
            Poll::Ready(None)
        ));
    }
}
