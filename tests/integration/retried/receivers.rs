//! Receivers other than `&self` and `&mut self`: `self: Arc<Self>` and `self: Rc<Self>` are
//! cloned for each try but the last, which gets the original; `self: Pin<&mut Self>` is
//! reborrowed for each try. The bodies consume their `self`, which a shared one would forbid.

use gort_metrics::retried;
use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use tests::recording;

#[derive(Default)]
struct Service {
    /// `Arc::strong_count` as each try saw it.
    counts: Mutex<Vec<usize>>,
}

impl Service {
    #[retried(attempts = 3, delay = "1ms")]
    fn fetch(self: Arc<Self>) -> Result<(), usize> {
        let count = Arc::strong_count(&self);
        self.counts.lock().unwrap().push(count);
        let consumed: Arc<Self> = self;
        drop(consumed);
        Err(count)
    }

    #[retried(attempts = 3, delay = "1ms")]
    async fn fetch_later(self: Arc<Self>, extra: u32) -> Result<u32, usize> {
        let count = Arc::strong_count(&self);
        self.counts.lock().unwrap().push(count);
        let task = async move { self.counts.lock().unwrap().len() };
        let tries = task.await;
        if tries < 3 { Err(count) } else { Ok(extra) }
    }
}

#[test]
fn arc_self_is_cloned_for_every_try_but_the_last() {
    let service = Arc::new(Service::default());
    let (result, collector) = recording(|| Arc::clone(&service).fetch());
    // The caller's handle, the original waiting in its slot, and the try's clone; the last try
    // holds the original itself.
    assert_eq!(*service.counts.lock().unwrap(), [3, 3, 2]);
    assert_eq!(result, Err(2));
    assert_eq!(Arc::strong_count(&service), 1);
    assert_eq!(collector.retries(), [("fetch".to_owned(), 3, false)]);
}

#[tokio::test(start_paused = true)]
async fn async_arc_self_is_cloned_for_every_try_but_the_last() {
    let service = Arc::new(Service::default());
    assert_eq!(Arc::clone(&service).fetch_later(7).await, Ok(7));
    assert_eq!(*service.counts.lock().unwrap(), [3, 3, 2]);
    assert_eq!(Arc::strong_count(&service), 1);
}

struct Counter {
    counts: RefCell<Vec<usize>>,
}

impl Counter {
    #[retried(attempts = 2, delay = "1ms")]
    fn bump(self: Rc<Self>) -> Result<(), ()> {
        self.counts.borrow_mut().push(Rc::strong_count(&self));
        let consumed = self;
        drop(consumed);
        Err(())
    }
}

#[test]
fn rc_self_is_cloned_for_every_try_but_the_last() {
    let counter = Rc::new(Counter {
        counts: RefCell::new(Vec::new()),
    });
    assert_eq!(Rc::clone(&counter).bump(), Err(()));
    assert_eq!(*counter.counts.borrow(), [3, 2]);
    assert_eq!(Rc::strong_count(&counter), 1);
}

#[derive(Default)]
struct Poller {
    polls: u32,
}

impl Poller {
    #[retried(attempts = 3, delay = "1ms")]
    fn poll_ready(self: Pin<&mut Self>) -> Result<u32, u32> {
        // `get_mut` consumes the pinned reference: each try needs its own.
        let this = self.get_mut();
        this.polls += 1;
        if this.polls < 3 {
            Err(this.polls)
        } else {
            Ok(this.polls)
        }
    }

    #[retried(attempts = 2, delay = "1ms")]
    async fn poll_later(mut self: Pin<&mut Self>) -> Result<(), u32> {
        self.as_mut().get_mut().polls += 10;
        Err(self.polls)
    }
}

#[test]
fn pinned_mutable_self_is_reborrowed_for_each_try() {
    let mut poller = Poller::default();
    assert_eq!(Pin::new(&mut poller).poll_ready(), Ok(3));
    assert_eq!(poller.polls, 3);
}

#[tokio::test(start_paused = true)]
async fn async_pinned_mutable_self_is_reborrowed_for_each_try() {
    let mut poller = Poller::default();
    assert_eq!(Pin::new(&mut poller).poll_later().await, Err(20));
}
