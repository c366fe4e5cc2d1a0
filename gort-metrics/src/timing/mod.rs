//! Timing: one drop guard, [`Timer`], measures a call and records it through the current
//! collector when the call ends, however it ends. `#[timed]` and the explicit
//! [`time_middleware`] / [`time_message`] both use it.

mod clock;
mod site;
mod timer;

#[cfg(test)]
mod tests;

pub(crate) use clock::warm_up as warm_up_clock;
pub use timer::{Timer, time_message, time_middleware};

/// What `#[timed]` expands to, re-exported as `::gort_metrics::__private`.
pub(crate) mod private {
    pub use super::site::{TimedFuture, TimedSite};
}
