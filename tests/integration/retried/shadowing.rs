//! User items named like what the expansion uses do not break it: generated code names std
//! and the runtime by absolute paths and its locals hygienically.
#![allow(dead_code, non_camel_case_types)]

use tests::recording;

struct Result;
struct Option;
struct Duration;
struct Instant;
struct ControlFlow;
struct Retrying;
struct String;
struct Pin;
struct Arc;
struct ArgumentSlot;
trait AsRef {}
trait ToOwned {}
mod gort_metrics {}
mod core {}
mod std {}
fn now() {}
fn retry_every_error() {}

#[::gort_metrics::retried(attempts = 2, delay = "1ms", max_elapsed = "1s")]
fn shadowed(__gort_retry: u32, __gort_result: &str) -> ::std::result::Result<u32, usize> {
    Err(__gort_retry as usize + __gort_result.len())
}

#[::gort_metrics::retried(attempts = 2, delay = "1ms")]
async fn shadowed_async(__gort_sleeper: u32) -> ::std::result::Result<u32, u32> {
    Err(__gort_sleeper)
}

#[test]
fn shadowing_names_do_not_break_the_expansion() {
    let (result, collector) = recording(|| shadowed(1, "ab"));
    assert_eq!(result, Err(3));
    assert_eq!(collector.retries(), [("shadowed".to_owned(), 2, false)]);
    let runtime = ::tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(shadowed_async(4)), Err(4));
}

/// Without the prelude, the expansion still finds everything it names.
#[no_implicit_prelude]
mod without_prelude {
    #[::gort_metrics::retried(attempts = 2, delay = "1ms")]
    pub(super) fn bare(
        owned: ::std::string::String,
        count: &mut u32,
    ) -> ::core::result::Result<usize, usize> {
        *count += 1;
        ::core::result::Result::Err(owned.len())
    }

    #[::gort_metrics::retried(attempts = 2, delay = "1ms")]
    pub(super) async fn bare_async() -> ::core::result::Result<(), ()> {
        ::core::result::Result::Err(())
    }

    pub(super) struct Shared;

    impl Shared {
        #[::gort_metrics::timed]
        #[::gort_metrics::retried(op = name, attempts = 2, delay = "1ms")]
        pub(super) fn named(
            self: ::std::sync::Arc<Self>,
            name: &str,
        ) -> ::core::result::Result<(), usize> {
            ::core::mem::drop(self);
            ::core::result::Result::Err(name.len())
        }

        #[::gort_metrics::retried(attempts = 2, delay = "1ms")]
        #[::gort_metrics::timed]
        pub(super) fn pinned(self: ::core::pin::Pin<&mut Self>) -> ::core::result::Result<(), ()> {
            let _ = self.get_mut();
            ::core::result::Result::Err(())
        }
    }
}

#[test]
fn the_expansion_needs_no_prelude() {
    let mut count = 0;
    let (result, collector) = recording(|| without_prelude::bare("abc".into(), &mut count));
    assert_eq!(result, Err(3));
    assert_eq!(count, 2);
    assert_eq!(collector.retries(), [("bare".to_owned(), 2, false)]);
    let runtime = ::tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(without_prelude::bare_async()), Err(()));
}

#[test]
fn op_expressions_receivers_and_stacking_need_no_prelude() {
    let shared = ::std::sync::Arc::new(without_prelude::Shared);
    let (result, collector) = recording(|| shared.named("lookup"));
    assert_eq!(result, Err(6));
    assert_eq!(collector.retries(), [("lookup".to_owned(), 2, false)]);
    assert_eq!(collector.middleware_durations().len(), 1);
    let mut pinned = without_prelude::Shared;
    let (result, collector) = recording(|| ::core::pin::Pin::new(&mut pinned).pinned());
    assert_eq!(result, Err(()));
    assert_eq!(collector.middleware_durations().len(), 2);
}
