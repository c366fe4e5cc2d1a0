//! What `#[timed]` expands to: a `static` [`TimedSite`] per annotated function, which starts a
//! [`Timer`] for each call, or wraps the future a function returns.
//!
//! The site is `'static` and unique to its call site so that the runtime can later keep
//! per-site state (cached metric handles) in it without any change to the generated code.

use super::timer::{TimedKind, Timer};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};

/// One `#[timed]` function: how its calls are recorded and under which label.
#[derive(Debug)]
pub struct TimedSite {
    kind: TimedKind,
    label: &'static str,
}

impl TimedSite {
    /// A site recorded with `record_middleware_duration(label, ..)`.
    pub const fn middleware(label: &'static str) -> Self {
        TimedSite {
            kind: TimedKind::Middleware,
            label,
        }
    }

    /// A site recorded with `record_message_duration(label, ..)`.
    pub const fn channel(label: &'static str) -> Self {
        TimedSite {
            kind: TimedKind::Message,
            label,
        }
    }

    /// Starts timing one call; the returned guard records when dropped.
    #[inline]
    pub fn start(&'static self) -> Timer<'static> {
        Timer::start(self.kind, self.label)
    }

    /// Builds a future by calling `make_future` (the body of a fn returning `impl Future`) and
    /// times it from its first poll until it completes or is dropped. Taking the body as a
    /// closure keeps its `return`s returning the future.
    #[inline]
    pub fn time_future<F: Future>(
        &'static self,
        make_future: impl FnOnce() -> F,
    ) -> TimedFuture<F> {
        TimedFuture {
            site: self,
            timer: None,
            started: false,
            future: make_future(),
        }
    }
}

/// A future timed by its [`TimedSite`]: see [`TimedSite::time_future`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct TimedFuture<F> {
    site: &'static TimedSite,
    /// Alive from the first poll until completion; dropping the future drops it too, which
    /// records a future abandoned half-way.
    timer: Option<Timer<'static>>,
    started: bool,
    future: F,
}

impl<F: Future> Future for TimedFuture<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned and the other fields are not: `future` is
        // never moved out of `self` (there is no `Drop` impl and no method hands it out by
        // value), and `TimedFuture` is `Unpin` only when `F` is (auto trait; `Timer` and the
        // other fields are `Unpin`).
        let this = unsafe { self.get_unchecked_mut() };
        if !this.started {
            this.started = true;
            this.timer = Some(this.site.start());
        }
        // SAFETY: see above; `this.future` stays at this address until `this` is dropped.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let output = ready!(future.poll(cx));
        // Records at completion, not whenever the caller gets round to dropping us.
        this.timer = None;
        Poll::Ready(output)
    }
}
