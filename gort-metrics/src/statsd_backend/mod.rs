//! [`StatsdCollector`]: counters, gauges and timers with DogStatsD tags, over UDP, on `cadence`.

mod builder;
mod cardinality;
mod errors;
mod sink;
mod tags;

pub use builder::StatsdBuilder;
pub use errors::StatsdError;

use crate::Collector;
use cadence::prelude::*;
use cadence::{MetricSink, StatsdClient};
use cardinality::{Admission, Limits, OVERFLOW_VALUE, TagSetLimit};
use core::time::Duration;
use sink::{Flusher, Progress};
use std::borrow::Cow;
use std::panic::RefUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Sends every record to a StatsD server as DogStatsD lines (`name:value|type|#key:value,..`).
///
/// | record | metric (default prefix `gort`) | type | tags |
/// |---|---|---|---|
/// | `record_message_received` | `gort.messages_received` | counter, +1 | `channel`, `direction`, `type` |
/// | `record_message_sent` | `gort.messages_sent` | counter, +1 | `channel`, `direction`, `type` |
/// | `record_message_duration` | `gort.message_duration` | timer, ms | `channel` |
/// | `record_channel_status` | `gort.channel_status` | gauge, 1 running / 0 stopped | `channel`, `type` |
/// | `record_channel_error` | `gort.channel_errors` | counter, +1 | `channel`, `type`, `error_type` |
/// | `record_session_active` | `gort.sessions_active` | gauge (negative counts sent as 0) | |
/// | `record_session_duration` | `gort.session_duration` | timer, ms | |
/// | `record_middleware_duration` | `gort.middleware_duration` | timer, ms | `middleware` |
/// | `record_retry` | `gort.retry_attempts` | counter, +attempts | `operation`, `success` |
/// | `record_retry` | `gort.retry_calls` | counter, +1 | `operation`, `success` |
///
/// Timers are whole milliseconds, rounded to the nearest. A gauge line with a sign would be a
/// relative change in StatsD, so a negative session count is sent as 0. Tag values have `|`,
/// `,`, `#` and control characters replaced by `_` and are cut to 200 bytes.
///
/// Cardinality guard: each metric sends at most [`max_tag_sets`](StatsdBuilder::max_tag_sets)
/// distinct tag sets (default 10,000). A record with a new tag set past that is sent with every
/// tag value `__overflow__`, and counted by `gort.metrics_overflow` (counter, tag `family`, the
/// metric's name without prefix) and by [`overflowed_records`](Self::overflowed_records).
///
/// Recording never blocks and never fails: lines go onto a bounded queue, a background thread
/// packs them into datagrams on a non-blocking socket, and whatever cannot be sent is counted
/// in [`send_errors`](Self::send_errors). A partly filled datagram goes out every
/// [`flush_interval`](StatsdBuilder::flush_interval), on [`flush`](Self::flush), and when
/// the last clone is dropped.
///
/// ```
/// use gort_metrics::{record_retry, set_global_collector, StatsdCollector};
///
/// let statsd = StatsdCollector::new("127.0.0.1:8125")?;
/// set_global_collector(statsd.clone());
/// record_retry("api-call", 3, true);
/// // -> gort.retry_attempts:3|c|#operation:api-call,success:true
/// // -> gort.retry_calls:1|c|#operation:api-call,success:true
/// statsd.flush();
/// # Ok::<(), gort_metrics::StatsdError>(())
/// ```
#[derive(Clone)]
pub struct StatsdCollector {
    inner: Arc<Inner>,
}

struct Inner {
    client: Arc<StatsdClient>,
    limits: Limits,
    max_tag_sets: usize,
    progress: Arc<Progress>,
    flusher: Option<Flusher>,
}

/// The value of one StatsD line.
#[derive(Clone, Copy)]
enum Value {
    Count(u64),
    TimerMillis(u64),
    Gauge(u64),
}

impl core::fmt::Debug for StatsdCollector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StatsdCollector")
            .field("send_errors", &self.send_errors())
            .field("overflowed_records", &self.overflowed_records())
            .finish_non_exhaustive()
    }
}

impl StatsdCollector {
    /// A collector sending to `server` with the default settings: prefix `gort`, 10,000 tag
    /// sets per metric, 1 s flush interval.
    ///
    /// # Errors
    ///
    /// As [`StatsdBuilder::build`]: the address does not resolve, or no UDP socket can be
    /// opened.
    ///
    /// ```
    /// let statsd = gort_metrics::StatsdCollector::new("127.0.0.1:8125")?;
    /// # Ok::<(), gort_metrics::StatsdError>(())
    /// ```
    pub fn new(server: impl std::net::ToSocketAddrs) -> Result<Self, StatsdError> {
        Self::builder().build(server)
    }

    /// Settings beyond the defaults: prefix, cardinality limit, queue size, flush interval, or
    /// a sink of your own.
    ///
    /// ```
    /// let statsd = gort_metrics::StatsdCollector::builder().prefix("gw").build("127.0.0.1:8125")?;
    /// # Ok::<(), gort_metrics::StatsdError>(())
    /// ```
    pub fn builder() -> StatsdBuilder {
        StatsdBuilder::default()
    }

    fn from_parts(
        settings: &StatsdBuilder,
        sink: impl MetricSink + Send + Sync + RefUnwindSafe + 'static,
        progress: Arc<Progress>,
    ) -> Self {
        let client_progress = Arc::clone(&progress);
        let client = StatsdClient::builder(&settings.prefix, sink)
            .with_error_handler(move |_| client_progress.count_error())
            .build();
        let client = Arc::new(client);
        let flusher = Flusher::start(settings.flush_interval, {
            let client = Arc::clone(&client);
            let progress = Arc::clone(&progress);
            move || flush_counting(&client, &progress)
        });
        let limits = Limits::new(settings.max_tag_sets);
        let inner = Inner {
            client,
            limits,
            max_tag_sets: settings.max_tag_sets,
            progress,
            flusher: Some(flusher),
        };
        StatsdCollector {
            inner: Arc::new(inner),
        }
    }

    /// Sends what is buffered now instead of at the next flush interval; waits (at most about a
    /// second) for the sending thread to take what is queued first. Handy before a process
    /// exits, or in tests.
    ///
    /// ```
    /// use gort_metrics::{Collector, StatsdCollector};
    ///
    /// let statsd = StatsdCollector::new("127.0.0.1:8125")?;
    /// statsd.record_session_active(3);
    /// statsd.flush();
    /// # Ok::<(), gort_metrics::StatsdError>(())
    /// ```
    pub fn flush(&self) {
        flush_counting(&self.inner.client, &self.inner.progress);
    }

    /// How many metric lines were lost so far: queue full, socket errors, failed flushes.
    /// Recording never reports these to the caller; this is where they show.
    ///
    /// ```
    /// let statsd = gort_metrics::StatsdCollector::new("127.0.0.1:8125")?;
    /// assert_eq!(statsd.send_errors(), 0);
    /// # Ok::<(), gort_metrics::StatsdError>(())
    /// ```
    pub fn send_errors(&self) -> u64 {
        self.inner.progress.errors.load(Ordering::Relaxed)
    }

    /// How many records the cardinality guard folded into `__overflow__` tags so far, over all
    /// metrics.
    ///
    /// ```
    /// use gort_metrics::{cadence::NopMetricSink, Collector, StatsdCollector};
    ///
    /// let statsd = StatsdCollector::builder().max_tag_sets(1).build_with_sink(NopMetricSink);
    /// statsd.record_message_received("a", "inbound", "text");
    /// statsd.record_message_received("b", "inbound", "text");
    /// assert_eq!(statsd.overflowed_records(), 1);
    /// ```
    pub fn overflowed_records(&self) -> u64 {
        self.inner.limits.folded()
    }

    /// Cleans the tag values and applies `metric`'s cardinality limit: the values to send.
    fn tag_values<'a, const N: usize>(
        &self,
        metric: &str,
        limit: &TagSetLimit,
        values: [&'a str; N],
    ) -> [Cow<'a, str>; N] {
        let cleaned = values.map(tags::tag_value);
        let admission = limit.admit(&cleaned.each_ref().map(|value| &**value));
        let Admission::Folded { first } = admission else {
            return cleaned;
        };
        if first {
            warn_overflow(metric, self.inner.max_tag_sets);
        }
        self.send("metrics_overflow", Value::Count(1), &[("family", metric)]);
        [(); N].map(|()| Cow::Borrowed(OVERFLOW_VALUE))
    }

    fn send_tagged<const N: usize>(
        &self,
        metric: &str,
        value: Value,
        limit: &TagSetLimit,
        tags: [(&str, &str); N],
    ) {
        let values = self.tag_values(metric, limit, tags.map(|(_key, value)| value));
        let tags: [(&str, &str); N] = core::array::from_fn(|i| (tags[i].0, &*values[i]));
        self.send(metric, value, &tags);
    }

    fn send(&self, metric: &str, value: Value, tags: &[(&str, &str)]) {
        let client = &*self.inner.client;
        // `send` hands any error to the client's error handler, which counts it: recording
        // must not fail.
        macro_rules! tagged {
            ($builder:expr) => {{
                let mut builder = $builder;
                for (key, value) in tags {
                    builder = builder.with_tag(key, value);
                }
                builder.send();
            }};
        }
        match value {
            Value::Count(count) => tagged!(client.count_with_tags(metric, count)),
            Value::TimerMillis(millis) => tagged!(client.time_with_tags(metric, millis)),
            Value::Gauge(gauge) => tagged!(client.gauge_with_tags(metric, gauge)),
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Stop the periodic flusher, then send what the last records left in the buffer.
        drop(self.flusher.take());
        flush_counting(&self.client, &self.progress);
    }
}

/// Sends what the buffer holds, counting a failure as a send error.
fn flush_counting(client: &StatsdClient, progress: &Progress) {
    if client.flush().is_err() {
        progress.count_error();
    }
}

/// Whole milliseconds, rounded to the nearest; saturates far beyond any real duration.
fn millis(duration: Duration) -> u64 {
    let micros = duration.as_micros().saturating_add(500);
    u64::try_from(micros / 1000).unwrap_or(u64::MAX)
}

fn warn_overflow(metric: &str, max_tag_sets: usize) {
    tracing::warn!(
        target: "gort_metrics",
        family = metric,
        max_tag_sets,
        "StatsD metric reached its limit of distinct tag sets; new tag sets are sent as __overflow__"
    );
}

fn bool_tag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

impl Collector for StatsdCollector {
    fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str) {
        let tags = [
            ("channel", channel),
            ("direction", direction),
            ("type", msg_type),
        ];
        let limit = &self.inner.limits.messages_received;
        self.send_tagged("messages_received", Value::Count(1), limit, tags);
    }

    fn record_message_sent(&self, channel: &str, direction: &str, msg_type: &str) {
        let tags = [
            ("channel", channel),
            ("direction", direction),
            ("type", msg_type),
        ];
        let limit = &self.inner.limits.messages_sent;
        self.send_tagged("messages_sent", Value::Count(1), limit, tags);
    }

    fn record_message_duration(&self, channel: &str, duration: Duration) {
        let limit = &self.inner.limits.message_duration;
        let value = Value::TimerMillis(millis(duration));
        self.send_tagged("message_duration", value, limit, [("channel", channel)]);
    }

    fn record_channel_status(&self, channel: &str, channel_type: &str, running: bool) {
        let limit = &self.inner.limits.channel_status;
        let tags = [("channel", channel), ("type", channel_type)];
        self.send_tagged(
            "channel_status",
            Value::Gauge(u64::from(running)),
            limit,
            tags,
        );
    }

    fn record_channel_error(&self, channel: &str, channel_type: &str, error_type: &str) {
        let limit = &self.inner.limits.channel_errors;
        let tags = [
            ("channel", channel),
            ("type", channel_type),
            ("error_type", error_type),
        ];
        self.send_tagged("channel_errors", Value::Count(1), limit, tags);
    }

    fn record_session_active(&self, count: i64) {
        let count = u64::try_from(count).unwrap_or(0);
        self.send("sessions_active", Value::Gauge(count), &[]);
    }

    fn record_session_duration(&self, duration: Duration) {
        self.send(
            "session_duration",
            Value::TimerMillis(millis(duration)),
            &[],
        );
    }

    fn record_middleware_duration(&self, middleware: &str, duration: Duration) {
        let limit = &self.inner.limits.middleware_duration;
        let value = Value::TimerMillis(millis(duration));
        self.send_tagged(
            "middleware_duration",
            value,
            limit,
            [("middleware", middleware)],
        );
    }

    fn record_retry(&self, operation: &str, attempts: u32, success: bool) {
        // One admission for both lines, so that they always carry the same tags.
        let limit = &self.inner.limits.retries;
        let values = self.tag_values("retry_attempts", limit, [operation, bool_tag(success)]);
        let tags = [("operation", &*values[0]), ("success", &*values[1])];
        self.send("retry_attempts", Value::Count(u64::from(attempts)), &tags);
        self.send("retry_calls", Value::Count(1), &tags);
    }
}

#[cfg(test)]
mod tests;
