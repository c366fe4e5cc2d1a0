//! [`StatsdBuilder`]: prefix, cardinality limit, queue and flush settings.

use super::errors::StatsdError;
use super::sink::{self, Progress};
use super::{IntervalFlush, StatsdCollector};
use cadence::MetricSink;
use std::net::{SocketAddr, ToSocketAddrs};
use std::panic::RefUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

/// Settings for a [`StatsdCollector`]; start from [`StatsdCollector::builder`].
///
/// ```
/// use gort_metrics::StatsdCollector;
/// use std::time::Duration;
///
/// let statsd = StatsdCollector::builder()
///     .prefix("gateway")
///     .max_tag_sets(1_000)
///     .queue_capacity(4_096)
///     .flush_interval(Duration::from_millis(500))
///     .build("127.0.0.1:8125")?;
/// # Ok::<(), gort_metrics::StatsdError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build`"]
pub struct StatsdBuilder {
    pub(super) prefix: String,
    pub(super) max_tag_sets: usize,
    queue_capacity: usize,
    pub(super) flush_interval: Duration,
}

impl Default for StatsdBuilder {
    fn default() -> Self {
        StatsdBuilder {
            prefix: Self::DEFAULT_PREFIX.to_owned(),
            max_tag_sets: Self::DEFAULT_MAX_TAG_SETS,
            queue_capacity: 16 * 1024,
            flush_interval: Duration::from_secs(1),
        }
    }
}

impl StatsdBuilder {
    /// The metric name prefix unless told otherwise: names read `gort.messages_received`.
    ///
    /// ```
    /// assert_eq!(gort_metrics::StatsdBuilder::DEFAULT_PREFIX, "gort");
    /// ```
    pub const DEFAULT_PREFIX: &str = "gort";

    /// Distinct tag sets one metric may send before new ones fold into `__overflow__`.
    ///
    /// ```
    /// assert_eq!(gort_metrics::StatsdBuilder::DEFAULT_MAX_TAG_SETS, 10_000);
    /// ```
    pub const DEFAULT_MAX_TAG_SETS: usize = 10_000;

    /// The first part of every metric name (`"gort"`); empty for none. Characters that would
    /// end a StatsD name (`:`, `|`, `@`, `#`, `,`, spaces, control characters) become `_`.
    ///
    /// ```
    /// let builder = gort_metrics::StatsdCollector::builder().prefix("gateway.eu");
    /// ```
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = super::tags::metric_prefix(prefix);
        self
    }

    /// How many distinct tag sets each metric may send (default 10,000). A record with a tag
    /// set beyond that is sent with every tag value `__overflow__`, so that hostile or runaway
    /// values cannot grow the server's (or this process's) memory.
    ///
    /// ```
    /// let builder = gort_metrics::StatsdCollector::builder().max_tag_sets(500);
    /// ```
    pub fn max_tag_sets(mut self, max_tag_sets: usize) -> Self {
        self.max_tag_sets = max_tag_sets;
        self
    }

    /// How many metric lines may wait for the sending thread (default 16,384). When the queue
    /// is full, new lines are dropped and counted in
    /// [`StatsdCollector::send_errors`] rather than blocking the caller.
    ///
    /// ```
    /// let builder = gort_metrics::StatsdCollector::builder().queue_capacity(1_024);
    /// ```
    pub fn queue_capacity(mut self, queue_capacity: usize) -> Self {
        self.queue_capacity = queue_capacity.max(1);
        self
    }

    /// How often a partly filled datagram is sent anyway (default 1 s), which bounds how late
    /// a metric arrives when traffic is low.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let builder = gort_metrics::StatsdCollector::builder().flush_interval(Duration::from_millis(200));
    /// ```
    pub fn flush_interval(mut self, flush_interval: Duration) -> Self {
        self.flush_interval = flush_interval.max(Duration::from_millis(1));
        self
    }

    /// A collector sending over UDP to the StatsD server at `server` (`"127.0.0.1:8125"`).
    ///
    /// The address is resolved once, here. Nothing is sent until something is recorded, so a
    /// server that is not up yet is no error.
    ///
    /// # Errors
    ///
    /// [`StatsdError::Resolve`] when `server` does not resolve; [`StatsdError::Socket`] when
    /// no local UDP socket can be opened for it; [`StatsdError::Thread`] when the sending
    /// thread cannot be started.
    ///
    /// ```
    /// let statsd = gort_metrics::StatsdCollector::builder().build(("127.0.0.1", 8125))?;
    /// # Ok::<(), gort_metrics::StatsdError>(())
    /// ```
    pub fn build(self, server: impl ToSocketAddrs) -> Result<StatsdCollector, StatsdError> {
        let server: SocketAddr = server
            .to_socket_addrs()
            .map_err(|source| StatsdError::Resolve { source })?
            .next()
            .ok_or_else(|| StatsdError::Resolve {
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the address resolved to nothing",
                ),
            })?;
        let progress = Arc::new(Progress::default());
        let sink = sink::udp(server, self.queue_capacity, self.flush_interval, &progress)?;
        Ok(StatsdCollector::from_parts(
            &self,
            sink,
            progress,
            IntervalFlush::BySink,
        ))
    }

    /// A collector writing to a cadence sink of your choice: a Unix socket, a test spy, or
    /// your own queue. The sink is used as given (no queue is added); it is flushed every
    /// [`flush_interval`](Self::flush_interval).
    ///
    /// ```
    /// use gort_metrics::{cadence::SpyMetricSink, Collector, StatsdCollector};
    ///
    /// let (lines, spy) = SpyMetricSink::new();
    /// let statsd = StatsdCollector::builder().build_with_sink(spy);
    /// statsd.record_message_received("dingtalk", "inbound", "text");
    /// let line = String::from_utf8(lines.recv().unwrap()).unwrap();
    /// assert_eq!(line, "gort.messages_received:1|c|#channel:dingtalk,direction:inbound,type:text");
    /// ```
    pub fn build_with_sink(
        self,
        sink: impl MetricSink + Send + Sync + RefUnwindSafe + 'static,
    ) -> StatsdCollector {
        let progress = Arc::new(Progress::default());
        StatsdCollector::from_parts(&self, sink, progress, IntervalFlush::ByFlusherThread)
    }
}
