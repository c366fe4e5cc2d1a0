//! `#[timed]` and `#[retried]` on one fn read top-down, outer to inner: `#[timed]` above
//! `#[retried]` times the whole call once, waits included; below it, each try.

use gort_metrics::{WithCollectorExt, retried, timed};
use std::time::Duration;
use tests::{RecordingCollector, recording};

/// Between tries, so that a whole-call duration is told from a try's.
const WAIT: Duration = Duration::from_millis(10);

fn labels(records: &[(String, Duration)]) -> Vec<&str> {
    records.iter().map(|(label, _)| label.as_str()).collect()
}

#[timed(middleware = "whole")]
#[retried(attempts = 3, delay = "10ms", backoff = "fixed", jitter = false)]
fn timed_over_retried() -> Result<(), ()> {
    Err(())
}

#[retried(attempts = 3, delay = "10ms", backoff = "fixed", jitter = false)]
#[timed(middleware = "each")]
fn retried_over_timed() -> Result<(), ()> {
    Err(())
}

#[timed]
#[retried(attempts = 2, delay = "1ms")]
fn default_labels() -> Result<(), ()> {
    Err(())
}

#[test]
fn timed_above_retried_times_the_whole_call_once() {
    let (result, collector) = recording(timed_over_retried);
    assert_eq!(result, Err(()));
    let durations = collector.middleware_durations();
    assert_eq!(labels(&durations), ["whole"]);
    assert!(durations[0].1 >= 2 * WAIT, "{durations:?}");
    assert_eq!(
        collector.retries(),
        [("timed_over_retried".to_owned(), 3, false)]
    );
}

#[test]
fn timed_below_retried_times_each_try() {
    let (result, collector) = recording(retried_over_timed);
    assert_eq!(result, Err(()));
    let durations = collector.middleware_durations();
    assert_eq!(labels(&durations), ["each", "each", "each"]);
    assert!(
        durations.iter().all(|(_, took)| *took < WAIT),
        "{durations:?}"
    );
    assert_eq!(
        collector.retries(),
        [("retried_over_timed".to_owned(), 3, false)]
    );
}

#[test]
fn a_bare_timed_over_retried_is_named_after_the_fn() {
    let (_, collector) = recording(default_labels);
    assert_eq!(
        labels(&collector.middleware_durations()),
        ["default_labels"]
    );
}

#[timed(channel = "whole-async")]
#[retried(attempts = 3, delay = "10ms", backoff = "fixed", jitter = false)]
async fn async_timed_over_retried(message: String) -> Result<usize, usize> {
    tokio::task::yield_now().await;
    Err(message.len())
}

#[retried(attempts = 3, delay = "10ms", backoff = "fixed", jitter = false)]
#[timed(channel = "each-async")]
async fn async_retried_over_timed(message: String) -> Result<usize, usize> {
    tokio::task::yield_now().await;
    Err(message.len())
}

#[tokio::test]
async fn async_timed_above_retried_times_the_whole_call_once() {
    let collector = RecordingCollector::new();
    let result = async_timed_over_retried("hi".into())
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Err(2));
    let durations = collector.message_durations();
    assert_eq!(labels(&durations), ["whole-async"]);
    assert!(durations[0].1 >= 2 * WAIT, "{durations:?}");
    assert_eq!(collector.retries().len(), 1);
}

#[tokio::test]
async fn async_timed_below_retried_times_each_try() {
    let collector = RecordingCollector::new();
    let result = async_retried_over_timed("hi".into())
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Err(2));
    let durations = collector.message_durations();
    assert_eq!(labels(&durations), ["each-async"; 3]);
    assert_eq!(collector.retries().len(), 1);
}

struct DingTalk;

/// The block's `#[timed]` is above every method attribute: it times a retried method's whole
/// call, unless the method's own `#[timed]` stands below its `#[retried]`.
#[timed]
impl DingTalk {
    #[retried(attempts = 2, delay = "1ms")]
    fn send(&self) -> Result<(), ()> {
        Err(())
    }

    #[retried(attempts = 2, delay = "1ms")]
    #[timed(channel = "per-try")]
    fn receive(&self) -> Result<(), ()> {
        Err(())
    }

    #[timed(middleware = "whole-send")]
    #[retried(attempts = 2, delay = "1ms")]
    async fn send_later(&self) -> Result<(), ()> {
        Err(())
    }

    #[timed(skip)]
    #[retried(attempts = 2, delay = "1ms")]
    fn untimed(&self) -> Result<(), ()> {
        Err(())
    }
}

#[test]
fn an_impl_block_times_its_retried_methods_by_their_stacking() {
    let (_, collector) = recording(|| {
        let _ = DingTalk.send();
        let _ = DingTalk.receive();
        let _ = DingTalk.untimed();
    });
    assert_eq!(labels(&collector.middleware_durations()), ["ding_talk"]);
    assert_eq!(
        labels(&collector.message_durations()),
        ["per-try", "per-try"]
    );
    assert_eq!(collector.retries().len(), 3);
}

#[tokio::test]
async fn an_impl_block_times_the_whole_call_of_a_method_timed_above_its_retried() {
    let collector = RecordingCollector::new();
    let _ = DingTalk
        .send_later()
        .with_collector(collector.clone())
        .await;
    assert_eq!(labels(&collector.middleware_durations()), ["whole-send"]);
}

/// Fails until the third try.
fn third_time_lucky(tries: &std::cell::Cell<u32>) -> Result<u32, u32> {
    tries.set(tries.get() + 1);
    if tries.get() < 3 {
        Err(tries.get())
    } else {
        Ok(tries.get())
    }
}

#[retried(attempts = 5, delay = "1ms")]
#[timed(middleware = "try")]
fn each_try_counted(tries: &std::cell::Cell<u32>) -> Result<u32, u32> {
    third_time_lucky(tries)
}

#[timed(middleware = "call")]
#[retried(attempts = 5, delay = "1ms")]
fn whole_call_counted(tries: &std::cell::Cell<u32>) -> Result<u32, u32> {
    third_time_lucky(tries)
}

#[retried(attempts = 2, delay = "1ms")]
#[timed(channel = channel)]
async fn each_async_try_labelled(
    channel: String,
    tries: &std::cell::Cell<u32>,
) -> Result<u32, u32> {
    drop(channel);
    third_time_lucky(tries)
}

#[test]
fn each_try_is_counted_by_its_own_outcome_and_the_whole_call_by_the_last() {
    use gort_metrics::Outcome::{Error, Ok as Fine};
    let tries = std::cell::Cell::new(0);
    let (result, each) = recording(|| each_try_counted(&tries));
    assert_eq!(result, Ok(3));
    let expected: Vec<(String, gort_metrics::Outcome)> = [Error, Error, Fine]
        .into_iter()
        .map(|outcome| ("try".to_owned(), outcome))
        .collect();
    assert_eq!(each.outcomes(), expected);

    let tries = std::cell::Cell::new(0);
    let (result, whole) = recording(|| whole_call_counted(&tries));
    assert_eq!(result, Ok(3));
    assert_eq!(whole.outcomes(), [("call".to_owned(), Fine)]);
}

#[tokio::test]
async fn each_async_try_is_counted_under_a_label_copied_once_on_entry() {
    use gort_metrics::Outcome::Error;
    let collector = RecordingCollector::new();
    let tries = std::cell::Cell::new(0);
    let result = each_async_try_labelled("feishu".into(), &tries)
        .with_collector(collector.clone())
        .await;
    assert_eq!(result, Err(2));
    assert_eq!(
        collector.outcomes(),
        [("feishu".to_owned(), Error), ("feishu".to_owned(), Error)]
    );
}
