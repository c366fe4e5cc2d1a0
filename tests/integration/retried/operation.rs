//! `op`: a string literal, or an expression of the arguments (or a const) whose value is
//! `AsRef<str>`, evaluated once on entry; `operation` is the same key under the name of the
//! Prometheus label.

use gort_metrics::retried;
use std::cell::Cell;
use tests::recording;

const OPERATION: &str = "from-a-const";

#[retried(op = OPERATION, attempts = 2, delay = "1ms")]
fn named_by_a_const() -> Result<(), ()> {
    Err(())
}

#[retried(op = name, attempts = 2, delay = "1ms")]
fn named_by_an_argument(name: &str) -> Result<usize, ()> {
    Ok(name.len())
}

#[derive(Clone)]
struct Request {
    op: String,
    body: Vec<u8>,
}

fn consume(request: Request) -> usize {
    request.body.len()
}

/// The body moves `request`, whose field named the operation: the name was copied on entry.
#[retried(op = request.op, attempts = 3, delay = "1ms")]
fn named_by_a_field_of_a_moved_argument(request: Request) -> Result<usize, usize> {
    let size = consume(request);
    Err(size)
}

thread_local! {
    static EVALUATIONS: Cell<u32> = const { Cell::new(0) };
}

fn counted_name(name: &str) -> String {
    EVALUATIONS.with(|count| count.set(count.get() + 1));
    format!("{name}-counted")
}

#[retried(op = counted_name(label), attempts = 3, delay = "1ms")]
fn named_once(label: &str, tries: &mut u32) -> Result<(), u32> {
    *tries += 1;
    Err(*tries)
}

#[retried(operation = "send-message", attempts = 1)]
fn named_with_the_label_name() -> Result<(), ()> {
    Ok(())
}

#[test]
fn a_const_names_the_operation() {
    let (_, collector) = recording(named_by_a_const);
    assert_eq!(collector.retries(), [("from-a-const".to_owned(), 2, false)]);
}

#[test]
fn an_argument_names_the_operation() {
    let (result, collector) = recording(|| named_by_an_argument("lookup"));
    assert_eq!(result, Ok(6));
    assert_eq!(collector.retries(), [("lookup".to_owned(), 1, true)]);
}

#[test]
fn the_body_may_move_what_named_the_operation() {
    let request = Request {
        op: "upload".to_owned(),
        body: vec![1, 2, 3],
    };
    let (result, collector) = recording(|| named_by_a_field_of_a_moved_argument(request));
    assert_eq!(result, Err(3));
    assert_eq!(collector.retries(), [("upload".to_owned(), 3, false)]);
}

#[test]
fn the_expression_is_evaluated_once_per_call_not_per_try() {
    EVALUATIONS.with(|count| count.set(0));
    let mut tries = 0;
    let (result, collector) = recording(|| named_once("fetch", &mut tries));
    assert_eq!(result, Err(3));
    assert_eq!(EVALUATIONS.with(Cell::get), 1);
    assert_eq!(
        collector.retries(),
        [("fetch-counted".to_owned(), 3, false)]
    );
}

#[test]
fn operation_is_another_name_for_op() {
    let (_, collector) = recording(named_with_the_label_name);
    assert_eq!(collector.retries(), [("send-message".to_owned(), 1, true)]);
}
