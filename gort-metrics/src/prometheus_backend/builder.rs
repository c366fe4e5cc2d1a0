//! [`PrometheusBuilder`]: namespace, buckets, constant labels and registry of a
//! [`PrometheusCollector`], and the registration of its families.

use super::PrometheusCollector;
use super::buckets::BucketChoice;
use super::families::{self, Families};
use super::label_values::{DEFAULT_MAX_LABEL_VALUE_LEN, MIN_LABEL_VALUE_LEN};
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
    buckets: BucketChoice,
    const_labels: HashMap<String, String>,
    registry: Option<Registry>,
    retry_outcomes: bool,
    call_outcomes: bool,
    max_series_per_family: usize,
    max_label_value_len: usize,
}

impl Default for PrometheusBuilder {
    fn default() -> Self {
        PrometheusBuilder {
            namespace: families::DEFAULT_NAMESPACE.to_owned(),
            buckets: BucketChoice {
                default: DEFAULT_BUCKETS.to_vec(),
                session: None,
                per_family: Vec::new(),
            },
            const_labels: HashMap::new(),
            registry: None,
            retry_outcomes: true,
            call_outcomes: true,
            max_series_per_family: super::DEFAULT_MAX_SERIES_PER_FAMILY,
            max_label_value_len: DEFAULT_MAX_LABEL_VALUE_LEN,
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

    /// Upper bounds, in seconds, of the buckets of every histogram (unless
    /// [`buckets_for`](Self::buckets_for) or
    /// [`session_duration_buckets`](Self::session_duration_buckets) says otherwise): finite and
    /// strictly increasing; a trailing `+Inf` may be given, the `+Inf` bucket being implicit.
    ///
    /// # Errors
    ///
    /// Checked by [`build`](Self::build), which fails on an empty or unsorted list, or `NaN`.
    ///
    /// ```
    /// use gort_metrics::PrometheusCollector;
    ///
    /// assert!(PrometheusCollector::builder().buckets([0.5, 0.1]).build().is_err());
    /// ```
    pub fn buckets(mut self, buckets: impl Into<Vec<f64>>) -> Self {
        self.buckets.default = buckets.into();
        self
    }

    /// Buckets for the session-duration histogram only (sessions last minutes, not
    /// milliseconds); the other histograms keep [`buckets`](Self::buckets). The same as
    /// [`buckets_for`](Self::buckets_for) with that family's name, which takes precedence.
    ///
    /// # Errors
    ///
    /// Checked by [`build`](Self::build), as [`buckets`](Self::buckets) are.
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
        self.buckets.session = Some(buckets.into());
        self
    }

    /// Buckets for one histogram family, named in full as it is exported under the
    /// [`namespace`](Self::namespace) (by default `gort_message_duration_seconds`,
    /// `gort_session_duration_seconds` or `gort_middleware_duration_seconds`). It takes
    /// precedence over [`buckets`](Self::buckets) and
    /// [`session_duration_buckets`](Self::session_duration_buckets); given twice for one
    /// family, the last one counts.
    ///
    /// # Errors
    ///
    /// Checked by [`build`](Self::build), which fails on a name that is not one of the
    /// histogram families (a typo must not leave the defaults silently in place), and on
    /// buckets that [`buckets`](Self::buckets) would reject. The error names both.
    ///
    /// ```
    /// use gort_metrics::{Collector, PrometheusCollector};
    /// use std::time::Duration;
    ///
    /// let collector = PrometheusCollector::builder()
    ///     .buckets_for("gort_middleware_duration_seconds", [0.0005, 0.001, 0.005])
    ///     .buckets_for("gort_session_duration_seconds", [60.0, 600.0, 3600.0])
    ///     .build()?;
    /// collector.record_middleware_duration("auth", Duration::from_micros(700));
    /// assert!(collector.render().contains(
    ///     "gort_middleware_duration_seconds_bucket{middleware=\"auth\",le=\"0.001\"} 1\n"
    /// ));
    ///
    /// let typo = PrometheusCollector::builder().buckets_for("gort_sesion_duration_seconds", [60.0]);
    /// assert!(typo.build().unwrap_err().to_string().contains("gort_sesion_duration_seconds"));
    /// # Ok::<(), gort_metrics::prometheus::Error>(())
    /// ```
    pub fn buckets_for(mut self, family: impl Into<String>, buckets: impl Into<Vec<f64>>) -> Self {
        self.buckets
            .per_family
            .push((family.into(), buckets.into()));
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

    /// Whether to add the call-outcome families (on by default):
    /// `gort_middleware_calls_total{middleware, outcome}` and
    /// `gort_message_calls_total{channel, outcome}`, one count per call recorded with
    /// [`record_middleware_call`](crate::Collector::record_middleware_call) or
    /// [`record_message_call`](crate::Collector::record_message_call) (as `#[timed]` and the
    /// tower layer do), labelled `ok`, `error`, `panicked` or `cancelled`. Turn it off for output
    /// limited to the Go service's families; the durations are recorded either way.
    ///
    /// The four outcome series of a label appear together, at zero, on its first call, so an
    /// error ratio reads 0 rather than no data; the series limit counts them as one label set.
    ///
    /// ```
    /// use gort_metrics::{Collector, Outcome, PrometheusCollector};
    /// use std::time::Duration;
    ///
    /// let collector = PrometheusCollector::new();
    /// collector.record_middleware_call("auth", Outcome::Error, Duration::from_millis(2));
    /// let text = collector.render();
    /// assert!(text.contains("gort_middleware_calls_total{middleware=\"auth\",outcome=\"error\"} 1\n"));
    /// assert!(text.contains("gort_middleware_calls_total{middleware=\"auth\",outcome=\"ok\"} 0\n"));
    ///
    /// let go_only = PrometheusCollector::builder().call_outcomes(false).build()?;
    /// go_only.record_middleware_call("auth", Outcome::Error, Duration::from_millis(2));
    /// assert!(!go_only.render().contains("gort_middleware_calls_total"));
    /// # Ok::<(), gort_metrics::prometheus::Error>(())
    /// ```
    pub fn call_outcomes(mut self, enabled: bool) -> Self {
        self.call_outcomes = enabled;
        self
    }

    /// The most distinct label sets a labelled family keeps (10,000 by default).
    ///
    /// Label values often come from outside, so the number of series must have a ceiling.
    /// Past it, a record with a label set the family has not seen goes to one series whose
    /// label values are all `__overflow__`; `gort_metrics_overflow_total{family}` counts those
    /// records, and one `tracing` warning per family says it happened. Label sets seen before
    /// the limit keep recording as usual. In the call-outcome families a label set is the
    /// middleware or channel alone: its four `outcome` series count once.
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

    /// The most bytes a label value may have (1024 by default, at least 32); longer values are
    /// shortened before they are recorded.
    ///
    /// A label value often comes from outside, and Prometheus rejects a whole scrape in which one
    /// value exceeds its `label_value_length_limit` (commonly 1024), so values must have a
    /// ceiling too. A longer value keeps its longest prefix that ends on a character boundary
    /// and fits with a `~` and 16 hex digits of the FNV-1a hash of the whole value: distinct
    /// long values stay distinct series, and a value maps to the same series after a restart.
    /// The record still counts, under the shortened value;
    /// `gort_metrics_label_values_truncated_total{family}` counts the values shortened, and one
    /// `tracing` warning per family says it happened. Pass `usize::MAX` for no limit.
    ///
    /// With both limits, a labelled family's exposition is bounded: at most
    /// `max_series_per_family + 1` series, each label value at most `max_label_value_len` bytes
    /// (escaping can double that in the text).
    ///
    /// # Errors
    ///
    /// Checked by [`build`](Self::build), which fails on a limit below 32 bytes (no room for a
    /// prefix beside the hash) or a [`const_label`](Self::const_label) value longer than it.
    ///
    /// ```
    /// use gort_metrics::{Collector, PrometheusCollector};
    ///
    /// let collector = PrometheusCollector::builder().max_label_value_len(64).build()?;
    /// collector.record_message_received(&"x".repeat(4096), "inbound", "text");
    /// let text = collector.render();
    /// let channel = text
    ///     .lines()
    ///     .find_map(|line| line.strip_prefix("gort_messages_received_total{channel=\""))
    ///     .and_then(|rest| rest.split('"').next())
    ///     .unwrap();
    /// assert_eq!(channel.len(), 64);
    /// assert!(channel.starts_with(&"x".repeat(47)));
    /// assert!(text.contains(
    ///     "gort_metrics_label_values_truncated_total{family=\"gort_messages_received_total\"} 1\n"
    /// ));
    /// # Ok::<(), gort_metrics::prometheus::Error>(())
    /// ```
    pub fn max_label_value_len(mut self, bytes: usize) -> Self {
        self.max_label_value_len = bytes;
        self
    }

    /// Creates the families and registers them.
    ///
    /// # Errors
    ///
    /// Fails on bad options (unsorted buckets, an unknown family in
    /// [`buckets_for`](Self::buckets_for), an invalid namespace or constant label, a label value
    /// limit below 32 bytes) and when
    /// the registry already holds a family of the same name, as after a second `build` on one
    /// registry. On failure nothing stays registered.
    ///
    /// ```
    /// use gort_metrics::PrometheusCollector;
    ///
    /// assert!(PrometheusCollector::builder().namespace("not valid").build().is_err());
    /// ```
    pub fn build(self) -> Result<PrometheusCollector, prometheus::Error> {
        if self.max_label_value_len < MIN_LABEL_VALUE_LEN {
            return Err(prometheus::Error::Msg(format!(
                "max_label_value_len({}) is below the minimum of {MIN_LABEL_VALUE_LEN} bytes",
                self.max_label_value_len
            )));
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
        if let Some((name, value)) = self
            .const_labels
            .iter()
            .find(|(_, value)| value.len() > self.max_label_value_len)
        {
            return Err(prometheus::Error::Msg(format!(
                "constant label `{name}` has a value of {} bytes, longer than \
                 max_label_value_len ({})",
                value.len(),
                self.max_label_value_len
            )));
        }
        let buckets = self.buckets.resolve(&self.namespace)?;
        let options = families::Options {
            namespace: &self.namespace,
            buckets: &buckets,
            const_labels: &self.const_labels,
            retry_outcomes: self.retry_outcomes,
            call_outcomes: self.call_outcomes,
            max_series_per_family: self.max_series_per_family,
            max_label_value_len: self.max_label_value_len,
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
