//! Shared helpers for the integration tests: a collector that remembers every call, and a lock
//! for the few tests that must change the process-wide collector.

use gort_metrics::{Collector, Outcome};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// One call made on a [`RecordingCollector`], with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// `record_message_received`
    MessageReceived {
        /// channel label
        channel: String,
        /// direction label
        direction: String,
        /// message type label
        msg_type: String,
    },
    /// `record_message_sent`
    MessageSent {
        /// channel label
        channel: String,
        /// direction label
        direction: String,
        /// message type label
        msg_type: String,
    },
    /// `record_message_duration`
    MessageDuration {
        /// channel label
        channel: String,
        /// measured duration
        duration: Duration,
    },
    /// `record_channel_status`
    ChannelStatus {
        /// channel label
        channel: String,
        /// channel type label
        channel_type: String,
        /// running or not
        running: bool,
    },
    /// `record_channel_error`
    ChannelError {
        /// channel label
        channel: String,
        /// channel type label
        channel_type: String,
        /// error type label
        error_type: String,
    },
    /// `record_session_active`
    SessionActive(i64),
    /// `record_session_duration`
    SessionDuration(Duration),
    /// `record_middleware_duration`
    MiddlewareDuration {
        /// middleware label
        middleware: String,
        /// measured duration
        duration: Duration,
    },
    /// `record_retry`
    Retry {
        /// operation label
        operation: String,
        /// tries made
        attempts: u32,
        /// final outcome
        success: bool,
    },
}

/// A collector that keeps every call in order. Clones share the log.
#[derive(Debug, Clone, Default)]
pub struct RecordingCollector {
    log: Arc<Mutex<Vec<Record>>>,
    /// `(label, outcome)` of every `record_middleware_call` and `record_message_call`, kept
    /// apart from `log` so that the duration each call also records reads as before.
    outcomes: Arc<Mutex<Vec<(String, Outcome)>>>,
}

impl RecordingCollector {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&self, record: Record) {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }

    /// Every call so far, in order.
    pub fn records(&self) -> Vec<Record> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The `(label, outcome)` of every `record_middleware_call` and `record_message_call`, in
    /// order.
    pub fn outcomes(&self) -> Vec<(String, Outcome)> {
        self.outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn push_outcome(&self, label: &str, outcome: Outcome) {
        self.outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((label.into(), outcome));
    }

    /// The `(middleware, duration)` of every `record_middleware_duration` call.
    pub fn middleware_durations(&self) -> Vec<(String, Duration)> {
        self.records()
            .into_iter()
            .filter_map(|record| match record {
                Record::MiddlewareDuration {
                    middleware,
                    duration,
                } => Some((middleware, duration)),
                _ => None,
            })
            .collect()
    }

    /// The `(channel, duration)` of every `record_message_duration` call.
    pub fn message_durations(&self) -> Vec<(String, Duration)> {
        self.records()
            .into_iter()
            .filter_map(|record| match record {
                Record::MessageDuration { channel, duration } => Some((channel, duration)),
                _ => None,
            })
            .collect()
    }

    /// The `(operation, attempts, success)` of every `record_retry` call.
    pub fn retries(&self) -> Vec<(String, u32, bool)> {
        self.records()
            .into_iter()
            .filter_map(|record| match record {
                Record::Retry {
                    operation,
                    attempts,
                    success,
                } => Some((operation, attempts, success)),
                _ => None,
            })
            .collect()
    }
}

impl Collector for RecordingCollector {
    fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str) {
        self.push(Record::MessageReceived {
            channel: channel.into(),
            direction: direction.into(),
            msg_type: msg_type.into(),
        });
    }
    fn record_message_sent(&self, channel: &str, direction: &str, msg_type: &str) {
        self.push(Record::MessageSent {
            channel: channel.into(),
            direction: direction.into(),
            msg_type: msg_type.into(),
        });
    }
    fn record_message_duration(&self, channel: &str, duration: Duration) {
        self.push(Record::MessageDuration {
            channel: channel.into(),
            duration,
        });
    }
    fn record_channel_status(&self, channel: &str, channel_type: &str, running: bool) {
        self.push(Record::ChannelStatus {
            channel: channel.into(),
            channel_type: channel_type.into(),
            running,
        });
    }
    fn record_channel_error(&self, channel: &str, channel_type: &str, error_type: &str) {
        self.push(Record::ChannelError {
            channel: channel.into(),
            channel_type: channel_type.into(),
            error_type: error_type.into(),
        });
    }
    fn record_session_active(&self, count: i64) {
        self.push(Record::SessionActive(count));
    }
    fn record_session_duration(&self, duration: Duration) {
        self.push(Record::SessionDuration(duration));
    }
    fn record_middleware_duration(&self, middleware: &str, duration: Duration) {
        self.push(Record::MiddlewareDuration {
            middleware: middleware.into(),
            duration,
        });
    }
    fn record_retry(&self, operation: &str, attempts: u32, success: bool) {
        self.push(Record::Retry {
            operation: operation.into(),
            attempts,
            success,
        });
    }
    fn record_middleware_call(&self, middleware: &str, outcome: Outcome, duration: Duration) {
        self.push_outcome(middleware, outcome);
        self.record_middleware_duration(middleware, duration);
    }
    fn record_message_call(&self, channel: &str, outcome: Outcome, duration: Duration) {
        self.push_outcome(channel, outcome);
        self.record_message_duration(channel, duration);
    }
}

/// Runs `f` with a fresh [`RecordingCollector`] as this thread's collector; returns what `f`
/// returned and every call it recorded.
pub fn recording<R>(f: impl FnOnce() -> R) -> (R, RecordingCollector) {
    let collector = RecordingCollector::new();
    let result = gort_metrics::with_collector(collector.clone(), f);
    (result, collector)
}

static GLOBAL_LOCK: Mutex<()> = Mutex::new(());

/// Serialises the tests that install a global collector; hold it for the whole test. A panic
/// in another holder does not poison it for the rest.
pub fn lock_global() -> MutexGuard<'static, ()> {
    GLOBAL_LOCK.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One record of each of the nine kinds, with the labels the tests look for.
pub fn record_one_of_each(collector: &dyn Collector) {
    collector.record_message_received("dingtalk", "inbound", "text");
    collector.record_message_sent("feishu", "outbound", "image");
    collector.record_message_duration("dingtalk", Duration::from_millis(30));
    collector.record_channel_status("my-dingtalk", "dingtalk", true);
    collector.record_channel_error("my-dingtalk", "dingtalk", "connection");
    collector.record_session_active(4);
    collector.record_session_duration(Duration::from_secs(2));
    collector.record_middleware_duration("auth", Duration::from_millis(7));
    collector.record_retry("api-call", 3, true);
}

/// Known gateway traffic into the current collector: [`record_one_of_each`] plus two more
/// messages received on `dingtalk` and one more sent on `feishu` through the free functions, so
/// that a real server can be asked for exactly these values.
pub fn record_gateway_traffic() {
    gort_metrics::with_current_collector(record_one_of_each);
    gort_metrics::record_message_received("dingtalk", "inbound", "text");
    gort_metrics::record_message_received("dingtalk", "inbound", "text");
    gort_metrics::record_message_sent("feishu", "outbound", "image");
}

/// Resident set size of this process, from `/proc/self/statm` (pages) and the page size.
pub fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc");
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .expect("statm resident field");
    let page = std::process::Command::new("getconf")
        .arg("PAGESIZE")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(4096);
    pages * page
}

/// Set in the environment of a test re-run by [`in_own_process`].
const OWN_PROCESS_ENV: &str = "GORT_METRICS_OWN_PROCESS";

/// Runs the test named `name` (its full path in the test binary) alone in a fresh process of
/// this test binary, so that no other test's threads or allocations disturb what it measures.
/// Returns `true` in the parent, which then has nothing more to do: the child's failure has
/// already failed it. Returns `false` in the child, which runs the test's body.
pub fn in_own_process(name: &str) -> bool {
    if std::env::var_os(OWN_PROCESS_ENV).is_some() {
        return false;
    }
    let output = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(OWN_PROCESS_ENV, "1")
        .output()
        .expect("re-run the test binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    print!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "child run of {name} failed");
    assert!(stdout.contains("1 passed"), "child ran no test: {stdout}");
    true
}

/// The number of threads of this process once it has come down to `expected`, or after 2 s,
/// whichever is first. A thread that has been joined can still be listed in `/proc` for a
/// moment while the kernel reaps it, so a count read at once after a join may be one high.
pub fn settled_thread_count(expected: usize) -> usize {
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    loop {
        let count = thread_count();
        if count <= expected || std::time::Instant::now() >= deadline {
            return count;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The number of threads of this process, from `/proc/self/task`.
pub fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("Linux /proc")
        .count()
}
