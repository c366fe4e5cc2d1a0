//! Every `#[timed]` call is counted by outcome beside its duration: `ok`, `error` (a `Result`
//! that is `Err`), `panicked`, and `cancelled` (an async call whose future is dropped before it
//! completes), on every shape of function: sync, `async fn`, a returned future, `#[async_trait]`,
//! methods returning borrows, and through `?` and early `return`s.

use async_trait::async_trait;
use gort_metrics::{Outcome, PrometheusCollector, WithCollectorExt, timed, with_collector};
use std::future::{Future, pending};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use tests::RecordingCollector;
use tokio::time::{Duration, sleep, timeout};

use Outcome::{Cancelled, Error, Ok as Fine, Panicked};

fn outcomes(collector: &RecordingCollector) -> Vec<(String, Outcome)> {
    collector.outcomes()
}

fn pairs(expected: &[(&str, Outcome)]) -> Vec<(String, Outcome)> {
    expected
        .iter()
        .map(|(label, outcome)| ((*label).to_owned(), *outcome))
        .collect()
}

#[derive(Debug, PartialEq)]
struct Refused(u8);

fn check(token: u8) -> Result<u8, Refused> {
    if token == 0 {
        Err(Refused(0))
    } else {
        Ok(token)
    }
}

#[timed(middleware = "auth")]
fn authenticate(token: u8) -> Result<u8, Refused> {
    let checked = check(token)?;
    if checked == 9 {
        return Err(Refused(9));
    }
    Ok(checked)
}

#[test]
fn a_sync_result_counts_ok_and_error_through_question_marks_and_early_returns() {
    let collector = RecordingCollector::new();
    with_collector(collector.clone(), || {
        assert_eq!(authenticate(3), Ok(3));
        assert_eq!(authenticate(0), Err(Refused(0)));
        assert_eq!(authenticate(9), Err(Refused(9)));
    });
    assert_eq!(
        outcomes(&collector),
        pairs(&[("auth", Fine), ("auth", Error), ("auth", Error)])
    );
    assert_eq!(collector.middleware_durations().len(), 3);
}

#[timed]
fn read_config(path: &str) -> std::io::Result<usize> {
    std::fs::read_to_string(path).map(|text| text.len())
}

type Fallible<T> = Result<T, Refused>;

#[timed(channel = "feishu", result)]
fn parse_alias(token: u8) -> Fallible<u8> {
    check(token)
}

#[test]
fn result_aliases_count_errors_by_their_name_or_when_marked() {
    let collector = RecordingCollector::new();
    with_collector(collector.clone(), || {
        assert!(read_config("/definitely/not/here").is_err());
        assert!(parse_alias(0).is_err());
        assert!(parse_alias(1).is_ok());
    });
    assert_eq!(
        outcomes(&collector),
        pairs(&[("read_config", Error), ("feishu", Error), ("feishu", Fine)])
    );
}

#[timed(middleware = "explode")]
fn explode(fail: bool) -> Result<(), Refused> {
    assert!(!fail, "boom");
    Ok(())
}

#[timed(middleware = "plain")]
fn plain_explode() -> u8 {
    panic!("boom")
}

#[test]
fn a_panic_counts_as_panicked_whatever_the_return_type() {
    let collector = RecordingCollector::new();
    with_collector(collector.clone(), || {
        assert!(catch_unwind(|| explode(true)).is_err());
        assert!(catch_unwind(plain_explode).is_err());
        assert!(explode(false).is_ok());
    });
    assert_eq!(
        outcomes(&collector),
        pairs(&[
            ("explode", Panicked),
            ("plain", Panicked),
            ("explode", Fine)
        ])
    );
}

struct Session {
    buffer: Vec<u8>,
    name: String,
}

#[timed(middleware = "session")]
impl Session {
    /// A borrow of `self` out of a `Result`-returning body that the attribute runs in a
    /// closure.
    fn buffer_mut(&mut self) -> Result<&mut Vec<u8>, Refused> {
        if self.buffer.len() > 3 {
            return Err(Refused(4));
        }
        Ok(&mut self.buffer)
    }

    fn name(&self) -> Result<&str, Refused> {
        Ok(&self.name)
    }

    fn iter(&self) -> Result<impl Iterator<Item = &u8>, Refused> {
        Ok(self.buffer.iter())
    }

    async fn append(&mut self, byte: u8) -> Result<&mut Vec<u8>, Refused> {
        sleep(Duration::from_millis(1)).await;
        let buffer = self.buffer_mut()?;
        buffer.push(byte);
        Ok(buffer)
    }

    async fn name_async(&self) -> &str {
        &self.name
    }
}

#[tokio::test]
async fn methods_returning_borrows_of_self_keep_compiling_and_count_outcomes() {
    let collector = RecordingCollector::new();
    let mut session = Session {
        buffer: vec![1, 2],
        name: "s".into(),
    };
    with_collector(collector.clone(), || {
        session.buffer_mut().unwrap().push(3);
        assert_eq!(session.name(), Ok("s"));
        assert_eq!(session.iter().unwrap().count(), 3);
    });
    async {
        session.append(4).await.unwrap();
        assert_eq!(session.append(5).await, Err(Refused(4)));
        assert_eq!(session.name_async().await, "s");
    }
    .with_collector(collector.clone())
    .await;
    // `append` calls `buffer_mut` inside, which counts on its own.
    assert_eq!(
        outcomes(&collector),
        pairs(&[
            ("session", Fine),
            ("session", Fine),
            ("session", Fine),
            ("session", Fine),
            ("session", Fine),
            ("session", Error),
            ("session", Error),
            ("session", Fine),
        ])
    );
}

#[timed(channel = "dingtalk")]
async fn handle(id: u8) -> Result<u8, Refused> {
    sleep(Duration::from_millis(1)).await;
    let id = check(id)?;
    Ok(id)
}

#[timed(middleware = "upstream")]
async fn hang() -> Result<(), Refused> {
    pending::<()>().await;
    Ok(())
}

#[timed(middleware = "blow_up")]
async fn blow_up() -> u8 {
    sleep(Duration::from_millis(1)).await;
    panic!("boom")
}

#[tokio::test]
async fn async_calls_count_ok_error_cancelled_and_panicked() {
    let collector = RecordingCollector::new();
    async {
        assert_eq!(handle(1).await, Ok(1));
        assert_eq!(handle(0).await, Err(Refused(0)));
        assert!(timeout(Duration::from_millis(5), hang()).await.is_err());
        assert!(
            AssertUnwindSafe(blow_up())
                .catch_unwind_here()
                .await
                .is_err()
        );
    }
    .with_collector(collector.clone())
    .await;
    // Never polled: not a call at all.
    drop(handle(1).with_collector(collector.clone()));
    assert_eq!(
        outcomes(&collector),
        pairs(&[
            ("dingtalk", Fine),
            ("dingtalk", Error),
            ("upstream", Cancelled),
            ("blow_up", Panicked),
        ])
    );
}

/// Polls a future inside `catch_unwind`, as a server's panic-catching layer does.
trait CatchUnwindHere: Future + Sized {
    fn catch_unwind_here(self) -> impl Future<Output = std::thread::Result<Self::Output>> {
        let mut future = Box::pin(self);
        std::future::poll_fn(move |cx| {
            match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
                Ok(std::task::Poll::Ready(value)) => std::task::Poll::Ready(Ok(value)),
                Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
                Err(panic) => std::task::Poll::Ready(Err(panic)),
            }
        })
    }
}

impl<F: Future> CatchUnwindHere for AssertUnwindSafe<F> {}

// The hand-written future is the shape under test.
#[allow(clippy::manual_async_fn)]
#[timed(middleware = "tail")]
fn tail_block(id: u8) -> impl Future<Output = Result<u8, Refused>> {
    async move { check(id) }
}

#[timed(middleware = "delegated")]
fn delegated(id: u8) -> impl Future<Output = Result<u8, Refused>> + Send {
    handle_unmetered(id)
}

async fn handle_unmetered(id: u8) -> Result<u8, Refused> {
    sleep(Duration::from_millis(1)).await;
    check(id)
}

#[tokio::test]
async fn returned_futures_count_their_output_and_their_cancellation() {
    let collector = RecordingCollector::new();
    async {
        assert!(tail_block(0).await.is_err());
        assert!(tail_block(2).await.is_ok());
        assert!(delegated(0).await.is_err());
        assert!(delegated(1).await.is_ok());
        let mut pending = Box::pin(delegated(1));
        assert!(
            futures_poll_once(pending.as_mut()).is_pending(),
            "the delegate sleeps first"
        );
        drop(pending);
    }
    .with_collector(collector.clone())
    .await;
    assert_eq!(
        outcomes(&collector),
        pairs(&[
            ("tail", Error),
            ("tail", Fine),
            ("delegated", Error),
            ("delegated", Fine),
            ("delegated", Cancelled),
        ])
    );
}

fn futures_poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> std::task::Poll<F::Output> {
    future.poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
}

#[async_trait]
trait Handler {
    async fn on_message(&self, id: u8) -> Result<u8, Refused>;
}

struct DingTalk;

#[async_trait]
impl Handler for DingTalk {
    #[timed(channel = "dingtalk")]
    async fn on_message(&self, id: u8) -> Result<u8, Refused> {
        check(id)
    }
}

#[tokio::test]
async fn async_trait_methods_count_their_results() {
    let collector = RecordingCollector::new();
    async {
        assert!(DingTalk.on_message(0).await.is_err());
        assert!(DingTalk.on_message(1).await.is_ok());
    }
    .with_collector(collector.clone())
    .await;
    assert_eq!(
        outcomes(&collector),
        pairs(&[("dingtalk", Error), ("dingtalk", Fine)])
    );
}

#[tokio::test]
async fn outcomes_reach_the_prometheus_call_families() {
    let prometheus = Arc::new(PrometheusCollector::new());
    async {
        let _ = handle(1).await;
        let _ = handle(0).await;
        let _ = handle(0).await;
        let _ = timeout(Duration::from_millis(5), hang()).await;
    }
    .with_collector(prometheus.clone())
    .await;
    let text = prometheus.render();
    for line in [
        r#"gort_message_calls_total{channel="dingtalk",outcome="ok"} 1"#,
        r#"gort_message_calls_total{channel="dingtalk",outcome="error"} 2"#,
        r#"gort_middleware_calls_total{middleware="upstream",outcome="cancelled"} 1"#,
        r#"gort_message_duration_seconds_count{channel="dingtalk"} 3"#,
        r#"gort_middleware_duration_seconds_count{middleware="upstream"} 1"#,
    ] {
        assert!(
            text.lines().any(|sample| sample == line),
            "{line} missing:\n{text}"
        );
    }
}
