//! [`StatsdCollector`]: counters, gauges and timers with DogStatsD tags, over UDP, on `cadence`.

mod builder;
mod cardinality;
mod errors;
mod queue;
mod record;
mod send;
mod sink;
mod tags;

pub use builder::StatsdBuilder;
pub use errors::StatsdError;

use cadence::{MetricSink, StatsdClient};
use cardinality::Limits;
use sink::{Flusher, Progress};
use std::panic::RefUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Sends every record to a StatsD server as DogStatsD lines (`name:value|type|#key:value,..`).
///
/// | record | metric (default prefix `gort`) | type | tags |
/// |---|---|---|---|
/// | `record_message_received` | `gort.messages_received` | counter, +1 | `channel`, `direction`, `type` |
/// | `record_message_sent` | `gort.messages_sent` | counter, +1 | `channel`, `direction`, `type` |
/// | `record_message_duration` | `gort.message_duration` | timer, ms | `channel` |
/// | `record_message_call` | `gort.message_duration` | timer, ms | `channel` |
/// | `record_message_call` | `gort.message_calls` | counter, +1 | `channel`, `outcome` |
/// | `record_channel_status` | `gort.channel_status` | gauge, 1 running / 0 stopped | `channel`, `type` |
/// | `record_channel_error` | `gort.channel_errors` | counter, +1 | `channel`, `type`, `error_type` |
/// | `record_session_active` | `gort.sessions_active` | gauge (negative counts sent as 0) | |
/// | `record_session_duration` | `gort.session_duration` | timer, ms | |
/// | `record_middleware_duration` | `gort.middleware_duration` | timer, ms | `middleware` |
/// | `record_middleware_call` | `gort.middleware_duration` | timer, ms | `middleware` |
/// | `record_middleware_call` | `gort.middleware_calls` | counter, +1 | `middleware`, `outcome` |
/// | `record_retry` | `gort.retry_attempts` | counter, +attempts | `operation`, `success` |
/// | `record_retry` | `gort.retry_calls` | counter, +1 | `operation`, `outcome` |
///
/// `#[timed]` records through `record_middleware_call` / `record_message_call`, so each timed
/// call sends its timer and counts one call with its [`Outcome`](crate::Outcome): `outcome` is
/// `ok`, `error`, `panicked` or `cancelled`. The `outcome` of `retry_calls` is the one of the
/// Prometheus backend's `gort_retry_calls_total`: `successful_without_retry`,
/// `successful_with_retry`, `failed_with_retry` or `failed_without_retry`.
///
/// Timers are milliseconds with microsecond precision (`0.125|ms`, `30.4|ms`), as the StatsD
/// protocol allows. A gauge line with a sign would be a relative change in StatsD, so a
/// negative session count is sent as 0.
///
/// Tags are what agents accept: `key:value` is at most 200 bytes (so at most 200 characters,
/// the Datadog limit), never ends with `:`, and never breaks the line. An empty value is sent
/// as `__empty__`. A value that is too long, ends with `:`, or has `|`, `,`, `#` or control
/// characters is rewritten: each such character becomes `_`, the value is cut to fit, and
/// `-` and 12 hex digits of a stable hash of the original are appended, so that distinct
/// values stay distinct series (`a|b` and `a,b` become `a_b-…` with two different hashes).
/// A value equal to `__empty__` or `__overflow__` is rewritten the same way, so that those
/// placeholders keep their meaning. [`rewritten_tag_values`](Self::rewritten_tag_values)
/// counts the rewrites.
///
/// Cardinality guard: each metric sends at most [`max_tag_sets`](StatsdBuilder::max_tag_sets)
/// distinct tag sets (default 10,000). A record with a new tag set past that is sent with every
/// tag value `__overflow__`, and counted by `gort.metrics_overflow` (counter, tag `family`, the
/// metric's name without prefix) and by [`overflowed_records`](Self::overflowed_records). A
/// call's duration and its count share one tag set, so they fold together; `outcome` is never
/// folded.
///
/// Recording never blocks and never fails: lines go onto a bounded queue, one sending thread
/// packs them into datagrams on a non-blocking socket, and whatever cannot be sent is counted
/// in [`send_errors`](Self::send_errors). A partly filled datagram goes out every
/// [`flush_interval`](StatsdBuilder::flush_interval), on [`flush`](Self::flush), and when
/// the last clone is dropped: dropping it (or the global collector letting go of it) sends
/// everything recorded before and stops the sending thread, without waiting for the interval.
///
/// ```
/// use gort_metrics::{record_retry, set_global_collector, StatsdCollector};
///
/// let statsd = StatsdCollector::new("127.0.0.1:8125")?;
/// set_global_collector(statsd.clone());
/// record_retry("api-call", 3, true);
/// // -> gort.retry_attempts:3|c|#operation:api-call,success:true
/// // -> gort.retry_calls:1|c|#operation:api-call,outcome:successful_with_retry
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
    rewritten_tag_values: AtomicU64,
    /// `Some` for a caller's sink; the UDP queue's own thread flushes on the interval.
    flusher: Option<Flusher>,
}

/// Who sends a partly filled buffer every flush interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntervalFlush {
    /// The sink does it itself: the UDP queue's sending thread.
    BySink,
    /// A thread of its own: for a caller's sink, used as given.
    ByFlusherThread,
}

impl core::fmt::Debug for StatsdCollector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StatsdCollector")
            .field("send_errors", &self.send_errors())
            .field("overflowed_records", &self.overflowed_records())
            .field("rewritten_tag_values", &self.rewritten_tag_values())
            .finish_non_exhaustive()
    }
}

impl StatsdCollector {
    /// A collector sending to `server` with the default settings: prefix `gort`, 10,000 tag
    /// sets per metric, 1 s flush interval.
    ///
    /// # Errors
    ///
    /// As [`StatsdBuilder::build`]: the address does not resolve, no UDP socket can be
    /// opened, or the sending thread cannot be started.
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
        interval_flush: IntervalFlush,
    ) -> Self {
        let client_progress = Arc::clone(&progress);
        let client = StatsdClient::builder(&settings.prefix, sink)
            .with_error_handler(move |_| client_progress.count_error())
            .build();
        let client = Arc::new(client);
        let flusher = (interval_flush == IntervalFlush::ByFlusherThread).then(|| {
            let client = Arc::clone(&client);
            let progress = Arc::clone(&progress);
            Flusher::start(settings.flush_interval, move || {
                flush_counting(&client, &progress)
            })
        });
        let inner = Inner {
            client,
            limits: Limits::new(settings.max_tag_sets),
            max_tag_sets: settings.max_tag_sets,
            progress,
            rewritten_tag_values: AtomicU64::new(0),
            flusher,
        };
        StatsdCollector {
            inner: Arc::new(inner),
        }
    }

    /// Sends what is buffered now instead of at the next flush interval, and returns once
    /// every line recorded before the call (on any thread) has been handed to the socket.
    /// Lines other threads record meanwhile are not waited for, so it returns promptly under
    /// load; it gives up after a second if the sending thread is stuck, counting a send error.
    /// Handy before a process exits, or in tests.
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

    /// How many tag values were rewritten so far to be sent (empty, too long, ending with `:`,
    /// with characters that break the line, or equal to a placeholder); see the type's docs
    /// for what a rewrite looks like.
    ///
    /// ```
    /// use gort_metrics::{cadence::NopMetricSink, Collector, StatsdCollector};
    ///
    /// let statsd = StatsdCollector::builder().build_with_sink(NopMetricSink);
    /// statsd.record_message_received("tenant|a", "inbound", "");
    /// assert_eq!(statsd.rewritten_tag_values(), 2);
    /// ```
    pub fn rewritten_tag_values(&self) -> u64 {
        self.inner.rewritten_tag_values.load(Ordering::Relaxed)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Stop the periodic flusher, then send what the last records left in the buffer. The
        // UDP queue's sending thread is stopped and waited for when the client drops its sink,
        // right after this.
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

#[cfg(test)]
mod tests;
