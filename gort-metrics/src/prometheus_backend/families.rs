//! The metric families: the Go service's nine, the call-outcome and retry-outcome families
//! beside them, and the guard's own two; names, types, labels and HELP texts.

use super::buckets::HistogramBuckets;
use super::cardinality::{Guarded, LabelledVec, Limits};
use super::outcomes::OutcomeVec;
use prometheus::core::Collector as PrometheusMetric;
use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
};
use std::collections::HashMap;

pub(super) const DEFAULT_NAMESPACE: &str = "gort";

/// The histogram families' names without the namespace: message, session, middleware.
pub(super) const HISTOGRAMS: [&str; 3] = [
    "message_duration_seconds",
    "session_duration_seconds",
    "middleware_duration_seconds",
];

/// Label names the families use themselves (`le` being the histogram bucket label, `family`
/// the guard's own families').
pub(super) const RESERVED_LABELS: [&str; 10] = [
    "channel",
    "direction",
    "type",
    "error_type",
    "middleware",
    "operation",
    "success",
    "outcome",
    "family",
    "le",
];

/// `name` as exported under `namespace`, by the prometheus crate's own rule.
pub(super) fn fq_name(namespace: &str, name: &str) -> String {
    Opts::new(name, "-").namespace(namespace).fq_name()
}

pub(super) struct Options<'a> {
    pub(super) namespace: &'a str,
    pub(super) buckets: &'a HistogramBuckets,
    pub(super) const_labels: &'a HashMap<String, String>,
    pub(super) retry_outcomes: bool,
    pub(super) call_outcomes: bool,
    pub(super) max_series_per_family: usize,
    pub(super) max_label_value_len: usize,
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
    /// `middleware_calls_total{middleware, outcome}`: beyond the Go families, off with
    /// `PrometheusBuilder::call_outcomes(false)`, as is `message_calls`.
    pub(super) middleware_calls: Option<Guarded<OutcomeVec>>,
    /// `message_calls_total{channel, outcome}`.
    pub(super) message_calls: Option<Guarded<OutcomeVec>>,
    /// `metrics_overflow_total{family}` and `metrics_label_values_truncated_total{family}`:
    /// what the guard changed.
    pub(super) limits: Limits,
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
    limits: &'a Limits,
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

    /// A counter family labelled `label` and `outcome`, guarded by `label` alone.
    fn outcomes(&self, opts: Opts, label: &str) -> prometheus::Result<Guarded<OutcomeVec>> {
        let name = opts.fq_name();
        let vec = IntCounterVec::new(opts, &[label, "outcome"])?;
        Ok(self.wrap(OutcomeVec(vec), name))
    }

    fn wrap<V: LabelledVec>(&self, vec: V, name: String) -> Guarded<V> {
        Guarded::new(vec, name, self.limits.clone())
    }
}

impl Families {
    pub(super) fn new(options: &Options<'_>) -> Result<Self, prometheus::Error> {
        let o = options;
        let limits = Limits {
            max_series: o.max_series_per_family,
            max_value_len: o.max_label_value_len,
            overflowed: IntCounterVec::new(
                o.opts(
                    "metrics_overflow_total",
                    "Records folded into the __overflow__ series because their family reached \
                     its limit of distinct label sets.",
                ),
                &["family"],
            )?,
            truncated: IntCounterVec::new(
                o.opts(
                    "metrics_label_values_truncated_total",
                    "Label values shortened to the length limit (a prefix and a hash of the \
                     whole value) before recording.",
                ),
                &["family"],
            )?,
        };
        let guard = Guard { limits: &limits };
        let channel_status_opts = o.opts(
            "channel_status",
            "Current status of the channel (1=running, 0=stopped).",
        );
        let channel_status_name = channel_status_opts.fq_name();
        let [message_duration, session_duration, middleware_duration] = HISTOGRAMS;
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
                    message_duration,
                    "Duration of message processing in seconds.",
                    &o.buckets.message,
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
                session_duration,
                "Duration of sessions in seconds.",
                &o.buckets.session,
            ))?,
            middleware_duration: guard.histograms(
                o.histogram(
                    middleware_duration,
                    "Duration of middleware execution in seconds.",
                    &o.buckets.middleware,
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
            middleware_calls: match o.call_outcomes {
                true => Some(guard.outcomes(
                    o.opts(
                        "middleware_calls_total",
                        "Total number of middleware calls by outcome.",
                    ),
                    "middleware",
                )?),
                false => None,
            },
            message_calls: match o.call_outcomes {
                true => Some(guard.outcomes(
                    o.opts(
                        "message_calls_total",
                        "Total number of message handler calls by outcome.",
                    ),
                    "channel",
                )?),
                false => None,
            },
            limits,
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
            Box::new(self.limits.overflowed.clone()),
            Box::new(self.limits.truncated.clone()),
        ];
        if let Some(retry_calls) = &self.retry_calls {
            boxed.push(Box::new(retry_calls.vec().clone()));
        }
        for calls in [&self.middleware_calls, &self.message_calls]
            .into_iter()
            .flatten()
        {
            boxed.push(Box::new(calls.vec().0.clone()));
        }
        boxed
    }
}
