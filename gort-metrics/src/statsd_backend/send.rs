//! From a record's values to lines on the client: tag rewriting, the cardinality guard, and
//! the value of each line.

use super::StatsdCollector;
use super::cardinality::{Admission, OVERFLOW_VALUE, TagSetLimit};
use super::tags;
use cadence::MetricResult;
use cadence::ext::{MetricValue, ToTimerValue};
use cadence::prelude::*;
use core::time::Duration;
use std::borrow::Cow;
use std::sync::atomic::Ordering;

/// The value of one StatsD line.
#[derive(Debug, Clone, Copy)]
pub(super) enum Value {
    Count(u64),
    Timer(Millis),
    Gauge(u64),
}

/// A timer value in milliseconds, with microsecond precision: `0.125|ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Millis(pub(super) f64);

impl Millis {
    /// `duration` rounded to the nearest microsecond, in milliseconds. Far beyond any real
    /// duration it loses precision (an `f64` holds whole microseconds exactly up to 285
    /// years), never its order of magnitude.
    pub(super) fn of(duration: Duration) -> Millis {
        let micros = duration.as_nanos().saturating_add(500) / 1000;
        Millis(micros as f64 / 1000.0)
    }
}

impl ToTimerValue for Millis {
    fn try_to_value(self) -> MetricResult<MetricValue> {
        // Written with `f64`'s shortest exact form: `0.125`, `30.4`, `2000`, never an exponent.
        Ok(MetricValue::Float(self.0))
    }
}

impl StatsdCollector {
    /// Rewrites the tag values for the wire and applies `metric`'s cardinality limit: the
    /// values to send.
    pub(super) fn tag_values<'a, const N: usize>(
        &self,
        metric: &str,
        limit: &TagSetLimit,
        tags: [(&str, &'a str); N],
    ) -> [Cow<'a, str>; N] {
        let cleaned = tags.map(|(key, value)| {
            let tag = tags::tag_value(key, value);
            if tag.rewritten {
                self.inner
                    .rewritten_tag_values
                    .fetch_add(1, Ordering::Relaxed);
            }
            tag.value
        });
        let admission = limit.admit(&cleaned.each_ref().map(|value| &**value));
        let Admission::Folded { first } = admission else {
            return cleaned;
        };
        if first {
            warn_overflow(metric, self.inner.max_tag_sets);
        }
        self.send("metrics_overflow", Value::Count(1), &[("family", metric)]);
        [(); N].map(|()| Cow::Borrowed(OVERFLOW_VALUE))
    }

    /// One line of `metric` whose tags are all guarded by `limit`.
    pub(super) fn send_tagged<const N: usize>(
        &self,
        metric: &str,
        value: Value,
        limit: &TagSetLimit,
        tags: [(&str, &str); N],
    ) {
        let values = self.tag_values(metric, limit, tags);
        let tags: [(&str, &str); N] = core::array::from_fn(|i| (tags[i].0, &*values[i]));
        self.send(metric, value, &tags);
    }

    /// One line with tags as given: already rewritten and admitted, or fixed by this crate.
    pub(super) fn send(&self, metric: &str, value: Value, tags: &[(&str, &str)]) {
        let client = &*self.inner.client;
        // `send` hands any error to the client's error handler, which counts it: recording
        // must not fail.
        macro_rules! tagged {
            ($builder:expr) => {{
                let mut builder = $builder;
                for (key, value) in tags {
                    builder = builder.with_tag(key, value);
                }
                builder.send();
            }};
        }
        match value {
            Value::Count(count) => tagged!(client.count_with_tags(metric, count)),
            Value::Timer(millis) => tagged!(client.time_with_tags(metric, millis)),
            Value::Gauge(gauge) => tagged!(client.gauge_with_tags(metric, gauge)),
        }
    }
}

fn warn_overflow(metric: &str, max_tag_sets: usize) {
    tracing::warn!(
        target: "gort_metrics",
        family = metric,
        max_tag_sets,
        "StatsD metric reached its limit of distinct tag sets; new tag sets are sent as __overflow__"
    );
}
