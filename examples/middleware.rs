//! Timing middleware with `#[timed]`, and with a hand-held timer where the attribute cannot
//! reach, then reading the result in Prometheus text format.
//!
//! Run with `cargo run -p examples --example middleware`.

use gort_metrics::{PrometheusCollector, set_global_collector, time_middleware, timed};
use std::sync::Arc;
use std::thread::sleep;
use std::time::Duration;

struct Request {
    token: &'static str,
    path: &'static str,
}

trait Middleware {
    /// Whether the request may go on to the next middleware.
    fn allow(&self, request: &Request) -> bool;
}

struct AuthMiddleware {
    secret: &'static str,
}

// Every method is timed as `middleware="auth_middleware"`.
#[timed]
impl Middleware for AuthMiddleware {
    fn allow(&self, request: &Request) -> bool {
        sleep(Duration::from_millis(2));
        request.token == self.secret
    }
}

struct RateLimiter {
    limit_per_path: usize,
}

// One label for the whole block, a different one for a single method, none for another.
#[timed(middleware = "rate_limit")]
impl RateLimiter {
    fn remaining(&self, path: &str) -> usize {
        self.limit_per_path.saturating_sub(path.len() % 3)
    }

    #[timed(middleware = "rate_limit_reset")]
    fn reset(&mut self) {
        self.limit_per_path = 10;
    }

    #[timed(skip)]
    fn describe(&self) -> String {
        format!("{} per path", self.limit_per_path)
    }
}

impl Middleware for RateLimiter {
    fn allow(&self, request: &Request) -> bool {
        self.remaining(request.path) > 0
    }
}

/// Runs the chain. The chain is only known at run time, so the whole pass is timed by hand.
fn handle(chain: &[(&str, &dyn Middleware)], request: &Request) -> bool {
    let _timer = time_middleware("chain");
    chain.iter().all(|(name, middleware)| {
        let _step = time_middleware(name);
        middleware.allow(request)
    })
}

fn main() {
    let prometheus = Arc::new(PrometheusCollector::new());
    set_global_collector(prometheus.clone());

    let auth = AuthMiddleware { secret: "s3cret" };
    let mut limiter = RateLimiter { limit_per_path: 1 };
    limiter.reset();
    println!("rate limit: {}", limiter.describe());

    let chain: [(&str, &dyn Middleware); 2] = [("auth_step", &auth), ("limit_step", &limiter)];
    for request in [
        Request {
            token: "s3cret",
            path: "/send",
        },
        Request {
            token: "wrong",
            path: "/send",
        },
        Request {
            token: "s3cret",
            path: "/status",
        },
    ] {
        let allowed = handle(&chain, &request);
        println!(
            "{} with token {:?}: {}",
            request.path, request.token, allowed
        );
    }

    let text = prometheus.render();
    for line in text
        .lines()
        .filter(|line| line.contains("middleware_duration_seconds_count"))
    {
        println!("{line}");
    }
}
