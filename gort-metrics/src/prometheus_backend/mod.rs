//! [`PrometheusCollector`]: the Go service's nine metric families on a `prometheus::Registry`,
//! and the call-outcome families beside them.

mod buckets;
mod builder;
mod cardinality;
mod families;
mod label_set;
mod label_values;
mod outcomes;

pub use builder::{DEFAULT_BUCKETS, PrometheusBuilder};
pub use cardinality::{DEFAULT_MAX_SERIES_PER_FAMILY, OVERFLOW_LABEL_VALUE};
pub use label_values::DEFAULT_MAX_LABEL_VALUE_LEN;

use crate::collector::{CallHandle, Collector, DurationKind, Outcome};
use core::time::Duration;
use families::Families;
use prometheus::{Registry, TextEncoder};
use std::sync::Arc;

/// Records into Prometheus metric families named, typed, labelled and documented exactly as the
/// Go service's, so that its dashboards and alerts keep working:
///
/// | family | type | labels |
/// |---|---|---|
/// | `gort_messages_received_total` | counter | `channel`, `direction`, `type` |
/// | `gort_messages_sent_total` | counter | `channel`, `direction`, `type` |
/// | `gort_message_duration_seconds` | histogram | `channel` |
/// | `gort_channel_status` | gauge, 1 running / 0 stopped | `channel`, `type` |
/// | `gort_channel_errors_total` | counter | `channel`, `type`, `error_type` |
/// | `gort_sessions_active` | gauge | |
/// | `gort_session_duration_seconds` | histogram | |
/// | `gort_middleware_duration_seconds` | histogram | `middleware` |
/// | `gort_retry_attempts_total` | counter, adds the attempts of each call | `operation`, `success` |
///
/// Three families go beyond the Go service, each of which can be turned off:
///
/// | family | type | labels | off with |
/// |---|---|---|---|
/// | `gort_middleware_calls_total` | counter | `middleware`, `outcome` | [`PrometheusBuilder::call_outcomes`] |
/// | `gort_message_calls_total` | counter | `channel`, `outcome` | [`PrometheusBuilder::call_outcomes`] |
/// | `gort_retry_calls_total` | counter | `operation`, `outcome` | [`PrometheusBuilder::retry_outcomes`] |
///
/// The call families count each call recorded with
/// [`record_middleware_call`](Collector::record_middleware_call) or
/// [`record_message_call`](Collector::record_message_call) (as `#[timed]` does) by
/// [`Outcome`], beside its duration; with them an error ratio is one PromQL division.
/// `gort_retry_calls_total` counts retried calls by outcome, so that attempts per call is one
/// division too.
///
/// Label values come from outside, so every labelled family is bounded (see
/// [`PrometheusBuilder::max_series_per_family`] and
/// [`PrometheusBuilder::max_label_value_len`]); two more families count what the bounds changed,
/// and appear only once they did: `gort_metrics_overflow_total{family}` and
/// `gort_metrics_label_values_truncated_total{family}`.
///
/// Histograms use Go's default buckets (5 ms to 10 s). [`builder`](Self::builder) changes the
/// namespace, buckets (for all histograms or per family) and constant labels. Cloning is cheap
/// and shares the metrics.
///
/// ```
/// use gort_metrics::{record_message_received, set_global_collector, PrometheusCollector};
///
/// let prometheus = PrometheusCollector::new();
/// set_global_collector(prometheus.clone());
/// record_message_received("dingtalk", "inbound", "text");
/// assert!(prometheus.render().contains(
///     r#"gort_messages_received_total{channel="dingtalk",direction="inbound",type="text"} 1"#
/// ));
/// ```
#[derive(Clone)]
pub struct PrometheusCollector {
    registry: Registry,
    families: Arc<Families>,
}

impl core::fmt::Debug for PrometheusCollector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PrometheusCollector")
            .finish_non_exhaustive()
    }
}

impl Default for PrometheusCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl PrometheusCollector {
    /// The Go families on a fresh registry of their own (so there is never a conflict).
    ///
    /// Labelled families appear in the exposition once they have a series; the two without
    /// labels (`gort_sessions_active`, `gort_session_duration_seconds`) are there from the start.
    ///
    /// ```
    /// let collector = gort_metrics::PrometheusCollector::new();
    /// assert!(collector.render().contains("\ngort_sessions_active 0\n"));
    /// assert!(!collector.render().contains("gort_messages_received_total"));
    /// ```
    pub fn new() -> Self {
        match PrometheusBuilder::default().build() {
            Ok(collector) => collector,
            // The default options are constants and the registry is new, so `build` cannot
            // fail; this arm exists only to keep a panic out of the library.
            Err(error) => unreachable!("default Prometheus families are valid: {error}"),
        }
    }

    /// The Go families, registered in `registry` (the Go `NewPrometheusCollectorWithRegistry`).
    ///
    /// # Errors
    ///
    /// `prometheus::Error::AlreadyReg` when `registry` already holds one of the families, as
    /// after a second call with the same registry; nothing is registered then.
    ///
    /// ```
    /// use gort_metrics::{prometheus::Registry, PrometheusCollector};
    ///
    /// let registry = Registry::new();
    /// let collector = PrometheusCollector::with_registry(&registry)?;
    /// assert!(PrometheusCollector::with_registry(&registry).is_err());
    /// # Ok::<(), gort_metrics::prometheus::Error>(())
    /// ```
    pub fn with_registry(registry: &Registry) -> Result<Self, prometheus::Error> {
        PrometheusBuilder::default().registry(registry).build()
    }

    /// A builder for a collector with another namespace, buckets or constant labels.
    ///
    /// ```
    /// let collector = gort_metrics::PrometheusCollector::builder().namespace("gw").build()?;
    /// # Ok::<(), gort_metrics::prometheus::Error>(())
    /// ```
    pub fn builder() -> PrometheusBuilder {
        PrometheusBuilder::default()
    }

    fn from_parts(registry: Registry, families: Families) -> Self {
        PrometheusCollector {
            registry,
            families: Arc::new(families),
        }
    }

    /// The registry the families are registered in; serve it, or register more metrics in it.
    ///
    /// ```
    /// use gort_metrics::{Collector, PrometheusCollector};
    ///
    /// let collector = PrometheusCollector::new();
    /// collector.record_session_active(4);
    /// let families = collector.registry().gather();
    /// let sessions = families.iter().find(|f| f.name() == "gort_sessions_active").unwrap();
    /// assert_eq!(sessions.get_metric()[0].get_gauge().get_value(), 4.0);
    /// ```
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The text exposition (format 0.0.4) of everything in the registry: what a `/metrics`
    /// endpoint serves.
    ///
    /// Labelled families with no series yet are left out, as in Go. Label values are escaped, so any
    /// string recorded yields valid output.
    ///
    /// ```
    /// use gort_metrics::{Collector, PrometheusCollector};
    ///
    /// let collector = PrometheusCollector::new();
    /// collector.record_channel_status("my-dingtalk", "dingtalk", true);
    /// let text = collector.render();
    /// assert!(text.contains("# TYPE gort_channel_status gauge\n"));
    /// assert!(text.contains("gort_channel_status{channel=\"my-dingtalk\",type=\"dingtalk\"} 1\n"));
    /// ```
    pub fn render(&self) -> String {
        render_registry(&self.registry)
    }
}

/// The text exposition of `registry`.
///
/// `Registry::gather` only yields well-formed families, which the text encoder always accepts;
/// should that ever change, the families written so far are kept and the error is appended as a
/// comment line, so a scrape still gets a parseable answer instead of a panic.
pub(crate) fn render_registry(registry: &Registry) -> String {
    let mut text = String::new();
    if let Err(error) = TextEncoder::new().encode_utf8(&registry.gather(), &mut text) {
        let message = error.to_string().replace('\n', " ");
        text.push_str(&format!(
            "# gort_metrics: exposition incomplete: {message}\n"
        ));
    }
    text
}

/// `"true"` / `"false"`, as Go's `strconv.FormatBool` writes the `success` label.
fn bool_label(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

impl Collector for PrometheusCollector {
    fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str) {
        let labels = [channel, direction, msg_type];
        self.families
            .messages_received
            .with(&labels, |counter| counter.inc());
    }

    fn record_message_sent(&self, channel: &str, direction: &str, msg_type: &str) {
        let labels = [channel, direction, msg_type];
        self.families
            .messages_sent
            .with(&labels, |counter| counter.inc());
    }

    fn record_message_duration(&self, channel: &str, duration: Duration) {
        let seconds = duration.as_secs_f64();
        self.families
            .message_duration
            .with(&[channel], |histogram| histogram.observe(seconds));
    }

    fn record_channel_status(&self, channel: &str, channel_type: &str, running: bool) {
        let labels = [channel, channel_type];
        self.families
            .channel_status
            .with(&labels, |gauge| gauge.set(i64::from(running)));
    }

    fn record_channel_error(&self, channel: &str, channel_type: &str, error_type: &str) {
        let labels = [channel, channel_type, error_type];
        self.families
            .channel_errors
            .with(&labels, |counter| counter.inc());
    }

    fn record_session_active(&self, count: i64) {
        self.families.sessions_active.set(count);
    }

    fn record_session_duration(&self, duration: Duration) {
        self.families
            .session_duration
            .observe(duration.as_secs_f64());
    }

    fn record_middleware_duration(&self, middleware: &str, duration: Duration) {
        let seconds = duration.as_secs_f64();
        let family = &self.families.middleware_duration;
        family.with(&[middleware], |histogram| histogram.observe(seconds));
    }

    fn record_retry(&self, operation: &str, attempts: u32, success: bool) {
        let labels = [operation, bool_label(success)];
        let attempts_made = u64::from(attempts);
        self.families
            .retry_attempts
            .with(&labels, |counter| counter.inc_by(attempts_made));
        if let Some(retry_calls) = &self.families.retry_calls {
            let labels = [
                operation,
                crate::collector::retry_outcome(attempts, success),
            ];
            retry_calls.with(&labels, |counter| counter.inc());
        }
    }

    fn record_middleware_call(&self, middleware: &str, outcome: Outcome, duration: Duration) {
        self.record_middleware_duration(middleware, duration);
        if let Some(calls) = &self.families.middleware_calls {
            calls.with(&[middleware], |counters| counters.get(outcome).inc());
        }
    }

    fn record_message_call(&self, channel: &str, outcome: Outcome, duration: Duration) {
        self.record_message_duration(channel, duration);
        if let Some(calls) = &self.families.message_calls {
            calls.with(&[channel], |counters| counters.get(outcome).inc());
        }
    }

    /// The label's histogram series and its four outcome counters, resolved once: recording
    /// through the handle is one `Histogram::observe` and one counter increment, with no label
    /// hashing or lock. `None` once a family is at its series limit without the label, so that
    /// callers record through the methods, which fold into the overflow series and count.
    fn call_handle(&self, kind: DurationKind, label: &str) -> Option<CallHandle> {
        let (durations, calls) = match kind {
            DurationKind::Middleware => (
                &self.families.middleware_duration,
                &self.families.middleware_calls,
            ),
            DurationKind::Message => (
                &self.families.message_duration,
                &self.families.message_calls,
            ),
        };
        let histogram = durations.resolve(&[label])?;
        let counters = match calls {
            Some(calls) => Some(calls.resolve(&[label])?),
            None => None,
        };
        Some(CallHandle::new(move |outcome, duration| {
            let seconds = duration.as_secs_f64();
            histogram.record(|histogram| histogram.observe(seconds));
            if let Some(counters) = &counters {
                counters.record(|counters| counters.get(outcome).inc());
            }
        }))
    }
}
