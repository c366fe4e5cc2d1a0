//! Methods under `#[async_trait]`, with `#[timed]` outside it, inside it, or on the method:
//! each times the boxed future, not the call that builds it.

use super::{PAUSE, assert_one_paused};
use async_trait::async_trait;
use gort_metrics::{WithCollectorExt, timed};
use tests::RecordingCollector;
use tokio::time::sleep;

#[async_trait]
trait Middleware {
    async fn call(&self, request: u32) -> u32;
}

struct TimedOutside;

#[timed]
#[async_trait]
impl Middleware for TimedOutside {
    async fn call(&self, request: u32) -> u32 {
        sleep(PAUSE).await;
        request + 1
    }
}

struct TimedInside;

#[async_trait]
#[timed(middleware = "inside")]
impl Middleware for TimedInside {
    async fn call(&self, request: u32) -> u32 {
        sleep(PAUSE).await;
        request + 2
    }
}

struct TimedMethod;

#[async_trait]
impl Middleware for TimedMethod {
    #[timed(channel = "wecom")]
    async fn call(&self, request: u32) -> u32 {
        sleep(PAUSE).await;
        request + 3
    }
}

async fn call_recorded(middleware: &dyn Middleware) -> (u32, RecordingCollector) {
    let collector = RecordingCollector::new();
    let response = middleware.call(1).with_collector(collector.clone()).await;
    (response, collector)
}

#[tokio::test]
async fn timed_outside_async_trait_times_the_future() {
    let (response, collector) = call_recorded(&TimedOutside).await;
    assert_eq!(response, 2);
    assert_one_paused(&collector.middleware_durations(), "timed_outside");
}

#[tokio::test]
async fn timed_inside_async_trait_times_the_future() {
    let (response, collector) = call_recorded(&TimedInside).await;
    assert_eq!(response, 3);
    assert_one_paused(&collector.middleware_durations(), "inside");
}

#[tokio::test]
async fn timed_on_an_async_trait_method_times_the_future() {
    let (response, collector) = call_recorded(&TimedMethod).await;
    assert_eq!(response, 4);
    assert_one_paused(&collector.message_durations(), "wecom");
}

#[test]
fn building_the_boxed_future_records_nothing() {
    let collector = RecordingCollector::new();
    gort_metrics::with_collector(collector.clone(), || {
        drop(TimedOutside.call(1));
        drop(TimedInside.call(1));
        drop(TimedMethod.call(1));
    });
    assert!(collector.records().is_empty());
}
