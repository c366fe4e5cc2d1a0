//! [`TimedResponse`]: the response future of a [`Timed`](super::Timed) service.

use super::Label;
use super::classify::Classify;
use crate::timing::CallTimer;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

/// The response future of a [`Timed`](super::Timed) service: records the request when it
/// completes (with the classifier's outcome) or when it is dropped before that (cancelled, or
/// panicked while unwinding).
///
/// ```
/// use std::future::{ready, Ready};
/// use gort_metrics::tower::{DefaultClassifier, TimedLayer, TimedResponse};
/// use tower_layer::Layer;
/// use tower_service::Service;
///
/// struct Answer;
/// impl Service<u32> for Answer {
///     type Response = u32;
///     type Error = ();
///     type Future = Ready<Result<u32, ()>>;
///     fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), ()>> {
///         std::task::Poll::Ready(Ok(()))
///     }
///     fn call(&mut self, request: u32) -> Self::Future {
///         ready(Ok(request + 1))
///     }
/// }
///
/// fn is_send<T: Send>(_: &T) {}
/// let future: TimedResponse<Ready<Result<u32, ()>>, DefaultClassifier> =
///     TimedLayer::channel("dingtalk").layer(Answer).call(41);
/// is_send(&future);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct TimedResponse<F, C> {
    inner: F,
    /// `None` once recorded; dropping it unfinished records the request as cancelled or
    /// panicked.
    timer: Option<CallTimer<Label>>,
    classify: C,
}

impl<F, C> TimedResponse<F, C> {
    pub(super) fn new(inner: F, timer: CallTimer<Label>, classify: C) -> Self {
        TimedResponse {
            inner,
            timer: Some(timer),
            classify,
        }
    }
}

impl<F, C, T, E> Future for TimedResponse<F, C>
where
    F: Future<Output = Result<T, E>>,
    C: Classify<T, E>,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `inner` is structurally pinned and the other fields are not: `inner` is
        // never moved out of `self` (there is no `Drop` impl here and no method hands it out),
        // and `TimedResponse` is `Unpin` only when `F` and `C` are (auto trait).
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above; `this.inner` stays at this address until `this` is dropped.
        let inner = unsafe { Pin::new_unchecked(&mut this.inner) };
        let result = ready!(inner.poll(cx));
        if let Some(timer) = this.timer.take() {
            timer.finish(this.classify.classify(&result));
        }
        Poll::Ready(result)
    }
}
