//! What `#[timed]` expands to: a `static` [`TimedSite`] per annotated function, which starts a
//! [`SiteTimer`] for each call, or wraps the future a function returns.
//!
//! The site is `'static` and unique to its call site, so it caches what its fixed label
//! resolves to in the installed global collector ([`Collector::call_handle`](crate::Collector::call_handle)): a call then
//! records with one pointer comparison and one call, without any per-call label lookup.

use super::clock::Stamp;
use super::timer::{record_call, start_if_recording};
use crate::dispatch::{Installed, contain, with_scoped_or_installed};
use crate::{CallHandle, DurationKind, Outcome};
use core::future::Future;
use core::pin::Pin;
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};
use core::task::{Context, Poll, ready};
use core::time::Duration;

/// One `#[timed]` function: how its calls are recorded and under which label.
#[derive(Debug)]
pub struct TimedSite {
    kind: DurationKind,
    label: &'static str,
    /// What the label resolved to in the global collector that was installed when this site
    /// last looked; null until the first record. Never freed, like installed collectors (see
    /// `dispatch::global`), so a reader may keep using an entry that was just replaced.
    resolved: AtomicPtr<Resolved>,
}

/// A site's cache entry: valid while `installed` is the installed global collector.
struct Resolved {
    installed: &'static Installed,
    handle: Option<CallHandle>,
}

impl TimedSite {
    /// A site recorded with `record_middleware_duration(label, ..)`.
    pub const fn middleware(label: &'static str) -> Self {
        TimedSite {
            kind: DurationKind::Middleware,
            label,
            resolved: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// A site recorded with `record_message_duration(label, ..)`.
    pub const fn channel(label: &'static str) -> Self {
        TimedSite {
            kind: DurationKind::Message,
            label,
            resolved: AtomicPtr::new(ptr::null_mut()),
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
    fn record_since(&'static self, start: Stamp) {
        let outcome = if std::thread::panicking() {
            Outcome::Panicked
        } else {
            Outcome::Ok
        };
        self.record(outcome, start.elapsed());
    }

    /// Records one call's duration: through the handle cached for the installed global
    /// collector, or, inside a scoped collector, with that collector's plain methods (scopes
    /// are per thread and short-lived, so they are not cached).
    #[inline]
    fn record(&'static self, outcome: Outcome, elapsed: Duration) {
        with_scoped_or_installed(
            |scoped| {
                contain(|| record_call(scoped, self.kind, self.label, outcome, elapsed));
            },
            |installed| {
                let resolved = self.resolve(installed);
                contain(|| match &resolved.handle {
                    Some(handle) => handle.record(outcome, elapsed),
                    None => {
                        record_call(installed.collector, self.kind, self.label, outcome, elapsed)
                    }
                });
            },
        )
    }

    #[inline]
    fn resolve(&'static self, installed: &'static Installed) -> &'static Resolved {
        // SAFETY: a non-null pointer here came from `Box::leak` in `resolve_slow` and is never
        // freed; the acquire load pairs with its release store, so the entry is initialised.
        let cached = unsafe { self.resolved.load(Ordering::Acquire).as_ref() };
        match cached {
            // Installed collectors are never freed either, so an address names one collector
            // for the life of the process: equal addresses mean the entry is current.
            Some(resolved) if ptr::eq(resolved.installed, installed) => resolved,
            _ => self.resolve_slow(installed),
        }
    }

    /// Asks the collector for a handle once per installed collector. Threads racing here each
    /// leak an entry and the last store wins; all entries are equivalent, so that is harmless.
    #[cold]
    #[inline(never)]
    fn resolve_slow(&'static self, installed: &'static Installed) -> &'static Resolved {
        let handle = contain(|| installed.collector.call_handle(self.kind, self.label));
        let resolved = Box::leak(Box::new(Resolved {
            installed,
            handle: handle.flatten(),
        }));
        self.resolved.store(resolved, Ordering::Release);
        resolved
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
            self.site.record_since(start);
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
    timer: Option<SiteTimer>,
    started: bool,
    future: F,
}

impl<F: Future> Future for TimedFuture<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned and the other fields are not: `future` is
        // never moved out of `self` (there is no `Drop` impl and no method hands it out by
        // value), and `TimedFuture` is `Unpin` only when `F` is (auto trait; `SiteTimer` and the
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
