//! Metrics for a messaging gateway: what it receives and sends, how long messages and
//! middleware take, which channels run, how many sessions are open, and how often calls retry.
//!
//! - [`Collector`]: the nine things a gateway records; implement it to send them anywhere.
//! - The current collector: [`set_global_collector`] for the process, [`with_collector`] for a
//!   thread, [`WithCollectorExt::with_collector`] for a future. Reading it costs one atomic
//!   load; swapping it is safe at any time.
//! - Backends: [`DefaultCollector`] (no-op), [`StatsCollector`] (in-memory totals) and
//!   [`PrometheusCollector`] (the Go service's families, feature `prometheus`, on by default).
//! - The explicit API: [`record_message_received`] and its eight siblings.
//! - Cargo features: `prometheus`, `tokio` and `quanta` (timers read the CPU's invariant
//!   counter instead of `Instant`) are on by default; `exporter`, `http`, `tracing` and `statsd`
//!   add a `/metrics` endpoint and the other backends.
//!
//! ```
//! use std::sync::Arc;
//! use gort_metrics::{record_message_received, set_global_collector, StatsCollector};
//!
//! let stats = Arc::new(StatsCollector::new());
//! set_global_collector(stats.clone());
//! record_message_received("dingtalk", "inbound", "text");
//! let snapshot = stats.stats();
//! println!("Messages: {}, Errors: {}", snapshot.messages_received, snapshot.errors);
//! ```
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod collector;
mod dispatch;
mod noop;
mod record;
mod retry;
mod stats;
mod timing;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[cfg(feature = "prometheus")]
mod prometheus_backend;

#[cfg(feature = "exporter")]
mod exporter;
mod fanout;
#[cfg(feature = "statsd")]
mod statsd_backend;
#[cfg(feature = "tracing")]
mod tracing_backend;

pub use collector::{CallHandle, Collector, DurationKind, Outcome};
pub use dispatch::{
    WithCollector, WithCollectorExt, collector_panics, global_collector, is_recording,
    set_global_collector, with_collector, with_current_collector,
};
pub use noop::DefaultCollector;
pub use record::{
    record_channel_error, record_channel_status, record_message_duration, record_message_received,
    record_message_sent, record_middleware_duration, record_retry, record_session_active,
    record_session_duration,
};
#[cfg(feature = "tokio")]
pub use retry::TokioSleeper;
pub use retry::{
    Backoff, DefaultSleeper, RetryPolicy, Sleeper, TimerThreadSleep, TimerThreadSleeper, retry,
    retry_async, retry_async_if, retry_async_with, retry_if,
};
pub use stats::{DurationStats, RetryStats, Stats, StatsCollector};
pub use timing::{Timer, time_message, time_middleware};

#[cfg(feature = "prometheus")]
pub use crate::prometheus_backend::DEFAULT_MAX_LABEL_VALUE_LEN;
#[cfg(feature = "prometheus")]
pub use crate::prometheus_backend::{
    DEFAULT_BUCKETS, DEFAULT_MAX_SERIES_PER_FAMILY, OVERFLOW_LABEL_VALUE, PrometheusBuilder,
    PrometheusCollector,
};

#[doc = include_str!("timing/timed.md")]
pub use gort_metrics_macros::timed;

#[doc = include_str!("retry/retried.md")]
pub use gort_metrics_macros::retried;

/// The `prometheus` crate this crate is built against, so that users name one version.
#[cfg(feature = "prometheus")]
pub use ::prometheus;

#[cfg(feature = "http")]
pub use crate::exporter::metrics_response;
#[cfg(feature = "exporter")]
pub use crate::exporter::{ExporterError, MetricsServer};
pub use crate::fanout::FanoutCollector;
#[cfg(feature = "statsd")]
pub use crate::statsd_backend::{StatsdBuilder, StatsdCollector, StatsdError};
#[cfg(feature = "tracing")]
pub use crate::tracing_backend::TracingCollector;

/// The `cadence` crate the StatsD backend is built on, for
/// [`StatsdBuilder::build_with_sink`]'s sinks.
#[cfg(feature = "statsd")]
pub use ::cadence;

/// Compiles and runs the README's examples as doctests, so the README cannot drift. They use
/// every backend, so they run with all features (the README's test command).
#[cfg(all(
    doctest,
    feature = "exporter",
    feature = "tracing",
    feature = "statsd",
    feature = "tokio"
))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
