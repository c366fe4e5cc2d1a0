//! Every `#[retried]` argument passed through `macro_rules!`, as a `literal`, an `expr` or a
//! `path` fragment: the compiler wraps those in invisible groups the macro must look through.

use gort_metrics::retried;
use std::cell::Cell;
use tests::recording;

thread_local! {
    static TRIES: Cell<u32> = const { Cell::new(0) };
}

fn counted_try() -> u32 {
    TRIES.with(|tries| {
        tries.set(tries.get() + 1);
        tries.get()
    })
}

fn is_retryable(error: &u32) -> bool {
    *error < 100
}

/// Declares a retried fn whose every argument is a literal fragment.
macro_rules! retried_with_literals {
    ($name:ident, $op:literal, $attempts:literal, $delay:literal, $max:literal, $backoff:literal, $jitter:literal) => {
        #[retried(op = $op, attempts = $attempts, delay = $delay, max_delay = $max, max_elapsed = "1s", backoff = $backoff, jitter = $jitter)]
        fn $name() -> Result<(), u32> {
            Err(counted_try())
        }
    };
}

/// The same through `expr` fragments, and `when` through a `path` fragment.
macro_rules! retried_with_expressions {
    ($name:ident, $op:expr, $attempts:expr, $delay:expr, $backoff:expr, $jitter:expr, $when:path) => {
        #[retried(op = $op, attempts = $attempts, delay = $delay, max_delay = $delay, backoff = $backoff, jitter = $jitter, when = $when)]
        fn $name() -> Result<(), u32> {
            Err(counted_try())
        }
    };
}

/// `when` through an `expr` fragment holding a path.
macro_rules! retried_when_expr {
    ($name:ident, $when:expr) => {
        #[retried(attempts = 4, delay = "1ms", when = $when)]
        fn $name() -> Result<(), u32> {
            Err(counted_try() * 100)
        }
    };
}

retried_with_literals!(by_literals, "literal-op", 3, "1ms", "2ms", "fixed", false);
retried_with_expressions!(
    by_expressions,
    "expr-op",
    2,
    "1_000us",
    "exponential",
    true,
    is_retryable
);
retried_when_expr!(rejected_by_when, is_retryable);

fn tries_of<R>(call: impl FnOnce() -> R) -> (R, u32) {
    TRIES.with(|tries| tries.set(0));
    let result = call();
    (result, TRIES.with(Cell::get))
}

#[test]
fn literal_fragments_are_read_as_written() {
    let ((result, collector), tries) = tries_of(|| recording(by_literals));
    assert_eq!(result, Err(3));
    assert_eq!(tries, 3);
    assert_eq!(collector.retries(), [("literal-op".to_owned(), 3, false)]);
}

#[test]
fn expression_and_path_fragments_are_read_as_written() {
    let ((result, collector), tries) = tries_of(|| recording(by_expressions));
    assert_eq!(result, Err(2));
    assert_eq!(tries, 2);
    assert_eq!(collector.retries(), [("expr-op".to_owned(), 2, false)]);
}

#[test]
fn a_when_path_in_an_expression_fragment_decides_what_is_retried() {
    // The first error (100) is not retryable, so one try of the four is made.
    let ((result, collector), tries) = tries_of(|| recording(rejected_by_when));
    assert_eq!(result, Err(100));
    assert_eq!(tries, 1);
    assert_eq!(
        collector.retries(),
        [("rejected_by_when".to_owned(), 1, false)]
    );
}
