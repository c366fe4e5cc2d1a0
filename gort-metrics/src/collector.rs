//! The [`Collector`] trait: the nine things a gateway records.

use core::time::Duration;
use std::sync::Arc;

/// Which kind of call a [`CallHandle`] records: the two kinds that `#[timed]` measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationKind {
    /// A run of a middleware: [`Collector::record_middleware_call`].
    Middleware,
    /// The processing of a message on a channel: [`Collector::record_message_call`].
    Message,
}

/// How one timed call ended: the `outcome` label of `gort_middleware_calls_total` and
/// `gort_message_calls_total`.
///
/// ```
/// use gort_metrics::Outcome;
///
/// assert_eq!(Outcome::Error.as_str(), "error");
/// assert_eq!(Outcome::ALL.map(Outcome::as_str), ["ok", "error", "panicked", "cancelled"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// The call returned normally (for a `Result`, an `Ok`).
    Ok,
    /// The call returned an `Err`, or a response classified as failed (an HTTP 5xx, say).
    Error,
    /// The call panicked.
    Panicked,
    /// The call was an async one whose future was dropped before it completed.
    Cancelled,
}

impl Outcome {
    /// Every outcome, in the order of its label value's documentation.
    pub const ALL: [Outcome; 4] = [
        Outcome::Ok,
        Outcome::Error,
        Outcome::Panicked,
        Outcome::Cancelled,
    ];

    /// The label value: `"ok"`, `"error"`, `"panicked"` or `"cancelled"`.
    #[inline]
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Panicked => "panicked",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// The outcome label of a retried call (`gort_retry_calls_total` in Prometheus, the
/// `retry_calls` tag in StatsD), named as Resilience4j names them, so that retry amplification
/// is `retry_attempts_total / retry_calls_total` and dashboards read both backends alike.
#[cfg(any(feature = "prometheus", feature = "statsd"))]
pub(crate) fn retry_outcome(attempts: u32, success: bool) -> &'static str {
    match (success, attempts > 1) {
        (true, false) => "successful_without_retry",
        (true, true) => "successful_with_retry",
        (false, true) => "failed_with_retry",
        (false, false) => "failed_without_retry",
    }
}

impl core::fmt::Display for Outcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the calls of one fixed label go, resolved once: what [`Collector::call_handle`]
/// returns so that `#[timed]` call sites skip the label lookup on every call.
///
/// ```
/// use std::sync::{Arc, atomic::{AtomicU64, Ordering}};
/// use std::time::Duration;
/// use gort_metrics::{CallHandle, Outcome};
///
/// let errors = Arc::new(AtomicU64::new(0));
/// let sink = errors.clone();
/// let handle = CallHandle::new(move |outcome, _duration| {
///     if outcome == Outcome::Error {
///         sink.fetch_add(1, Ordering::Relaxed);
///     }
/// });
/// handle.record(Outcome::Error, Duration::from_nanos(5));
/// handle.record(Outcome::Ok, Duration::from_nanos(5));
/// assert_eq!(errors.load(Ordering::Relaxed), 1);
/// ```
#[derive(Clone)]
pub struct CallHandle(Arc<dyn Fn(Outcome, Duration) + Send + Sync>);

impl CallHandle {
    /// A handle that passes each call's outcome and duration to `record`.
    pub fn new(record: impl Fn(Outcome, Duration) + Send + Sync + 'static) -> Self {
        CallHandle(Arc::new(record))
    }

    /// Records one call.
    #[inline]
    pub fn record(&self, outcome: Outcome, duration: Duration) {
        (self.0)(outcome, duration)
    }
}

impl core::fmt::Debug for CallHandle {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CallHandle").finish_non_exhaustive()
    }
}

/// Receives every measurement the gateway makes.
///
/// This is the Rust form of the Go `metrics.Collector` interface: nine methods, one per kind
/// of event. Implement it to send the numbers anywhere; the crate ships a no-op
/// ([`NoopCollector`](crate::NoopCollector)), in-memory stats
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
    /// only purpose is to feed the collector when it is `false`: timers do not read the clock,
    /// and the free `record_*` functions do not call into a disabled global collector at all.
    /// The default is `true`; only collectors that drop everything should return `false`.
    ///
    /// ```
    /// use gort_metrics::{Collector, NoopCollector, StatsCollector};
    ///
    /// assert!(!NoopCollector.is_enabled());
    /// assert!(StatsCollector::new().is_enabled());
    /// ```
    fn is_enabled(&self) -> bool {
        true
    }

    /// Records one finished call of the named middleware: how it ended and how long it took.
    ///
    /// `#[timed]` and the tower layer record through this. The default records only the
    /// duration, with [`record_middleware_duration`](Self::record_middleware_duration), so a
    /// collector written against the nine methods above keeps working; a backend that counts
    /// outcomes overrides it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use gort_metrics::{Collector, Outcome, StatsCollector};
    ///
    /// let stats = StatsCollector::new();
    /// stats.record_middleware_call("auth", Outcome::Error, Duration::from_millis(2));
    /// assert_eq!(stats.stats().middleware_durations.count, 1);
    /// ```
    fn record_middleware_call(&self, middleware: &str, outcome: Outcome, duration: Duration) {
        let _ = outcome;
        self.record_middleware_duration(middleware, duration)
    }

    /// Records one finished call of a message handler on `channel`: how it ended and how long
    /// it took. The default records only the duration, with
    /// [`record_message_duration`](Self::record_message_duration).
    ///
    /// ```
    /// use std::time::Duration;
    /// use gort_metrics::{Collector, Outcome, StatsCollector};
    ///
    /// let stats = StatsCollector::new();
    /// stats.record_message_call("dingtalk", Outcome::Ok, Duration::from_millis(2));
    /// assert_eq!(stats.stats().message_durations.count, 1);
    /// ```
    fn record_message_call(&self, channel: &str, outcome: Outcome, duration: Duration) {
        let _ = outcome;
        self.record_message_duration(channel, duration)
    }

    /// Resolves once where calls of `kind` with the fixed `label` go, for callers that record
    /// the same label many times (each `#[timed]` call site asks once per installed collector
    /// and keeps the handle).
    ///
    /// Recording through the handle must be equivalent to calling
    /// [`record_middleware_call`](Self::record_middleware_call) or
    /// [`record_message_call`](Self::record_message_call) with `label`. The default returns
    /// `None`, and callers then call those methods; a backend with a per-label lookup (a metric
    /// vector keyed by label values) returns a handle to skip it.
    ///
    /// ```
    /// use std::time::Duration;
    /// use gort_metrics::{Collector, DurationKind, Outcome, PrometheusCollector, StatsCollector};
    ///
    /// assert!(StatsCollector::new().call_handle(DurationKind::Middleware, "auth").is_none());
    /// let prometheus = PrometheusCollector::new();
    /// let handle = prometheus.call_handle(DurationKind::Middleware, "auth").unwrap();
    /// handle.record(Outcome::Ok, Duration::from_millis(3));
    /// assert!(prometheus
    ///     .render()
    ///     .contains("gort_middleware_duration_seconds_count{middleware=\"auth\"} 1"));
    /// ```
    fn call_handle(&self, kind: DurationKind, label: &str) -> Option<CallHandle> {
        let _ = (kind, label);
        None
    }

    /// Sends whatever this collector buffers now, for backends that batch (StatsD).
    ///
    /// [`set_global_collector`](crate::set_global_collector) calls it on the collector it
    /// replaces, so that nothing recorded before a swap waits for an interval that may never
    /// come. The default does nothing; a buffering backend must also flush when dropped.
    ///
    /// ```
    /// use gort_metrics::{Collector, StatsCollector};
    ///
    /// StatsCollector::new().flush(); // nothing buffered, nothing to do
    /// ```
    fn flush(&self) {}
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
            #[inline]
            fn record_middleware_call(&self, middleware: &str, outcome: Outcome, duration: Duration) {
                (**self).record_middleware_call(middleware, outcome, duration)
            }
            #[inline]
            fn record_message_call(&self, channel: &str, outcome: Outcome, duration: Duration) {
                (**self).record_message_call(channel, outcome, duration)
            }
            #[inline]
            fn call_handle(&self, kind: DurationKind, label: &str) -> Option<CallHandle> {
                (**self).call_handle(kind, label)
            }
            #[inline]
            fn flush(&self) {
                (**self).flush()
            }
        }
    )+};
}

forward_collector!(&C, std::boxed::Box<C>, std::sync::Arc<C>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noop::NoopCollector;
    use crate::stats::StatsCollector;
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
        let (disabled, enabled) = (Box::new(NoopCollector), Box::new(StatsCollector::new()));
        assert!(!Arc::new(NoopCollector).is_enabled());
        assert!(!disabled.is_enabled());
        assert!(enabled.is_enabled());
        assert!(!(&&NoopCollector).is_enabled());
    }
}
