//! What `#[timed]` expands to: a `static` [`TimedSite`] per annotated function, which starts a
//! [`SiteTimer`] for each call, or wraps the future a function returns.
//!
//! The site is `'static` and unique to its call site, so the handle its fixed label resolves
//! to in a collector ([`Collector::call_handle`](crate::Collector::call_handle)) is worth
//! keeping: each installed collector keeps the handles of the sites that recorded into it (see
//! `dispatch::sites`) and frees them with itself. A call then records with one indexed load and
//! one call, without any per-call label lookup.

use super::call::{FinishCall, SiteCall, StartCall, ok_unless_panicking};
use super::clock::Stamp;
use super::timer::{record_call, start_if_recording};
use crate::collector::{DurationKind, Outcome};
use crate::dispatch::{Installed, SiteIndex, contain, with_scoped_or_installed};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use core::time::Duration;

/// One `#[timed]` function: how its calls are recorded and under which label.
#[derive(Debug)]
pub struct TimedSite {
    kind: DurationKind,
    label: &'static str,
    /// Where this site's handle sits in each collector's slots.
    index: SiteIndex,
}

impl TimedSite {
    /// A site recorded with `record_middleware_call(label, ..)`.
    pub const fn middleware(label: &'static str) -> Self {
        TimedSite {
            kind: DurationKind::Middleware,
            label,
            index: SiteIndex::new(),
        }
    }

    /// A site recorded with `record_message_call(label, ..)`.
    pub const fn channel(label: &'static str) -> Self {
        TimedSite {
            kind: DurationKind::Message,
            label,
            index: SiteIndex::new(),
        }
    }

    /// Starts timing one call; the returned guard records when dropped.
    #[inline]
    pub fn start(&'static self) -> SiteTimer {
        SiteTimer {
            site: self,
            start: start_if_recording(),
        }
    }

    /// Measures from `start` and records. Out of line and taking only values, so that a call
    /// made while nothing records costs one test at its end, and its guard never needs a place
    /// in memory.
    #[inline(never)]
    fn record_since_ok(&'static self, start: Stamp) {
        self.record(ok_unless_panicking(), start.elapsed());
    }

    /// Starts timing one call that is [finished](SiteCall::finish) with its outcome.
    #[inline]
    pub fn call(&'static self) -> SiteCall {
        SiteCall::start(self)
    }

    /// Measures from `start` and records one call that ended with `outcome`. Out of line and
    /// taking only values, like [`Self::record_since_ok`].
    #[inline(never)]
    pub(super) fn record_since(&'static self, outcome: Outcome, start: Stamp) {
        self.record(outcome, start.elapsed());
    }

    /// Records one call: through the handle this site resolved in the installed global
    /// collector, or, inside a scoped collector, with that collector's plain methods (scopes
    /// are per thread and short-lived, so they are not cached).
    #[inline]
    fn record(&'static self, outcome: Outcome, elapsed: Duration) {
        with_scoped_or_installed(
            |scoped| {
                contain(|| record_call(scoped, self.kind, self.label, outcome, elapsed));
            },
            |installed| self.record_global(installed, outcome, elapsed),
        )
    }

    #[inline]
    fn record_global(&'static self, installed: &Installed, outcome: Outcome, elapsed: Duration) {
        let collector = &installed.collector;
        let resolved = installed.sites.get_or_resolve(self.index.get(), || {
            contain(|| collector.call_handle(self.kind, self.label)).flatten()
        });
        contain(
            || match resolved.and_then(|resolved| resolved.handle.as_ref()) {
                Some(handle) => handle.record(outcome, elapsed),
                None => record_call(collector, self.kind, self.label, outcome, elapsed),
            },
        );
    }

    /// Builds a future by calling `make_future` (the body of a fn returning `impl Future`) and
    /// times it from this site, from its first poll: see [`TimedFuture`]. Taking the body as a
    /// closure keeps its `return`s returning the future.
    #[inline]
    pub fn time_future_with<F, K>(
        &'static self,
        make_future: impl FnOnce() -> F,
        classify: K,
    ) -> TimedFuture<F, &'static TimedSite, K>
    where
        F: Future,
        K: FnOnce(&F::Output) -> Outcome,
    {
        time_future(self, make_future, classify)
    }
}

/// Builds a future by calling `make_future` and times it from its first poll: the call
/// `start` starts ends with the outcome `classify` reads off the output, or as
/// [`Outcome::Cancelled`] when the future is dropped before it completes.
#[inline]
pub(super) fn time_future<F, S, K>(
    start: S,
    make_future: impl FnOnce() -> F,
    classify: K,
) -> TimedFuture<F, S, K>
where
    F: Future,
    S: StartCall,
    K: FnOnce(&F::Output) -> Outcome,
{
    TimedFuture {
        start: Some(start),
        call: None,
        classify: Some(classify),
        future: make_future(),
    }
}

/// The guard of one `#[timed]` call: records the call's duration at its [`TimedSite`] when
/// dropped, however the call ends. The counterpart of [`Timer`](crate::Timer) for a label fixed
/// at compile time.
#[derive(Debug)]
#[must_use = "the call is timed until the guard is dropped"]
pub struct SiteTimer {
    site: &'static TimedSite,
    /// `None` when the call started while nothing recorded: the clock was never read.
    start: Option<Stamp>,
}

impl Drop for SiteTimer {
    #[inline]
    fn drop(&mut self) {
        if let Some(start) = self.start {
            self.site.record_since_ok(start);
        }
    }
}

/// A future timed from its first poll until it completes, when the call its `S` starts ends
/// with the outcome its `K` reads off the output, or until it is dropped, which ends the call
/// as [`Outcome::Cancelled`]. Built by [`TimedSite::time_future_with`] and
/// [`DynamicStart::time_future`](super::call::DynamicStart::time_future).
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct TimedFuture<F, S: StartCall, K> {
    /// Taken at the first poll, which starts `call`.
    start: Option<S>,
    /// Alive from the first poll until completion; dropping the future drops it unfinished,
    /// which records a future abandoned half-way as cancelled.
    call: Option<S::Call>,
    classify: Option<K>,
    future: F,
}

impl<F, S, K> Future for TimedFuture<F, S, K>
where
    F: Future,
    S: StartCall,
    K: FnOnce(&F::Output) -> Outcome,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned and the other fields are not: `future` is
        // never moved out of `self` (there is no `Drop` impl and no method hands it out by
        // value), and `TimedFuture` is `Unpin` only when all its fields are (auto trait).
        let this = unsafe { self.get_unchecked_mut() };
        if let Some(start) = this.start.take() {
            this.call = Some(start.start_call());
        }
        // SAFETY: see above; `this.future` stays at this address until `this` is dropped.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let output = ready!(future.poll(cx));
        // Records at completion, not whenever the caller gets round to dropping us.
        if let (Some(call), Some(classify)) = (this.call.take(), this.classify.take()) {
            call.finish_call(classify(&output));
        }
        Poll::Ready(output)
    }
}
