//! Series and families: a series is one metric `Key`, built once, with the handle the global
//! recorder gave for it; a family maps label values to its series, at most `limit` of them,
//! and folds records past the limit into one `__overflow__` series, as the Prometheus backend
//! does.

use super::current::Current;
use super::families::{OVERFLOWED, Spec};
use hashbrown::{Equivalent, HashMap};
use metrics::{Counter, Gauge, Histogram, Key, Label, Level, Metadata, Recorder};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// The label value of every label of the series that over-limit records fold into; the same
/// as the Prometheus backend's.
pub(super) const OVERFLOW_LABEL_VALUE: &str = "__overflow__";

/// What every registration tells the recorder about where the metric comes from.
static METADATA: Metadata<'static> =
    Metadata::new("gort_metrics", Level::INFO, Some(module_path!()));

/// A kind of metric handle, registered in a recorder by key.
pub(super) trait Metric {
    type Handle: Send + Sync;
    fn register(recorder: &dyn Recorder, key: &Key) -> Self::Handle;
}

pub(super) enum CounterMetric {}
pub(super) enum GaugeMetric {}
pub(super) enum HistogramMetric {}

impl Metric for CounterMetric {
    type Handle = Counter;
    fn register(recorder: &dyn Recorder, key: &Key) -> Counter {
        recorder.register_counter(key, &METADATA)
    }
}

impl Metric for GaugeMetric {
    type Handle = Gauge;
    fn register(recorder: &dyn Recorder, key: &Key) -> Gauge {
        recorder.register_gauge(key, &METADATA)
    }
}

impl Metric for HistogramMetric {
    type Handle = Histogram;
    fn register(recorder: &dyn Recorder, key: &Key) -> Histogram {
        recorder.register_histogram(key, &METADATA)
    }
}

/// One series: its key, and the handle the global recorder gave for it.
pub(super) struct Series<M: Metric> {
    spec: &'static Spec,
    key: Key,
    cache_handles: bool,
    /// Only ever a handle of the global recorder, which is never replaced or dropped.
    global_handle: OnceLock<M::Handle>,
}

impl<M: Metric> Series<M> {
    /// The series of `spec` with these label values, in the order of `spec.labels`.
    pub(super) fn new(spec: &'static Spec, values: &[&str], cache_handles: bool) -> Self {
        let labels: Vec<Label> = spec
            .labels
            .iter()
            .zip(values)
            .map(|(name, value)| Label::new(*name, String::from(*value)))
            .collect();
        Series {
            spec,
            key: Key::from_parts(spec.name, labels),
            cache_handles,
            global_handle: OnceLock::new(),
        }
    }

    /// Calls `f` with this series' handle in the current recorder: the kept one for the global
    /// recorder, else one registered for this record.
    ///
    /// Any other recorder is told the family's description with each record: it may be a new
    /// local recorder where an old one lived, and nothing tells the two apart (descriptions are
    /// kept by name, so telling again only repeats the same text).
    #[inline]
    pub(super) fn with_handle<R>(
        &self,
        current: Current<'_>,
        f: impl FnOnce(&M::Handle) -> R,
    ) -> R {
        match (current.is_global, self.cache_handles) {
            (true, true) => {
                let handle = self
                    .global_handle
                    .get_or_init(|| M::register(current.recorder, &self.key));
                f(handle)
            }
            (true, false) => f(&M::register(current.recorder, &self.key)),
            (false, _) => {
                self.spec.describe(current.recorder);
                f(&M::register(current.recorder, &self.key))
            }
        }
    }

    #[cfg(test)]
    pub(super) fn has_global_handle(&self) -> bool {
        self.global_handle.get().is_some()
    }
}

/// An owned label set, as stored in a family's map.
#[derive(PartialEq, Eq)]
struct OwnedLabels(Box<[Box<str>]>);

impl Hash for OwnedLabels {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_values(self.0.iter().map(|value| &**value), state);
    }
}

/// A borrowed label set, as a record passes it; hashes exactly as its [`OwnedLabels`].
struct BorrowedLabels<'a>(&'a [&'a str]);

impl Hash for BorrowedLabels<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_values(self.0.iter().copied(), state);
    }
}

impl Equivalent<OwnedLabels> for BorrowedLabels<'_> {
    fn equivalent(&self, key: &OwnedLabels) -> bool {
        self.0.len() == key.0.len() && self.0.iter().zip(key.0.iter()).all(|(a, b)| *a == &**b)
    }
}

/// One routine for both forms, so that equal label sets hash equal; `str`'s `Hash` ends each
/// value with a terminator, so `["ab", "c"]` and `["a", "bc"]` hash apart.
fn hash_values<'a, H: Hasher>(values: impl Iterator<Item = &'a str>, state: &mut H) {
    for value in values {
        value.hash(state);
    }
}

/// A labelled family: its series by label values, at most `limit` of them.
pub(super) struct Family<M: Metric> {
    spec: &'static Spec,
    limit: usize,
    cache_handles: bool,
    series: RwLock<HashMap<OwnedLabels, Arc<Series<M>>>>,
    /// The `__overflow__` series and this family's series of the overflow counter, made on the
    /// first record past the limit.
    overflow: OnceLock<(Series<M>, Series<CounterMetric>)>,
}

impl<M: Metric> Family<M> {
    pub(super) fn new(spec: &'static Spec, limit: usize, cache_handles: bool) -> Self {
        Family {
            spec,
            limit,
            cache_handles,
            series: RwLock::new(HashMap::new()),
            overflow: OnceLock::new(),
        }
    }

    /// Records into the series of `values` (one per label of the family), admitted if the
    /// family is under its limit, else into the overflow series, counting the fold.
    #[inline]
    pub(super) fn record(
        &self,
        values: &[&str],
        current: Current<'_>,
        record: impl Fn(&M::Handle),
    ) {
        let admitted = self.admit(values, |series| series.with_handle(current, &record));
        if admitted.is_none() {
            self.fold(current, record);
        }
    }

    /// The series of `values`, admitted if the family is under its limit; `None` past the
    /// limit for a label set not seen before (recording it with [`record`](Self::record)
    /// folds and counts it).
    pub(super) fn resolve(&self, values: &[&str]) -> Option<Arc<Series<M>>> {
        self.admit(values, Arc::clone)
    }

    #[inline]
    fn admit<R>(&self, values: &[&str], f: impl FnOnce(&Arc<Series<M>>) -> R) -> Option<R> {
        // Inserts are single calls, so a map whose lock was poisoned is still whole.
        let series = self.series.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = series.get(&BorrowedLabels(values)) {
            return Some(f(found));
        }
        // The map only grows: full under the read lock means full for good, so a flood of
        // new label sets past the limit never takes the write lock.
        if series.len() >= self.limit {
            return None;
        }
        drop(series);
        self.admit_new(values).map(|created| f(&created))
    }

    #[cold]
    fn admit_new(&self, values: &[&str]) -> Option<Arc<Series<M>>> {
        let mut series = self.series.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = series.get(&BorrowedLabels(values)) {
            return Some(Arc::clone(found));
        }
        if series.len() >= self.limit {
            return None;
        }
        let created = Arc::new(Series::new(self.spec, values, self.cache_handles));
        let key = OwnedLabels(values.iter().map(|value| Box::from(*value)).collect());
        series.insert(key, Arc::clone(&created));
        // Recorded once the write lock is released, so other threads wait only for the insert.
        Some(created)
    }

    fn fold(&self, current: Current<'_>, record: impl Fn(&M::Handle)) {
        let (series, folded) = self.overflow.get_or_init(|| {
            // Once per family, on its first overflow: that is when to say so.
            tracing::warn!(
                target: "gort_metrics",
                family = self.spec.name,
                limit = self.limit,
                "metric family reached its limit of distinct label sets; \
                 new label sets are recorded under \"__overflow__\""
            );
            let values = vec![OVERFLOW_LABEL_VALUE; self.spec.labels.len()];
            (
                Series::new(self.spec, &values, self.cache_handles),
                Series::new(&OVERFLOWED, &[self.spec.name], self.cache_handles),
            )
        });
        series.with_handle(current, record);
        folded.with_handle(current, |counter| counter.increment(1));
    }

    /// How many distinct label sets the family holds, the overflow series excluded.
    #[cfg(test)]
    pub(super) fn series_count(&self) -> usize {
        self.series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}
