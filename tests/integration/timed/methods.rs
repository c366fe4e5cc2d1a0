//! Methods outside a timed impl block: every receiver, associated fns, trait impls and trait
//! default methods, each with its own `#[timed]`.

use super::{assert_one_paused, labels, pause};
use gort_metrics::timed;
use std::pin::Pin;
use tests::recording;

#[derive(Debug, Default)]
struct Session {
    messages: u32,
}

impl Session {
    #[timed]
    fn open() -> Self {
        pause();
        Session::default()
    }

    #[timed]
    fn count(&self) -> u32 {
        pause();
        self.messages
    }

    #[timed]
    fn receive(&mut self) {
        pause();
        self.messages += 1;
    }

    #[timed]
    fn close(self) -> u32 {
        pause();
        self.messages
    }

    // The boxed receiver is the shape under test.
    #[allow(clippy::boxed_local)]
    #[timed]
    fn close_boxed(self: Box<Self>) -> u32 {
        pause();
        self.messages
    }

    #[timed]
    fn receive_pinned(mut self: Pin<&mut Self>) {
        pause();
        self.messages += 1;
    }
}

#[test]
fn every_receiver_and_associated_fns_are_timed_under_the_method_name() {
    let (mut session, collector) = recording(Session::open);
    assert_one_paused(&collector.middleware_durations(), "open");

    let ((), collector) = recording(|| session.receive());
    assert_one_paused(&collector.middleware_durations(), "receive");

    let (count, collector) = recording(|| session.count());
    assert_eq!(count, 1);
    assert_one_paused(&collector.middleware_durations(), "count");

    let ((), collector) = recording(|| Pin::new(&mut session).receive_pinned());
    assert_one_paused(&collector.middleware_durations(), "receive_pinned");

    let (count, collector) = recording(|| Box::new(Session { messages: 5 }).close_boxed());
    assert_eq!(count, 5);
    assert_one_paused(&collector.middleware_durations(), "close_boxed");

    let (count, collector) = recording(|| session.close());
    assert_eq!(count, 2);
    assert_one_paused(&collector.middleware_durations(), "close");
}

trait Handler {
    fn handle(&self, message: &str) -> usize;

    #[timed(middleware = "greeting")]
    fn greet(&self) -> String {
        pause();
        "hello".to_owned()
    }
}

struct Echo;

impl Handler for Echo {
    #[timed(channel = "feishu")]
    fn handle(&self, message: &str) -> usize {
        pause();
        message.len()
    }
}

#[test]
fn trait_impl_methods_and_default_methods_are_timed() {
    let (length, collector) = recording(|| Echo.handle("abc"));
    assert_eq!(length, 3);
    assert_one_paused(&collector.message_durations(), "feishu");

    let (greeting, collector) = recording(|| Echo.greet());
    assert_eq!(greeting, "hello");
    assert_one_paused(&collector.middleware_durations(), "greeting");

    let handler: &dyn Handler = &Echo;
    let (_, collector) = recording(|| handler.handle("x"));
    assert_eq!(labels(&collector.message_durations()), ["feishu"]);
}
