//! Expansions compile without warnings under strict lints, with std names imported so that
//! a needlessly qualified path in generated code would be flagged.
#![deny(
    warnings,
    unused_qualifications,
    unused_results,
    unsafe_code,
    unreachable_pub,
    elided_lifetimes_in_paths,
    non_snake_case
)]

use core::ops::ControlFlow;
use gort_metrics::retried;
use std::time::Duration;

#[retried(attempts = 2, delay = "1ms", max_elapsed = "1s", backoff = "fixed")]
fn strict(owned: String, shared: &str, exclusive: &mut Vec<u8>) -> Result<usize, usize> {
    exclusive.push(1);
    Err(owned.len() + shared.len() + exclusive.len())
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
}

trait Strictly {
    fn borrowed(&self, key: &str) -> Result<&str, usize>;
    async fn owned(&mut self, text: String) -> Result<u32, u32>;
}

impl Strictly for Strict {
    #[retried(attempts = 2, delay = "1ms")]
    fn borrowed(&self, key: &str) -> Result<&str, usize> {
        Err(key.len() + self.0 as usize)
    }

    #[retried(attempts = 2, delay = "1ms")]
    async fn owned(&mut self, mut text: String) -> Result<u32, u32> {
        text.push('!');
        self.0 += 1;
        Err(self.0 + text.len() as u32)
    }
}

#[test]
fn strict_lints_accept_every_expansion() {
    let mut bytes = Vec::new();
    assert_eq!(strict("a".into(), "bc", &mut bytes), Err(5));
    let mut value = Strict(0);
    assert_eq!(value.method(None), Err(2));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(value.async_method()), Err(2));
    assert_eq!(value.borrowed("ab"), Err(4));
    assert_eq!(runtime.block_on(value.owned("a".into())), Err(6));
    let flow: ControlFlow<()> = ControlFlow::Continue(());
    assert_eq!(flow, ControlFlow::Continue(()));
    assert!(Duration::from_millis(1) > Duration::ZERO);
}
