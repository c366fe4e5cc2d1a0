//! The cardinality guard: a labelled family keeps at most `limit` distinct label sets, each
//! value at most `max_value_len` bytes. Records with a new label set past the limit fold into
//! one `__overflow__` series; over-long values are shortened; both are counted.
//!
//! Label values often come from outside (channel names, message types from payloads), so without
//! limits a hostile or buggy sender could grow the registry, and each scrape, without bound. The
//! guard also keeps the handles of the series it admitted, so the hot path is one length check
//! per value, one hash and one read lock, with no allocation and no reference-count traffic.
//!
//! Nothing here calls out (logs, runs user code) inside a `OnceLock` init or under the map's
//! lock: a `tracing` subscriber may well record into this same collector from the warning, and
//! must find the guard usable rather than deadlock on it.

use super::label_set::{LabelRef, LabelSet};
use super::label_values;
use hashbrown::HashMap;
use prometheus::core::{MetricVec, MetricVecBuilder};
use prometheus::{IntCounter, IntCounterVec};
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{OnceLock, PoisonError, RwLock};

/// The label value of every label of the series that over-limit records fold into.
pub const OVERFLOW_LABEL_VALUE: &str = "__overflow__";

/// The default limit on distinct label sets per family.
pub const DEFAULT_MAX_SERIES_PER_FAMILY: usize = 10_000;

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

/// What the guarded families of one collector share: the limits, and the two families that
/// count what the guard changed (`metrics_overflow_total{family}`,
/// `metrics_label_values_truncated_total{family}`).
#[derive(Clone)]
pub(super) struct Limits {
    pub(super) max_series: usize,
    pub(super) max_value_len: usize,
    pub(super) overflowed: IntCounterVec,
    pub(super) truncated: IntCounterVec,
}

/// A series resolved once for a caller that records into it many times (a call handle). If its
/// label values had to be shortened, each record through it counts that, as a record through
/// [`Guarded::with`] does.
pub(super) struct Resolved<C> {
    series: C,
    truncated: Option<(IntCounter, u64)>,
}

impl<C> Resolved<C> {
    /// Calls `record` with the series, and counts the shortened values, if any.
    #[inline]
    pub(super) fn record(&self, record: impl FnOnce(&C)) {
        record(&self.series);
        if let Some((counter, values)) = &self.truncated {
            counter.inc_by(*values);
        }
    }
}

/// A labelled family behind the cardinality guard.
pub(super) struct Guarded<V: LabelledVec> {
    vec: V,
    name: String,
    limits: Limits,
    series: RwLock<HashMap<LabelSet, V::Child>>,
    /// The `__overflow__` series and this family's overflow counter, made on first overflow.
    overflow: OnceLock<(Option<V::Child>, Option<IntCounter>)>,
    overflow_warned: AtomicBool,
    /// This family's series of the truncation counter, made on the first shortened value.
    truncated: OnceLock<Option<IntCounter>>,
    truncation_warned: AtomicBool,
}

impl<V: LabelledVec> Guarded<V> {
    pub(super) fn new(vec: V, name: String, limits: Limits) -> Self {
        Guarded {
            vec,
            name,
            limits,
            series: RwLock::new(HashMap::new()),
            overflow: OnceLock::new(),
            overflow_warned: AtomicBool::new(false),
            truncated: OnceLock::new(),
            truncation_warned: AtomicBool::new(false),
        }
    }

    /// The underlying vector, for registration.
    pub(super) fn vec(&self) -> &V {
        &self.vec
    }

    /// Calls `record` with the series of `labels` (over-long values shortened), creating it if
    /// the family is under its limit, else with the overflow series. `labels` must have the
    /// family's label count.
    #[inline]
    pub(super) fn with(&self, labels: &[&str], record: impl Fn(&V::Child)) {
        let max_value_len = self.limits.max_value_len;
        if labels.iter().any(|value| value.len() > max_value_len) {
            return self.with_shortened(labels, record);
        }
        self.with_fitting(labels, record);
    }

    #[inline]
    fn with_fitting(&self, labels: &[&str], record: impl Fn(&V::Child)) {
        if self.admit(labels, &record).is_none() {
            self.fold(labels.len(), record);
        }
    }

    #[cold]
    fn with_shortened(&self, labels: &[&str], record: impl Fn(&V::Child)) {
        let (shortened, count) = self.shorten_all(labels);
        let shortened: Vec<&str> = shortened.iter().map(|value| &**value).collect();
        self.with_fitting(&shortened, record);
        self.count_truncated(count);
    }

    /// The series of `labels` (over-long values shortened), admitted (created) if the family is
    /// under its limit; `None` past the limit for a label set not seen before, so the caller
    /// records through [`with`](Self::with), which folds and counts.
    pub(super) fn resolve(&self, labels: &[&str]) -> Option<Resolved<V::Child>>
    where
        V::Child: Clone,
    {
        let (shortened, count) = self.shorten_all(labels);
        let shortened: Vec<&str> = shortened.iter().map(|value| &**value).collect();
        let series = self.admit(&shortened, V::Child::clone)?;
        let truncated = match count {
            0 => None,
            _ => {
                self.warn_truncated_once();
                self.truncated_counter()
                    .map(|counter| (counter.clone(), count))
            }
        };
        Some(Resolved { series, truncated })
    }

    /// `labels` with every over-long value shortened, and how many were.
    fn shorten_all<'a>(&self, labels: &[&'a str]) -> (Vec<Cow<'a, str>>, u64) {
        let shortened: Vec<Cow<'a, str>> = labels
            .iter()
            .map(|value| label_values::shorten(value, self.limits.max_value_len))
            .collect();
        let count = shortened
            .iter()
            .filter(|value| matches!(value, Cow::Owned(_)))
            .count();
        (shortened, count as u64)
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
        if series.len() >= self.limits.max_series {
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
        if series.len() >= self.limits.max_series {
            return None;
        }
        // Cannot fail: the label count is fixed by the caller's family.
        let metric = self.vec.child(labels).ok()?;
        let admitted = f(&metric);
        series.insert(LabelSet::new(labels), metric);
        Some(admitted)
    }

    fn fold(&self, label_count: usize, record: impl FnOnce(&V::Child)) {
        // The init only makes metric handles: the warning is logged after it, outside, so that
        // a subscriber recording into this family from the warning finds the cell ready.
        let (series, folded) = self.overflow.get_or_init(|| {
            let values = vec![OVERFLOW_LABEL_VALUE; label_count];
            let folded = self
                .limits
                .overflowed
                .get_metric_with_label_values(&[&self.name]);
            (self.vec.child(&values).ok(), folded.ok())
        });
        if let Some(metric) = series {
            record(metric);
        }
        if let Some(counter) = folded {
            counter.inc();
        }
        if first_time(&self.overflow_warned) {
            tracing::warn!(
                target: "gort_metrics",
                family = %self.name,
                limit = self.limits.max_series,
                "metric family reached its limit of distinct label sets; \
                 new label sets are recorded under \"__overflow__\""
            );
        }
    }

    fn truncated_counter(&self) -> Option<&IntCounter> {
        self.truncated
            .get_or_init(|| {
                let family = &self.limits.truncated;
                family.get_metric_with_label_values(&[&self.name]).ok()
            })
            .as_ref()
    }

    fn count_truncated(&self, values: u64) {
        if let Some(counter) = self.truncated_counter() {
            counter.inc_by(values);
        }
        self.warn_truncated_once();
    }

    fn warn_truncated_once(&self) {
        if first_time(&self.truncation_warned) {
            tracing::warn!(
                target: "gort_metrics",
                family = %self.name,
                limit = self.limits.max_value_len,
                "label value longer than the limit; it is recorded shortened, \
                 with a hash of the whole value"
            );
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

/// `true` for the first caller only; later calls cost one shared read, so a flood of overflows
/// does not bounce the flag's cache line between cores.
fn first_time(flag: &AtomicBool) -> bool {
    !flag.load(Ordering::Relaxed) && !flag.swap(true, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus::Opts;

    struct Fixture {
        family: Guarded<IntCounterVec>,
        overflowed: IntCounter,
        truncated: IntCounter,
    }

    fn guarded(max_series: usize, max_value_len: usize) -> Fixture {
        let vec = IntCounterVec::new(Opts::new("t_total", "t"), &["a", "b"]).unwrap();
        let overflowed = IntCounterVec::new(Opts::new("o_total", "o"), &["family"]).unwrap();
        let truncated = IntCounterVec::new(Opts::new("l_total", "l"), &["family"]).unwrap();
        let limits = Limits {
            max_series,
            max_value_len,
            overflowed: overflowed.clone(),
            truncated: truncated.clone(),
        };
        Fixture {
            family: Guarded::new(vec, "t_total".into(), limits),
            overflowed: overflowed.with_label_values(&["t_total"]),
            truncated: truncated.with_label_values(&["t_total"]),
        }
    }

    fn value(family: &Guarded<IntCounterVec>, labels: &[&str]) -> u64 {
        let vec = family.vec();
        vec.get_metric_with_label_values(labels).unwrap().get()
    }

    #[test]
    fn series_past_the_limit_fold_into_the_overflow_series() {
        let Fixture {
            family, overflowed, ..
        } = guarded(2, 64);
        for value in ["x", "y", "x", "z", "w", "y"] {
            family.with(&[value, "v"], |counter| counter.inc());
        }
        assert_eq!(family.series_count(), 2);
        assert_eq!(overflowed.get(), 2);
        assert_eq!(value(&family, &["x", "v"]), 2);
        assert_eq!(value(&family, &["y", "v"]), 2);
        let overflow = [OVERFLOW_LABEL_VALUE, OVERFLOW_LABEL_VALUE];
        assert_eq!(value(&family, &overflow), 2);
    }

    #[test]
    fn resolve_admits_under_the_limit_and_declines_past_it() {
        let Fixture {
            family, overflowed, ..
        } = guarded(1, 64);
        let first = family.resolve(&["x", "v"]).expect("admitted");
        first.record(|counter| counter.inc());
        family.with(&["x", "v"], |counter| counter.inc());
        assert_eq!(
            value(&family, &["x", "v"]),
            2,
            "the handle and the map share the series"
        );
        assert!(family.resolve(&["x", "v"]).is_some());
        assert!(family.resolve(&["y", "v"]).is_none());
        assert_eq!(family.series_count(), 1);
        assert_eq!(overflowed.get(), 0, "declining is not recording");
    }

    #[test]
    fn a_limit_of_zero_sends_everything_to_overflow() {
        let Fixture {
            family, overflowed, ..
        } = guarded(0, 64);
        family.with(&["x", "v"], |counter| counter.inc());
        assert_eq!(family.series_count(), 0);
        assert_eq!(overflowed.get(), 1);
    }

    #[test]
    fn over_long_values_are_shortened_and_each_one_counted() {
        let Fixture {
            family, truncated, ..
        } = guarded(10, 40);
        let long = "q".repeat(41);
        family.with(&[&long, &long], |counter| counter.inc());
        family.with(&[&long, "v"], |counter| counter.inc());
        family.with(&["x".repeat(40).as_str(), "v"], |counter| counter.inc());
        assert_eq!(
            truncated.get(),
            3,
            "two values of the first record, one of the second"
        );
        let short = label_values::shorten(&long, 40);
        assert_eq!(value(&family, &[&short, &short]), 1);
        assert_eq!(value(&family, &[&short, "v"]), 1);
        assert_eq!(family.series_count(), 3);
    }

    #[test]
    fn a_resolved_series_of_a_shortened_value_counts_on_every_record() {
        let Fixture {
            family, truncated, ..
        } = guarded(10, 40);
        let long = "q".repeat(100);
        let resolved = family.resolve(&[&long, "v"]).expect("admitted");
        assert_eq!(truncated.get(), 0, "resolving is not recording");
        resolved.record(|counter| counter.inc());
        resolved.record(|counter| counter.inc());
        assert_eq!(truncated.get(), 2);
        family.with(&[&long, "v"], |counter| counter.inc());
        let short = label_values::shorten(&long, 40);
        assert_eq!(
            value(&family, &[&short, "v"]),
            3,
            "one series, however it is reached"
        );
    }
}
