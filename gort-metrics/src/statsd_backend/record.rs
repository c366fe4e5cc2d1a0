//! Which lines each record becomes: the metric table of [`StatsdCollector`]'s docs.

use super::StatsdCollector;
use super::cardinality::TagSetLimit;
use super::send::{Millis, Value};
use crate::collector::{Collector, Outcome};
use core::time::Duration;

fn bool_tag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

impl StatsdCollector {
    /// One finished call: its timer tagged `label_key:label`, and one count of `calls_metric`
    /// tagged with the label and the outcome. One admission for both lines, so that they
    /// always carry the same label; `outcome` has four values and needs no guard.
    fn send_call(
        &self,
        [duration_metric, calls_metric]: [&str; 2],
        limit: &TagSetLimit,
        (label_key, label): (&str, &str),
        outcome: Outcome,
        duration: Duration,
    ) {
        let [label] = self.tag_values(duration_metric, limit, [(label_key, label)]);
        let timer = Value::Timer(Millis::of(duration));
        self.send(duration_metric, timer, &[(label_key, &label)]);
        let tags = [(label_key, &*label), ("outcome", outcome.as_str())];
        self.send(calls_metric, Value::Count(1), &tags);
    }
}

impl Collector for StatsdCollector {
    /// Sends what is buffered: [`StatsdCollector::flush`]. Called when this collector is
    /// replaced as the global one, so a swap loses nothing.
    fn flush(&self) {
        StatsdCollector::flush(self);
    }

    fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str) {
        let tags = [
            ("channel", channel),
            ("direction", direction),
            ("type", msg_type),
        ];
        let limit = &self.inner.limits.messages_received;
        self.send_tagged("messages_received", Value::Count(1), limit, tags);
    }

    fn record_message_sent(&self, channel: &str, direction: &str, msg_type: &str) {
        let tags = [
            ("channel", channel),
            ("direction", direction),
            ("type", msg_type),
        ];
        let limit = &self.inner.limits.messages_sent;
        self.send_tagged("messages_sent", Value::Count(1), limit, tags);
    }

    fn record_message_duration(&self, channel: &str, duration: Duration) {
        let limit = &self.inner.limits.message_duration;
        let value = Value::Timer(Millis::of(duration));
        self.send_tagged("message_duration", value, limit, [("channel", channel)]);
    }

    fn record_channel_status(&self, channel: &str, channel_type: &str, running: bool) {
        let limit = &self.inner.limits.channel_status;
        let tags = [("channel", channel), ("type", channel_type)];
        let value = Value::Gauge(u64::from(running));
        self.send_tagged("channel_status", value, limit, tags);
    }

    fn record_channel_error(&self, channel: &str, channel_type: &str, error_type: &str) {
        let limit = &self.inner.limits.channel_errors;
        let tags = [
            ("channel", channel),
            ("type", channel_type),
            ("error_type", error_type),
        ];
        self.send_tagged("channel_errors", Value::Count(1), limit, tags);
    }

    fn record_session_active(&self, count: i64) {
        let count = u64::try_from(count).unwrap_or(0);
        self.send("sessions_active", Value::Gauge(count), &[]);
    }

    fn record_session_duration(&self, duration: Duration) {
        let value = Value::Timer(Millis::of(duration));
        self.send("session_duration", value, &[]);
    }

    fn record_middleware_duration(&self, middleware: &str, duration: Duration) {
        let limit = &self.inner.limits.middleware_duration;
        let value = Value::Timer(Millis::of(duration));
        let tags = [("middleware", middleware)];
        self.send_tagged("middleware_duration", value, limit, tags);
    }

    fn record_retry(&self, operation: &str, attempts: u32, success: bool) {
        // One admission for both lines, so that they always carry the same operation.
        let limit = &self.inner.limits.retries;
        let tags = [("operation", operation), ("success", bool_tag(success))];
        let [operation, success_tag] = self.tag_values("retry_attempts", limit, tags);
        let attempts_tags = [("operation", &*operation), ("success", &*success_tag)];
        let attempts_made = Value::Count(u64::from(attempts));
        self.send("retry_attempts", attempts_made, &attempts_tags);
        let calls_tags = [
            ("operation", &*operation),
            (
                "outcome",
                crate::collector::retry_outcome(attempts, success),
            ),
        ];
        self.send("retry_calls", Value::Count(1), &calls_tags);
    }

    fn record_middleware_call(&self, middleware: &str, outcome: Outcome, duration: Duration) {
        let metrics = ["middleware_duration", "middleware_calls"];
        let limit = &self.inner.limits.middleware_duration;
        self.send_call(
            metrics,
            limit,
            ("middleware", middleware),
            outcome,
            duration,
        );
    }

    fn record_message_call(&self, channel: &str, outcome: Outcome, duration: Duration) {
        let metrics = ["message_duration", "message_calls"];
        let limit = &self.inner.limits.message_duration;
        self.send_call(metrics, limit, ("channel", channel), outcome, duration);
    }
}
