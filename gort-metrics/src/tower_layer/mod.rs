//! A `tower` layer that counts and times every request of the service it wraps (feature
//! `tower`): the rate, errors and duration of a middleware or message handler, for axum, tonic,
//! hyper and anything else built on `tower::Service`.
//!
//! [`TimedLayer::middleware`] records each request with
//! [`record_middleware_call`](crate::Collector::record_middleware_call) (the Prometheus families
//! `gort_middleware_duration_seconds{middleware}` and
//! `gort_middleware_calls_total{middleware,outcome}`), [`TimedLayer::channel`] with
//! [`record_message_call`](crate::Collector::record_message_call). The duration runs from
//! `call` until the response future completes, or is dropped. The outcome is:
//!
//! - `error` for an `Err`, and for a response its [`ClassifyResponse`] impl calls failed (an
//!   HTTP 5xx, for `http::Response`);
//! - `cancelled` for a response future dropped before it completed (a client that went away, a
//!   timeout layer outside this one);
//! - `panicked` for a panic while the future was polled;
//! - `ok` otherwise.
//!
//! [`TimedLayer::classify_with`] replaces the rule with a function of the whole result.
//!
//! ```
//! use std::convert::Infallible;
//! use std::sync::Arc;
//! use gort_metrics::tower::TimedLayer;
//! use gort_metrics::{StatsCollector, WithCollectorExt};
//! use tower_layer::Layer;
//! use tower_service::Service;
//!
//! #[derive(Clone)]
//! struct Echo;
//!
//! impl Service<String> for Echo {
//!     type Response = String;
//!     type Error = Infallible;
//!     type Future = std::future::Ready<Result<String, Infallible>>;
//!
//!     fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Infallible>> {
//!         std::task::Poll::Ready(Ok(()))
//!     }
//!     fn call(&mut self, request: String) -> Self::Future {
//!         std::future::ready(Ok(request))
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let stats = Arc::new(StatsCollector::new());
//! let mut service = TimedLayer::middleware("echo").layer(Echo);
//! let answer = async { service.call("hi".to_owned()).await }
//!     .with_collector(stats.clone())
//!     .await;
//! assert_eq!(answer.unwrap(), "hi");
//! assert_eq!(stats.stats().middleware_calls.ok, 1);
//! # }
//! ```
//!
//! The timer starts in `call`, on the collector current there; the record goes to the
//! collector current where the future completes (wrap the future with
//! [`WithCollectorExt::with_collector`](crate::WithCollectorExt::with_collector) to pin it).

mod classify;
mod future;

pub use classify::{Classify, ClassifyResponse, DefaultClassifier};
pub use future::TimedResponse;

use crate::collector::DurationKind;
use crate::timing::CallTimer;
use core::task::{Context, Poll};
use std::borrow::Cow;
use std::sync::Arc;

/// The label of a [`TimedLayer`], shared by every request without copying.
#[derive(Debug, Clone)]
pub struct Label(Arc<str>);

impl AsRef<str> for Label {
    #[inline]
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A [`tower_layer::Layer`] that times every request of the service it wraps: see the
/// [module docs](self).
///
/// ```
/// use gort_metrics::tower::TimedLayer;
///
/// let auth = TimedLayer::middleware("auth");
/// let dingtalk = TimedLayer::channel(String::from("dingtalk"));
/// assert_eq!(auth.label(), "auth");
/// assert_eq!(dingtalk.label(), "dingtalk");
/// ```
#[derive(Debug, Clone)]
pub struct TimedLayer<C = DefaultClassifier> {
    kind: DurationKind,
    label: Label,
    classify: C,
}

impl TimedLayer {
    /// Records each request as a run of the middleware `name`.
    pub fn middleware(name: impl Into<Cow<'static, str>>) -> Self {
        Self::new(DurationKind::Middleware, name)
    }

    /// Records each request as the processing of a message on `channel`.
    pub fn channel(channel: impl Into<Cow<'static, str>>) -> Self {
        Self::new(DurationKind::Message, channel)
    }

    fn new(kind: DurationKind, label: impl Into<Cow<'static, str>>) -> Self {
        TimedLayer {
            kind,
            label: Label(Arc::from(label.into())),
            classify: DefaultClassifier,
        }
    }
}

impl<C> TimedLayer<C> {
    /// Classifies each result with `classify` instead of the [`DefaultClassifier`]: any
    /// `Fn(&Result<Response, Error>) -> Outcome`, or a [`Classify`] impl of your own.
    ///
    /// ```
    /// use gort_metrics::Outcome;
    /// use gort_metrics::tower::TimedLayer;
    ///
    /// // A service answering `Ok(status_code)`: 429 is an error too.
    /// let layer = TimedLayer::middleware("rate-limit").classify_with(
    ///     |result: &Result<u16, std::io::Error>| match result {
    ///         Ok(status) if *status < 429 => Outcome::Ok,
    ///         _ => Outcome::Error,
    ///     },
    /// );
    /// assert_eq!(layer.label(), "rate-limit");
    /// ```
    pub fn classify_with<D>(self, classify: D) -> TimedLayer<D> {
        TimedLayer {
            kind: self.kind,
            label: self.label,
            classify,
        }
    }

    /// The middleware or channel name requests are recorded under.
    pub fn label(&self) -> &str {
        self.label.as_ref()
    }
}

impl<S, C: Clone> tower_layer::Layer<S> for TimedLayer<C> {
    type Service = Timed<S, C>;

    fn layer(&self, inner: S) -> Timed<S, C> {
        Timed {
            inner,
            kind: self.kind,
            label: self.label.clone(),
            classify: self.classify.clone(),
        }
    }
}

/// A service whose requests are timed and counted: what [`TimedLayer`] wraps a service in.
///
/// `Clone` when the inner service is, `Send`/`Sync` when it is, and its future is `Send` when
/// the inner future is.
///
/// ```
/// use gort_metrics::tower::{Timed, TimedLayer};
/// use tower_layer::Layer;
///
/// let service: Timed<(), _> = TimedLayer::middleware("auth").layer(());
/// assert_eq!(service.get_ref(), &());
/// ```
#[derive(Debug, Clone)]
pub struct Timed<S, C = DefaultClassifier> {
    inner: S,
    kind: DurationKind,
    label: Label,
    classify: C,
}

impl<S, C> Timed<S, C> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    ///
    /// ```
    /// use gort_metrics::tower::TimedLayer;
    /// use tower_layer::Layer;
    ///
    /// let mut service = TimedLayer::middleware("auth").layer(1);
    /// *service.get_mut() += 1;
    /// assert_eq!(service.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, C, Request> tower_service::Service<Request> for Timed<S, C>
where
    S: tower_service::Service<Request>,
    C: Classify<S::Response, S::Error> + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = TimedResponse<S::Future, C>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let timer = CallTimer::start(self.kind, self.label.clone());
        TimedResponse::new(self.inner.call(request), timer, self.classify.clone())
    }
}
