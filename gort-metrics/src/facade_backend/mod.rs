//! [`FacadeCollector`]: every record goes to the current recorder of the `metrics` crate, under
//! the Go service's family names, so that any `metrics` exporter serves them.

mod current;
mod families;
mod series;
#[cfg(test)]
mod tests;

use crate::collector::{CallHandle, Collector, DurationKind, Outcome};
use core::time::Duration;
use current::with_current;
use families::bool_label;
use series::{CounterMetric, Family, GaugeMetric, HistogramMetric, Series};
use std::sync::{Arc, OnceLock};

/// The default limit on distinct label sets per family: the Prometheus backend's.
const DEFAULT_MAX_SERIES_PER_FAMILY: usize = 10_000;

/// Records into whatever [`metrics`](::metrics) recorder is current where the record happens:
/// the innermost [`metrics::with_local_recorder`](::metrics::with_local_recorder) of the
/// thread, else the global one ([`metrics::set_global_recorder`](::metrics::set_global_recorder),
/// or an exporter's `install`). So one gateway can feed `metrics-exporter-prometheus`, a StatsD
/// or OpenTelemetry bridge, or anything else of the `metrics` ecosystem.
///
/// | family | kind | labels |
/// |---|---|---|
/// | `gort_messages_received_total` | counter | `channel`, `direction`, `type` |
/// | `gort_messages_sent_total` | counter | `channel`, `direction`, `type` |
/// | `gort_message_duration_seconds` | histogram, seconds | `channel` |
/// | `gort_channel_status` | gauge, 1 running / 0 stopped | `channel`, `type` |
/// | `gort_channel_errors_total` | counter | `channel`, `type`, `error_type` |
/// | `gort_sessions_active` | gauge | |
/// | `gort_session_duration_seconds` | histogram, seconds | |
/// | `gort_middleware_duration_seconds` | histogram, seconds | `middleware` |
/// | `gort_retry_attempts_total` | counter, adds the attempts of each call | `operation`, `success` |
/// | `gort_middleware_calls_total` | counter | `middleware`, `outcome` |
/// | `gort_message_calls_total` | counter | `channel`, `outcome` |
///
/// The two call counters are fed by [`record_middleware_call`](Collector::record_middleware_call)
/// and [`record_message_call`](Collector::record_message_call) (what `#[timed]` uses), beside
/// the duration; the plain `record_*_duration` methods record only the duration, as in Go.
///
/// **Descriptions.** Recorders are told each family's HELP text (the Go one) and unit: the
/// global recorder once, on its first record; a local recorder with each record of a family,
/// since a new local recorder made where a dropped one lived has the same address and nothing
/// else tells the two apart (recorders keep descriptions by name, so this repeats the same
/// text; it costs about 0.4 µs a record with `metrics-exporter-prometheus`, whose description
/// map takes a write lock). [`describe`](Self::describe) tells the current recorder about
/// every family at once.
///
/// **Handles.** A record looks up its label set in the collector's own map (no allocation once
/// the set is known), then registers that key in the current recorder. For the *global*
/// recorder, which is never replaced, the handle it returns is kept and reused, so a record is
/// one lookup and one update. Handles from local recorders are never kept: a scope ends, and a
/// later one must get its own series. An exporter that deletes idle series
/// (`metrics-exporter-prometheus`'s `idle_timeout`) would leave a kept handle feeding a deleted
/// one; with such an exporter, build with [`cache_handles(false)`](FacadeBuilder::cache_handles).
/// To learn which recorder is the global one, the collector asks a short-lived thread (a
/// fresh thread has no local recorder) when it is built, and, until a global recorder is
/// known, on a thread's first record and every 1024 records after (at most every 50 ms
/// between all threads). Until then the global recorder is treated as a local one.
///
/// **Cardinality.** Each labelled family keeps at most
/// [`max_series_per_family`](FacadeBuilder::max_series_per_family) label sets (10 000 by
/// default); records with a new label set past that go to one series whose labels are all
/// `__overflow__`, and each such record counts in `gort_metrics_overflow_total{family}`.
///
/// Histograms are recorded in seconds. `metrics-exporter-prometheus` renders them as summaries
/// unless given buckets: `set_buckets(&gort_metrics::DEFAULT_BUCKETS)` gives Go's. Keep its unit
/// suffix off (the default): the names already end in `_seconds`.
///
/// ```
/// use gort_metrics::metrics::with_local_recorder;
/// use gort_metrics::{Collector, FacadeCollector};
/// use metrics_util::debugging::{DebugValue, DebuggingRecorder};
///
/// let recorder = DebuggingRecorder::new();
/// let snapshotter = recorder.snapshotter();
/// let collector = FacadeCollector::new();
/// with_local_recorder(&recorder, || {
///     collector.record_message_received("dingtalk", "inbound", "text");
///     collector.record_message_received("dingtalk", "inbound", "text");
/// });
///
/// let (key, unit, help, value) = snapshotter.snapshot().into_vec().remove(0);
/// assert_eq!(key.key().name(), "gort_messages_received_total");
/// let labels: Vec<_> = key.key().labels().map(|l| (l.key(), l.value())).collect();
/// assert_eq!(labels, [("channel", "dingtalk"), ("direction", "inbound"), ("type", "text")]);
/// assert_eq!(value, DebugValue::Counter(2));
/// assert_eq!(unit, Some(gort_metrics::metrics::Unit::Count));
/// assert_eq!(help.as_deref(), Some("Total number of messages received by channel."));
/// ```
#[derive(Clone)]
pub struct FacadeCollector {
    families: Arc<Families>,
}

/// Configures a [`FacadeCollector`]; made by [`FacadeCollector::builder`].
///
/// ```
/// let collector = gort_metrics::FacadeCollector::builder()
///     .max_series_per_family(500)
///     .cache_handles(false)
///     .build();
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct FacadeBuilder {
    max_series_per_family: usize,
    cache_handles: bool,
}

/// One handle per family.
struct Families {
    messages_received: Family<CounterMetric>,
    messages_sent: Family<CounterMetric>,
    message_duration: Family<HistogramMetric>,
    channel_status: Family<GaugeMetric>,
    channel_errors: Family<CounterMetric>,
    sessions_active: Series<GaugeMetric>,
    session_duration: Series<HistogramMetric>,
    middleware_duration: Family<HistogramMetric>,
    retry_attempts: Family<CounterMetric>,
    middleware_calls: Family<CounterMetric>,
    message_calls: Family<CounterMetric>,
}

impl Families {
    fn durations(&self, kind: DurationKind) -> &Family<HistogramMetric> {
        match kind {
            DurationKind::Middleware => &self.middleware_duration,
            DurationKind::Message => &self.message_duration,
        }
    }

    fn calls(&self, kind: DurationKind) -> &Family<CounterMetric> {
        match kind {
            DurationKind::Middleware => &self.middleware_calls,
            DurationKind::Message => &self.message_calls,
        }
    }

    /// Records one finished call: its duration and its outcome.
    fn record_call(&self, kind: DurationKind, label: &str, outcome: Outcome, duration: Duration) {
        let seconds = duration.as_secs_f64();
        with_current(|current| {
            let durations = self.durations(kind);
            durations.record(&[label], current, |histogram| histogram.record(seconds));
            let labels = [label, outcome.as_str()];
            let calls = self.calls(kind);
            calls.record(&labels, current, |counter| counter.increment(1));
        })
    }
}

impl Default for FacadeBuilder {
    fn default() -> Self {
        FacadeBuilder {
            max_series_per_family: DEFAULT_MAX_SERIES_PER_FAMILY,
            cache_handles: true,
        }
    }
}

impl FacadeBuilder {
    /// The most distinct label sets a labelled family keeps (10 000 by default); records with
    /// a new label set past that fold into its `__overflow__` series.
    ///
    /// ```
    /// use gort_metrics::metrics::with_local_recorder;
    /// use gort_metrics::{Collector, FacadeCollector};
    /// use metrics_util::debugging::DebuggingRecorder;
    ///
    /// let collector = FacadeCollector::builder().max_series_per_family(1).build();
    /// let recorder = DebuggingRecorder::new();
    /// let snapshotter = recorder.snapshotter();
    /// with_local_recorder(&recorder, || {
    ///     collector.record_channel_error("a", "dingtalk", "auth");
    ///     collector.record_channel_error("b", "dingtalk", "auth");
    /// });
    /// let overflowed = snapshotter.snapshot().into_vec().into_iter().any(|(key, ..)| {
    ///     key.key().labels().all(|label| label.value() == "__overflow__")
    /// });
    /// assert!(overflowed);
    /// ```
    pub fn max_series_per_family(mut self, limit: usize) -> Self {
        self.max_series_per_family = limit;
        self
    }

    /// Whether handles the global recorder returns are kept and reused (on by default). Turn
    /// it off for an exporter that deletes idle series, whose kept handles would go on feeding
    /// a deleted series; every record then registers its key, as `counter!` does.
    ///
    /// ```
    /// let collector = gort_metrics::FacadeCollector::builder().cache_handles(false).build();
    /// ```
    pub fn cache_handles(mut self, cache: bool) -> Self {
        self.cache_handles = cache;
        self
    }

    /// The collector. Infallible: the family names are constants and no recorder is touched.
    ///
    /// ```
    /// let collector = gort_metrics::FacadeCollector::builder().build();
    /// ```
    pub fn build(self) -> FacadeCollector {
        current::look_for_global(current::Wait::Yes);
        let limit = self.max_series_per_family;
        let cache = self.cache_handles;
        let families = Families {
            messages_received: Family::new(&families::MESSAGES_RECEIVED, limit, cache),
            messages_sent: Family::new(&families::MESSAGES_SENT, limit, cache),
            message_duration: Family::new(&families::MESSAGE_DURATION, limit, cache),
            channel_status: Family::new(&families::CHANNEL_STATUS, limit, cache),
            channel_errors: Family::new(&families::CHANNEL_ERRORS, limit, cache),
            sessions_active: Series::new(&families::SESSIONS_ACTIVE, &[], cache),
            session_duration: Series::new(&families::SESSION_DURATION, &[], cache),
            middleware_duration: Family::new(&families::MIDDLEWARE_DURATION, limit, cache),
            retry_attempts: Family::new(&families::RETRY_ATTEMPTS, limit, cache),
            middleware_calls: Family::new(&families::MIDDLEWARE_CALLS, limit, cache),
            message_calls: Family::new(&families::MESSAGE_CALLS, limit, cache),
        };
        FacadeCollector {
            families: Arc::new(families),
        }
    }
}

impl FacadeCollector {
    /// A collector with the default limits, recording into the current recorder.
    ///
    /// ```
    /// use gort_metrics::{FacadeCollector, record_session_active, with_collector};
    ///
    /// // With no recorder installed, records go to `metrics`' no-op recorder.
    /// with_collector(FacadeCollector::new(), || record_session_active(3));
    /// ```
    pub fn new() -> Self {
        FacadeBuilder::default().build()
    }

    /// A builder for other limits, or for turning handle caching off.
    ///
    /// ```
    /// let collector = gort_metrics::FacadeCollector::builder().max_series_per_family(100).build();
    /// ```
    pub fn builder() -> FacadeBuilder {
        FacadeBuilder::default()
    }

    /// Tells the current recorder every family's HELP text and unit now. Records do this by
    /// themselves for the families they touch; call it so that a recorder knows them all
    /// before anything is recorded.
    ///
    /// ```
    /// use gort_metrics::metrics::with_local_recorder;
    /// use gort_metrics::FacadeCollector;
    /// use metrics_util::debugging::DebuggingRecorder;
    ///
    /// let recorder = DebuggingRecorder::new();
    /// with_local_recorder(&recorder, || FacadeCollector::new().describe());
    /// ```
    pub fn describe(&self) {
        metrics::with_recorder(families::describe_all);
    }
}

impl Default for FacadeCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for FacadeCollector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FacadeCollector").finish_non_exhaustive()
    }
}

impl Collector for FacadeCollector {
    fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str) {
        let labels = [channel, direction, msg_type];
        let family = &self.families.messages_received;
        with_current(|current| family.record(&labels, current, |counter| counter.increment(1)));
    }

    fn record_message_sent(&self, channel: &str, direction: &str, msg_type: &str) {
        let labels = [channel, direction, msg_type];
        let family = &self.families.messages_sent;
        with_current(|current| family.record(&labels, current, |counter| counter.increment(1)));
    }

    fn record_message_duration(&self, channel: &str, duration: Duration) {
        let seconds = duration.as_secs_f64();
        let family = &self.families.message_duration;
        with_current(|current| family.record(&[channel], current, |h| h.record(seconds)));
    }

    fn record_channel_status(&self, channel: &str, channel_type: &str, running: bool) {
        let labels = [channel, channel_type];
        let value = if running { 1.0 } else { 0.0 };
        let family = &self.families.channel_status;
        with_current(|current| family.record(&labels, current, |gauge| gauge.set(value)));
    }

    fn record_channel_error(&self, channel: &str, channel_type: &str, error_type: &str) {
        let labels = [channel, channel_type, error_type];
        let family = &self.families.channel_errors;
        with_current(|current| family.record(&labels, current, |counter| counter.increment(1)));
    }

    fn record_session_active(&self, count: i64) {
        // Gauges are f64 in `metrics`; session counts are far below 2^53, where that is exact.
        let value = count as f64;
        let series = &self.families.sessions_active;
        with_current(|current| series.with_handle(current, |gauge| gauge.set(value)));
    }

    fn record_session_duration(&self, duration: Duration) {
        let seconds = duration.as_secs_f64();
        let series = &self.families.session_duration;
        with_current(|current| series.with_handle(current, |h| h.record(seconds)));
    }

    fn record_middleware_duration(&self, middleware: &str, duration: Duration) {
        let seconds = duration.as_secs_f64();
        let family = &self.families.middleware_duration;
        with_current(|current| family.record(&[middleware], current, |h| h.record(seconds)));
    }

    fn record_retry(&self, operation: &str, attempts: u32, success: bool) {
        let labels = [operation, bool_label(success)];
        let attempts = u64::from(attempts);
        let family = &self.families.retry_attempts;
        with_current(|current| family.record(&labels, current, |c| c.increment(attempts)));
    }

    fn record_middleware_call(&self, middleware: &str, outcome: Outcome, duration: Duration) {
        self.families
            .record_call(DurationKind::Middleware, middleware, outcome, duration)
    }

    fn record_message_call(&self, channel: &str, outcome: Outcome, duration: Duration) {
        self.families
            .record_call(DurationKind::Message, channel, outcome, duration)
    }

    /// The label's series, looked up once: its histogram now, each outcome's counter on the
    /// first call that ends so. Every call still goes to the recorder current at that call
    /// (a `#[timed]` site keeps its handle for as long as this collector is installed, across
    /// any number of local recorders); the global recorder's handles are kept as for any record.
    /// `None` when the family is at its limit, so that calls fold through the plain methods.
    fn call_handle(&self, kind: DurationKind, label: &str) -> Option<CallHandle> {
        let durations = self.families.durations(kind).resolve(&[label])?;
        let families = Arc::clone(&self.families);
        let label: Box<str> = label.into();
        let calls: [OnceLock<Option<Arc<Series<CounterMetric>>>>; 4] = Default::default();
        Some(CallHandle::new(move |outcome, duration| {
            let seconds = duration.as_secs_f64();
            let labels = [&*label, outcome.as_str()];
            let family = families.calls(kind);
            let resolved = calls[outcome_index(outcome)].get_or_init(|| family.resolve(&labels));
            with_current(|current| {
                durations.with_handle(current, |histogram| histogram.record(seconds));
                match resolved {
                    Some(series) => series.with_handle(current, |counter| counter.increment(1)),
                    None => family.record(&labels, current, |counter| counter.increment(1)),
                }
            })
        }))
    }
}

/// The place of `outcome` in [`Outcome::ALL`].
fn outcome_index(outcome: Outcome) -> usize {
    match outcome {
        Outcome::Ok => 0,
        Outcome::Error => 1,
        Outcome::Panicked => 2,
        Outcome::Cancelled => 3,
    }
}
