//! Scoped collectors: a thread-local override of the global one.
//!
//! A [`Scope`] publishes a borrowed collector in this thread's slot (in [`super::local`]) and
//! restores the previous slot value when dropped, on return and on unwind alike. Entering and
//! leaving a scope writes only thread-local cells: other threads never see it.

use super::local;
use crate::collector::Collector;
use core::marker::PhantomData;
use core::ptr::NonNull;

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
        let previous = local::replace_scoped(Some(NonNull::from(collector)));
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
        local::replace_scoped(self.previous);
    }
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
