//! The cardinality guard: a labelled family keeps at most `limit` distinct label sets; records
//! with a new label set past the limit fold into one `__overflow__` series and are counted.
//!
//! Label values often come from outside (channel names, message types from payloads), so without
//! a limit a hostile or buggy sender could grow the registry without bound. The guard also keeps
//! the handles of the series it admitted, so the hot path is one hash and one read lock, with no
//! allocation and no reference-count traffic.

use hashbrown::{Equivalent, HashMap};
use prometheus::core::{MetricVec, MetricVecBuilder};
use prometheus::{IntCounter, IntCounterVec};
use std::hash::{Hash, Hasher};
use std::sync::{OnceLock, PoisonError, RwLock};

/// The label value of every label of the series that over-limit records fold into.
pub const OVERFLOW_LABEL_VALUE: &str = "__overflow__";

/// The default limit on distinct label sets per family.
pub const DEFAULT_MAX_SERIES_PER_FAMILY: usize = 10_000;

/// An owned label set, as stored in the map.
#[derive(PartialEq, Eq)]
struct LabelSet(Box<[Box<str>]>);

impl Hash for LabelSet {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_labels(self.0.iter().map(|value| &**value), state);
    }
}

/// A borrowed label set, as a record call passes it; hashes exactly as its [`LabelSet`].
struct LabelRef<'a>(&'a [&'a str]);

impl Hash for LabelRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        hash_labels(self.0.iter().copied(), state);
    }
}

impl Equivalent<LabelSet> for LabelRef<'_> {
    fn equivalent(&self, key: &LabelSet) -> bool {
        self.0.len() == key.0.len() && self.0.iter().zip(key.0.iter()).all(|(a, b)| *a == &**b)
    }
}

/// One hashing routine for both forms, so that equal label sets always hash equal. `str`'s own
/// `Hash` appends a terminator, so `["ab", "c"]` and `["a", "bc"]` hash apart.
fn hash_labels<'a, H: Hasher>(values: impl Iterator<Item = &'a str>, state: &mut H) {
    for value in values {
        value.hash(state);
    }
}

/// A labelled vector of metrics: `IntCounterVec`, `HistogramVec`, `IntGaugeVec`.
pub(super) trait LabelledVec {
    /// One series of the vector.
    type Child;
    /// The series of `labels`, created if new.
    fn child(&self, labels: &[&str]) -> prometheus::Result<Self::Child>;
}

impl<B: MetricVecBuilder> LabelledVec for MetricVec<B> {
    type Child = B::M;
    fn child(&self, labels: &[&str]) -> prometheus::Result<B::M> {
        self.get_metric_with_label_values(labels)
    }
}

/// A labelled family behind the cardinality guard.
pub(super) struct Guarded<V: LabelledVec> {
    vec: V,
    name: String,
    limit: usize,
    series: RwLock<HashMap<LabelSet, V::Child>>,
    /// The `__overflow__` series and this family's overflow counter, made on first overflow.
    overflow: OnceLock<(Option<V::Child>, Option<IntCounter>)>,
    /// `gort_metrics_overflow_total{family}`, shared by every family of a collector; this
    /// family's series is created on its first overflow, so it is absent until then.
    overflowed: IntCounterVec,
}

impl<V: LabelledVec> Guarded<V> {
    pub(super) fn new(vec: V, name: String, limit: usize, overflowed: IntCounterVec) -> Self {
        Guarded {
            vec,
            name,
            limit,
            series: RwLock::new(HashMap::new()),
            overflow: OnceLock::new(),
            overflowed,
        }
    }

    /// The underlying vector, for registration.
    pub(super) fn vec(&self) -> &V {
        &self.vec
    }

    /// Calls `record` with the series of `labels`, creating it if the family is under its
    /// limit, else with the overflow series. `labels` must have the family's label count.
    #[inline]
    pub(super) fn with(&self, labels: &[&str], record: impl Fn(&V::Child)) {
        if self.admit(labels, &record).is_none() {
            self.fold(labels.len(), record);
        }
    }

    /// The series of `labels`, admitted (created) if the family is under its limit; `None` past
    /// the limit for a label set not seen before, so the caller records through
    /// [`with`](Self::with), which folds and counts.
    pub(super) fn resolve(&self, labels: &[&str]) -> Option<V::Child>
    where
        V::Child: Clone,
    {
        self.admit(labels, V::Child::clone)
    }

    /// Calls `f` with the series of `labels`, admitting (creating) it if the family is under
    /// its limit; `None`, without calling `f`, for a new label set past the limit.
    #[inline]
    fn admit<R>(&self, labels: &[&str], f: impl FnOnce(&V::Child) -> R) -> Option<R> {
        // A panic while holding the lock cannot leave the map half-updated (inserts are
        // single calls), so a poisoned lock is still consistent and is used as is.
        let series = self.series.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(metric) = series.get(&LabelRef(labels)) {
            return Some(f(metric));
        }
        // The map only grows, so a full map seen under the read lock stays full: a flood of
        // new label sets past the limit never takes the write lock.
        if series.len() >= self.limit {
            return None;
        }
        drop(series);
        self.admit_new(labels, f)
    }

    #[cold]
    fn admit_new<R>(&self, labels: &[&str], f: impl FnOnce(&V::Child) -> R) -> Option<R> {
        let mut series = self.series.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(metric) = series.get(&LabelRef(labels)) {
            return Some(f(metric));
        }
        if series.len() >= self.limit {
            return None;
        }
        // Cannot fail: the label count is fixed by the caller's family.
        let metric = self.vec.child(labels).ok()?;
        let admitted = f(&metric);
        let key = LabelSet(labels.iter().map(|value| Box::from(*value)).collect());
        series.insert(key, metric);
        Some(admitted)
    }

    fn fold(&self, label_count: usize, record: impl FnOnce(&V::Child)) {
        // Runs once per family, on its first overflow: that is when to say so.
        let (series, folded) = self.overflow.get_or_init(|| {
            tracing::warn!(
                target: "gort_metrics",
                family = %self.name,
                limit = self.limit,
                "metric family reached its limit of distinct label sets; \
                 new label sets are recorded under \"__overflow__\""
            );
            let values = vec![OVERFLOW_LABEL_VALUE; label_count];
            let folded = self.overflowed.get_metric_with_label_values(&[&self.name]);
            (self.vec.child(&values).ok(), folded.ok())
        });
        if let Some(metric) = series {
            record(metric);
        }
        if let Some(counter) = folded {
            counter.inc();
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus::Opts;
    use std::hash::BuildHasher;

    fn guarded(limit: usize) -> (Guarded<IntCounterVec>, IntCounter) {
        let vec = IntCounterVec::new(Opts::new("t_total", "t"), &["a", "b"]).unwrap();
        let overflowed = IntCounterVec::new(Opts::new("o_total", "o"), &["family"]).unwrap();
        let folded = overflowed.with_label_values(&["t_total"]);
        (
            Guarded::new(vec, "t_total".into(), limit, overflowed),
            folded,
        )
    }

    #[test]
    fn borrowed_and_owned_label_sets_hash_alike() {
        let state = hashbrown::DefaultHashBuilder::default();
        let owned = LabelSet(vec![Box::from("x"), Box::from("")].into_boxed_slice());
        assert_eq!(state.hash_one(&owned), state.hash_one(LabelRef(&["x", ""])));
        assert_ne!(
            state.hash_one(LabelRef(&["ab", "c"])),
            state.hash_one(LabelRef(&["a", "bc"]))
        );
    }

    #[test]
    fn series_past_the_limit_fold_into_the_overflow_series() {
        let (family, overflowed) = guarded(2);
        for value in ["x", "y", "x", "z", "w", "y"] {
            family.with(&[value, "v"], |counter| counter.inc());
        }
        assert_eq!(family.series_count(), 2);
        assert_eq!(overflowed.get(), 2);
        let value = |labels: &[&str]| {
            family
                .vec()
                .get_metric_with_label_values(labels)
                .unwrap()
                .get()
        };
        assert_eq!(value(&["x", "v"]), 2);
        assert_eq!(value(&["y", "v"]), 2);
        assert_eq!(value(&[OVERFLOW_LABEL_VALUE, OVERFLOW_LABEL_VALUE]), 2);
    }

    #[test]
    fn resolve_admits_under_the_limit_and_declines_past_it() {
        let (family, overflowed) = guarded(1);
        let first = family.resolve(&["x", "v"]).expect("admitted");
        first.inc();
        family.with(&["x", "v"], |counter| counter.inc());
        assert_eq!(first.get(), 2, "the handle and the map share the series");
        assert!(family.resolve(&["x", "v"]).is_some());
        assert!(family.resolve(&["y", "v"]).is_none());
        assert_eq!(family.series_count(), 1);
        assert_eq!(overflowed.get(), 0, "declining is not recording");
    }

    #[test]
    fn a_limit_of_zero_sends_everything_to_overflow() {
        let (family, overflowed) = guarded(0);
        family.with(&["x", "v"], |counter| counter.inc());
        assert_eq!(family.series_count(), 0);
        assert_eq!(overflowed.get(), 1);
    }
}
