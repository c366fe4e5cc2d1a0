//! Labels known at run time: `#[timed(channel = msg.channel)]`, `#[timed(middleware = name)]`,
//! `#[timed(channel = FEISHU)]`: any expression whose value is `AsRef<str>`, evaluated once on
//! entry, before the body, which may then move or change what the label was read from.

use gort_metrics::{Outcome, WithCollectorExt, timed, with_collector};
use std::cell::Cell;
use std::sync::Arc;
use tests::RecordingCollector;

use Outcome::{Cancelled, Error, Ok as Fine};

const FEISHU: &str = "feishu";

struct Message {
    channel: String,
    body: String,
}

/// The body moves the field the label was read from.
#[timed(channel = msg.channel)]
fn consume(msg: Message) -> usize {
    let Message { channel, body } = msg;
    drop(channel);
    body.len()
}

/// The body changes the field the label was read from, and fails.
#[timed(channel = msg.channel.as_str())]
fn rename(msg: &mut Message) -> Result<(), String> {
    msg.channel.push_str("-renamed");
    Err(msg.channel.clone())
}

#[timed(middleware = name)]
fn by_name(name: &str, pass: bool) -> Result<(), ()> {
    if pass { Ok(()) } else { Err(()) }
}

#[timed(channel = FEISHU)]
fn by_const() {}

thread_local! {
    static EVALUATIONS: Cell<u32> = const { Cell::new(0) };
}

fn counted(label: &'static str) -> &'static str {
    EVALUATIONS.with(|count| count.set(count.get() + 1));
    label
}

#[timed(middleware = counted("counted"))]
fn evaluated_once() -> u8 {
    EVALUATIONS.with(Cell::get) as u8
}

#[test]
fn run_time_labels_are_read_on_entry_and_survive_the_body() {
    let collector = RecordingCollector::new();
    let mut renamed = Message {
        channel: "wecom".into(),
        body: String::new(),
    };
    let (seen_inside, evaluations) = with_collector(collector.clone(), || {
        let length = consume(Message {
            channel: "dingtalk".into(),
            body: "hello".into(),
        });
        assert_eq!(length, 5);
        assert_eq!(rename(&mut renamed), Err("wecom-renamed".into()));
        by_name("auth", true).unwrap();
        by_name(&String::from("rate-limit"), false).unwrap_err();
        by_const();
        EVALUATIONS.with(|count| count.set(0));
        let seen_inside = evaluated_once();
        (seen_inside, EVALUATIONS.with(Cell::get))
    });
    assert_eq!(
        seen_inside, 1,
        "the label is evaluated before the body runs"
    );
    assert_eq!(evaluations, 1, "and only once");
    let outcomes: Vec<(String, Outcome)> = collector.outcomes();
    let expected: Vec<(String, Outcome)> = [
        ("dingtalk", Fine),
        ("wecom", Error),
        ("auth", Fine),
        ("rate-limit", Error),
        ("feishu", Fine),
        ("counted", Fine),
    ]
    .into_iter()
    .map(|(label, outcome)| (label.to_owned(), outcome))
    .collect();
    assert_eq!(outcomes, expected);
    let channels: Vec<String> = collector
        .message_durations()
        .into_iter()
        .map(|(channel, _)| channel)
        .collect();
    assert_eq!(channels, ["dingtalk", "wecom", "feishu"]);
}

#[test]
fn a_label_longer_than_the_inline_copy_is_kept_whole() {
    let long = "x".repeat(300);
    let collector = RecordingCollector::new();
    with_collector(collector.clone(), || by_name(&long, true).unwrap());
    assert_eq!(collector.outcomes(), [(long, Fine)]);
}

struct Router {
    channel: Arc<str>,
}

impl Router {
    #[timed(channel = self.channel)]
    async fn route(&mut self, to: &str) -> Result<usize, String> {
        // The body replaces the field the label came from.
        self.channel = Arc::from(to);
        tokio::task::yield_now().await;
        if to.is_empty() {
            return Err("no channel".into());
        }
        Ok(to.len())
    }

    #[timed(channel = self.channel)]
    async fn stall(&self) {
        std::future::pending::<()>().await;
    }
}

#[tokio::test]
async fn an_async_method_labelled_from_self_counts_under_the_label_it_started_with() {
    let collector = RecordingCollector::new();
    let mut router = Router {
        channel: Arc::from("dingtalk"),
    };
    async {
        assert_eq!(router.route("feishu").await, Ok(6));
        assert!(router.route("").await.is_err());
        let stalled = tokio::time::timeout(std::time::Duration::from_millis(5), router.stall());
        assert!(stalled.await.is_err());
    }
    .with_collector(collector.clone())
    .await;
    let expected: Vec<(String, Outcome)> = [("dingtalk", Fine), ("feishu", Error), ("", Cancelled)]
        .into_iter()
        .map(|(label, outcome)| (label.to_owned(), outcome))
        .collect();
    assert_eq!(collector.outcomes(), expected);
}

macro_rules! labelled {
    ($name:ident, $label:expr) => {
        #[timed(middleware = $label)]
        fn $name(ok: bool) -> Result<(), ()> {
            if ok { Ok(()) } else { Err(()) }
        }
    };
}

labelled!(through_macro_literal, "macro-literal");
labelled!(through_macro_const, FEISHU);

#[test]
fn labels_pass_through_macro_rules_as_expressions() {
    let collector = RecordingCollector::new();
    with_collector(collector.clone(), || {
        through_macro_literal(true).unwrap();
        through_macro_const(false).unwrap_err();
    });
    assert_eq!(
        collector.outcomes(),
        [
            ("macro-literal".to_owned(), Fine),
            ("feishu".to_owned(), Error)
        ]
    );
}
