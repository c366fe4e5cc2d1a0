//! A flaky upstream client, retried two ways: with `#[retried]` on its methods, and by hand with
//! `retry` / `retry_async_if` where the call cannot be annotated. Every call is recorded once,
//! into a `StatsCollector` and a `PrometheusCollector` at the same time.
//!
//! Run it with `cargo run -p examples --example retry`; it needs no external service.

use gort_metrics::{
    Backoff, FanoutCollector, PrometheusCollector, RetryPolicy, StatsCollector, retried, retry,
    retry_async_if, set_global_collector,
};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What the upstream can answer besides success.
#[derive(Debug, Clone, PartialEq)]
enum UpstreamError {
    /// Worth another try: the upstream is overloaded.
    Unavailable,
    /// Not worth another try: the request itself is wrong.
    Rejected(String),
}

impl fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UpstreamError::Unavailable => f.write_str("503 service unavailable"),
            UpstreamError::Rejected(reason) => write!(f, "400 rejected: {reason}"),
        }
    }
}

fn is_transient(error: &UpstreamError) -> bool {
    *error == UpstreamError::Unavailable
}

/// Fails with `Unavailable` on a fixed pattern of calls, so every run prints the same story.
struct FlakyClient {
    calls: u32,
    /// Which calls (counting from 1) fail.
    failing: fn(u32) -> bool,
}

impl FlakyClient {
    fn answer(&mut self, message: &str) -> Result<String, UpstreamError> {
        self.calls += 1;
        if message.is_empty() {
            return Err(UpstreamError::Rejected("empty message".into()));
        }
        if (self.failing)(self.calls) {
            return Err(UpstreamError::Unavailable);
        }
        Ok(format!("delivered {message:?} on call {}", self.calls))
    }

    /// Retried by attribute: up to 4 tries, 20 ms then 40 ms then 80 ms apart (with jitter),
    /// only while the upstream says it is unavailable.
    #[retried(op = "send-message", attempts = 4, delay = "20ms", when = is_transient)]
    fn send(&mut self, message: String) -> Result<String, UpstreamError> {
        let receipt = self.answer(&message)?;
        Ok(receipt)
    }

    /// The async form: each try is awaited and the waits run on tokio's timer.
    #[retried(op = "fetch-profile", attempts = 3, delay = "10ms", backoff = "fixed")]
    async fn fetch_profile(&mut self, user: &str) -> Result<String, UpstreamError> {
        tokio::task::yield_now().await;
        self.answer(user)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let stats = Arc::new(StatsCollector::new());
    let prometheus = PrometheusCollector::new();
    set_global_collector(
        FanoutCollector::new()
            .with(stats.clone())
            .with(prometheus.clone()),
    );

    // Every third call fails: the first send succeeds on its second try.
    let mut client = FlakyClient {
        calls: 0,
        failing: |call| call % 3 == 1,
    };
    println!("send:          {:?}", client.send("hello".into()));
    // A rejected request is not retried.
    println!("send (empty):  {:?}", client.send(String::new()));
    println!("fetch_profile: {:?}", client.fetch_profile("alice").await);

    // By hand, for a call that cannot carry an attribute: a closure and a policy.
    let mut down = FlakyClient {
        calls: 0,
        failing: |_| true,
    };
    let policy = RetryPolicy::new("health-check")
        .attempts(3)
        .delay(Duration::from_millis(5))
        .backoff(Backoff::Fixed)
        .jitter(false);
    let health = retry(policy, || down.answer("ping"));
    println!("health-check:  {:?} after {} calls", health, down.calls);

    let mut shared = FlakyClient {
        calls: 0,
        failing: |call| call < 3,
    };
    let lookup = retry_async_if(
        RetryPolicy::new("lookup").delay(Duration::from_millis(5)),
        is_transient,
        || {
            let answer = shared.answer("bob");
            async move { answer }
        },
    )
    .await;
    println!("lookup:        {lookup:?}");

    let retries = stats.stats().retries;
    println!(
        "\n{} retried calls, {} tries in all ({:.2} tries per call), {} succeeded, {} failed\n",
        retries.calls,
        retries.attempts,
        retries.attempts as f64 / retries.calls as f64,
        retries.succeeded,
        retries.failed,
    );
    for line in prometheus.render().lines() {
        if line.contains("retry") {
            println!("{line}");
        }
    }
}
