//! What each thread keeps of the dispatch state: its scoped collector, and a counted reference
//! to the global collector of the generation it last saw.
//!
//! The hot path reads three plain thread-local cells (no atomic read-modify-write, no lock):
//! the scoped collector, the cached generation and the cached collector. Only when the
//! generation in [`super::state`] moved does a thread take the global slot's lock, once, to
//! fetch the new collector.

use super::global::{self, Installed};
use super::state;
use crate::collector::Collector;
use core::cell::{Cell, RefCell};
use core::ptr::NonNull;
use std::sync::Arc;

/// The cells the hot path reads. No destructor, so they are reachable at any point of a
/// thread's life, including while its other thread-locals are being destroyed.
struct Cache {
    /// The state value `installed` was fetched for, or [`state::NEVER`].
    state: Cell<u64>,
    /// The collector of that generation, kept alive by this thread's [`HOLDER`].
    installed: Cell<Option<NonNull<Installed>>>,
    /// The innermost scoped collector, set by a live [`super::scoped::Scope`] of this thread.
    scoped: Cell<Option<NonNull<dyn Collector>>>,
    /// How many records into the cached collector are running on this thread right now: a
    /// collector that records into the global collector from inside its own record (a tracing
    /// backend, say) must not have the collector it runs in dropped under it.
    depth: Cell<u32>,
}

/// The counted references behind [`Cache::installed`].
struct Holder {
    current: RefCell<Option<Arc<Installed>>>,
    /// Collectors replaced while a record was running on this thread; dropped at the next
    /// refresh that happens outside any record.
    retired: RefCell<Vec<Arc<Installed>>>,
}

thread_local! {
    static CACHE: Cache = const {
        Cache {
            state: Cell::new(state::NEVER),
            installed: Cell::new(None),
            scoped: Cell::new(None),
            depth: Cell::new(0),
        }
    };
    static HOLDER: Holder = const {
        Holder { current: RefCell::new(None), retired: RefCell::new(Vec::new()) }
    };
}

impl Drop for Holder {
    fn drop(&mut self) {
        // The thread is ending: what a record does from here on (another thread-local's
        // destructor may record) must not use the reference about to be dropped.
        forget_cached();
    }
}

fn forget_cached() {
    CACHE.with(|cache| {
        cache.state.set(state::NEVER);
        cache.installed.set(None);
    });
}

/// This thread's innermost scoped collector.
#[inline(always)]
pub(crate) fn scoped() -> Option<NonNull<dyn Collector>> {
    CACHE.with(|cache| cache.scoped.get())
}

/// Replaces this thread's scoped collector, returning the one it replaces.
pub(crate) fn replace_scoped(
    collector: Option<NonNull<dyn Collector>>,
) -> Option<NonNull<dyn Collector>> {
    CACHE.with(|cache| cache.scoped.replace(collector))
}

/// Counts a record in progress out when dropped, on unwind too.
struct Running<'a>(&'a Cell<u32>);

impl<'a> Running<'a> {
    #[inline(always)]
    fn enter(depth: &'a Cell<u32>) -> Self {
        depth.set(depth.get() + 1);
        Running(depth)
    }
}

impl Drop for Running<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

/// Calls `f` with the installed global collector, given `state`, the word just loaded.
#[inline(always)]
pub(crate) fn with_global<R>(state: u64, f: impl FnOnce(&Installed) -> R) -> R {
    CACHE.with(|cache| {
        if cache.state.get() == state {
            if let Some(installed) = cache.installed.get() {
                let _running = Running::enter(&cache.depth);
                // SAFETY: `installed` came from the `Arc` in this thread's `HOLDER`, which is
                // only released by a refresh with no record running on this thread (`depth`
                // is counted up for the whole of `f`, so a refresh inside `f` retires it
                // instead) or by the holder's destructor, which clears this cell first.
                return f(unsafe { installed.as_ref() });
            }
        }
        with_fresh_global(f)
    })
}

/// [`with_global`] after a new generation was published, or on a thread's first record.
#[cold]
#[inline(never)]
fn with_fresh_global<R>(f: impl FnOnce(&Installed) -> R) -> R {
    let fresh = refresh_to(global::current());
    // `fresh` is a counted reference of its own, so the collector outlives `f` whatever `f`
    // does, even on a thread whose holder is gone.
    CACHE.with(|cache| {
        let _running = Running::enter(&cache.depth);
        f(&fresh)
    })
}

/// Makes this thread cache the collector installed now, letting go of the one it held.
pub(crate) fn refresh() {
    drop(refresh_to(global::current()));
}

/// Caches `fresh` (unless this thread's holder is gone) and returns it. Drops what this
/// thread held before, unless a record is running on this thread, after every borrow and
/// cell update is done: a collector's `Drop` may record, and must find a consistent cache.
fn refresh_to(fresh: Arc<Installed>) -> Arc<Installed> {
    let mut released = Vec::new();
    let cached = HOLDER.try_with(|holder| {
        let previous = holder.current.replace(Some(Arc::clone(&fresh)));
        CACHE.with(|cache| {
            cache.state.set(fresh.state);
            cache.installed.set(Some(NonNull::from(&*fresh)));
            let mut retired = holder.retired.borrow_mut();
            if cache.depth.get() == 0 {
                released = core::mem::take(&mut *retired);
                released.extend(previous);
            } else {
                retired.extend(previous);
            }
        });
    });
    if cached.is_err() {
        forget_cached();
    }
    drop(released);
    fresh
}

/// A counted reference to the installed global collector.
pub(crate) fn global_counted() -> Arc<Installed> {
    let state = state::load();
    let cached = CACHE.with(|cache| {
        if cache.state.get() != state {
            return None;
        }
        let installed = cache.installed.get()?;
        // SAFETY: as in `with_global`, the pointer is kept alive by this thread's holder for
        // the duration of this call; it came from `NonNull::from(&*arc)`, the address
        // `Arc::into_raw` would give, so counting it up and rebuilding an `Arc` is sound.
        unsafe {
            Arc::increment_strong_count(installed.as_ptr());
            Some(Arc::from_raw(installed.as_ptr()))
        }
    });
    cached.unwrap_or_else(|| refresh_to(global::current()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::StatsCollector;

    #[test]
    fn a_refresh_inside_a_record_retires_the_running_collector_until_it_ends() {
        let stats = Arc::new(StatsCollector::new());
        global::set_global_collector(Arc::clone(&stats));
        let outer = Arc::new(StatsCollector::new());
        global::set_global_collector(Arc::clone(&outer));
        with_global(state::load(), |installed| {
            // A record running in `outer` that installs another collector and records:
            // `outer` must stay alive (held as retired) until this record ends.
            global::set_global_collector(StatsCollector::new());
            with_global(state::load(), |_| {});
            assert!(Arc::strong_count(&outer) >= 2);
            installed.collector.record_session_active(1);
        });
        refresh();
        assert_eq!(
            Arc::strong_count(&outer),
            1,
            "released once the record ended"
        );
        assert_eq!(outer.stats().active_sessions, 1);
    }
}
