//! [`FanoutCollector`]: one record, several collectors.

use crate::collector::{CallHandle, Collector, DurationKind, Outcome};
use crate::timing::record_call;
use core::time::Duration;
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;

/// Sends every record to several collectors, in the order they were added: Prometheus for
/// dashboards and tracing for logs, say.
///
/// A panic in one collector does not starve the ones after it: each still gets the record, and
/// then the first panic carries on unwinding to the caller, exactly as if that collector had
/// been installed alone.
///
/// ```
/// use std::sync::Arc;
/// use gort_metrics::{
///     record_message_received, with_collector, FanoutCollector, PrometheusCollector,
///     StatsCollector,
/// };
///
/// let prometheus = PrometheusCollector::new();
/// let stats = Arc::new(StatsCollector::new());
/// let both = FanoutCollector::new().with(prometheus.clone()).with(stats.clone());
///
/// with_collector(both, || record_message_received("dingtalk", "inbound", "text"));
/// assert_eq!(stats.stats().messages_received, 1);
/// assert!(prometheus.render().contains("gort_messages_received_total{"));
/// ```
#[derive(Default)]
pub struct FanoutCollector {
    /// Shared, so that a duration handle can keep the collectors it records into.
    collectors: Vec<Arc<dyn Collector>>,
}

impl core::fmt::Debug for FanoutCollector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FanoutCollector")
            .field("collectors", &self.collectors.len())
            .finish()
    }
}

impl FanoutCollector {
    /// A fan-out to nobody yet; add collectors with [`with`](Self::with) or
    /// [`push`](Self::push).
    ///
    /// ```
    /// assert!(gort_metrics::FanoutCollector::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `collector` after the ones already there.
    ///
    /// ```
    /// use gort_metrics::{NoopCollector, FanoutCollector, StatsCollector};
    ///
    /// let fanout = FanoutCollector::new().with(StatsCollector::new()).with(NoopCollector);
    /// assert_eq!(fanout.len(), 2);
    /// ```
    #[must_use = "`with` returns the fan-out with the collector added"]
    pub fn with(mut self, collector: impl Collector + 'static) -> Self {
        self.push(collector);
        self
    }

    /// Adds `collector` after the ones already there, in place.
    ///
    /// ```
    /// use gort_metrics::{FanoutCollector, StatsCollector};
    ///
    /// let mut fanout = FanoutCollector::new();
    /// for _ in 0..3 {
    ///     fanout.push(StatsCollector::new());
    /// }
    /// assert_eq!(fanout.len(), 3);
    /// ```
    pub fn push(&mut self, collector: impl Collector + 'static) {
        self.collectors.push(Arc::new(collector));
    }

    /// How many collectors each record goes to.
    ///
    /// ```
    /// use gort_metrics::{FanoutCollector, StatsCollector};
    ///
    /// assert_eq!(FanoutCollector::new().with(StatsCollector::new()).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.collectors.len()
    }

    /// Whether there are no collectors, so that records go nowhere.
    ///
    /// ```
    /// assert!(gort_metrics::FanoutCollector::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.collectors.is_empty()
    }

    /// Calls `record` on every collector, even when one of them panics, then resumes the first
    /// panic, if any.
    fn each(&self, record: impl Fn(&dyn Collector)) {
        each_of(&self.collectors, |collector| record(collector.as_ref()));
    }
}

/// Calls `record` on every item, even when one of them panics, then resumes the first panic.
fn each_of<T>(items: &[T], record: impl Fn(&T)) {
    let mut first_panic: Option<Box<dyn Any + Send>> = None;
    for item in items {
        // Collectors only touch their own state through `&self`; a panicking one is reported
        // to the caller below, which is where it would have surfaced anyway.
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| record(item))) {
            first_panic.get_or_insert(payload);
        }
    }
    if let Some(payload) = first_panic {
        resume_unwind(payload);
    }
}

/// Where a fan-out's duration handle sends one duration for one of its collectors.
enum Target {
    /// The collector's own handle for the label.
    Handle(CallHandle),
    /// The collector's plain method, for a collector without handles.
    Plain(Arc<dyn Collector>),
}

impl From<Vec<Box<dyn Collector>>> for FanoutCollector {
    /// ```
    /// use gort_metrics::{Collector, NoopCollector, FanoutCollector, StatsCollector};
    ///
    /// let collectors: Vec<Box<dyn Collector>> =
    ///     vec![Box::new(StatsCollector::new()), Box::new(NoopCollector)];
    /// assert_eq!(FanoutCollector::from(collectors).len(), 2);
    /// ```
    fn from(collectors: Vec<Box<dyn Collector>>) -> Self {
        collectors.into_iter().collect()
    }
}

impl FromIterator<Box<dyn Collector>> for FanoutCollector {
    /// ```
    /// use gort_metrics::{Collector, FanoutCollector, StatsCollector};
    ///
    /// let fanout: FanoutCollector =
    ///     (0..3).map(|_| Box::new(StatsCollector::new()) as Box<dyn Collector>).collect();
    /// assert_eq!(fanout.len(), 3);
    /// ```
    fn from_iter<I: IntoIterator<Item = Box<dyn Collector>>>(collectors: I) -> Self {
        FanoutCollector {
            collectors: collectors.into_iter().map(Arc::from).collect(),
        }
    }
}

impl Extend<Box<dyn Collector>> for FanoutCollector {
    fn extend<I: IntoIterator<Item = Box<dyn Collector>>>(&mut self, collectors: I) {
        self.collectors
            .extend(collectors.into_iter().map(Arc::from));
    }
}

impl Collector for FanoutCollector {
    fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str) {
        self.each(|c| c.record_message_received(channel, direction, msg_type));
    }

    fn record_message_sent(&self, channel: &str, direction: &str, msg_type: &str) {
        self.each(|c| c.record_message_sent(channel, direction, msg_type));
    }

    fn record_message_duration(&self, channel: &str, duration: Duration) {
        self.each(|c| c.record_message_duration(channel, duration));
    }

    fn record_channel_status(&self, channel: &str, channel_type: &str, running: bool) {
        self.each(|c| c.record_channel_status(channel, channel_type, running));
    }

    fn record_channel_error(&self, channel: &str, channel_type: &str, error_type: &str) {
        self.each(|c| c.record_channel_error(channel, channel_type, error_type));
    }

    fn record_session_active(&self, count: i64) {
        self.each(|c| c.record_session_active(count));
    }

    fn record_session_duration(&self, duration: Duration) {
        self.each(|c| c.record_session_duration(duration));
    }

    fn record_middleware_duration(&self, middleware: &str, duration: Duration) {
        self.each(|c| c.record_middleware_duration(middleware, duration));
    }

    fn record_retry(&self, operation: &str, attempts: u32, success: bool) {
        self.each(|c| c.record_retry(operation, attempts, success));
    }

    fn flush(&self) {
        self.each(|c| c.flush());
    }

    /// Enabled when any of its collectors is, so that a fan-out of no-ops costs nothing.
    fn is_enabled(&self) -> bool {
        self.collectors.iter().any(|c| c.is_enabled())
    }

    /// A handle that records into every collector: through the collector's own handle where it
    /// has one (Prometheus's cached histogram), else through its plain method. `#[timed]` sites
    /// thus keep their per-site cache behind a fan-out too.
    fn record_middleware_call(&self, middleware: &str, outcome: Outcome, duration: Duration) {
        self.each(|c| c.record_middleware_call(middleware, outcome, duration));
    }

    fn record_message_call(&self, channel: &str, outcome: Outcome, duration: Duration) {
        self.each(|c| c.record_message_call(channel, outcome, duration));
    }

    fn call_handle(&self, kind: DurationKind, label: &str) -> Option<CallHandle> {
        let targets: Vec<Target> = self
            .collectors
            .iter()
            .map(|collector| match collector.call_handle(kind, label) {
                Some(handle) => Target::Handle(handle),
                None => Target::Plain(Arc::clone(collector)),
            })
            .collect();
        let label: Box<str> = label.into();
        Some(CallHandle::new(move |outcome, duration| {
            each_of(&targets, |target| match target {
                Target::Handle(handle) => handle.record(outcome, duration),
                Target::Plain(collector) => {
                    record_call(&**collector, kind, &label, outcome, duration)
                }
            })
        }))
    }
}
