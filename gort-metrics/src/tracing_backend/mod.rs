//! [`TracingCollector`]: every record as a structured `tracing` event.

mod nesting;

use crate::collector::{Collector, Outcome};
use core::time::Duration;
use tracing::Level;

/// The target of every event, so that a filter like `gort_metrics=debug` selects them.
const TARGET: &str = "gort_metrics";

/// Emits one `tracing` event per record, with target `gort_metrics`, at a level of your choice
/// ([`Level::DEBUG`] unless told otherwise: one event per message is chatty at `INFO`).
///
/// Each event carries a `message` saying what happened and a `metric` field naming the
/// Prometheus family it feeds, then the record's own arguments as structured fields:
///
/// | record | `message` | `metric` | other fields |
/// |---|---|---|---|
/// | `record_message_received` | `message received` | `messages_received` | `channel`, `direction`, `type` |
/// | `record_message_sent` | `message sent` | `messages_sent` | `channel`, `direction`, `type` |
/// | `record_message_duration` | `message processed` | `message_duration` | `channel`, `duration_seconds` (f64) |
/// | `record_channel_status` | `channel status` | `channel_status` | `channel`, `type`, `running` (bool) |
/// | `record_channel_error` | `channel error` | `channel_errors` | `channel`, `type`, `error_type` |
/// | `record_session_active` | `active sessions` | `sessions_active` | `count` (i64) |
/// | `record_session_duration` | `session ended` | `session_duration` | `duration_seconds` (f64) |
/// | `record_middleware_duration` | `middleware ran` | `middleware_duration` | `middleware`, `duration_seconds` (f64) |
/// | `record_retry` | `retried operation finished` | `retry_attempts` | `operation`, `attempts` (u64), `success` (bool) |
/// | `record_message_call` | `message processed` | `message_duration` | `channel`, `outcome`, `duration_seconds` (f64) |
/// | `record_middleware_call` | `middleware ran` | `middleware_duration` | `middleware`, `outcome`, `duration_seconds` (f64) |
///
/// The two `*_call` records (what `#[timed]` makes) are the duration events with an `outcome`
/// field: `ok`, `error`, `panicked` or `cancelled` (see [`Outcome`]).
///
/// A subscriber may record metrics from its `event` callback, into this same collector too:
/// a record made while this collector is emitting on the same thread is dropped (and counted in
/// [`dropped_nested_records`](Self::dropped_nested_records)), never turned into another event,
/// which would feed the subscriber again until the stack overflowed.
///
/// ```
/// use gort_metrics::{record_message_duration, with_collector, TracingCollector};
/// use std::time::Duration;
/// use tracing::Level;
///
/// // With a subscriber installed (tracing-subscriber's `fmt`, say), this logs
/// // `INFO gort_metrics: message processed metric="message_duration" channel="dingtalk"
/// //  duration_seconds=0.03`.
/// with_collector(TracingCollector::new().with_level(Level::INFO), || {
///     record_message_duration("dingtalk", Duration::from_millis(30));
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TracingCollector {
    level: Level,
}

impl Default for TracingCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl TracingCollector {
    /// Events at [`Level::DEBUG`].
    ///
    /// ```
    /// use gort_metrics::TracingCollector;
    ///
    /// assert_eq!(TracingCollector::new().level(), tracing::Level::DEBUG);
    /// ```
    pub const fn new() -> Self {
        TracingCollector {
            level: Level::DEBUG,
        }
    }

    /// The same collector, emitting at `level`.
    ///
    /// ```
    /// use gort_metrics::TracingCollector;
    /// use tracing::Level;
    ///
    /// assert_eq!(TracingCollector::new().with_level(Level::TRACE).level(), Level::TRACE);
    /// ```
    #[must_use = "`with_level` returns a new collector"]
    pub const fn with_level(self, level: Level) -> Self {
        TracingCollector { level }
    }

    /// The level events are emitted at.
    ///
    /// ```
    /// assert_eq!(gort_metrics::TracingCollector::default().level(), tracing::Level::DEBUG);
    /// ```
    pub const fn level(&self) -> Level {
        self.level
    }

    /// How many records, process-wide, were dropped because they were made from inside an
    /// event of a `TracingCollector` on the same thread (a subscriber recording from its
    /// `event` callback into this backend).
    ///
    /// ```
    /// use gort_metrics::TracingCollector;
    ///
    /// let before = TracingCollector::dropped_nested_records();
    /// assert!(TracingCollector::dropped_nested_records() >= before);
    /// ```
    pub fn dropped_nested_records() -> u64 {
        nesting::dropped()
    }
}

/// `tracing::event!` takes its level as a constant (the callsite's metadata is static), so a
/// level chosen at run time picks one of five callsites. Every event is emitted through the
/// nesting guard.
macro_rules! event_at {
    ($level:expr, $($fields:tt)+) => {
        nesting::outside_own_event(|| match $level {
            Level::ERROR => tracing::event!(target: TARGET, Level::ERROR, $($fields)+),
            Level::WARN => tracing::event!(target: TARGET, Level::WARN, $($fields)+),
            Level::INFO => tracing::event!(target: TARGET, Level::INFO, $($fields)+),
            Level::DEBUG => tracing::event!(target: TARGET, Level::DEBUG, $($fields)+),
            _ => tracing::event!(target: TARGET, Level::TRACE, $($fields)+),
        })
    };
}

impl Collector for TracingCollector {
    fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str) {
        event_at!(
            self.level,
            metric = "messages_received",
            channel,
            direction,
            "type" = msg_type,
            "message received"
        );
    }

    fn record_message_sent(&self, channel: &str, direction: &str, msg_type: &str) {
        event_at!(
            self.level,
            metric = "messages_sent",
            channel,
            direction,
            "type" = msg_type,
            "message sent"
        );
    }

    fn record_message_duration(&self, channel: &str, duration: Duration) {
        event_at!(
            self.level,
            metric = "message_duration",
            channel,
            duration_seconds = duration.as_secs_f64(),
            "message processed"
        );
    }

    fn record_channel_status(&self, channel: &str, channel_type: &str, running: bool) {
        event_at!(
            self.level,
            metric = "channel_status",
            channel,
            "type" = channel_type,
            running,
            "channel status"
        );
    }

    fn record_channel_error(&self, channel: &str, channel_type: &str, error_type: &str) {
        event_at!(
            self.level,
            metric = "channel_errors",
            channel,
            "type" = channel_type,
            error_type,
            "channel error"
        );
    }

    fn record_session_active(&self, count: i64) {
        event_at!(
            self.level,
            metric = "sessions_active",
            count,
            "active sessions"
        );
    }

    fn record_session_duration(&self, duration: Duration) {
        event_at!(
            self.level,
            metric = "session_duration",
            duration_seconds = duration.as_secs_f64(),
            "session ended"
        );
    }

    fn record_middleware_duration(&self, middleware: &str, duration: Duration) {
        event_at!(
            self.level,
            metric = "middleware_duration",
            middleware,
            duration_seconds = duration.as_secs_f64(),
            "middleware ran"
        );
    }

    fn record_retry(&self, operation: &str, attempts: u32, success: bool) {
        event_at!(
            self.level,
            metric = "retry_attempts",
            operation,
            attempts = u64::from(attempts),
            success,
            "retried operation finished"
        );
    }

    fn record_message_call(&self, channel: &str, outcome: Outcome, duration: Duration) {
        event_at!(
            self.level,
            metric = "message_duration",
            channel,
            outcome = outcome.as_str(),
            duration_seconds = duration.as_secs_f64(),
            "message processed"
        );
    }

    fn record_middleware_call(&self, middleware: &str, outcome: Outcome, duration: Duration) {
        event_at!(
            self.level,
            metric = "middleware_duration",
            middleware,
            outcome = outcome.as_str(),
            duration_seconds = duration.as_secs_f64(),
            "middleware ran"
        );
    }
}
