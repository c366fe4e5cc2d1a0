//! The guard against records made from inside this backend's own events.
//!
//! A subscriber that turns events into metrics (or logs each event through code that records
//! one) calls back into the current collector while `TracingCollector` is emitting. If that is
//! this backend again, it would emit another event, which the subscriber turns into another
//! record, and so on until the stack overflows and the process aborts. `tracing` itself refuses
//! such re-entry for scoped dispatchers with a thread-local flag; this is the same for ours,
//! whether the subscriber is scoped or global.

use core::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

thread_local! {
    /// Whether this thread is inside an event emitted by a `TracingCollector`.
    static EMITTING: Cell<bool> = const { Cell::new(false) };
}

/// Records dropped because they were made from inside one of this backend's events.
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// Runs `emit` unless this thread is already inside an event of this backend, in which case the
/// record is dropped and counted instead.
///
/// A thread whose thread-locals are already torn down (a record from another thread-local's
/// destructor) cannot be told apart from a nested one, so its records are dropped too, as
/// `tracing` drops events in that state.
#[inline]
pub(super) fn outside_own_event(emit: impl FnOnce()) {
    let entered = EMITTING
        .try_with(|emitting| !emitting.replace(true))
        .unwrap_or(false);
    if !entered {
        DROPPED.fetch_add(1, Ordering::Relaxed);
        return;
    }
    // Reset on unwind too: a panicking subscriber (caught by the dispatch layer) must not leave
    // the thread unable to emit.
    let _reset = Reset;
    emit();
}

struct Reset;

impl Drop for Reset {
    fn drop(&mut self) {
        let _ = EMITTING.try_with(|emitting| emitting.set(false));
    }
}

/// The count behind `TracingCollector::dropped_nested_records`.
pub(super) fn dropped() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    #[test]
    fn a_nested_emit_is_dropped_and_counted_and_the_flag_resets() {
        let mut runs = 0;
        let before = dropped();
        outside_own_event(|| {
            runs += 1;
            outside_own_event(|| unreachable!("nested emit must not run"));
        });
        assert_eq!(runs, 1);
        assert!(dropped() > before);
        outside_own_event(|| runs += 1);
        assert_eq!(runs, 2, "the flag is clear again after the outer emit");
    }

    #[test]
    fn a_panic_inside_an_emit_clears_the_flag() {
        let result = catch_unwind(AssertUnwindSafe(|| {
            outside_own_event(|| panic!("subscriber"))
        }));
        assert!(result.is_err());
        let mut ran = false;
        outside_own_event(|| ran = true);
        assert!(ran);
    }
}
