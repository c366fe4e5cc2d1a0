//! [`NoopCollector`]: the collector that records nothing, and its old name.

use crate::collector::Collector;
use core::time::Duration;

/// A collector that drops every measurement.
///
/// The global collector is a `NoopCollector` until [`set_global_collector`] installs another.
/// Because its [`is_enabled`](Collector::is_enabled) is `false`, instrumented code that finds it
/// installed skips its clock reads too.
///
/// ```
/// use gort_metrics::{Collector, NoopCollector};
///
/// let collector = NoopCollector::default();
/// collector.record_message_received("dingtalk", "inbound", "text");
/// assert!(!collector.is_enabled());
/// assert_eq!(collector, NoopCollector);
/// ```
///
/// [`set_global_collector`]: crate::set_global_collector
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NoopCollector;

/// The old name of [`NoopCollector`], as a type: `DefaultCollector::default()`,
/// `let c: DefaultCollector`. The value of the same name is [`DefaultCollector`](const@DefaultCollector).
///
/// A `pub use NoopCollector as DefaultCollector` would keep both meanings in one item, but
/// `#[deprecated]` on a re-export is ignored, so the old name is this alias and a constant.
///
/// ```
/// #![allow(deprecated)]
/// use gort_metrics::{DefaultCollector, NoopCollector};
///
/// let collector: DefaultCollector = DefaultCollector::default();
/// assert_eq!(collector, NoopCollector);
/// ```
#[deprecated(since = "0.2.0", note = "renamed to `NoopCollector`, for what it does")]
pub type DefaultCollector = NoopCollector;

/// The old name of [`NoopCollector`], as a value: `set_global_collector(DefaultCollector)`.
///
/// ```
/// #![allow(deprecated)]
/// use gort_metrics::{Collector, DefaultCollector, NoopCollector, set_global_collector};
///
/// set_global_collector(DefaultCollector);
/// assert!(!DefaultCollector.is_enabled());
/// assert_eq!(DefaultCollector, NoopCollector);
/// ```
#[deprecated(since = "0.2.0", note = "renamed to `NoopCollector`, for what it does")]
#[allow(non_upper_case_globals)]
pub const DefaultCollector: NoopCollector = NoopCollector;

impl Collector for NoopCollector {
    #[inline]
    fn record_message_received(&self, _channel: &str, _direction: &str, _msg_type: &str) {}
    #[inline]
    fn record_message_sent(&self, _channel: &str, _direction: &str, _msg_type: &str) {}
    #[inline]
    fn record_message_duration(&self, _channel: &str, _duration: Duration) {}
    #[inline]
    fn record_channel_status(&self, _channel: &str, _channel_type: &str, _running: bool) {}
    #[inline]
    fn record_channel_error(&self, _channel: &str, _channel_type: &str, _error_type: &str) {}
    #[inline]
    fn record_session_active(&self, _count: i64) {}
    #[inline]
    fn record_session_duration(&self, _duration: Duration) {}
    #[inline]
    fn record_middleware_duration(&self, _middleware: &str, _duration: Duration) {}
    #[inline]
    fn record_retry(&self, _operation: &str, _attempts: u32, _success: bool) {}
    #[inline]
    fn is_enabled(&self) -> bool {
        false
    }
}
