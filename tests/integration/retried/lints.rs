//! Expansions compile without warnings under strict lints, clippy's pedantic group included,
//! on every shape of function: nothing they add trips a lint the user's own code would not.
//! Std names are imported so that a needlessly qualified path in generated code is flagged.
#![deny(
    warnings,
    clippy::pedantic,
    clippy::shadow_unrelated,
    unused_qualifications,
    unused_results,
    unsafe_code,
    unreachable_pub,
    elided_lifetimes_in_paths,
    non_snake_case
)]

use async_trait::async_trait;
use core::ops::ControlFlow;
use gort_metrics::{retried, timed};
use std::sync::Arc;
use std::time::Duration;

#[retried(attempts = 2, delay = "1ms")]
fn one_expression() -> Result<u32, u32> {
    Ok(1)
}

#[retried(attempts = 2, delay = "1ms", max_elapsed = "1s", backoff = "fixed")]
fn owned_and_borrowed(
    owned: String,
    shared: &str,
    exclusive: &mut Vec<u8>,
) -> Result<usize, usize> {
    exclusive.push(1);
    Err(owned.len() + shared.len() + exclusive.len())
}

fn parse(text: &str) -> Result<u32, String> {
    text.parse().map_err(|_| text.to_owned())
}

#[retried(op = name, attempts = 2, delay = "1ms")]
fn question_mark(name: &str, (left, right): (String, String)) -> Result<u32, String> {
    let sum = parse(&left)? + parse(&right)?;
    Ok(sum)
}

#[retried(attempts = 2, delay = "1ms")]
fn generic<T: Clone + Into<u64>>(value: T) -> Result<u64, u64> {
    Err(value.into())
}

#[retried(attempts = 2, delay = "1ms")]
async fn async_one_expression(text: String) -> Result<usize, usize> {
    Err(text.len())
}

#[timed(middleware = "whole")]
#[retried(attempts = 2, delay = "1ms")]
fn timed_whole(text: String) -> Result<usize, usize> {
    Err(text.len())
}

#[retried(attempts = 2, delay = "1ms")]
#[timed(middleware = "each")]
async fn timed_each(text: String) -> Result<usize, usize> {
    Err(text.len())
}

struct Strict(u32);

impl Strict {
    #[retried(attempts = 2, delay = "1ms")]
    fn method(&mut self, extra: Option<u32>) -> Result<u32, u32> {
        self.0 += extra.unwrap_or(1);
        Err(self.0)
    }

    #[retried(attempts = 2, delay = "1ms")]
    async fn async_method(&self) -> Result<u32, u32> {
        Err(self.0)
    }

    #[retried(attempts = 2, delay = "1ms")]
    fn shared(self: Arc<Self>) -> Result<u32, u32> {
        let this = self;
        Err(this.0)
    }
}

trait Strictly {
    fn borrowed(&self, key: &str) -> Result<&str, usize>;
    async fn owned(&mut self, text: String) -> Result<u32, u32>;
}

#[timed]
impl Strictly for Strict {
    #[retried(attempts = 2, delay = "1ms")]
    fn borrowed(&self, key: &str) -> Result<&str, usize> {
        Err(key.len() + self.0 as usize)
    }

    #[retried(attempts = 2, delay = "1ms")]
    #[timed(middleware = "owned_each")]
    async fn owned(&mut self, mut text: String) -> Result<u32, u32> {
        text.push('!');
        self.0 += 1;
        Err(self.0 + u32::try_from(text.len()).unwrap_or(0))
    }
}

#[async_trait]
trait Remote {
    async fn call(&self, request: String) -> Result<usize, usize>;
}

#[async_trait]
impl Remote for Strict {
    #[retried(attempts = 2, delay = "1ms")]
    async fn call(&self, request: String) -> Result<usize, usize> {
        Err(request.len() + self.0 as usize)
    }
}

#[test]
fn strict_lints_accept_every_expansion() {
    let mut bytes = Vec::new();
    assert_eq!(one_expression(), Ok(1));
    assert_eq!(owned_and_borrowed("a".into(), "bc", &mut bytes), Err(5));
    assert_eq!(question_mark("sum", ("1".into(), "2".into())), Ok(3));
    assert_eq!(generic(3_u8), Err(3));
    assert_eq!(timed_whole("abc".into()), Err(3));
    let mut value = Strict(0);
    assert_eq!(value.method(None), Err(2));
    assert_eq!(value.borrowed("ab"), Err(4));
    assert_eq!(Arc::new(Strict(7)).shared(), Err(7));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(async_one_expression("ab".into())), Err(2));
    assert_eq!(runtime.block_on(timed_each("ab".into())), Err(2));
    assert_eq!(runtime.block_on(value.async_method()), Err(2));
    assert_eq!(runtime.block_on(value.owned("a".into())), Err(6));
    assert_eq!(runtime.block_on(value.call("a".into())), Err(5));
    let flow: ControlFlow<()> = ControlFlow::Continue(());
    assert_eq!(flow, ControlFlow::Continue(()));
    assert!(Duration::from_millis(1) > Duration::ZERO);
}
