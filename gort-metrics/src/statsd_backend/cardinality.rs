//! The cardinality guard: a cap on the distinct tag sets one metric may send.
//!
//! Tag values often come from outside (channel names, message types from payloads); without a
//! cap, a hostile sender makes the StatsD server (and whatever stores its output) track one
//! series per value. Past the cap, new tag sets are sent with every value replaced by
//! [`OVERFLOW_VALUE`], so totals stay right and memory stays flat on both ends.

use std::collections::HashSet;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

/// The tag value every tag of a folded record gets.
pub(super) const OVERFLOW_VALUE: &str = "__overflow__";

/// Whether a record keeps its own tag values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Admission {
    /// The tag set was seen before, or there was room for it.
    Admitted,
    /// The metric is full and this tag set is new: send it as [`OVERFLOW_VALUE`]s.
    Folded {
        /// Whether this is the metric's first folded record, the one worth a warning.
        first: bool,
    },
}

/// The tag sets one metric has sent, as 64-bit hashes: 10,000 of them cost well under 1 MiB,
/// however long the values are.
#[derive(Debug)]
pub(super) struct TagSetLimit {
    limit: usize,
    /// Random keys, so that nobody can craft values that collide on purpose.
    hasher: RandomState,
    seen: RwLock<HashSet<u64>>,
    folded: AtomicU64,
    warned: AtomicBool,
}

impl TagSetLimit {
    pub(super) fn new(limit: usize) -> Self {
        TagSetLimit {
            limit,
            hasher: RandomState::new(),
            seen: RwLock::new(HashSet::new()),
            folded: AtomicU64::new(0),
            warned: AtomicBool::new(false),
        }
    }

    /// Decides for one record with these tag values (in the metric's tag order).
    pub(super) fn admit(&self, values: &[&str]) -> Admission {
        let key = self.hasher.hash_one(values);
        // The common case, a tag set seen before, takes the shared lock only. A poisoned lock
        // still holds a valid set (inserts cannot half-happen), so it is used as is.
        // A flood of new values past the limit is folded under the shared lock too, so that it
        // never queues the recording threads behind the exclusive one.
        let full = {
            let seen = self.seen.read().unwrap_or_else(PoisonError::into_inner);
            if seen.contains(&key) {
                return Admission::Admitted;
            }
            seen.len() >= self.limit
        };
        if !full {
            let mut seen = self.seen.write().unwrap_or_else(PoisonError::into_inner);
            if seen.contains(&key) || seen.len() < self.limit {
                seen.insert(key);
                return Admission::Admitted;
            }
        }
        self.folded.fetch_add(1, Ordering::Relaxed);
        Admission::Folded {
            first: !self.warned.swap(true, Ordering::Relaxed),
        }
    }

    /// How many records were folded so far.
    pub(super) fn folded(&self) -> u64 {
        self.folded.load(Ordering::Relaxed)
    }

    /// How many distinct tag sets are tracked: never more than the limit.
    #[cfg(test)]
    pub(super) fn tracked(&self) -> usize {
        self.seen
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// One limit per tagged metric; the two retry metrics carry the same tags and share one.
#[derive(Debug)]
pub(super) struct Limits {
    pub(super) messages_received: TagSetLimit,
    pub(super) messages_sent: TagSetLimit,
    pub(super) message_duration: TagSetLimit,
    pub(super) channel_status: TagSetLimit,
    pub(super) channel_errors: TagSetLimit,
    pub(super) middleware_duration: TagSetLimit,
    pub(super) retries: TagSetLimit,
}

impl Limits {
    pub(super) fn new(max_tag_sets: usize) -> Self {
        let limit = || TagSetLimit::new(max_tag_sets);
        Limits {
            messages_received: limit(),
            messages_sent: limit(),
            message_duration: limit(),
            channel_status: limit(),
            channel_errors: limit(),
            middleware_duration: limit(),
            retries: limit(),
        }
    }

    /// Records folded so far, over all metrics.
    pub(super) fn folded(&self) -> u64 {
        [
            &self.messages_received,
            &self.messages_sent,
            &self.message_duration,
            &self.channel_status,
            &self.channel_errors,
            &self.middleware_duration,
            &self.retries,
        ]
        .iter()
        .map(|limit| limit.folded())
        .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_sets_within_the_limit_are_admitted_again_and_again() {
        let limit = TagSetLimit::new(2);
        for _ in 0..3 {
            assert_eq!(limit.admit(&["a", "x"]), Admission::Admitted);
            assert_eq!(limit.admit(&["b", "x"]), Admission::Admitted);
        }
        assert_eq!(limit.folded(), 0);
    }

    #[test]
    fn new_tag_sets_past_the_limit_fold_and_only_the_first_says_so() {
        let limit = TagSetLimit::new(1);
        assert_eq!(limit.admit(&["a"]), Admission::Admitted);
        assert_eq!(limit.admit(&["b"]), Admission::Folded { first: true });
        assert_eq!(limit.admit(&["c"]), Admission::Folded { first: false });
        assert_eq!(limit.admit(&["a"]), Admission::Admitted);
        assert_eq!(limit.folded(), 2);
        assert_eq!(limit.tracked(), 1);
    }

    #[test]
    fn values_are_not_confused_across_tag_boundaries() {
        let limit = TagSetLimit::new(1);
        assert_eq!(limit.admit(&["ab", "c"]), Admission::Admitted);
        assert_eq!(limit.admit(&["a", "bc"]), Admission::Folded { first: true });
    }

    #[test]
    fn memory_is_bounded_by_the_limit_under_many_distinct_values() {
        let limit = TagSetLimit::new(100);
        for i in 0..10_000 {
            let channel = format!("channel-{i}");
            limit.admit(&[&channel]);
        }
        assert_eq!(limit.tracked(), 100);
        assert_eq!(limit.folded(), 9_900);
    }

    #[test]
    fn a_zero_limit_folds_everything() {
        let limit = TagSetLimit::new(0);
        assert_eq!(limit.admit(&["a"]), Admission::Folded { first: true });
        assert_eq!(limit.tracked(), 0);
    }
}
