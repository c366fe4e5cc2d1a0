//! `when = path`: which errors are worth another try.

use gort_metrics::retried;
use std::cell::Cell;
use tests::recording;

#[derive(Debug, PartialEq, Clone, Copy)]
enum ApiError {
    Timeout,
    NotFound,
}

fn is_transient(error: &ApiError) -> bool {
    *error == ApiError::Timeout
}

thread_local! {
    static CALLS: Cell<u32> = const { Cell::new(0) };
}

/// Fails with each of `errors` in turn, then succeeds.
#[retried(attempts = 5, delay = "1ms", when = is_transient)]
fn lookup(errors: &[ApiError]) -> Result<u32, ApiError> {
    let call = CALLS.with(|calls| {
        calls.set(calls.get() + 1);
        calls.get()
    });
    match errors.get(call as usize - 1) {
        Some(error) => Err(*error),
        None => Ok(call),
    }
}

/// The result, the recorded retries, and how many tries ran.
type Run = (Result<u32, ApiError>, Vec<(String, u32, bool)>, u32);

fn run(errors: &[ApiError]) -> Run {
    CALLS.with(|calls| calls.set(0));
    let (result, collector) = recording(|| lookup(errors));
    (result, collector.retries(), CALLS.with(Cell::get))
}

#[test]
fn a_rejected_error_returns_at_once() {
    let (result, retries, calls) = run(&[ApiError::NotFound]);
    assert_eq!(result, Err(ApiError::NotFound));
    assert_eq!(calls, 1);
    assert_eq!(retries, [("lookup".to_owned(), 1, false)]);
}

#[test]
fn accepted_errors_are_retried_until_a_rejected_one() {
    let (result, retries, calls) = run(&[ApiError::Timeout, ApiError::Timeout, ApiError::NotFound]);
    assert_eq!(result, Err(ApiError::NotFound));
    assert_eq!(calls, 3);
    assert_eq!(retries, [("lookup".to_owned(), 3, false)]);
}

#[test]
fn accepted_errors_are_retried_to_success() {
    let (result, retries, _) = run(&[ApiError::Timeout]);
    assert_eq!(result, Ok(2));
    assert_eq!(retries, [("lookup".to_owned(), 2, true)]);
}

mod generic_predicate {
    use gort_metrics::retried;

    pub(super) fn never<E>(_: &E) -> bool {
        false
    }

    #[retried(when = never, delay = "1ms")]
    pub(super) fn fails() -> Result<(), String> {
        Err("no".into())
    }
}

#[test]
fn a_generic_predicate_path_is_accepted() {
    let (result, collector) = recording(generic_predicate::fails);
    assert_eq!(result, Err("no".to_owned()));
    assert_eq!(collector.retries(), [("fails".to_owned(), 1, false)]);
}
