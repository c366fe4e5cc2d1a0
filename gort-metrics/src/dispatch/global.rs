//! The process-wide collector: a reference-counted slot behind a lock that only installations
//! and a thread's first record after one take.
//!
//! Each installation moves the collector into a fresh [`Installed`] behind an `Arc`, stores it
//! in [`SLOT`] and publishes a new generation in [`super::state`]. Threads keep a counted
//! reference to the collector of the generation they last saw (in [`super::local`]), so the
//! replaced collector lives exactly as long as some thread may still record into it and is
//! dropped, on whichever thread lets go of it last, once none does.

use super::local;
use super::sites::SiteSlots;
use super::state;
use crate::collector::Collector;
use crate::noop::NoopCollector;
use core::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A collector as the global slot holds it, with what was learnt of it at installation and
/// the call sites' handles resolved in it.
pub(crate) struct Installed<C: ?Sized = dyn Collector> {
    /// The state value this installation published: its generation and enabled bit.
    pub(crate) state: u64,
    /// The `#[timed]` call sites' handles for this collector, freed with it.
    pub(crate) sites: SiteSlots,
    pub(crate) collector: C,
}

impl Installed {
    pub(crate) fn enabled(&self) -> bool {
        self.state & state::ENABLED != 0
    }
}

/// The installed collector. `None` until the first installation, which stands for a
/// [`NoopCollector`] of generation 0 (so that nothing is allocated for a process that never
/// installs one).
static SLOT: Mutex<Option<Arc<Installed>>> = Mutex::new(None);

fn slot() -> MutexGuard<'static, Option<Arc<Installed>>> {
    // Nothing runs under this lock that can panic half-way (an `Arc` clone or a swap), so a
    // poisoned lock holds a consistent value.
    SLOT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The installed collector, counted: what a thread fetches when it sees a new generation.
///
/// Only an `Arc` clone happens under the lock; dropping anything, and so any collector's
/// `Drop`, happens after it is released.
pub(crate) fn current() -> Arc<Installed> {
    let installed = slot().clone();
    installed.unwrap_or_else(noop)
}

/// Generation 0: a disabled no-op, made on demand. Every thread that has not seen an
/// installation holds its own; they are all equivalent and tiny.
fn noop() -> Arc<Installed> {
    Arc::new(Installed {
        state: 0,
        sites: SiteSlots::new(),
        collector: NoopCollector,
    })
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
/// # The replaced collector
///
/// The collector this call replaces is [flushed](Collector::flush) at once, so what it
/// buffered leaves now rather than at its next interval. It is then dropped once no thread
/// uses it any more: each thread lets go of it at its next record (or when it ends), and the
/// last one to do so drops it, flushing again anything recorded in between. A thread that
/// recorded once and never again keeps the collector it last saw alive until it ends. Swapping
/// any number of times therefore holds at most one collector per live thread.
///
/// ```
/// use std::sync::Arc;
/// use gort_metrics::{record_message_sent, set_global_collector, StatsCollector};
///
/// let old = Arc::new(StatsCollector::new());
/// set_global_collector(old.clone());
/// record_message_sent("feishu", "outbound", "text");
/// set_global_collector(StatsCollector::new());
/// record_message_sent("feishu", "outbound", "text"); // lets go of `old` on this thread
/// assert_eq!(Arc::strong_count(&old), 1);
/// assert_eq!(old.stats().messages_sent, 1);
/// ```
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
    let replaced = {
        let mut slot = slot();
        let previous = slot.as_ref().map_or(0, |installed| installed.state);
        let state = state::next(previous, enabled);
        let installed: Arc<Installed> = Arc::new(Installed {
            state,
            sites: SiteSlots::new(),
            collector,
        });
        let replaced = slot.replace(installed);
        // Published under the lock, after the slot holds the collector: a thread that sees
        // this generation and takes the lock finds this collector or a later one.
        state::publish(state);
        replaced
    };
    // Outside the lock: flushing and dropping run the replaced collector's own code.
    if let Some(replaced) = replaced {
        super::contain(|| replaced.collector.flush());
    }
    // This thread lets go of the replaced collector now rather than at its next record.
    local::refresh();
}

/// A counted reference to the process-wide collector, as [`global_collector`] returns it.
///
/// It derefs to `dyn Collector`. Holding it keeps that collector alive even after another one
/// is installed; drop it soon (it is meant for `global_collector().record_retry(..)`, not to be
/// stored), or a replaced collector lives on in it.
#[must_use = "a global collector handle does nothing unless a method is called on it"]
pub struct GlobalCollector(Arc<Installed>);

impl GlobalCollector {
    pub(crate) fn new(installed: Arc<Installed>) -> Self {
        GlobalCollector(installed)
    }

    /// Whether this collector keeps anything ([`Collector::is_enabled`], as asked at
    /// installation).
    ///
    /// ```
    /// use gort_metrics::{global_collector, set_global_collector, StatsCollector};
    ///
    /// set_global_collector(StatsCollector::new());
    /// assert!(global_collector().is_enabled());
    /// ```
    pub fn is_enabled(&self) -> bool {
        self.0.enabled()
    }
}

impl Deref for GlobalCollector {
    type Target = dyn Collector;

    #[inline]
    fn deref(&self) -> &(dyn Collector + 'static) {
        &self.0.collector
    }
}

impl core::fmt::Debug for GlobalCollector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("GlobalCollector")
            .field("generation", &(self.0.state >> 1))
            .field("enabled", &self.0.enabled())
            .finish()
    }
}

/// The process-wide collector: the last one given to [`set_global_collector`], or a
/// [`NoopCollector`] if none was.
///
/// This ignores any scoped collector of [`with_collector`](crate::with_collector); the free
/// `record_*` functions and the macros record through the *current* collector instead. The
/// handle keeps the collector alive while it is held: see [`GlobalCollector`].
///
/// ```
/// use gort_metrics::{global_collector, Collector};
///
/// global_collector().record_retry("api-call", 3, true);
/// ```
#[inline]
pub fn global_collector() -> GlobalCollector {
    GlobalCollector::new(local::global_counted())
}
