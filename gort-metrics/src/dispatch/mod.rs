//! Which collector a recording goes to: the innermost scoped one, else the global one.

mod future;
mod global;
mod scoped;

pub use future::{WithCollector, WithCollectorExt};
pub(crate) use global::installed;
pub use global::{global_collector, set_global_collector};
pub use scoped::with_collector;

use crate::Collector;

/// Calls `f` with the current collector: this thread's innermost
/// [`with_collector`](crate::with_collector) scope if there is one, else the
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
    match scoped::with_scoped(f) {
        Ok(result) => result,
        Err(f) => f(global_collector()),
    }
}

/// Whether recording now, on this thread, would reach a collector that keeps anything.
///
/// `false` while the global collector is the [`DefaultCollector`](crate::DefaultCollector) (or
/// another disabled one) and no scoped collector is active; instrumentation uses it to skip
/// clock reads. One atomic load on the common path.
///
/// ```
/// use gort_metrics::{is_recording, with_collector, StatsCollector};
///
/// assert!(with_collector(StatsCollector::new(), is_recording));
/// ```
#[inline(always)]
pub fn is_recording() -> bool {
    match scoped::with_scoped(|collector| collector.is_enabled()) {
        Ok(enabled) => enabled,
        Err(_) => installed().enabled,
    }
}
