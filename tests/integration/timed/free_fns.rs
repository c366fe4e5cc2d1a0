//! Free functions of every form: visibility, `unsafe`, ABI, generics, `impl Trait`, patterns,
//! early `return`, `?`, panics and diverging bodies.

use super::{PAUSE, assert_one_paused, labels, pause};
use gort_metrics::timed;
use std::fmt::Display;
use std::num::ParseIntError;
use tests::recording;

#[timed]
fn plain() -> u8 {
    pause();
    7
}

#[test]
fn a_bare_attribute_times_the_fn_as_middleware_named_after_it() {
    let (value, collector) = recording(plain);
    assert_eq!(value, 7);
    assert_one_paused(&collector.middleware_durations(), "plain");
    assert!(collector.message_durations().is_empty());
}

#[timed(middleware = "auth")]
fn authenticate() {
    pause();
}

#[test]
fn middleware_sets_the_label() {
    let ((), collector) = recording(authenticate);
    assert_one_paused(&collector.middleware_durations(), "auth");
}

#[timed(channel = "dingtalk")]
fn on_message(text: &str) -> usize {
    pause();
    text.len()
}

#[test]
fn channel_records_a_message_duration_instead() {
    let (length, collector) = recording(|| on_message("hi"));
    assert_eq!(length, 2);
    assert_one_paused(&collector.message_durations(), "dingtalk");
    assert!(collector.middleware_durations().is_empty());
}

#[timed]
pub(crate) fn crate_visible() {
    pause();
}

#[timed]
unsafe fn dereference(pointer: *const u8) -> u8 {
    pause();
    // SAFETY: the caller passes a pointer to a live `u8`.
    unsafe { *pointer }
}

#[timed]
extern "C" fn c_callback(x: i32) -> i32 {
    pause();
    x * 2
}

#[timed]
pub(crate) unsafe extern "C" fn all_qualifiers() {}

#[test]
fn visibility_unsafe_and_abi_are_kept() {
    let ((), collector) = recording(crate_visible);
    assert_one_paused(&collector.middleware_durations(), "crate_visible");

    let byte = 9_u8;
    // SAFETY: `byte` is a live `u8`.
    let (value, collector) = recording(|| unsafe { dereference(&byte) });
    assert_eq!(value, 9);
    assert_one_paused(&collector.middleware_durations(), "dereference");

    let callback: extern "C" fn(i32) -> i32 = c_callback;
    let (value, collector) = recording(|| callback(21));
    assert_eq!(value, 42);
    assert_one_paused(&collector.middleware_durations(), "c_callback");

    // SAFETY: the fn has no preconditions.
    let ((), collector) = recording(|| unsafe { all_qualifiers() });
    assert_eq!(
        labels(&collector.middleware_durations()),
        ["all_qualifiers"]
    );
}

#[timed]
fn longest<'a, 'b: 'a, T>(first: &'a T, second: &'b T) -> &'a T
where
    T: PartialOrd + ?Sized,
{
    pause();
    if first >= second { first } else { second }
}

#[timed]
fn describe(items: impl IntoIterator<Item = u32>, separator: &impl Display) -> impl Display {
    pause();
    items
        .into_iter()
        .map(|item| item.to_string())
        .collect::<Vec<_>>()
        .join(&separator.to_string())
}

struct Point {
    x: u8,
    y: u8,
}

#[timed]
fn add((a, b): (u8, u8), Point { x, y }: Point, _: ()) -> u8 {
    pause();
    a + b + x + y
}

#[test]
fn generics_impl_trait_and_patterns_are_kept() {
    let (winner, collector) = recording(|| longest("pear", "apple"));
    assert_eq!(winner, "pear");
    assert_one_paused(&collector.middleware_durations(), "longest");

    let (text, collector) = recording(|| describe([1, 2, 3], &'-').to_string());
    assert_eq!(text, "1-2-3");
    assert_one_paused(&collector.middleware_durations(), "describe");

    let (sum, collector) = recording(|| add((1, 2), Point { x: 3, y: 4 }, ()));
    assert_eq!(sum, 10);
    assert_one_paused(&collector.middleware_durations(), "add");
}

#[timed]
fn parse(text: &str) -> Result<u8, ParseIntError> {
    pause();
    if text.is_empty() {
        return Ok(0);
    }
    let number: u8 = text.parse()?;
    Ok(number + 1)
}

#[test]
fn every_exit_records_once_early_return_question_mark_and_tail() {
    let (results, collector) = recording(|| [parse(""), parse("x"), parse("4")]);
    assert_eq!(results[0], Ok(0));
    assert!(results[1].is_err());
    assert_eq!(results[2], Ok(5));
    let records = collector.middleware_durations();
    assert_eq!(labels(&records), ["parse", "parse", "parse"]);
    assert!(records.iter().all(|(_, duration)| *duration >= PAUSE));
}

#[timed]
fn fail() -> ! {
    pause();
    panic!("the handler gave up")
}

#[timed(middleware = "may_panic")]
fn may_panic(value: Option<u8>) -> u8 {
    pause();
    value.expect("a value")
}

#[test]
fn panics_and_diverging_bodies_record_while_unwinding() {
    let (outcome, collector) = recording(|| std::panic::catch_unwind(|| fail()));
    assert!(outcome.is_err());
    assert_one_paused(&collector.middleware_durations(), "fail");

    let (outcome, collector) = recording(|| std::panic::catch_unwind(|| may_panic(None)));
    assert!(outcome.is_err());
    assert_one_paused(&collector.middleware_durations(), "may_panic");
}

#[timed]
fn r#match() {}

#[timed]
fn countdown(n: u8) -> u8 {
    if n == 0 { 0 } else { countdown(n - 1) + 1 }
}

#[test]
fn raw_names_are_unescaped_and_recursive_calls_record_each_call() {
    let ((), collector) = recording(r#match);
    assert_eq!(labels(&collector.middleware_durations()), ["match"]);

    let (value, collector) = recording(|| countdown(2));
    assert_eq!(value, 2);
    assert_eq!(
        labels(&collector.middleware_durations()),
        ["countdown", "countdown", "countdown"]
    );
}
