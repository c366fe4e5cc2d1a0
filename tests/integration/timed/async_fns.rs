//! `async fn`: timed from the first poll to completion, across `.await`s; a future dropped
//! part-way records once; one never polled records nothing; panics record.

use super::{PAUSE, assert_one_paused, labels};
use gort_metrics::{WithCollectorExt, timed};
use std::future::{Future, pending};
use tests::RecordingCollector;
use tokio::time::{sleep, timeout};

#[timed]
async fn fetch(id: u8) -> u8 {
    sleep(PAUSE / 3).await;
    sleep(PAUSE / 3).await;
    sleep(PAUSE / 3).await;
    id
}

#[tokio::test]
async fn an_async_fn_is_timed_across_its_awaits() {
    let collector = RecordingCollector::new();
    let id = fetch(3).with_collector(collector.clone()).await;
    assert_eq!(id, 3);
    assert_one_paused(&collector.middleware_durations(), "fetch");
}

#[tokio::test]
async fn a_future_never_polled_records_nothing() {
    let collector = RecordingCollector::new();
    let future = fetch(1).with_collector(collector.clone());
    drop(future);
    assert!(collector.records().is_empty());
}

#[timed(middleware = "upstream")]
async fn hang() {
    sleep(PAUSE).await;
    pending::<()>().await;
}

#[tokio::test]
async fn a_future_dropped_by_a_timeout_records_exactly_once() {
    let collector = RecordingCollector::new();
    let outcome = timeout(PAUSE * 4, hang().with_collector(collector.clone())).await;
    assert!(outcome.is_err());
    assert_one_paused(&collector.middleware_durations(), "upstream");
}

#[tokio::test]
async fn a_future_that_loses_a_select_records_exactly_once() {
    let collector = RecordingCollector::new();
    let slow = hang().with_collector(collector.clone());
    tokio::select! {
        () = slow => unreachable!("`hang` never completes"),
        () = sleep(PAUSE) => {}
    }
    assert_eq!(labels(&collector.middleware_durations()), ["upstream"]);
}

#[timed(channel = "dingtalk")]
async fn explode() {
    sleep(PAUSE).await;
    panic!("the handler crashed");
}

#[tokio::test]
async fn a_panicking_async_fn_records() {
    let collector = RecordingCollector::new();
    let outcome = tokio::spawn(explode().with_collector(collector.clone())).await;
    assert!(outcome.unwrap_err().is_panic());
    assert_one_paused(&collector.message_durations(), "dingtalk");
}

#[timed]
async fn lookup(key: &str) -> Result<u32, std::num::ParseIntError> {
    sleep(PAUSE).await;
    if key.is_empty() {
        return Ok(0);
    }
    Ok(key.parse::<u32>()? * 2)
}

#[tokio::test]
async fn early_return_and_question_mark_in_async_fns_record_once_each() {
    let collector = RecordingCollector::new();
    let results = async { (lookup("").await, lookup("x").await, lookup("4").await) }
        .with_collector(collector.clone())
        .await;
    assert_eq!(results.0, Ok(0));
    assert!(results.1.is_err());
    assert_eq!(results.2, Ok(8));
    let records = collector.middleware_durations();
    assert_eq!(labels(&records), ["lookup", "lookup", "lookup"]);
    assert!(records.iter().all(|(_, duration)| *duration >= PAUSE));
}

struct Gateway {
    name: String,
}

impl Gateway {
    #[timed]
    async fn forward(&self, body: &str) -> String {
        sleep(PAUSE).await;
        format!("{}: {body}", self.name)
    }
}

trait Channel {
    async fn deliver(&self, body: &str) -> usize;

    #[timed(middleware = "ping")]
    async fn ping(&self) -> bool {
        sleep(PAUSE).await;
        true
    }
}

#[timed(channel = "feishu")]
impl Channel for Gateway {
    async fn deliver(&self, body: &str) -> usize {
        sleep(PAUSE).await;
        body.len()
    }
}

#[tokio::test]
async fn async_methods_in_impls_and_native_async_traits_are_timed() {
    let gateway = Gateway {
        name: "gw".to_owned(),
    };

    let collector = RecordingCollector::new();
    let forwarded = gateway
        .forward("hi")
        .with_collector(collector.clone())
        .await;
    assert_eq!(forwarded, "gw: hi");
    assert_one_paused(&collector.middleware_durations(), "forward");

    let collector = RecordingCollector::new();
    let delivered = gateway
        .deliver("abc")
        .with_collector(collector.clone())
        .await;
    assert_eq!(delivered, 3);
    assert_one_paused(&collector.message_durations(), "feishu");

    let collector = RecordingCollector::new();
    assert!(gateway.ping().with_collector(collector.clone()).await);
    assert_one_paused(&collector.middleware_durations(), "ping");
}

fn assert_send<F: Future + Send>(future: F) -> F {
    future
}

#[tokio::test]
async fn timed_futures_stay_send_and_run_on_other_threads() {
    let collector = RecordingCollector::new();
    let gateway = Gateway {
        name: "gw".to_owned(),
    };
    let task = async move { gateway.forward("hi").await };
    let forwarded = tokio::spawn(assert_send(task).with_collector(collector.clone()))
        .await
        .unwrap();
    assert_eq!(forwarded, "gw: hi");
    assert_one_paused(&collector.middleware_durations(), "forward");
}
