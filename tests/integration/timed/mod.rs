//! `#[timed]`: every shape of function it accepts, recorded through a scoped collector.

mod async_fns;
mod async_trait;
mod attributes;
mod disabled;
mod dynamic_labels;
mod free_fns;
mod impl_blocks;
mod impl_future;
mod lints;
mod macro_rules;
mod methods;
mod outcomes;
mod pointer_labels;
mod shadowing;
mod shapes_outcomes;

use std::time::Duration;

/// How long the timed bodies take; every measured duration must be at least this.
const PAUSE: Duration = Duration::from_millis(15);

/// Blocks the thread for [`PAUSE`].
fn pause() {
    std::thread::sleep(PAUSE);
}

/// The labels of `records`, in order.
fn labels(records: &[(String, Duration)]) -> Vec<&str> {
    records.iter().map(|(label, _)| label.as_str()).collect()
}

/// Asserts that `records` is exactly one duration, under `label`, of at least [`PAUSE`].
#[track_caller]
fn assert_one_paused(records: &[(String, Duration)], label: &str) {
    assert_eq!(labels(records), [label]);
    assert!(
        records[0].1 >= PAUSE,
        "{:?} is shorter than the body",
        records[0].1
    );
}
