//! [`DefaultCollector`]: the collector that records nothing.

use crate::Collector;
use core::time::Duration;

/// A collector that drops every measurement.
///
/// The global collector is a `DefaultCollector` until [`set_global_collector`] installs another.
/// Because its [`is_enabled`](Collector::is_enabled) is `false`, instrumented code that finds it
/// installed skips its clock reads too.
///
/// ```
/// use gort_metrics::{Collector, DefaultCollector};
///
/// let collector = DefaultCollector::default();
/// collector.record_message_received("dingtalk", "inbound", "text");
/// assert!(!collector.is_enabled());
/// ```
///
/// [`set_global_collector`]: crate::set_global_collector
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DefaultCollector;

impl Collector for DefaultCollector {
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
