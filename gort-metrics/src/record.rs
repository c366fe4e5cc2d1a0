//! The explicit API: one free function per [`Collector`](crate::Collector) method, recording
//! through the current collector (the innermost [`with_collector`](crate::with_collector) scope,
//! else the global one). Use these wherever the macros cannot reach.
//!
//! A panic inside the collector's method is contained: see
//! [`collector_panics`](crate::collector_panics).

use crate::dispatch::record_contained;
use core::time::Duration;

/// Records one message received: `record_message_received("dingtalk", "inbound", "text")`.
///
/// ```
/// gort_metrics::record_message_received("dingtalk", "inbound", "text");
/// ```
#[inline]
pub fn record_message_received(channel: &str, direction: &str, msg_type: &str) {
    record_contained(|c| c.record_message_received(channel, direction, msg_type));
}

/// Records one message sent: `record_message_sent("feishu", "outbound", "image")`.
///
/// ```
/// gort_metrics::record_message_sent("feishu", "outbound", "image");
/// ```
#[inline]
pub fn record_message_sent(channel: &str, direction: &str, msg_type: &str) {
    record_contained(|c| c.record_message_sent(channel, direction, msg_type));
}

/// Records how long processing one message on `channel` took.
///
/// ```
/// use std::time::Instant;
///
/// let start = Instant::now();
/// // ... process the message ...
/// gort_metrics::record_message_duration("dingtalk", start.elapsed());
/// ```
#[inline]
pub fn record_message_duration(channel: &str, duration: Duration) {
    record_contained(|c| c.record_message_duration(channel, duration));
}

/// Records whether a channel is running: `record_channel_status("my-dingtalk", "dingtalk", true)`.
///
/// ```
/// gort_metrics::record_channel_status("my-dingtalk", "dingtalk", true);
/// ```
#[inline]
pub fn record_channel_status(channel: &str, channel_type: &str, running: bool) {
    record_contained(|c| c.record_channel_status(channel, channel_type, running));
}

/// Records one channel error: `record_channel_error("my-dingtalk", "dingtalk", "connection")`.
///
/// ```
/// gort_metrics::record_channel_error("my-dingtalk", "dingtalk", "connection");
/// ```
#[inline]
pub fn record_channel_error(channel: &str, channel_type: &str, error_type: &str) {
    record_contained(|c| c.record_channel_error(channel, channel_type, error_type));
}

/// Records the number of sessions active now.
///
/// ```
/// let sessions = vec!["alice", "bob"];
/// gort_metrics::record_session_active(sessions.len() as i64);
/// ```
#[inline]
pub fn record_session_active(count: i64) {
    record_contained(|c| c.record_session_active(count));
}

/// Records how long one finished session lasted.
///
/// ```
/// use std::time::Duration;
///
/// gort_metrics::record_session_duration(Duration::from_secs(95));
/// ```
#[inline]
pub fn record_session_duration(duration: Duration) {
    record_contained(|c| c.record_session_duration(duration));
}

/// Records how long one run of a middleware took.
///
/// ```
/// use std::time::Instant;
///
/// let start = Instant::now();
/// // ... run the next handler ...
/// gort_metrics::record_middleware_duration("auth", start.elapsed());
/// ```
#[inline]
pub fn record_middleware_duration(middleware: &str, duration: Duration) {
    record_contained(|c| c.record_middleware_duration(middleware, duration));
}

/// Records one retried operation: tries made in all (the first included) and the outcome.
///
/// ```
/// gort_metrics::record_retry("api-call", 3, true);
/// ```
#[inline]
pub fn record_retry(operation: &str, attempts: u32, success: bool) {
    record_contained(|c| c.record_retry(operation, attempts, success));
}
