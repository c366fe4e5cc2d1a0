//! Expansions compile cleanly under strict lints: nothing they add trips a lint the user's own
//! code would not.
#![deny(
    warnings,
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

use gort_metrics::timed;
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
        self.name
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

#[test]
fn strict_lints_accept_the_expansions() {
    let strict = Strict { name: "strict" };
    let (results, collector) = recording(|| {
        let future = strict.name_later();
        drop(future);
        let future = strict.name_future();
        drop(future);
        drop(returns_a_future());
        (strict.name(), checked(Some(1)), checked(None))
    });
    assert_eq!(results, ("strict", Ok(1), Err("missing")));
    assert_eq!(collector.records().len(), 3);
}
