//! The call-outcome families (`middleware_calls_total{middleware, outcome}`,
//! `message_calls_total{channel, outcome}`) as the cardinality guard sees them.
//!
//! `outcome` takes four fixed values, so it is not what the guard must bound: the guard keys
//! these families by their other label only, and admitting a label set creates its four outcome
//! series together. A middleware is then one series against the limit, not four, and its
//! `error` series exists at zero from its first call, so an error ratio reads 0, not "no data".

use super::cardinality::LabelledVec;
use crate::collector::Outcome;
use prometheus::{IntCounter, IntCounterVec};

/// A counter vector whose last label is `outcome`, guarded by the labels before it.
pub(super) struct OutcomeVec(pub(super) IntCounterVec);

/// The four outcome counters of one label set.
#[derive(Clone)]
pub(super) struct OutcomeCounters {
    ok: IntCounter,
    error: IntCounter,
    panicked: IntCounter,
    cancelled: IntCounter,
}

impl OutcomeCounters {
    /// The counter of `outcome`.
    #[inline]
    pub(super) fn get(&self, outcome: Outcome) -> &IntCounter {
        match outcome {
            Outcome::Ok => &self.ok,
            Outcome::Error => &self.error,
            Outcome::Panicked => &self.panicked,
            Outcome::Cancelled => &self.cancelled,
        }
    }
}

impl LabelledVec for OutcomeVec {
    type Child = OutcomeCounters;

    fn child(&self, labels: &[&str]) -> prometheus::Result<OutcomeCounters> {
        let counter = |outcome: Outcome| {
            let mut values = Vec::with_capacity(labels.len() + 1);
            values.extend_from_slice(labels);
            values.push(outcome.as_str());
            self.0.get_metric_with_label_values(&values)
        };
        Ok(OutcomeCounters {
            ok: counter(Outcome::Ok)?,
            error: counter(Outcome::Error)?,
            panicked: counter(Outcome::Panicked)?,
            cancelled: counter(Outcome::Cancelled)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus::Opts;
    use prometheus::core::Collector as _;

    #[test]
    fn each_outcome_has_its_own_series_all_created_at_once() {
        let vec =
            IntCounterVec::new(Opts::new("c_total", "c"), &["middleware", "outcome"]).unwrap();
        let outcomes = OutcomeVec(vec.clone());
        let counters = outcomes.child(&["auth"]).unwrap();
        for (times, outcome) in Outcome::ALL.into_iter().enumerate() {
            counters.get(outcome).inc_by(times as u64 + 1);
        }
        for (times, outcome) in Outcome::ALL.into_iter().enumerate() {
            let series = vec.with_label_values(&["auth", outcome.as_str()]);
            assert_eq!(series.get(), times as u64 + 1, "{outcome}");
        }
        assert_eq!(vec.collect()[0].get_metric().len(), 4);
    }

    #[test]
    fn a_wrong_label_count_is_an_error_not_a_panic() {
        let vec =
            IntCounterVec::new(Opts::new("c_total", "c"), &["middleware", "outcome"]).unwrap();
        assert!(OutcomeVec(vec).child(&["auth", "extra"]).is_err());
    }
}
