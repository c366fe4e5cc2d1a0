//! The annotated fn keeps its other attributes, inner attributes and behaviour.

use super::{assert_one_paused, labels, pause};
use gort_metrics::{WithCollectorExt, timed};
use std::panic::Location;
use tests::{RecordingCollector, recording};

/// Reports where it was called from, which only works if `#[track_caller]` survives.
#[timed]
#[track_caller]
#[inline]
fn caller_line() -> u32 {
    pause();
    Location::caller().line()
}

#[test]
fn track_caller_and_inline_are_kept() {
    let (line, collector) = recording(|| caller_line());
    let expected = line!() - 1;
    assert_eq!(line, expected);
    assert_one_paused(&collector.middleware_durations(), "caller_line");
}

/// A `Result` under `#[track_caller]`: the body is not moved into a closure, so the caller's
/// location is still the one reported (its `Err` then counts as `ok`: see the docs).
#[timed]
#[track_caller]
fn caller_line_checked() -> Result<u32, u32> {
    Err(Location::caller().line())
}

#[test]
fn track_caller_survives_on_a_result_returning_fn() {
    let (line, collector) = recording(|| caller_line_checked());
    let expected = line!() - 1;
    assert_eq!(line, Err(expected));
    assert_eq!(
        collector.outcomes(),
        [("caller_line_checked".to_owned(), gort_metrics::Outcome::Ok)]
    );
}

#[timed]
#[must_use = "the count is the point"]
fn count(items: &[u8]) -> usize {
    #![allow(clippy::needless_borrow)]
    let items = &items;
    items.len()
}

#[test]
fn inner_attributes_stay_at_the_top_of_the_body() {
    let (length, collector) = recording(|| count(&[1, 2]));
    assert_eq!(length, 2);
    assert_eq!(labels(&collector.middleware_durations()), ["count"]);
}

#[timed]
#[tracing::instrument]
fn instrumented_inside(id: u32) -> u32 {
    pause();
    id
}

#[tracing::instrument]
#[timed(middleware = "traced")]
fn instrumented_outside(id: u32) -> u32 {
    pause();
    id
}

#[tracing::instrument]
#[timed(middleware = "traced_async")]
async fn instrumented_async(id: u32) -> u32 {
    tokio::time::sleep(super::PAUSE).await;
    id
}

#[tokio::test]
async fn tracing_instrument_works_in_either_order() {
    let (id, collector) = recording(|| instrumented_inside(1));
    assert_eq!(id, 1);
    assert_one_paused(&collector.middleware_durations(), "instrumented_inside");

    let (id, collector) = recording(|| instrumented_outside(2));
    assert_eq!(id, 2);
    assert_one_paused(&collector.middleware_durations(), "traced");

    let collector = RecordingCollector::new();
    let id = instrumented_async(3)
        .with_collector(collector.clone())
        .await;
    assert_eq!(id, 3);
    assert_one_paused(&collector.middleware_durations(), "traced_async");
}

#[cfg(any())]
#[timed]
fn compiled_out() -> u32 {
    this_does_not_exist()
}

#[cfg_attr(all(), timed(middleware = "conditional"))]
fn conditionally_timed() {
    pause();
}

#[test]
fn cfg_and_cfg_attr_apply_as_usual() {
    let ((), collector) = recording(conditionally_timed);
    assert_one_paused(&collector.middleware_durations(), "conditional");
}
