//! Scoped collectors: a thread-local override of the global one.
//!
//! A [`Scope`] publishes a borrowed collector in a thread-local slot and restores the previous
//! slot value when dropped, on return and on unwind alike. A process-wide count of live scopes
//! (in [`super::state`]) lets
//! the hot path skip the thread-local lookup entirely while no thread has a scope.

use super::state;
use crate::Collector;
use core::cell::Cell;
use core::marker::PhantomData;
use core::ptr::NonNull;

thread_local! {
    /// The innermost scoped collector of this thread, if any.
    static CURRENT: Cell<Option<NonNull<dyn Collector>>> = const { Cell::new(None) };
}

/// While alive, makes a borrowed collector the current one of this thread.
#[must_use = "the collector is current only while the scope is alive"]
pub(crate) struct Scope<'a> {
    previous: Option<NonNull<dyn Collector>>,
    /// Ties the scope to the collector's borrow, and keeps it on this thread (`*const` is
    /// neither `Send` nor `Sync`): it must be dropped where its slot lives.
    _borrow: PhantomData<(&'a dyn Collector, *const ())>,
}

impl<'a> Scope<'a> {
    pub(crate) fn enter(collector: &'a (dyn Collector + 'static)) -> Self {
        state::scope_entered();
        let previous = CURRENT
            .try_with(|slot| slot.replace(Some(NonNull::from(collector))))
            .ok()
            .flatten();
        Scope {
            previous,
            _borrow: PhantomData,
        }
    }
}

impl Drop for Scope<'_> {
    fn drop(&mut self) {
        // Restoring the previous value (not clearing) keeps nested scopes correct; it runs on
        // unwind too, so a panic in the scoped code cannot leave a dangling pointer behind.
        let _ = CURRENT.try_with(|slot| slot.set(self.previous));
        state::scope_exited();
    }
}

/// Calls `f` with this thread's innermost scoped collector; without one, hands `f` back uncalled.
/// Callers check [`route`](super::state::route) first and call this out of line.
#[inline]
pub(crate) fn with_scoped<F: FnOnce(&dyn Collector) -> R, R>(f: F) -> Result<R, F> {
    let Some(Some(pointer)) = CURRENT.try_with(Cell::get).ok() else {
        return Err(f);
    };
    // SAFETY: the slot only holds pointers set by a `Scope` of this thread, which borrows the
    // collector for its whole life and resets the slot when dropped (also on unwind). A scope
    // outlives everything called inside it, including this call, so the collector is alive.
    // `f` cannot keep the reference: it is only given for the duration of the call.
    Ok(f(unsafe { pointer.as_ref() }))
}

/// Runs `f` with `collector` as the current collector of this thread.
///
/// Inside `f`, the free `record_*` functions and the macros record into `collector` instead of
/// the global one; other threads are unaffected. Scopes nest (the innermost wins) and end when
/// `f` returns or panics. This is the tool for tests that must not see each other's numbers and
/// for multi-tenant code; for a future that hops threads, see
/// [`WithCollectorExt::with_collector`](crate::WithCollectorExt::with_collector).
///
/// ```
/// use std::sync::Arc;
/// use gort_metrics::{record_message_sent, with_collector, StatsCollector};
///
/// let stats = Arc::new(StatsCollector::new());
/// let answer = with_collector(stats.clone(), || {
///     record_message_sent("feishu", "outbound", "image");
///     42
/// });
/// assert_eq!(answer, 42);
/// assert_eq!(stats.stats().messages_sent, 1);
/// ```
pub fn with_collector<C: Collector + 'static, R>(collector: C, f: impl FnOnce() -> R) -> R {
    // As at installation: the clock's one-off calibration happens here, not in the first
    // timed call.
    crate::timing::warm_up_clock();
    let _scope = Scope::enter(&collector);
    f()
}
