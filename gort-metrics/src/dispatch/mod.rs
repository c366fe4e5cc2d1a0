//! Which collector a recording goes to: the innermost scoped one, else the global one.

mod future;
mod global;
mod local;
mod scoped;
mod sites;
mod state;

pub use future::{WithCollector, WithCollectorExt};
pub(crate) use global::Installed;
pub use global::{GlobalCollector, global_collector, set_global_collector};
pub use scoped::with_collector;
pub(crate) use sites::SiteIndex;

use crate::collector::Collector;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU64, Ordering};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Panics caught in collectors' record methods, process-wide.
static COLLECTOR_PANICS: AtomicU64 = AtomicU64::new(0);

/// Calls `f` with the current collector: this thread's innermost
/// [`with_collector`] scope if there is one, else the
/// [global collector](crate::global_collector).
///
/// This is what the free `record_*` functions and the macros use; call it to reach methods of
/// your own collector type's trait, or to record several things with one lookup.
///
/// ```
/// use std::sync::Arc;
/// use gort_metrics::{with_collector, with_current_collector, StatsCollector};
///
/// let stats = Arc::new(StatsCollector::new());
/// with_collector(stats.clone(), || {
///     with_current_collector(|collector| {
///         collector.record_message_received("dingtalk", "inbound", "text");
///         collector.record_message_sent("dingtalk", "outbound", "text");
///     })
/// });
/// assert_eq!(stats.stats().messages_received, 1);
/// assert_eq!(stats.stats().messages_sent, 1);
/// ```
#[inline(always)]
pub fn with_current_collector<R>(f: impl FnOnce(&dyn Collector) -> R) -> R {
    if let Some(scoped) = local::scoped() {
        // SAFETY: see `scoped_collector`.
        return f(unsafe { scoped_collector(scoped) });
    }
    local::with_global(state::load(), |installed| f(&installed.collector))
}

/// The collector behind this thread's scope slot.
///
/// # Safety
///
/// `pointer` must have just been read from this thread's slot, and the reference must not
/// outlive the caller's frame. The slot only holds pointers set by a live `Scope` of this
/// thread, which borrows the collector for its whole life and resets the slot when dropped
/// (also on unwind); a scope outlives everything called inside it, so the collector is alive
/// for as long as the caller runs.
#[inline(always)]
unsafe fn scoped_collector<'a>(pointer: NonNull<dyn Collector>) -> &'a dyn Collector {
    // SAFETY: guaranteed by the caller, as documented above.
    unsafe { pointer.as_ref() }
}

/// Whether recording now, on this thread, would reach a collector that keeps anything.
///
/// `false` while the global collector is the [`NoopCollector`](crate::NoopCollector) (or
/// another disabled one) and no scoped collector is active; instrumentation uses it to skip
/// clock reads. A thread-local read and one atomic load on the common path.
///
/// ```
/// use gort_metrics::{is_recording, with_collector, StatsCollector};
///
/// assert!(with_collector(StatsCollector::new(), is_recording));
/// ```
#[inline(always)]
pub fn is_recording() -> bool {
    match local::scoped() {
        // SAFETY: see `scoped_collector`.
        Some(scoped) => unsafe { scoped_collector(scoped) }.is_enabled(),
        None => state::load() & state::ENABLED != 0,
    }
}

/// Records through the current collector, containing a panic of the collector: the panic is
/// caught (after the panic hook has reported it as usual), counted in [`collector_panics`], and
/// the caller goes on. A buggy collector thus costs its own record, never the request that made
/// it, and never a double panic when a timing guard records during unwinding.
///
/// While nothing records (no scope on this thread, a disabled global collector) the call is
/// skipped after one load.
#[inline(always)]
pub(crate) fn record_contained(record: impl FnOnce(&dyn Collector)) {
    if let Some(scoped) = local::scoped() {
        // Moved into a fresh `Option` and type-erased here, in the cold arm only: handing
        // over `&record` instead would put the record's captures in memory on the hot path
        // too.
        let mut record = Some(record);
        return record_contained_scoped(scoped, &mut |collector| {
            if let Some(record) = record.take() {
                record(collector)
            }
        });
    }
    let state = state::load();
    if state & state::ENABLED == 0 {
        return;
    }
    local::with_global(state, |installed| {
        contain(|| record(&installed.collector));
    })
}

/// [`record_contained`] inside a scope: out of line, so the common path stays short.
#[cold]
#[inline(never)]
fn record_contained_scoped(scoped: NonNull<dyn Collector>, record: &mut dyn FnMut(&dyn Collector)) {
    // SAFETY: see `scoped_collector`; `scoped` was just read from the slot by our caller.
    let collector = unsafe { scoped_collector(scoped) };
    contain(|| record(collector));
}

/// Runs collector code, catching and counting a panic: `None` if it panicked.
#[inline(always)]
pub(crate) fn contain<R>(collector_code: impl FnOnce() -> R) -> Option<R> {
    match catch_unwind(AssertUnwindSafe(collector_code)) {
        Ok(result) => Some(result),
        Err(_) => {
            COLLECTOR_PANICS.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

/// Calls `scoped` with this thread's innermost scoped collector if there is one, else
/// `global` with the installed global collector, for callers that cache per global collector.
#[inline(always)]
pub(crate) fn with_scoped_or_installed<R>(
    scoped: impl FnOnce(&dyn Collector) -> R,
    global: impl FnOnce(&Installed) -> R,
) -> R {
    if let Some(pointer) = local::scoped() {
        // SAFETY: see `scoped_collector`.
        return scoped(unsafe { scoped_collector(pointer) });
    }
    local::with_global(state::load(), global)
}

/// How many panics the record functions and macros have caught in collectors' record methods,
/// since the process started.
///
/// A collector that panics loses that one record; the caller carries on and the collector stays
/// installed. Export this number (or alert on its log lines) to notice a broken backend.
///
/// ```
/// use std::time::Duration;
/// use gort_metrics::{collector_panics, record_message_received, with_collector, Collector};
///
/// struct Broken;
/// impl Collector for Broken {
///     fn record_message_received(&self, _: &str, _: &str, _: &str) {
///         panic!("backend bug")
///     }
///     fn record_message_sent(&self, _: &str, _: &str, _: &str) {}
///     fn record_message_duration(&self, _: &str, _: Duration) {}
///     fn record_channel_status(&self, _: &str, _: &str, _: bool) {}
///     fn record_channel_error(&self, _: &str, _: &str, _: &str) {}
///     fn record_session_active(&self, _: i64) {}
///     fn record_session_duration(&self, _: Duration) {}
///     fn record_middleware_duration(&self, _: &str, _: Duration) {}
///     fn record_retry(&self, _: &str, _: u32, _: bool) {}
/// }
///
/// let before = collector_panics();
/// with_collector(Broken, || record_message_received("dingtalk", "inbound", "text"));
/// assert_eq!(collector_panics(), before + 1);
/// ```
pub fn collector_panics() -> u64 {
    COLLECTOR_PANICS.load(Ordering::Relaxed)
}
