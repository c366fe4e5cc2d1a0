//! Methods of trait implementations, sync and native `async fn`, generic trait impls, default
//! methods of a trait, and associated fns that use the impl's generic parameters without naming
//! `Self`.

use gort_metrics::{WithCollectorExt, retried};
use std::cell::{Cell, RefCell};
use tests::{RecordingCollector, recording};

trait Transport {
    fn reply(&self) -> Option<&'static str>;
    fn send(&mut self, message: String) -> Result<usize, String>;
    fn status(&self) -> Result<u16, String>;
    fn header(&self, key: &str) -> Result<&str, String>;
    async fn send_later(&mut self, message: String) -> Result<usize, String>;
    async fn status_later(&self) -> Result<u16, String>;
    async fn header_later(&self, key: &str) -> Result<&str, String>;

    /// Retried where the trait defines it, for every implementation.
    #[retried(attempts = 3, delay = "1ms")]
    fn ready(&self) -> Result<(), String> {
        match self.reply() {
            Some("ready") => Ok(()),
            Some(other) => Err(other.to_owned()),
            None => Err("no reply".to_owned()),
        }
    }
}

/// Answers each try with the next reply: `"busy"` fails the try with an early `return`, a
/// number succeeds, anything else fails it through `?`.
#[derive(Default)]
struct Endpoint {
    /// Replies still to come, the next one last.
    replies: RefCell<Vec<&'static str>>,
    /// The message each try of a send got, and the address of its bytes.
    received: Vec<(String, usize)>,
    name: String,
}

impl Endpoint {
    fn replying(replies: &[&'static str]) -> Self {
        let mut replies = replies.to_vec();
        replies.reverse();
        Endpoint {
            replies: RefCell::new(replies),
            name: "edge-1".to_owned(),
            ..Endpoint::default()
        }
    }
}

fn parse_reply<T: std::str::FromStr>(reply: &str) -> Result<T, String> {
    reply.parse().map_err(|_| format!("bad reply {reply:?}"))
}

impl Transport for Endpoint {
    fn reply(&self) -> Option<&'static str> {
        self.replies.borrow_mut().pop()
    }

    #[retried(attempts = 3, delay = "1ms")]
    fn send(&mut self, mut message: String) -> Result<usize, String> {
        self.received
            .push((message.clone(), message.as_ptr() as usize));
        let reply = self.reply().ok_or("no reply")?;
        if reply == "busy" {
            // Changes this try's copy only: the next try gets the caller's message again.
            message.push_str(" (dropped)");
            return Err(message);
        }
        let accepted: usize = parse_reply(reply)?;
        Ok(accepted.min(message.len()))
    }

    #[retried(op = "status", attempts = 4, delay = "1ms")]
    fn status(&self) -> Result<u16, String> {
        let reply = self.reply().ok_or("no reply")?;
        if reply == "busy" {
            return Err("busy".to_owned());
        }
        let code: u16 = parse_reply(reply)?;
        Ok(code)
    }

    #[retried(attempts = 2, delay = "1ms")]
    fn header(&self, key: &str) -> Result<&str, String> {
        let reply = self.reply().ok_or("no reply")?;
        if reply != key {
            return Err(format!("no header {key:?}"));
        }
        Ok(&self.name)
    }

    #[retried(attempts = 3, delay = "10ms")]
    async fn send_later(&mut self, mut message: String) -> Result<usize, String> {
        self.received
            .push((message.clone(), message.as_ptr() as usize));
        tokio::task::yield_now().await;
        let reply = self.reply().ok_or("no reply")?;
        if reply == "busy" {
            message.push_str(" (dropped)");
            return Err(message);
        }
        let accepted: usize = parse_reply(reply)?;
        Ok(accepted.min(message.len()))
    }

    #[retried(attempts = 4, delay = "10ms")]
    async fn status_later(&self) -> Result<u16, String> {
        tokio::task::yield_now().await;
        let reply = self.reply().ok_or("no reply")?;
        if reply == "busy" {
            return Err("busy".to_owned());
        }
        parse_reply(reply)
    }

    #[retried(attempts = 2, delay = "10ms")]
    async fn header_later(&self, key: &str) -> Result<&str, String> {
        tokio::task::yield_now().await;
        let reply = self.reply().ok_or("no reply")?;
        if reply != key {
            return Err(format!("no header {key:?}"));
        }
        // `&String` coerces to the declared `&str`, as in any `async fn`.
        Ok(&self.name)
    }
}

/// Every try got the caller's message unchanged; all but the last a clone of it, the last the
/// original, whose bytes live at `original`.
fn assert_cloned_for_all_but_the_last(received: &[(String, usize)], original: usize) {
    let (last, earlier) = received.split_last().expect("at least one try");
    assert_eq!(last, &("hello".to_owned(), original));
    for (message, address) in earlier {
        assert_eq!(message, "hello");
        assert_ne!(*address, original);
    }
}

#[test]
fn mut_self_trait_methods_clone_owned_arguments_for_all_tries_but_the_last() {
    let mut endpoint = Endpoint::replying(&["busy", "not a number", "4"]);
    let message = "hello".to_owned();
    let original = message.as_ptr() as usize;
    let (result, collector) = recording(|| endpoint.send(message));
    assert_eq!(result, Ok(4));
    assert_eq!(endpoint.received.len(), 3);
    assert_cloned_for_all_but_the_last(&endpoint.received, original);
    assert_eq!(collector.retries(), [("send".to_owned(), 3, true)]);
}

#[test]
fn mut_self_trait_methods_return_the_last_error_when_exhausted() {
    let mut endpoint = Endpoint::replying(&["busy", "busy", "busy", "5"]);
    let (result, collector) = recording(|| endpoint.send("hello".to_owned()));
    assert_eq!(result, Err("hello (dropped)".to_owned()));
    assert_eq!(endpoint.replies.borrow().as_slice(), ["5"]);
    assert_eq!(collector.retries(), [("send".to_owned(), 3, false)]);
}

#[test]
fn shared_self_trait_methods_end_a_try_on_question_mark_and_return() {
    let endpoint = Endpoint::replying(&["busy", "oops", "busy", "204"]);
    let (result, collector) = recording(|| endpoint.status());
    assert_eq!(result, Ok(204));
    assert_eq!(collector.retries(), [("status".to_owned(), 4, true)]);
}

#[test]
fn trait_methods_may_return_borrows_of_self() {
    let endpoint = Endpoint::replying(&["host", "accept"]);
    let (result, collector) = recording(|| endpoint.header("accept"));
    assert_eq!(result, Ok("edge-1"));
    assert_eq!(collector.retries(), [("header".to_owned(), 2, true)]);
}

#[test]
fn default_methods_of_a_trait() {
    let endpoint = Endpoint::replying(&["busy", "ready", "busy"]);
    let (result, collector) = recording(|| endpoint.ready());
    assert_eq!(result, Ok(()));
    assert_eq!(endpoint.replies.borrow().as_slice(), ["busy"]);
    assert_eq!(collector.retries(), [("ready".to_owned(), 2, true)]);
}

#[tokio::test(start_paused = true)]
async fn async_mut_self_trait_methods_keep_state_and_clone_owned_arguments() {
    let mut endpoint = Endpoint::replying(&["busy", "?", "3"]);
    let message = "hello".to_owned();
    let original = message.as_ptr() as usize;
    let collector = RecordingCollector::new();
    let result = endpoint
        .send_later(message)
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Ok(3));
    assert_cloned_for_all_but_the_last(&endpoint.received, original);
    assert_eq!(collector.retries(), [("send_later".to_owned(), 3, true)]);
}

#[tokio::test(start_paused = true)]
async fn async_shared_self_trait_methods_record_the_exact_tries() {
    let endpoint = Endpoint::replying(&["busy", "x", "y", "busy", "200"]);
    let collector = RecordingCollector::new();
    let result = endpoint
        .status_later()
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Err("busy".to_owned()));
    assert_eq!(endpoint.replies.borrow().as_slice(), ["200"]);
    assert_eq!(collector.retries(), [("status_later".to_owned(), 4, false)]);

    let endpoint = Endpoint::replying(&["host", "accept"]);
    let collector = RecordingCollector::new();
    let result = endpoint
        .header_later("accept")
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Ok("edge-1"));
    assert_eq!(collector.retries(), [("header_later".to_owned(), 2, true)]);
}

#[test]
fn async_trait_methods_are_send_when_their_body_is() {
    fn assert_send<T: Send>(_: &T) {}
    let mut endpoint = Endpoint::default();
    assert_send(&endpoint.send_later(String::new()));
}

trait Queue: Sized {
    type Item;
    fn filled(item: Self::Item, count: usize) -> Result<Self, usize>;
    fn pop_matching(&mut self, wanted: Self::Item) -> Result<Self::Item, usize>;
    async fn pop_later(&mut self, wanted: Self::Item) -> Result<Self::Item, usize>;
}

#[derive(Debug, PartialEq)]
struct Wrapper<T> {
    items: Vec<T>,
}

impl<T: Clone + PartialEq> Queue for Wrapper<T> {
    type Item = T;

    #[retried(attempts = 2, delay = "1ms")]
    fn filled(item: T, count: usize) -> Result<Self, usize> {
        if count == 0 {
            return Err(count);
        }
        Ok(Wrapper {
            items: vec![item; count],
        })
    }

    #[retried(attempts = 3, delay = "1ms")]
    fn pop_matching(&mut self, wanted: T) -> Result<T, usize> {
        match self.items.pop() {
            Some(item) if item == wanted => Ok(item),
            _ => Err(self.items.len()),
        }
    }

    #[retried(attempts = 3, delay = "10ms")]
    async fn pop_later(&mut self, wanted: T) -> Result<T, usize> {
        tokio::task::yield_now().await;
        match self.items.pop() {
            Some(item) if item == wanted => Ok(item),
            _ => Err(self.items.len()),
        }
    }
}

#[test]
fn methods_and_associated_fns_of_generic_trait_impls() {
    let (result, collector) = recording(|| Wrapper::filled('a', 2));
    assert_eq!(
        result,
        Ok(Wrapper {
            items: vec!['a'; 2]
        })
    );
    assert_eq!(collector.retries(), [("filled".to_owned(), 1, true)]);
    let (result, collector) = recording(|| Wrapper::<char>::filled('a', 0));
    assert_eq!(result, Err(0));
    assert_eq!(collector.retries(), [("filled".to_owned(), 2, false)]);

    let mut queue = Wrapper {
        items: vec![
            "keep".to_owned(),
            "b".to_owned(),
            "x".to_owned(),
            "y".to_owned(),
        ],
    };
    let (result, collector) = recording(|| queue.pop_matching("b".to_owned()));
    assert_eq!(result, Ok("b".to_owned()));
    assert_eq!(queue.items, ["keep"]);
    assert_eq!(collector.retries(), [("pop_matching".to_owned(), 3, true)]);
}

#[tokio::test(start_paused = true)]
async fn async_methods_of_generic_trait_impls() {
    let mut queue = Wrapper {
        items: vec![1, 2, 3, 4],
    };
    let collector = RecordingCollector::new();
    let result = queue.pop_later(9).with_collector(collector.clone()).await;
    assert_eq!(result, Err(1));
    assert_eq!(queue.items, [1]);
    assert_eq!(collector.retries(), [("pop_later".to_owned(), 3, false)]);
}

impl<T: Clone> Wrapper<T> {
    /// Uses the impl's `T` but never `Self`: the body must still see `T`.
    #[retried(attempts = 3, delay = "1ms")]
    fn first_of(items: &[T], tries: &Cell<u32>) -> Result<T, usize> {
        tries.set(tries.get() + 1);
        if tries.get() < 2 {
            return Err(tries.get() as usize);
        }
        items.first().cloned().ok_or(items.len())
    }

    #[retried(attempts = 2, delay = "10ms")]
    async fn last_of(items: Vec<T>) -> Result<T, usize> {
        tokio::task::yield_now().await;
        items.last().cloned().ok_or(items.len())
    }
}

#[test]
fn associated_fns_using_impl_generics_without_self() {
    let tries = Cell::new(0);
    let (result, collector) = recording(|| Wrapper::first_of(&["a", "b"], &tries));
    assert_eq!(result, Ok("a"));
    assert_eq!(tries.get(), 2);
    assert_eq!(collector.retries(), [("first_of".to_owned(), 2, true)]);
}

#[tokio::test(start_paused = true)]
async fn async_associated_fns_using_impl_generics_without_self() {
    let collector = RecordingCollector::new();
    let result = Wrapper::<u8>::last_of(Vec::new())
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Err(0));
    assert_eq!(collector.retries(), [("last_of".to_owned(), 2, false)]);
}
