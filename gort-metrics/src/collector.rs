//! The [`Collector`] trait: the nine things a gateway records.

use core::time::Duration;

/// Receives every measurement the gateway makes.
///
/// This is the Rust form of the Go `metrics.Collector` interface: nine methods, one per kind
/// of event. Implement it to send the numbers anywhere; the crate ships a no-op
/// ([`DefaultCollector`](crate::DefaultCollector)), in-memory stats
/// ([`StatsCollector`](crate::StatsCollector)) and Prometheus backends.
///
/// Implementations must be cheap and must not block: the methods run on the hot path of every
/// message, often on many threads at once. Label arguments are borrowed for the call only.
///
/// `Collector` is implemented for `&C`, `Box<C>` and `Arc<C>` where `C: Collector + ?Sized`, so a
/// caller can install a shared handle and keep reading it:
///
/// ```
/// use std::{sync::Arc, time::Duration};
/// use gort_metrics::{Collector, StatsCollector};
///
/// struct PrintCollector;
///
/// impl Collector for PrintCollector {
///     fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str) {
///         println!("received {channel} {direction} {msg_type}");
///     }
///     fn record_message_sent(&self, _: &str, _: &str, _: &str) {}
///     fn record_message_duration(&self, _: &str, _: Duration) {}
///     fn record_channel_status(&self, _: &str, _: &str, _: bool) {}
///     fn record_channel_error(&self, _: &str, _: &str, _: &str) {}
///     fn record_session_active(&self, _: i64) {}
///     fn record_session_duration(&self, _: Duration) {}
///     fn record_middleware_duration(&self, _: &str, _: Duration) {}
///     fn record_retry(&self, _: &str, _: u32, _: bool) {}
/// }
///
/// PrintCollector.record_message_received("dingtalk", "inbound", "text");
///
/// let stats = Arc::new(StatsCollector::new());
/// let shared: &dyn Collector = &stats;
/// shared.record_message_sent("feishu", "outbound", "image");
/// assert_eq!(stats.stats().messages_sent, 1);
/// ```
pub trait Collector: Send + Sync {
    /// Records one message received on `channel` (`"dingtalk"`), with its `direction`
    /// (`"inbound"`) and `msg_type` (`"text"`).
    fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str);

    /// Records one message sent on `channel`, with its `direction` and `msg_type`.
    fn record_message_sent(&self, channel: &str, direction: &str, msg_type: &str);

    /// Records how long processing one message on `channel` took.
    fn record_message_duration(&self, channel: &str, duration: Duration);

    /// Records whether `channel` (of kind `channel_type`) is running now.
    fn record_channel_status(&self, channel: &str, channel_type: &str, running: bool);

    /// Records one error of kind `error_type` (`"connection"`, `"auth"`) on `channel`.
    fn record_channel_error(&self, channel: &str, channel_type: &str, error_type: &str);

    /// Records the number of sessions active now.
    fn record_session_active(&self, count: i64);

    /// Records how long one finished session lasted.
    fn record_session_duration(&self, duration: Duration);

    /// Records how long one run of the named middleware took.
    fn record_middleware_duration(&self, middleware: &str, duration: Duration);

    /// Records one retried operation: how many tries it made in all (the first included) and
    /// whether it succeeded in the end.
    fn record_retry(&self, operation: &str, attempts: u32, success: bool);

    /// Whether recording into this collector has any effect.
    ///
    /// Instrumentation asks this once, when the collector is installed, and skips work whose
    /// only purpose is to feed the collector (reading the clock, for one) when it is `false`.
    /// The default is `true`; only collectors that drop everything should return `false`.
    ///
    /// ```
    /// use gort_metrics::{Collector, DefaultCollector, StatsCollector};
    ///
    /// assert!(!DefaultCollector.is_enabled());
    /// assert!(StatsCollector::new().is_enabled());
    /// ```
    fn is_enabled(&self) -> bool {
        true
    }
}

/// Forwards every method of [`Collector`] through a pointer-like wrapper.
macro_rules! forward_collector {
    ($($wrapper:ty),+ $(,)?) => {$(
        impl<C: Collector + ?Sized> Collector for $wrapper {
            #[inline]
            fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str) {
                (**self).record_message_received(channel, direction, msg_type)
            }
            #[inline]
            fn record_message_sent(&self, channel: &str, direction: &str, msg_type: &str) {
                (**self).record_message_sent(channel, direction, msg_type)
            }
            #[inline]
            fn record_message_duration(&self, channel: &str, duration: Duration) {
                (**self).record_message_duration(channel, duration)
            }
            #[inline]
            fn record_channel_status(&self, channel: &str, channel_type: &str, running: bool) {
                (**self).record_channel_status(channel, channel_type, running)
            }
            #[inline]
            fn record_channel_error(&self, channel: &str, channel_type: &str, error_type: &str) {
                (**self).record_channel_error(channel, channel_type, error_type)
            }
            #[inline]
            fn record_session_active(&self, count: i64) {
                (**self).record_session_active(count)
            }
            #[inline]
            fn record_session_duration(&self, duration: Duration) {
                (**self).record_session_duration(duration)
            }
            #[inline]
            fn record_middleware_duration(&self, middleware: &str, duration: Duration) {
                (**self).record_middleware_duration(middleware, duration)
            }
            #[inline]
            fn record_retry(&self, operation: &str, attempts: u32, success: bool) {
                (**self).record_retry(operation, attempts, success)
            }
            #[inline]
            fn is_enabled(&self) -> bool {
                (**self).is_enabled()
            }
        }
    )+};
}

forward_collector!(&C, std::boxed::Box<C>, std::sync::Arc<C>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DefaultCollector, StatsCollector};
    use std::sync::Arc;

    fn record_everything(collector: &dyn Collector) {
        collector.record_message_received("c", "inbound", "text");
        collector.record_message_sent("c", "outbound", "text");
        collector.record_channel_error("c", "dingtalk", "auth");
        collector.record_session_active(7);
    }

    #[test]
    fn wrappers_forward_to_the_inner_collector() {
        let stats = Arc::new(StatsCollector::new());
        record_everything(&stats);
        record_everything(&&*stats);
        let boxed: Box<dyn Collector> = Box::new(Arc::clone(&stats));
        record_everything(&boxed);
        let snapshot = stats.stats();
        assert_eq!(snapshot.messages_received, 3);
        assert_eq!(snapshot.messages_sent, 3);
        assert_eq!(snapshot.errors, 3);
        assert_eq!(snapshot.active_sessions, 7);
    }

    #[test]
    fn wrappers_forward_is_enabled() {
        assert!(!Arc::new(DefaultCollector).is_enabled());
        assert!(!Box::new(DefaultCollector).is_enabled());
        assert!(Box::new(StatsCollector::new()).is_enabled());
    }
}
