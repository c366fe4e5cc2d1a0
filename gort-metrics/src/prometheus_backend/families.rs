//! The nine metric families of the Go service: names, types, labels and HELP texts.

use super::cardinality::Guarded;
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
    pub(super) max_series_per_family: usize,
}

/// The metric handles, one per family; labelled ones behind the cardinality guard.
pub(super) struct Families {
    pub(super) messages_received: Guarded<IntCounterVec>,
    pub(super) messages_sent: Guarded<IntCounterVec>,
    pub(super) message_duration: Guarded<HistogramVec>,
    pub(super) channel_status: Guarded<IntGaugeVec>,
    pub(super) channel_errors: Guarded<IntCounterVec>,
    pub(super) sessions_active: IntGauge,
    pub(super) session_duration: Histogram,
    pub(super) middleware_duration: Guarded<HistogramVec>,
    pub(super) retry_attempts: Guarded<IntCounterVec>,
    /// `retry_calls_total{operation, outcome}`: beyond the Go families, off with
    /// `PrometheusBuilder::retry_outcomes(false)`.
    pub(super) retry_calls: Option<Guarded<IntCounterVec>>,
    /// `metrics_overflow_total{family}`: records folded by the cardinality guard.
    pub(super) overflowed: IntCounterVec,
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

/// Wraps labelled vectors in the cardinality guard.
struct Guard<'a> {
    options: &'a Options<'a>,
    overflowed: &'a IntCounterVec,
}

impl Guard<'_> {
    fn counters(&self, opts: Opts, labels: &[&str]) -> prometheus::Result<Guarded<IntCounterVec>> {
        let name = opts.fq_name();
        Ok(self.wrap(IntCounterVec::new(opts, labels)?, name))
    }

    fn histograms(
        &self,
        opts: HistogramOpts,
        labels: &[&str],
    ) -> prometheus::Result<Guarded<HistogramVec>> {
        let name = opts.common_opts.fq_name();
        Ok(self.wrap(HistogramVec::new(opts, labels)?, name))
    }

    fn wrap<V: super::cardinality::LabelledVec>(&self, vec: V, name: String) -> Guarded<V> {
        let limit = self.options.max_series_per_family;
        Guarded::new(vec, name, limit, self.overflowed.clone())
    }
}

impl Families {
    pub(super) fn new(options: &Options<'_>) -> Result<Self, prometheus::Error> {
        let o = options;
        let overflowed = IntCounterVec::new(
            o.opts(
                "metrics_overflow_total",
                "Records folded into the __overflow__ series because their family reached its \
                 limit of distinct label sets.",
            ),
            &["family"],
        )?;
        let guard = Guard {
            options,
            overflowed: &overflowed,
        };
        let channel_status_opts = o.opts(
            "channel_status",
            "Current status of the channel (1=running, 0=stopped).",
        );
        let channel_status_name = channel_status_opts.fq_name();
        Ok(Families {
            messages_received: guard.counters(
                o.opts(
                    "messages_received_total",
                    "Total number of messages received by channel.",
                ),
                &["channel", "direction", "type"],
            )?,
            messages_sent: guard.counters(
                o.opts(
                    "messages_sent_total",
                    "Total number of messages sent by channel.",
                ),
                &["channel", "direction", "type"],
            )?,
            message_duration: guard.histograms(
                o.histogram(
                    "message_duration_seconds",
                    "Duration of message processing in seconds.",
                    o.buckets,
                ),
                &["channel"],
            )?,
            channel_status: guard.wrap(
                IntGaugeVec::new(channel_status_opts, &["channel", "type"])?,
                channel_status_name,
            ),
            channel_errors: guard.counters(
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
            middleware_duration: guard.histograms(
                o.histogram(
                    "middleware_duration_seconds",
                    "Duration of middleware execution in seconds.",
                    o.buckets,
                ),
                &["middleware"],
            )?,
            retry_attempts: guard.counters(
                o.opts("retry_attempts_total", "Total number of retry attempts."),
                &["operation", "success"],
            )?,
            retry_calls: match o.retry_outcomes {
                true => Some(guard.counters(
                    o.opts(
                        "retry_calls_total",
                        "Total number of retried operations by outcome.",
                    ),
                    &["operation", "outcome"],
                )?),
                false => None,
            },
            overflowed,
        })
    }

    /// Fresh boxed handles of every family, in registration order.
    pub(super) fn boxed(&self) -> Vec<Box<dyn PrometheusMetric>> {
        let mut boxed: Vec<Box<dyn PrometheusMetric>> = vec![
            Box::new(self.messages_received.vec().clone()),
            Box::new(self.messages_sent.vec().clone()),
            Box::new(self.message_duration.vec().clone()),
            Box::new(self.channel_status.vec().clone()),
            Box::new(self.channel_errors.vec().clone()),
            Box::new(self.sessions_active.clone()),
            Box::new(self.session_duration.clone()),
            Box::new(self.middleware_duration.vec().clone()),
            Box::new(self.retry_attempts.vec().clone()),
            Box::new(self.overflowed.clone()),
        ];
        if let Some(retry_calls) = &self.retry_calls {
            boxed.push(Box::new(retry_calls.vec().clone()));
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
