//! Expansions compile cleanly under strict lints, clippy's pedantic group included, on every
//! shape of function: nothing they add trips a lint the user's own code would not.
#![deny(
    warnings,
    clippy::pedantic,
    clippy::shadow_unrelated,
    unused,
    unused_qualifications,
    unused_results,
    rust_2018_idioms,
    elided_lifetimes_in_paths,
    single_use_lifetimes,
    trivial_casts,
    unsafe_code,
    let_underscore_drop,
    non_upper_case_globals,
    clippy::all
)]

use gort_metrics::{retried, timed};
use std::future::Future;
use tests::recording;

struct Strict<'a> {
    name: &'a str,
}

#[timed]
impl<'a> Strict<'a> {
    fn name(&self) -> &'a str {
        self.name
    }

    async fn name_later(&self) -> &'a str {
        std::future::ready(self.name).await
    }

    // The hand-written future is the shape under test, not an oversight.
    #[allow(clippy::manual_async_fn)]
    fn name_future(&self) -> impl Future<Output = usize> + '_ {
        async move { self.name.len() }
    }
}

#[timed(channel = "strict")]
fn checked(value: Option<u8>) -> Result<u8, &'static str> {
    let value = value.ok_or("missing")?;
    Ok(value)
}

#[timed]
fn returns_a_future() -> impl Future<Output = u8> {
    std::future::ready(1)
}

#[timed]
fn one_expression(value: u8) -> Result<u8, u8> {
    if value > 0 { Ok(value) } else { Err(value) }
}

#[timed(middleware = "generic")]
fn generic<T: Into<u64>>(value: T) -> u64 {
    value.into()
}

#[timed]
async fn async_one_expression(text: String) -> usize {
    std::future::ready(text.len()).await
}

#[timed]
#[retried(attempts = 1)]
fn timed_whole(text: String) -> Result<usize, usize> {
    Err(text.len())
}

#[retried(attempts = 1)]
#[timed]
async fn timed_each(text: String) -> Result<usize, usize> {
    Err(text.len())
}

struct Labelled {
    channel: String,
    items: Vec<u8>,
}

impl Labelled {
    #[timed(channel = self.channel)]
    fn items_mut(&mut self) -> Result<&mut Vec<u8>, u8> {
        if self.items.is_empty() {
            return Err(0);
        }
        Ok(&mut self.items)
    }

    #[timed(channel = self.channel)]
    async fn first(&self) -> Result<u8, u8> {
        self.items.first().copied().ok_or(0)
    }

    #[timed(middleware = name)]
    fn plain(&self, name: &str) -> usize {
        name.len() + self.items.len()
    }

    #[allow(clippy::manual_async_fn)]
    #[timed(channel = self.channel.as_str())]
    fn later(&self) -> impl Future<Output = Result<usize, u8>> + '_ {
        async move { Ok(self.items.len()) }
    }
}

#[test]
fn strict_lints_accept_the_outcome_and_run_time_label_expansions() {
    let mut labelled = Labelled {
        channel: "strict".into(),
        items: vec![1],
    };
    let ((mutable, plain), collector) = recording(|| {
        drop(labelled.first());
        drop(labelled.later());
        let plain = labelled.plain("auth");
        (labelled.items_mut().map(|items| items.len()), plain)
    });
    assert_eq!((mutable, plain), (Ok(1), 5));
    assert_eq!(collector.outcomes().len(), 2);
}

#[test]
fn strict_lints_accept_the_expansions() {
    let strict = Strict { name: "strict" };
    let (results, collector) = recording(|| {
        let later = strict.name_later();
        drop(later);
        let built = strict.name_future();
        drop(built);
        drop(returns_a_future());
        drop(async_one_expression("a".into()));
        drop(timed_each("a".into()));
        (
            strict.name(),
            checked(Some(1)),
            checked(None),
            one_expression(1),
            generic(2_u8),
            timed_whole("ab".into()),
        )
    });
    assert_eq!(results, ("strict", Ok(1), Err("missing"), Ok(1), 2, Err(2)));
    // Futures dropped unpolled record nothing.
    assert_eq!(collector.middleware_durations().len(), 4);
    assert_eq!(collector.message_durations().len(), 2);
}
