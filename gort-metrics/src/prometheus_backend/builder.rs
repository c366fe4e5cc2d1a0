//! [`PrometheusBuilder`]: namespace, buckets, constant labels and registry of a
//! [`PrometheusCollector`], and the registration of its families.

use super::PrometheusCollector;
use super::families::{self, Families};
use prometheus::Registry;
use std::collections::HashMap;

/// Go's `prometheus.DefBuckets`, in seconds: the buckets of every histogram by default.
pub const DEFAULT_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Configures a [`PrometheusCollector`]; made by [`PrometheusCollector::builder`].
///
/// The defaults give exactly the families of the Go service: namespace `gort`, Go's default
/// buckets, no constant labels, and a fresh registry.
///
/// ```
/// use gort_metrics::{Collector, PrometheusCollector};
///
/// let collector = PrometheusCollector::builder()
///     .namespace("gateway")
///     .buckets([0.001, 0.01, 0.1, 1.0])
///     .const_label("region", "eu-1")
///     .build()?;
/// collector.record_message_received("dingtalk", "inbound", "text");
/// let text = collector.render();
/// assert!(text.contains(
///     r#"gateway_messages_received_total{channel="dingtalk",direction="inbound",region="eu-1",type="text"} 1"#
/// ));
/// # Ok::<(), gort_metrics::prometheus::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct PrometheusBuilder {
    namespace: String,
    buckets: Vec<f64>,
    session_buckets: Option<Vec<f64>>,
    const_labels: HashMap<String, String>,
    registry: Option<Registry>,
    retry_outcomes: bool,
    max_series_per_family: usize,
}

impl Default for PrometheusBuilder {
    fn default() -> Self {
        PrometheusBuilder {
            namespace: families::DEFAULT_NAMESPACE.to_owned(),
            buckets: DEFAULT_BUCKETS.to_vec(),
            session_buckets: None,
            const_labels: HashMap::new(),
            registry: None,
            retry_outcomes: true,
            max_series_per_family: super::DEFAULT_MAX_SERIES_PER_FAMILY,
        }
    }
}

impl PrometheusBuilder {
    /// The prefix of every family name (`gort` by default); empty for none.
    ///
    /// ```
    /// use gort_metrics::PrometheusCollector;
    ///
    /// let collector = PrometheusCollector::builder().namespace("").build()?;
    /// gort_metrics::with_collector(collector.clone(), || gort_metrics::record_session_active(3));
    /// assert!(collector.render().contains("\nsessions_active 3\n"));
    /// # Ok::<(), gort_metrics::prometheus::Error>(())
    /// ```
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Upper bounds, in seconds, of the buckets of every histogram; strictly increasing.
    ///
    /// # Errors
    ///
    /// Checked by [`build`](Self::build), which fails on an empty or unsorted list.
    ///
    /// ```
    /// use gort_metrics::PrometheusCollector;
    ///
    /// assert!(PrometheusCollector::builder().buckets([0.5, 0.1]).build().is_err());
    /// ```
    pub fn buckets(mut self, buckets: impl Into<Vec<f64>>) -> Self {
        self.buckets = buckets.into();
        self
    }

    /// Buckets for the session-duration histogram only (sessions last minutes, not
    /// milliseconds); the other histograms keep [`buckets`](Self::buckets).
    ///
    /// ```
    /// use gort_metrics::PrometheusCollector;
    ///
    /// let collector = PrometheusCollector::builder()
    ///     .session_duration_buckets([60.0, 600.0, 3600.0])
    ///     .build()?;
    /// # Ok::<(), gort_metrics::prometheus::Error>(())
    /// ```
    pub fn session_duration_buckets(mut self, buckets: impl Into<Vec<f64>>) -> Self {
        self.session_buckets = Some(buckets.into());
        self
    }

    /// A label with a fixed value on every series (`region="eu-1"`).
    ///
    /// # Errors
    ///
    /// Checked by [`build`](Self::build), which fails on an invalid label name or one that
    /// clashes with a family's own labels.
    ///
    /// ```
    /// use gort_metrics::PrometheusCollector;
    ///
    /// assert!(PrometheusCollector::builder().const_label("channel", "x").build().is_err());
    /// ```
    pub fn const_label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.const_labels.insert(name.into(), value.into());
        self
    }

    /// Registers the families in `registry` (shared, for example, with other metrics of the
    /// application) instead of a fresh one.
    ///
    /// ```
    /// use gort_metrics::{prometheus::Registry, PrometheusCollector};
    ///
    /// let registry = Registry::new();
    /// let collector = PrometheusCollector::builder().registry(&registry).build()?;
    /// assert!(PrometheusCollector::builder().registry(&registry).build().is_err());
    /// # Ok::<(), gort_metrics::prometheus::Error>(())
    /// ```
    pub fn registry(mut self, registry: &Registry) -> Self {
        self.registry = Some(registry.clone());
        self
    }

    /// Whether to add `gort_retry_calls_total{operation, outcome}` (on by default), one count
    /// per retried call with its outcome: `successful_without_retry`, `successful_with_retry`,
    /// `failed_with_retry` or `failed_without_retry`. With it, retry amplification is one
    /// division: `rate(gort_retry_attempts_total[5m]) / rate(gort_retry_calls_total[5m])`.
    /// Turn it off for output limited to the Go service's nine families.
    ///
    /// ```
    /// use gort_metrics::{Collector, PrometheusCollector};
    ///
    /// let collector = PrometheusCollector::builder().retry_outcomes(false).build()?;
    /// collector.record_retry("api-call", 2, true);
    /// assert!(!collector.render().contains("gort_retry_calls_total"));
    /// # Ok::<(), gort_metrics::prometheus::Error>(())
    /// ```
    pub fn retry_outcomes(mut self, enabled: bool) -> Self {
        self.retry_outcomes = enabled;
        self
    }

    /// The most distinct label sets a labelled family keeps (10,000 by default).
    ///
    /// Label values often come from outside, so the number of series must have a ceiling.
    /// Past it, a record with a label set the family has not seen goes to one series whose
    /// label values are all `__overflow__`; `gort_metrics_overflow_total{family}` counts those
    /// records, and one `tracing` warning per family says it happened. Label sets seen before
    /// the limit keep recording as usual.
    ///
    /// ```
    /// use gort_metrics::{Collector, PrometheusCollector};
    ///
    /// let collector = PrometheusCollector::builder().max_series_per_family(1).build()?;
    /// collector.record_message_received("dingtalk", "inbound", "text");
    /// collector.record_message_received("spam-1", "inbound", "text");
    /// let text = collector.render();
    /// assert!(text.contains(
    ///     r#"gort_messages_received_total{channel="__overflow__",direction="__overflow__",type="__overflow__"} 1"#
    /// ));
    /// assert!(text.contains(
    ///     r#"gort_metrics_overflow_total{family="gort_messages_received_total"} 1"#
    /// ));
    /// # Ok::<(), gort_metrics::prometheus::Error>(())
    /// ```
    pub fn max_series_per_family(mut self, limit: usize) -> Self {
        self.max_series_per_family = limit;
        self
    }

    /// Creates the families and registers them.
    ///
    /// # Errors
    ///
    /// Fails on bad options (unsorted buckets, an invalid namespace or constant label) and when
    /// the registry already holds a family of the same name, as after a second `build` on one
    /// registry. On failure nothing stays registered.
    ///
    /// ```
    /// use gort_metrics::PrometheusCollector;
    ///
    /// assert!(PrometheusCollector::builder().namespace("not valid").build().is_err());
    /// ```
    pub fn build(self) -> Result<PrometheusCollector, prometheus::Error> {
        // The prometheus crate silently replaces an empty list with its defaults; an empty list
        // here is a mistake, so say so.
        if self.buckets.is_empty() || self.session_buckets.as_ref().is_some_and(Vec::is_empty) {
            return Err(prometheus::Error::Msg(
                "histogram buckets must not be empty".to_owned(),
            ));
        }
        if let Some(name) = self
            .const_labels
            .keys()
            .find(|name| families::RESERVED_LABELS.contains(&name.as_str()))
        {
            return Err(prometheus::Error::Msg(format!(
                "constant label `{name}` clashes with a label of the gort families \
                 (reserved: {})",
                families::RESERVED_LABELS.join(", ")
            )));
        }
        let options = families::Options {
            namespace: &self.namespace,
            buckets: &self.buckets,
            session_buckets: self.session_buckets.as_deref().unwrap_or(&self.buckets),
            const_labels: &self.const_labels,
            retry_outcomes: self.retry_outcomes,
            max_series_per_family: self.max_series_per_family,
        };
        let families = Families::new(&options)?;
        let registry = self.registry.unwrap_or_default();
        register_all(&registry, &families)?;
        Ok(PrometheusCollector::from_parts(registry, families))
    }
}

/// Registers every family, or none: a failure part-way unregisters those already in.
fn register_all(registry: &Registry, families: &Families) -> Result<(), prometheus::Error> {
    for (index, collector) in families.boxed().into_iter().enumerate() {
        if let Err(error) = registry.register(collector) {
            for registered in families.boxed().into_iter().take(index) {
                // Cannot fail: each of these was registered by this loop a moment ago.
                let _ = registry.unregister(registered);
            }
            return Err(error);
        }
    }
    Ok(())
}
