//! The expansion names nothing the user can shadow: user items called `Instant`, `Duration`,
//! `Result`, `Option`, `Box`, `drop`, a module called `gort_metrics`, a module without the
//! prelude, and a renamed runtime crate (`crate = ..`) all leave it working.

use tests::recording;

mod shadowed {
    #![allow(dead_code, non_camel_case_types)]

    use ::gort_metrics::timed;

    pub struct Instant;
    pub struct Duration;
    pub struct Option;
    pub struct Some;
    pub struct Box;
    pub struct TimedSite;
    pub struct __GORT_SITE;
    pub type Result<T> = ::core::result::Result<T, ()>;
    pub fn drop() {}

    pub mod gort_metrics {
        pub mod __private {}
    }

    #[timed]
    pub fn sync_call() -> Result<u8> {
        let __gort_guard = 1;
        Ok(__gort_guard)
    }

    #[timed]
    pub async fn async_call() -> u8 {
        2
    }

    #[timed]
    pub fn future_call() -> impl ::core::future::Future<Output = u8> {
        ::core::future::ready(3)
    }

    #[timed]
    impl Instant {
        pub fn now() -> u8 {
            4
        }
    }
}

mod no_prelude {
    #![no_implicit_prelude]

    use ::gort_metrics::timed;

    #[timed]
    pub fn sync_call() -> ::core::option::Option<u8> {
        ::core::option::Option::Some(5)
    }

    #[timed]
    pub async fn async_call() -> u8 {
        6
    }

    #[timed]
    pub fn future_call() -> impl ::core::future::Future<Output = u8> {
        ::core::future::ready(7)
    }
}

mod renamed {
    extern crate gort_metrics as metrics;

    mod vendored {
        pub use super::metrics::__private;
    }

    #[metrics::timed(crate = metrics)]
    pub fn through_the_renamed_crate() -> u8 {
        8
    }

    #[metrics::timed(crate = self::vendored, middleware = "vendored")]
    pub fn through_a_module_path() -> u8 {
        9
    }

    pub struct Relay;

    #[metrics::timed(crate = metrics)]
    impl Relay {
        #[metrics::timed(channel = "relayed")]
        pub fn relay(&self) -> u8 {
            10
        }
    }
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime")
        .block_on(future)
}

#[test]
fn shadowing_user_items_do_not_break_the_expansion() {
    let (values, collector) = recording(|| {
        (
            shadowed::sync_call(),
            block_on(shadowed::async_call()),
            block_on(shadowed::future_call()),
            shadowed::Instant::now(),
        )
    });
    assert_eq!(values, (Ok(1), 2, 3, 4));
    let labels: Vec<_> = collector
        .middleware_durations()
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(
        labels,
        ["sync_call", "async_call", "future_call", "instant"]
    );
}

#[test]
fn no_implicit_prelude_does_not_break_the_expansion() {
    let (values, collector) = recording(|| {
        (
            no_prelude::sync_call(),
            block_on(no_prelude::async_call()),
            block_on(no_prelude::future_call()),
        )
    });
    assert_eq!(values, (Some(5), 6, 7));
    assert_eq!(collector.middleware_durations().len(), 3);
}

#[test]
fn crate_points_the_expansion_at_a_renamed_runtime() {
    let (values, collector) = recording(|| {
        (
            renamed::through_the_renamed_crate(),
            renamed::through_a_module_path(),
            renamed::Relay.relay(),
        )
    });
    assert_eq!(values, (8, 9, 10));
    let labels: Vec<_> = collector
        .middleware_durations()
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(labels, ["through_the_renamed_crate", "vendored"]);
    assert_eq!(collector.message_durations().len(), 1);
}
