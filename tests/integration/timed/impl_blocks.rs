//! `#[timed]` on a whole impl block: the default label, overrides, `skip`, `const fn`, trait
//! impls, generic self types, and blanket impls with an explicit label.

use super::{assert_one_paused, labels, pause};
use gort_metrics::timed;
use std::fmt::Debug;
use tests::recording;

struct AuthMiddleware {
    secret: &'static str,
}

#[timed]
impl AuthMiddleware {
    const KIND: &'static str = "auth";

    fn new(secret: &'static str) -> Self {
        AuthMiddleware { secret }
    }

    fn check(&self, token: &str) -> bool {
        pause();
        token == self.secret
    }

    #[timed(middleware = "token_refresh")]
    fn refresh(&mut self) {
        pause();
        self.secret = "rotated";
    }

    #[timed(channel = "dingtalk")]
    fn on_message(&self) {
        pause();
    }

    #[timed]
    fn audit(&self) {}

    #[timed(skip)]
    fn name(&self) -> &'static str {
        Self::KIND
    }

    const fn version() -> u32 {
        2
    }
}

#[test]
fn every_method_is_labelled_after_the_self_type_in_snake_case() {
    let (middleware, collector) = recording(|| AuthMiddleware::new("s3cret"));
    assert_eq!(
        labels(&collector.middleware_durations()),
        ["auth_middleware"]
    );

    let (accepted, collector) = recording(|| middleware.check("s3cret"));
    assert!(accepted);
    assert_one_paused(&collector.middleware_durations(), "auth_middleware");
}

#[test]
fn a_method_attribute_overrides_the_impl_one() {
    let mut middleware = AuthMiddleware::new("s3cret");
    let ((), collector) = recording(|| middleware.refresh());
    assert_one_paused(&collector.middleware_durations(), "token_refresh");

    let ((), collector) = recording(|| middleware.on_message());
    assert_one_paused(&collector.message_durations(), "dingtalk");
    assert!(collector.middleware_durations().is_empty());

    // A bare `#[timed]` means what it means on any fn: named after the method.
    let ((), collector) = recording(|| middleware.audit());
    assert_eq!(labels(&collector.middleware_durations()), ["audit"]);
}

#[test]
fn skipped_methods_and_const_fns_are_left_alone() {
    let middleware = AuthMiddleware::new("s3cret");
    let ((name, version), collector) = recording(|| (middleware.name(), AuthMiddleware::version()));
    assert_eq!((name, version), ("auth", 2));
    assert!(collector.records().is_empty());
    const _: u32 = AuthMiddleware::version();
}

trait Middleware {
    fn call(&self, request: u32) -> u32;
    fn describe(&self) -> String {
        "middleware".to_owned()
    }
}

struct RateLimit;

#[gort_metrics::timed]
impl Middleware for RateLimit {
    fn call(&self, request: u32) -> u32 {
        pause();
        request + 1
    }

    #[gort_metrics::timed(skip)]
    fn describe(&self) -> String {
        "rate limit".to_owned()
    }
}

#[test]
fn trait_impls_are_timed_and_the_attribute_may_be_named_by_path() {
    let (response, collector) = recording(|| RateLimit.call(1));
    assert_eq!(response, 2);
    assert_one_paused(&collector.middleware_durations(), "rate_limit");

    let (description, collector) = recording(|| RateLimit.describe());
    assert_eq!(description, "rate limit");
    assert!(collector.records().is_empty());
}

struct Layer<T>(T);

#[timed]
impl<T: Clone> Layer<T> {
    fn inner(&self) -> T {
        pause();
        self.0.clone()
    }
}

trait Describe {
    fn describe(&self) -> String;
}

#[timed(middleware = "describe")]
impl<T: Debug> Describe for T {
    fn describe(&self) -> String {
        pause();
        format!("{self:?}")
    }
}

#[test]
fn generic_self_types_use_their_name_and_blanket_impls_take_an_explicit_one() {
    let (inner, collector) = recording(|| Layer(5_u8).inner());
    assert_eq!(inner, 5);
    assert_one_paused(&collector.middleware_durations(), "layer");

    let (text, collector) = recording(|| 7_u8.describe());
    assert_eq!(text, "7");
    assert_one_paused(&collector.middleware_durations(), "describe");
}

struct DingTalkHandler;

#[timed(channel = "dingtalk")]
impl DingTalkHandler {
    fn receive(&self) {
        pause();
    }

    fn send(&self) {
        pause();
    }
}

#[test]
fn a_channel_on_the_impl_applies_to_every_method() {
    let ((), collector) = recording(|| {
        DingTalkHandler.receive();
        DingTalkHandler.send();
    });
    assert_eq!(
        labels(&collector.message_durations()),
        ["dingtalk", "dingtalk"]
    );
    assert!(collector.middleware_durations().is_empty());
}
