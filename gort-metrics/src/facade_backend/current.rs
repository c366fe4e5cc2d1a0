//! The current `metrics` recorder, and whether it is the process-wide one.
//!
//! `metrics` hands out its current recorder as a bare `&dyn Recorder`: the innermost
//! `with_local_recorder` of this thread, else the global one, else a no-op. Two facts make the
//! global one special:
//! - it is set once and never dropped, so a handle registered in it stays valid for good (a
//!   handle registered in a local recorder would go on feeding it after the scope ended), and
//!   telling it the descriptions once is enough;
//! - a thread just spawned has no local recorder, so what such a thread sees is the global one.
//!
//! So the address of the global recorder is learnt by asking a short-lived thread, and a
//! recorder at that address *is* the global one: no other live object can share the address of
//! a live one, except a zero-sized one, which is why zero-sized recorders (the no-op) are never
//! taken for it. Local recorders, by contrast, live on stacks and heaps whose addresses are
//! reused as soon as they are dropped, so an address cannot tell one from the next: nothing is
//! remembered about them.

use super::families;
use core::cell::Cell;
use core::sync::atomic::{AtomicBool, Ordering};
use metrics::Recorder;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError, TryLockError};
use std::time::{Duration, Instant};

/// The recorder a record goes to, and whether handles registered in it may be kept.
#[derive(Clone, Copy)]
pub(super) struct Current<'a> {
    pub(super) recorder: &'a dyn Recorder,
    /// Whether `recorder` is the process-wide recorder, which outlives every handle and has
    /// been told the descriptions.
    pub(super) is_global: bool,
}

/// A recorder's address and size: equal for the same live recorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RecorderId {
    address: usize,
    /// Tells a recorder apart from a smaller one that is its first field.
    size: usize,
}

impl RecorderId {
    fn of(recorder: &dyn Recorder) -> Self {
        RecorderId {
            address: (recorder as *const dyn Recorder).cast::<()>() as usize,
            size: core::mem::size_of_val(recorder),
        }
    }
}

/// The global recorder, once a fresh thread has seen one that is not zero-sized.
static GLOBAL: OnceLock<RecorderId> = OnceLock::new();

/// Whether the global recorder has been told the descriptions.
static GLOBAL_DESCRIBED: AtomicBool = AtomicBool::new(false);

/// When a record last looked for the global recorder. One look at a time, and records look
/// no more often than every [`PROBE_INTERVAL`], so that a flood of records before any global
/// recorder is installed does not become a flood of threads. Building a collector always
/// looks, since that is rare.
static LAST_PROBE: Mutex<Option<Instant>> = Mutex::new(None);

const PROBE_INTERVAL: Duration = Duration::from_millis(50);

/// How many records, in a thread that uses a recorder while the global one is unknown, pass
/// between two looks for a global recorder installed meanwhile. A thread's first record looks.
const RECORDS_PER_PROBE: u32 = 1024;

thread_local! {
    static UNTIL_PROBE: Cell<u32> = const { Cell::new(1) };
}

/// Calls `f` with the current recorder; the global one is described on its first record.
#[inline]
pub(super) fn with_current<R>(f: impl FnOnce(Current<'_>) -> R) -> R {
    metrics::with_recorder(|recorder| {
        let is_global = is_global(recorder);
        if is_global {
            describe_global_once(recorder);
        }
        f(Current {
            recorder,
            is_global,
        })
    })
}

#[inline]
fn is_global(recorder: &dyn Recorder) -> bool {
    let id = RecorderId::of(recorder);
    if let Some(global) = GLOBAL.get() {
        return *global == id;
    }
    // A zero-sized recorder (the no-op, while nothing is installed) is never taken for the
    // global one, so looking could not change this record's answer.
    if id.size == 0 {
        return false;
    }
    // Without thread-local storage (a record from a thread-local destructor) no look is due.
    let due = UNTIL_PROBE.try_with(|until| {
        let left = until.get().saturating_sub(1);
        until.set(if left == 0 { RECORDS_PER_PROBE } else { left });
        left == 0
    });
    if due == Ok(true) {
        look_for_global(Wait::No);
    }
    GLOBAL.get() == Some(&id)
}

#[inline]
fn describe_global_once(recorder: &dyn Recorder) {
    if !GLOBAL_DESCRIBED.load(Ordering::Relaxed) && !GLOBAL_DESCRIBED.swap(true, Ordering::AcqRel) {
        families::describe_all(recorder);
    }
}

/// Whether a look waits for one under way, and looks however recent the last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wait {
    /// For a collector being built: rare, and right after a recorder may have been installed.
    Yes,
    /// For a record: never blocks behind another look, and respects [`PROBE_INTERVAL`].
    No,
}

/// Asks a fresh thread which recorder it sees, and keeps it if it is a real global one.
#[cold]
#[inline(never)]
pub(super) fn look_for_global(wait: Wait) {
    if GLOBAL.get().is_some() {
        return;
    }
    let mut last: MutexGuard<'_, _> = match wait {
        Wait::Yes => LAST_PROBE.lock().unwrap_or_else(PoisonError::into_inner),
        Wait::No => match LAST_PROBE.try_lock() {
            Ok(last) => last,
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        },
    };
    let now = Instant::now();
    let recent = last.is_some_and(|at| now.saturating_duration_since(at) < PROBE_INTERVAL);
    if GLOBAL.get().is_some() || (wait == Wait::No && recent) {
        return;
    }
    // Only records count towards the interval: a collector built just before the recorder is
    // installed must not hold back the first record's look.
    if wait == Wait::No {
        *last = Some(now);
    }
    // A platform without threads, or one out of them, just never keeps handles.
    let seen = std::thread::Builder::new()
        .name("gort-metrics-probe".into())
        .spawn(|| metrics::with_recorder(RecorderId::of))
        .ok()
        .and_then(|probe| probe.join().ok());
    if let Some(id) = seen.filter(|id| id.size > 0) {
        let _ = GLOBAL.set(id);
    }
}

/// Whether the global recorder is known: for tests of the caching.
#[cfg(test)]
pub(super) fn global_is_known() -> bool {
    GLOBAL.get().is_some()
}
