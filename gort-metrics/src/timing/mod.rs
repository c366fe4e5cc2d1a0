//! Timing: a drop guard measures a call and records it through the current collector when the
//! call ends, however it ends: [`Timer`] for the explicit [`time_middleware`] /
//! [`time_message`], and its call-site counterpart `SiteTimer` for `#[timed]`. Both read the
//! clock only while something records, and keep their recording out of line, so a guard that
//! never started costs one test when it is dropped.

mod call;
mod clock;
mod site;
mod timer;

#[cfg(test)]
mod tests;

pub use call::CallTimer;
pub(crate) use clock::warm_up as warm_up_clock;
pub(crate) use timer::record_call;
pub use timer::{Timer, time_message, time_middleware};

/// What `#[timed]` expands to, re-exported as `::gort_metrics::__private`.
pub(crate) mod private {
    pub use super::call::{
        BodyOnce, CallTimer, DynamicGuard, DynamicStart, FinishCall, LabelCopy, OtherOutcome,
        ResultOutcome, SiteCall, StartCall, dynamic_call, dynamic_guard,
    };
    pub use super::site::{SiteTimer, TimedFuture, TimedSite};
    pub use crate::collector::{DurationKind, Outcome};
}
