//! `#[retried]` on `#[async_trait]` methods. With `#[async_trait]` on the impl, the method
//! reaches `#[retried]` already rewritten into a fn returning
//! `Pin<Box<dyn Future<Output = ..> + Send>>` whose body is `Box::pin(async move { .. })`: the
//! async block is what each try runs. With `#[timed]` on the impl as well, in either order.

use async_trait::async_trait;
use gort_metrics::{WithCollectorExt, retried, timed};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tests::RecordingCollector;

#[async_trait]
trait Gateway {
    async fn send(&mut self, message: String) -> Result<usize, String>;
    async fn status(&self, path: &str) -> Result<u16, u16>;
    async fn shared(self: Arc<Self>) -> Result<u32, u32>;

    /// A default method: `#[async_trait]` on the trait rewrites it the same way.
    #[retried(attempts = 2, delay = "1ms")]
    async fn ping(&self) -> Result<(), ()> {
        Err(())
    }
}

#[derive(Default)]
struct DingTalk {
    sent: Vec<String>,
    tries: AtomicU32,
}

#[async_trait]
impl Gateway for DingTalk {
    #[retried(attempts = 3, delay = "1ms")]
    async fn send(&mut self, mut message: String) -> Result<usize, String> {
        message.push('!');
        self.sent.push(message);
        if self.sent.len() < 3 {
            return Err(format!("busy {}", self.sent.len()));
        }
        Ok(self.sent.len())
    }

    #[retried(op = "status", attempts = 4, delay = "1ms")]
    async fn status(&self, path: &str) -> Result<u16, u16> {
        let tries = self.tries.fetch_add(1, Ordering::Relaxed) + 1;
        let code = if path.is_empty() { 404 } else { 503 };
        if tries < 2 { Err(code) } else { Ok(200) }
    }

    #[retried(attempts = 3, delay = "1ms")]
    async fn shared(self: Arc<Self>) -> Result<u32, u32> {
        let count = u32::try_from(Arc::strong_count(&self)).unwrap_or(u32::MAX);
        let tries = self.tries.fetch_add(1, Ordering::Relaxed) + 1;
        drop(self);
        if tries < 3 { Err(count) } else { Ok(count) }
    }
}

#[tokio::test]
async fn mut_self_and_owned_arguments_work_through_async_trait() {
    let collector = RecordingCollector::new();
    let mut gateway = DingTalk::default();
    let sent = gateway
        .send("hi".into())
        .with_collector(collector.clone())
        .await;
    assert_eq!(sent, Ok(3));
    assert_eq!(gateway.sent, ["hi!", "hi!", "hi!"]);
    assert_eq!(collector.retries(), [("send".to_owned(), 3, true)]);
}

#[tokio::test]
async fn shared_self_and_borrowed_arguments_work_through_async_trait() {
    let collector = RecordingCollector::new();
    let gateway = DingTalk::default();
    let status = gateway
        .status("/health")
        .with_collector(collector.clone())
        .await;
    assert_eq!(status, Ok(200));
    assert_eq!(collector.retries(), [("status".to_owned(), 2, true)]);
}

#[tokio::test]
async fn arc_self_is_cloned_for_each_try_but_the_last_through_async_trait() {
    let gateway = Arc::new(DingTalk::default());
    // The caller's handle, the original in its slot, the try's clone; then the original.
    assert_eq!(Arc::clone(&gateway).shared().await, Ok(2));
    assert_eq!(Arc::strong_count(&gateway), 1);
}

#[tokio::test]
async fn default_methods_of_an_async_trait_are_retried() {
    let collector = RecordingCollector::new();
    let result = DingTalk::default()
        .ping()
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Err(()));
    assert_eq!(collector.retries(), [("ping".to_owned(), 2, false)]);
}

#[test]
fn the_retried_future_stays_send() {
    fn assert_send<T: Send>(_: &T) {}
    let gateway = DingTalk::default();
    let future = gateway.status("/");
    assert_send(&future);
}

#[async_trait]
trait Handler {
    async fn handle(&self, request: u32) -> Result<u32, u32>;
    async fn handle_each(&self, request: u32) -> Result<u32, u32>;
}

struct TimedOutside;

#[timed]
#[async_trait]
impl Handler for TimedOutside {
    #[retried(attempts = 3, delay = "1ms")]
    async fn handle(&self, request: u32) -> Result<u32, u32> {
        Err(request)
    }

    #[retried(attempts = 3, delay = "1ms")]
    #[timed(middleware = "each")]
    async fn handle_each(&self, request: u32) -> Result<u32, u32> {
        Err(request)
    }
}

struct TimedInside;

#[async_trait]
#[timed(middleware = "inside")]
impl Handler for TimedInside {
    #[retried(attempts = 3, delay = "1ms")]
    async fn handle(&self, request: u32) -> Result<u32, u32> {
        Err(request)
    }

    #[retried(attempts = 3, delay = "1ms")]
    #[timed(middleware = "each")]
    async fn handle_each(&self, request: u32) -> Result<u32, u32> {
        Err(request)
    }
}

async fn middleware_labels(handler: &dyn Handler, each: bool) -> Vec<String> {
    let collector = RecordingCollector::new();
    let future = if each {
        handler.handle_each(1)
    } else {
        handler.handle(1)
    };
    assert_eq!(future.with_collector(collector.clone()).await, Err(1));
    assert_eq!(collector.retries().len(), 1);
    collector
        .middleware_durations()
        .into_iter()
        .map(|(label, _)| label)
        .collect()
}

#[tokio::test]
async fn a_timed_impl_outside_async_trait_times_the_whole_retried_call() {
    assert_eq!(
        middleware_labels(&TimedOutside, false).await,
        ["timed_outside"]
    );
    assert_eq!(middleware_labels(&TimedOutside, true).await, ["each"; 3]);
}

#[tokio::test]
async fn a_timed_impl_inside_async_trait_times_the_whole_retried_call() {
    assert_eq!(middleware_labels(&TimedInside, false).await, ["inside"]);
    assert_eq!(middleware_labels(&TimedInside, true).await, ["each"; 3]);
}
