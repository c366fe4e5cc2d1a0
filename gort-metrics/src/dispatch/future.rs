//! Carrying a scoped collector along with a future, across `.await`s and threads.

use super::scoped::Scope;
use crate::collector::Collector;
use core::future::Future;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::task::{Context, Poll};

/// A future that records into its own collector: see [`WithCollectorExt::with_collector`].
#[must_use = "futures do nothing unless polled"]
pub struct WithCollector<F, C: Collector + 'static> {
    // Dropped by hand in `Drop`, inside the collector's scope, so a guard that records when
    // the future is dropped early (a timed or retried async fn) records into `collector`.
    inner: ManuallyDrop<F>,
    collector: C,
}

impl<F: core::fmt::Debug, C: Collector + core::fmt::Debug + 'static> core::fmt::Debug
    for WithCollector<F, C>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WithCollector")
            .field("inner", &*self.inner)
            .field("collector", &self.collector)
            .finish()
    }
}

impl<F, C: Collector + 'static> WithCollector<F, C> {
    /// The collector this future records into.
    ///
    /// ```
    /// use gort_metrics::{StatsCollector, WithCollectorExt};
    ///
    /// let future = async {}.with_collector(StatsCollector::new());
    /// assert_eq!(future.collector().stats().messages_sent, 0);
    /// ```
    pub fn collector(&self) -> &C {
        &self.collector
    }
}

impl<F: Future, C: Collector + 'static> Future for WithCollector<F, C> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `inner` is structurally pinned: it is never moved out of `self` (not here,
        // not in `Drop`, which drops it in place), and `WithCollector` is `Unpin` only when
        // `F` is (auto trait through `ManuallyDrop<F>`). `collector` is never pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let _scope = Scope::enter(&this.collector);
        // SAFETY: see above; `this.inner` stays at this address until it is dropped in place.
        let inner = unsafe { Pin::new_unchecked(&mut *this.inner) };
        inner.poll(cx)
    }
}

impl<F, C: Collector + 'static> Drop for WithCollector<F, C> {
    fn drop(&mut self) {
        let _scope = Scope::enter(&self.collector);
        // SAFETY: `inner` is dropped exactly once, here, in place (it was pinned), and is never
        // used again: this is the end of `self`.
        unsafe { ManuallyDrop::drop(&mut self.inner) }
    }
}

/// Runs futures with a collector of their own.
///
/// Implemented for every [`Future`]; bring it into scope with `use gort_metrics::WithCollectorExt`.
pub trait WithCollectorExt: Future + Sized {
    /// Makes `collector` the current collector whenever this future is polled or dropped,
    /// whichever thread that happens on: the async form of
    /// [`with_collector`](crate::with_collector), the way `tracing::Instrument` carries a span.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use gort_metrics::{record_message_received, StatsCollector, WithCollectorExt};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let stats = Arc::new(StatsCollector::new());
    /// async {
    ///     tokio::task::yield_now().await;
    ///     record_message_received("dingtalk", "inbound", "text");
    /// }
    /// .with_collector(stats.clone())
    /// .await;
    /// assert_eq!(stats.stats().messages_received, 1);
    /// # }
    /// ```
    fn with_collector<C: Collector + 'static>(self, collector: C) -> WithCollector<Self, C> {
        // Calibrated once here rather than on every poll, which enters a scope each time.
        crate::timing::warm_up_clock();
        WithCollector {
            inner: ManuallyDrop::new(self),
            collector,
        }
    }
}

impl<F: Future> WithCollectorExt for F {}
