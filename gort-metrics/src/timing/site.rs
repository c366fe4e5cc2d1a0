//! What `#[timed]` expands to: a `static` [`TimedSite`] per annotated function, which starts a
//! [`Timer`] for each call, or wraps the future a function returns.
//!
//! The site is `'static` and unique to its call site, so it caches what its fixed label
//! resolves to in the installed global collector ([`Collector::duration_handle`]): a call then
//! records with one pointer comparison and one call, without any per-call label lookup.

use super::timer::{Timer, record_duration};
use crate::dispatch::{Installed, contain, with_scoped_or_installed};
use crate::{DurationHandle, DurationKind};
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
    handle: Option<DurationHandle>,
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
    pub fn start(&'static self) -> Timer<'static> {
        Timer::for_site(self)
    }

    /// Records one call's duration: through the handle cached for the installed global
    /// collector, or, inside a scoped collector, with that collector's plain methods (scopes
    /// are per thread and short-lived, so they are not cached).
    #[inline]
    pub(super) fn record(&'static self, elapsed: Duration) {
        with_scoped_or_installed(
            |scoped| {
                contain(|| record_duration(scoped, self.kind, self.label, elapsed));
            },
            |installed| {
                let resolved = self.resolve(installed);
                contain(|| match &resolved.handle {
                    Some(handle) => handle.record(elapsed),
                    None => record_duration(installed.collector, self.kind, self.label, elapsed),
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
        let handle = contain(|| installed.collector.duration_handle(self.kind, self.label));
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
