use super::private::TimedSite;
use super::{Timer, time_message, time_middleware};
use crate::collector::{Collector, Outcome};
use crate::dispatch::with_collector;
use crate::noop::NoopCollector;
use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use core::time::Duration;
use std::sync::{Arc, Mutex, PoisonError};

/// Which duration method was called, with its label and duration.
#[derive(Debug, Clone, PartialEq)]
enum Recorded {
    Middleware(String, Duration),
    Message(String, Duration),
}

/// Keeps every duration recorded into it; clones share the log.
#[derive(Debug, Clone, Default)]
struct Log(Arc<Mutex<Vec<Recorded>>>);

impl Log {
    fn push(&self, record: Recorded) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }

    fn take(&self) -> Vec<Recorded> {
        core::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Collector for Log {
    fn record_message_received(&self, _: &str, _: &str, _: &str) {}
    fn record_message_sent(&self, _: &str, _: &str, _: &str) {}
    fn record_message_duration(&self, channel: &str, duration: Duration) {
        self.push(Recorded::Message(channel.into(), duration));
    }
    fn record_channel_status(&self, _: &str, _: &str, _: bool) {}
    fn record_channel_error(&self, _: &str, _: &str, _: &str) {}
    fn record_session_active(&self, _: i64) {}
    fn record_session_duration(&self, _: Duration) {}
    fn record_middleware_duration(&self, middleware: &str, duration: Duration) {
        self.push(Recorded::Middleware(middleware.into(), duration));
    }
    fn record_retry(&self, _: &str, _: u32, _: bool) {}
}

fn labels(records: &[Recorded]) -> Vec<String> {
    records
        .iter()
        .map(|record| match record {
            Recorded::Middleware(label, _) => format!("middleware:{label}"),
            Recorded::Message(label, _) => format!("message:{label}"),
        })
        .collect()
}

const PAUSE: Duration = Duration::from_millis(15);

#[test]
fn a_middleware_timer_records_its_label_and_the_real_duration_when_dropped() {
    let log = Log::default();
    with_collector(log.clone(), || {
        let _timer = time_middleware("auth");
        std::thread::sleep(PAUSE);
    });
    let records = log.take();
    assert_eq!(labels(&records), ["middleware:auth"]);
    let Recorded::Middleware(_, duration) = records[0] else {
        unreachable!()
    };
    assert!(duration >= PAUSE, "{duration:?}");
}

#[test]
fn a_message_timer_records_a_message_duration() {
    let log = Log::default();
    with_collector(log.clone(), || drop(time_message("dingtalk")));
    assert_eq!(labels(&log.take()), ["message:dingtalk"]);
}

#[test]
fn a_timer_started_while_nothing_records_never_reads_the_clock() {
    let timer = with_collector(NoopCollector, || time_middleware("auth"));
    assert!(timer.start.is_none());
    assert!(!timer.is_measuring());
    assert_eq!(timer.elapsed(), None);

    // Its call began unobserved, so a collector that appears before the end gets nothing.
    let log = Log::default();
    with_collector(log.clone(), || drop(timer));
    assert!(log.take().is_empty());
}

#[test]
fn finish_records_once_and_returns_what_it_recorded() {
    let log = Log::default();
    let recorded = with_collector(log.clone(), || time_middleware("auth").finish());
    let records = log.take();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0],
        Recorded::Middleware("auth".into(), recorded.unwrap())
    );
}

#[test]
fn finish_without_measuring_records_nothing() {
    let log = Log::default();
    let timer = with_collector(NoopCollector, || time_message("dingtalk"));
    assert_eq!(with_collector(log.clone(), || timer.finish()), None);
    assert!(log.take().is_empty());
}

#[test]
fn discard_records_nothing() {
    let log = Log::default();
    with_collector(log.clone(), || time_middleware("auth").discard());
    assert!(log.take().is_empty());
}

#[test]
fn a_panic_unwinding_through_a_timer_records_it() {
    let log = Log::default();
    let result = with_collector(log.clone(), || {
        std::panic::catch_unwind(|| {
            let _timer = time_middleware("auth");
            panic!("handler failed");
        })
    });
    assert!(result.is_err());
    assert_eq!(labels(&log.take()), ["middleware:auth"]);
}

#[test]
fn a_timer_records_into_the_collector_current_when_it_is_dropped() {
    let (first, second) = (Log::default(), Log::default());
    let timer: Timer<'static> = with_collector(first.clone(), || time_middleware("auth"));
    with_collector(second.clone(), || drop(timer));
    assert!(first.take().is_empty());
    assert_eq!(labels(&second.take()), ["middleware:auth"]);
}

static AUTH: TimedSite = TimedSite::middleware("auth");
static DINGTALK: TimedSite = TimedSite::channel("dingtalk");

#[test]
fn a_site_starts_timers_of_its_kind_and_label() {
    let log = Log::default();
    with_collector(log.clone(), || {
        drop(AUTH.start());
        drop(DINGTALK.start());
    });
    assert_eq!(labels(&log.take()), ["middleware:auth", "message:dingtalk"]);
}

/// Pending on its first poll, ready on the second.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = u8;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> {
        if core::mem::replace(&mut self.0, true) {
            Poll::Ready(7)
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn a_timed_future_dropped_before_its_first_poll_records_nothing() {
    let log = Log::default();
    with_collector(log.clone(), || {
        drop(AUTH.time_future_with(|| YieldOnce(false), |_| Outcome::Ok))
    });
    assert!(log.take().is_empty());
}

#[test]
fn a_timed_future_records_once_at_completion_not_at_drop() {
    let log = Log::default();
    with_collector(log.clone(), || {
        let mut future = pin!(DINGTALK.time_future_with(|| YieldOnce(false), |_| Outcome::Ok));
        assert_eq!(poll_once(future.as_mut()), Poll::Pending);
        assert!(log.take().is_empty());
        assert_eq!(poll_once(future.as_mut()), Poll::Ready(7));
        assert_eq!(labels(&log.take()), ["message:dingtalk"]);
    });
    assert!(
        log.take().is_empty(),
        "the drop after completion recorded again"
    );
}

#[test]
fn a_timed_future_dropped_while_pending_records_exactly_once() {
    let log = Log::default();
    with_collector(log.clone(), || {
        let mut future = Box::pin(AUTH.time_future_with(|| YieldOnce(false), |_| Outcome::Ok));
        assert_eq!(poll_once(future.as_mut()), Poll::Pending);
        drop(future);
    });
    assert_eq!(labels(&log.take()), ["middleware:auth"]);
}

#[test]
fn a_timed_future_keeps_a_self_borrowing_future_in_place() {
    // The inner future borrows its own local across a suspension point: moving it after the
    // first poll would leave `view` dangling, so this exercises the pinning projection.
    let inner = async {
        let data = [1_u8, 2, 3];
        let view = &data[1..];
        YieldOnce(false).await;
        view.iter().sum::<u8>()
    };
    let log = Log::default();
    with_collector(log.clone(), || {
        let mut future = Box::pin(AUTH.time_future_with(|| inner, |_| Outcome::Ok));
        assert_eq!(poll_once(future.as_mut()), Poll::Pending);
        let mut moved_box = future;
        assert_eq!(poll_once(moved_box.as_mut()), Poll::Ready(5));
    });
    assert_eq!(labels(&log.take()), ["middleware:auth"]);
}

#[test]
fn a_timed_future_is_unpin_when_its_inner_future_is() {
    fn assert_unpin<T: Unpin>(_: &T) {}
    let future = AUTH.time_future_with(|| YieldOnce(false), |_| Outcome::Ok);
    assert_unpin(&future);
    let mut future = future;
    assert_eq!(poll_once(Pin::new(&mut future)), Poll::Pending);
}

#[test]
fn timers_and_timed_futures_can_cross_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Timer<'static>>();
    assert_send_sync::<
        super::private::TimedFuture<YieldOnce, &'static TimedSite, fn(&u8) -> Outcome>,
    >();
    assert_send_sync::<
        super::private::TimedFuture<YieldOnce, super::private::DynamicStart, fn(&u8) -> Outcome>,
    >();
}
