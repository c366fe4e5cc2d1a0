//! The process-wide collector: one atomic pointer, read without a lock.
//!
//! Every installed collector is moved into a leaked [`Installed`] and published with a single
//! release store. Readers do one acquire load and call through the pointer. A replaced collector
//! is never freed, so a thread that loaded the old pointer just before a swap finishes its
//! record into the old collector (each record lands in exactly one collector) and never touches
//! freed memory. The price is that each `set_global_collector` call retains its collector for
//! the life of the process; installing a collector is a start-up or reconfiguration act, not a
//! per-request one.

use super::state;
use crate::{Collector, DefaultCollector};
use core::ptr;
use core::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, PoisonError};

/// A collector as the global slot holds it, with what was learnt of it at installation.
pub(crate) struct Installed {
    pub(crate) collector: &'static dyn Collector,
    /// `collector.is_enabled()`, asked once so the hot path need not make a virtual call.
    pub(crate) enabled: bool,
}

static NOOP: Installed = Installed {
    collector: &DefaultCollector,
    enabled: false,
};

/// Never null: it starts at `NOOP` and is only ever set to leaked `Installed` values.
static GLOBAL: AtomicPtr<Installed> = AtomicPtr::new(ptr::addr_of!(NOOP).cast_mut());

/// Held by `set_global_collector` while it publishes a collector.
static SWAP: Mutex<()> = Mutex::new(());

/// The installed collector and its facts.
#[inline(always)]
pub(crate) fn installed() -> &'static Installed {
    // SAFETY: `GLOBAL` only ever holds `&NOOP` or a pointer from `Box::leak` (see
    // `set_global_collector`); neither is ever freed or mutated after publication, and the
    // acquire load pairs with the release store so the pointee is fully initialised here.
    unsafe { &*GLOBAL.load(Ordering::Acquire) }
}

/// Installs `collector` as the process-wide collector.
///
/// Every thread's later recordings go to it (unless that thread is inside
/// [`with_collector`](crate::with_collector)). It is safe to call at any time, from any thread,
/// while other threads record: a record that started before the swap finishes in the old
/// collector, one that starts after it goes to the new one, and none is lost or counted twice.
///
/// Pass an `Arc` to keep a handle for reading the numbers back:
///
/// ```
/// use std::sync::Arc;
/// use gort_metrics::{record_message_received, set_global_collector, StatsCollector};
///
/// let stats = Arc::new(StatsCollector::new());
/// set_global_collector(stats.clone());
/// record_message_received("dingtalk", "inbound", "text");
/// assert_eq!(stats.stats().messages_received, 1);
/// ```
///
/// # Memory
///
/// The replaced collector is kept alive, never dropped, because another thread may still be
/// recording into it. Each call therefore retains the collector it installs (plus 24 bytes) for
/// the rest of the process. Install collectors at start-up or on reconfiguration, not per request.
///
/// # Clock calibration
///
/// With the `quanta` feature (on by default), the first enabled collector installed also
/// calibrates the timers' clock against the OS clock, once per process: typically well under a
/// millisecond, at most 200 ms. Doing it here keeps that pause out of the first timed call.
pub fn set_global_collector<C: Collector + 'static>(collector: C) {
    let enabled = collector.is_enabled();
    if enabled {
        crate::timing::warm_up_clock();
    }
    let collector: &'static dyn Collector = Box::leak(Box::new(collector));
    let installed = Box::leak(Box::new(Installed { collector, enabled }));
    // Swaps are serialised so that the enabled bit always describes the last pointer stored;
    // readers never take this lock. Poisoning cannot leave anything half-done here (the two
    // writes below do not panic), so a poisoned lock is used as is.
    let _swap = SWAP.lock().unwrap_or_else(PoisonError::into_inner);
    GLOBAL.store(installed, Ordering::Release);
    state::set_global_enabled(enabled);
}

/// The process-wide collector: the last one given to [`set_global_collector`], or a
/// [`DefaultCollector`] if none was.
///
/// This ignores any scoped collector of [`with_collector`](crate::with_collector); the free
/// `record_*` functions and the macros record through the *current* collector instead.
///
/// ```
/// use gort_metrics::{global_collector, Collector};
///
/// global_collector().record_retry("api-call", 3, true);
/// ```
#[inline]
pub fn global_collector() -> &'static dyn Collector {
    installed().collector
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_noop_slot_is_disabled_and_points_at_the_default_collector() {
        assert!(!NOOP.enabled);
        assert!(!NOOP.collector.is_enabled());
    }
}
