//! The one word every hot path reads first: whether the installed global collector is enabled,
//! and how many scoped collectors are alive in the process.
//!
//! Packing both into one atomic lets a disabled `#[timed]` call decide with a single load and
//! compare, and an enabled one learn with the same load that no scope needs looking up.

use core::sync::atomic::{AtomicUsize, Ordering};

/// Bit 0: the installed global collector is enabled. Bits 1 and up: live scopes, counted in
/// steps of [`SCOPE`].
static STATE: AtomicUsize = AtomicUsize::new(0);

/// The state value when the global collector is enabled and no scope is alive.
const GLOBAL_ENABLED: usize = 1;
/// What one live scope adds to the state.
const SCOPE: usize = 2;

/// Where recording on this thread goes now, as far as one load can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// No scope alive and the global collector is disabled: nothing would be kept.
    Off,
    /// No scope alive: the installed global collector, which is enabled.
    Global,
    /// Some thread has a scope: this thread's scope if it has one, else the global collector.
    MaybeScoped,
}

/// Reads the state: one relaxed load.
///
/// Relaxed suffices. The scope count only ever matters to the thread that changed it (only it
/// can have a scope in its slot), and a thread sees its own writes. The enabled bit may be
/// stale for a record racing `set_global_collector`; such a record is one that began before
/// the swap, and it goes where the pointer it then loads says.
#[inline(always)]
pub(crate) fn route() -> Route {
    match STATE.load(Ordering::Relaxed) {
        0 => Route::Off,
        GLOBAL_ENABLED => Route::Global,
        _ => Route::MaybeScoped,
    }
}

/// Counts a scope in; [`scope_exited`] counts it out.
pub(crate) fn scope_entered() {
    STATE.fetch_add(SCOPE, Ordering::Relaxed);
}

pub(crate) fn scope_exited() {
    STATE.fetch_sub(SCOPE, Ordering::Relaxed);
}

/// Sets the enabled bit. Callers serialise this with the pointer store it describes, so the
/// bit always ends up describing the last collector installed.
pub(crate) fn set_global_enabled(enabled: bool) {
    if enabled {
        STATE.fetch_or(GLOBAL_ENABLED, Ordering::Relaxed);
    } else {
        STATE.fetch_and(!GLOBAL_ENABLED, Ordering::Relaxed);
    }
}
