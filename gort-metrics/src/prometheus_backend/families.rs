//! The nine metric families of the Go service: names, types, labels and HELP texts.

use prometheus::core::Collector as PrometheusMetric;
use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
};
use std::collections::HashMap;

pub(super) const DEFAULT_NAMESPACE: &str = "gort";

/// Label names the families use themselves (`le` being the histogram bucket label).
pub(super) const RESERVED_LABELS: [&str; 9] = [
    "channel",
    "direction",
    "type",
    "error_type",
    "middleware",
    "operation",
    "success",
    "outcome",
    "le",
];

pub(super) struct Options<'a> {
    pub(super) namespace: &'a str,
    pub(super) buckets: &'a [f64],
    pub(super) session_buckets: &'a [f64],
    pub(super) const_labels: &'a HashMap<String, String>,
    pub(super) retry_outcomes: bool,
}

/// The metric handles, one per family.
#[derive(Clone)]
pub(super) struct Families {
    pub(super) messages_received: IntCounterVec,
    pub(super) messages_sent: IntCounterVec,
    pub(super) message_duration: HistogramVec,
    pub(super) channel_status: IntGaugeVec,
    pub(super) channel_errors: IntCounterVec,
    pub(super) sessions_active: IntGauge,
    pub(super) session_duration: Histogram,
    pub(super) middleware_duration: HistogramVec,
    pub(super) retry_attempts: IntCounterVec,
    /// `retry_calls_total{operation, outcome}`: beyond the Go families, off with
    /// `PrometheusBuilder::retry_outcomes(false)`.
    pub(super) retry_calls: Option<IntCounterVec>,
}

impl Options<'_> {
    fn opts(&self, name: &str, help: &str) -> Opts {
        Opts::new(name, help)
            .namespace(self.namespace)
            .const_labels(self.const_labels.clone())
    }

    fn histogram(&self, name: &str, help: &str, buckets: &[f64]) -> HistogramOpts {
        HistogramOpts::from(self.opts(name, help)).buckets(buckets.to_vec())
    }
}

impl Families {
    pub(super) fn new(options: &Options<'_>) -> Result<Self, prometheus::Error> {
        let o = options;
        Ok(Families {
            messages_received: IntCounterVec::new(
                o.opts(
                    "messages_received_total",
                    "Total number of messages received by channel.",
                ),
                &["channel", "direction", "type"],
            )?,
            messages_sent: IntCounterVec::new(
                o.opts(
                    "messages_sent_total",
                    "Total number of messages sent by channel.",
                ),
                &["channel", "direction", "type"],
            )?,
            message_duration: HistogramVec::new(
                o.histogram(
                    "message_duration_seconds",
                    "Duration of message processing in seconds.",
                    o.buckets,
                ),
                &["channel"],
            )?,
            channel_status: IntGaugeVec::new(
                o.opts(
                    "channel_status",
                    "Current status of the channel (1=running, 0=stopped).",
                ),
                &["channel", "type"],
            )?,
            channel_errors: IntCounterVec::new(
                o.opts("channel_errors_total", "Total number of channel errors."),
                &["channel", "type", "error_type"],
            )?,
            sessions_active: IntGauge::with_opts(
                o.opts("sessions_active", "Number of active sessions."),
            )?,
            session_duration: Histogram::with_opts(o.histogram(
                "session_duration_seconds",
                "Duration of sessions in seconds.",
                o.session_buckets,
            ))?,
            middleware_duration: HistogramVec::new(
                o.histogram(
                    "middleware_duration_seconds",
                    "Duration of middleware execution in seconds.",
                    o.buckets,
                ),
                &["middleware"],
            )?,
            retry_attempts: IntCounterVec::new(
                o.opts("retry_attempts_total", "Total number of retry attempts."),
                &["operation", "success"],
            )?,
            retry_calls: match o.retry_outcomes {
                true => Some(IntCounterVec::new(
                    o.opts(
                        "retry_calls_total",
                        "Total number of retried operations by outcome.",
                    ),
                    &["operation", "outcome"],
                )?),
                false => None,
            },
        })
    }

    /// Fresh boxed handles of every family, in registration order.
    pub(super) fn boxed(&self) -> Vec<Box<dyn PrometheusMetric>> {
        let mut boxed: Vec<Box<dyn PrometheusMetric>> = vec![
            Box::new(self.messages_received.clone()),
            Box::new(self.messages_sent.clone()),
            Box::new(self.message_duration.clone()),
            Box::new(self.channel_status.clone()),
            Box::new(self.channel_errors.clone()),
            Box::new(self.sessions_active.clone()),
            Box::new(self.session_duration.clone()),
            Box::new(self.middleware_duration.clone()),
            Box::new(self.retry_attempts.clone()),
        ];
        if let Some(retry_calls) = &self.retry_calls {
            boxed.push(Box::new(retry_calls.clone()));
        }
        boxed
    }
}

/// The outcome label of `retry_calls_total`, named as Resilience4j names them, so that retry
/// amplification is `retry_attempts_total / retry_calls_total`.
pub(super) fn retry_outcome(attempts: u32, success: bool) -> &'static str {
    match (success, attempts > 1) {
        (true, false) => "successful_without_retry",
        (true, true) => "successful_with_retry",
        (false, true) => "failed_with_retry",
        (false, false) => "failed_without_retry",
    }
}
