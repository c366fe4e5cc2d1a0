//! Result aliases: a name ending in `Result` is taken as one; any other name is, with
//! `#[retried(result)]`.

use gort_metrics::retried;
use tests::recording;

#[derive(Debug, PartialEq)]
struct AppError(u32);

type AppResult<T> = Result<T, AppError>;
type Fallible<T> = Result<T, AppError>;

#[retried(attempts = 2, delay = "1ms")]
fn named_like_a_result() -> AppResult<u8> {
    Err(AppError(1))
}

#[retried(result, attempts = 3, delay = "1ms")]
fn said_to_be_a_result() -> Fallible<u8> {
    Err(AppError(2))
}

#[retried(attempts = 2, delay = "1ms", result)]
async fn said_to_be_a_result_later() -> Fallible<u8> {
    Ok(3)
}

#[test]
fn an_alias_named_like_a_result_needs_nothing() {
    let (result, collector) = recording(named_like_a_result);
    assert_eq!(result, Err(AppError(1)));
    assert_eq!(
        collector.retries(),
        [("named_like_a_result".to_owned(), 2, false)]
    );
}

#[test]
fn any_alias_is_retried_with_result() {
    let (result, collector) = recording(said_to_be_a_result);
    assert_eq!(result, Err(AppError(2)));
    assert_eq!(
        collector.retries(),
        [("said_to_be_a_result".to_owned(), 3, false)]
    );
}

#[tokio::test]
async fn async_fns_take_result_too() {
    assert_eq!(said_to_be_a_result_later().await, Ok(3));
}
