//! Non-async fns that return a future: the future is timed, from its first poll, whatever the
//! body looks like; building it is not.

use super::{PAUSE, assert_one_paused, labels};
use gort_metrics::{WithCollectorExt, timed, with_collector};
use std::future::{Future, ready};
use std::pin::Pin;
use tests::RecordingCollector;
use tokio::time::sleep;

#[timed]
fn tail_block(x: u8) -> impl Future<Output = u8> {
    let y = x + 1;
    async move {
        sleep(PAUSE).await;
        y
    }
}

async fn slow_double(x: u8) -> u8 {
    sleep(PAUSE).await;
    x * 2
}

#[timed(middleware = "delegate")]
fn delegate(x: u8) -> impl Future<Output = u8> + Send {
    if x == 0 {
        return slow_double(1);
    }
    slow_double(x)
}

#[timed(channel = "boxed")]
fn boxed(x: u8) -> Pin<Box<dyn Future<Output = u8> + Send>> {
    Box::pin(async move {
        sleep(PAUSE).await;
        x
    })
}

#[timed]
fn immediately(x: u8) -> impl Future<Output = u8> + Unpin {
    ready(x)
}

#[tokio::test]
async fn a_future_built_by_an_async_block_tail_is_timed() {
    let collector = RecordingCollector::new();
    assert_eq!(tail_block(1).with_collector(collector.clone()).await, 2);
    assert_one_paused(&collector.middleware_durations(), "tail_block");
}

#[tokio::test]
async fn a_future_returned_any_other_way_is_timed_on_every_return_path() {
    let collector = RecordingCollector::new();
    let both = async { (delegate(0).await, delegate(4).await) };
    assert_eq!(both.with_collector(collector.clone()).await, (2, 8));
    let records = collector.middleware_durations();
    assert_eq!(labels(&records), ["delegate", "delegate"]);
    assert!(records.iter().all(|(_, duration)| *duration >= PAUSE));
}

#[tokio::test]
async fn a_box_pinned_async_block_is_timed() {
    let collector = RecordingCollector::new();
    assert_eq!(boxed(5).with_collector(collector.clone()).await, 5);
    assert_one_paused(&collector.message_durations(), "boxed");
}

#[tokio::test]
async fn an_unpin_future_stays_unpin() {
    let collector = RecordingCollector::new();
    let mut future = immediately(6);
    let pinned = Pin::new(&mut future);
    assert_eq!(pinned.with_collector(collector.clone()).await, 6);
    assert_eq!(labels(&collector.middleware_durations()), ["immediately"]);
}

#[test]
fn building_a_future_without_polling_it_records_nothing() {
    let collector = RecordingCollector::new();
    with_collector(collector.clone(), || {
        drop(tail_block(1));
        drop(delegate(1));
        drop(boxed(1));
        drop(immediately(1));
    });
    assert!(collector.records().is_empty());
}
