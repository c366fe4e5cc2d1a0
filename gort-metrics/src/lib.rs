//! Metrics for a messaging gateway: what it receives and sends, how long messages and
//! middleware take, which channels run, how many sessions are open, and how often calls retry.
//!
//! - [`Collector`]: the nine things a gateway records; implement it to send them anywhere.
//! - The current collector: [`set_global_collector`] for the process, [`with_collector`] for a
//!   thread, [`WithCollectorExt::with_collector`] for a future. Reading it costs one atomic
//!   load; swapping it is safe at any time.
//! - Backends: [`NoopCollector`] (records nothing; the global collector until one is set),
//!   [`StatsCollector`] (in-memory totals), `PrometheusCollector` (the Go service's families),
//!   `StatsdCollector`, `TracingCollector`, `FacadeCollector` (any `metrics` recorder) and
//!   [`FanoutCollector`] (several at once).
//! - [`#[timed]`](macro@timed) and [`#[retried]`](macro@retried) instrument functions; the
//!   explicit API ([`record_message_received`] and its eight siblings, [`Timer`], [`retry`])
//!   serves code that cannot be annotated.
//!
//! # Recording by hand
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
//!
//! # Timing functions: `#[timed]`
//!
//! [`#[timed]`](macro@timed) records how long each call of a function, method, `async fn` or
//! every method of an `impl` block takes, however the call ends (return, `?`, panic, or a
//! future dropped half-way): as a middleware run by default, or as the processing of a message
//! with `channel = ".."`.
//!
//! ```
//! use std::sync::Arc;
//! use gort_metrics::{timed, with_collector, StatsCollector};
//!
//! #[timed(middleware = "auth")]
//! fn authenticate(token: &str) -> bool {
//!     !token.is_empty()
//! }
//!
//! struct Dingtalk;
//!
//! #[timed(channel = "dingtalk")]
//! impl Dingtalk {
//!     async fn handle(&self, text: &str) -> usize {
//!         text.len()
//!     }
//! }
//!
//! let stats = Arc::new(StatsCollector::new());
//! with_collector(stats.clone(), || {
//!     assert!(authenticate("secret"));
//!     let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//!     assert_eq!(runtime.block_on(Dingtalk.handle("hi")), 2);
//! });
//! assert_eq!(stats.stats().middleware_durations.count, 1);
//! assert_eq!(stats.stats().message_durations.count, 1);
//! ```
//!
//! # Retrying: `#[retried]`
//!
//! [`#[retried]`](macro@retried) runs a `Result`-returning function up to `attempts` times, with
//! exponential backoff and full jitter by default, and records the operation once with
//! [`record_retry`]`(op, tries, success)`.
//!
//! ```
//! use std::sync::Arc;
//! use std::cell::Cell;
//! use gort_metrics::{retried, with_collector, StatsCollector};
//!
//! thread_local!(static TRIES: Cell<u32> = const { Cell::new(0) });
//!
//! #[retried(op = "send", attempts = 3, delay = "1ms", backoff = "fixed")]
//! fn send(text: &str) -> Result<usize, String> {
//!     TRIES.set(TRIES.get() + 1);
//!     if TRIES.get() < 2 { Err("busy".into()) } else { Ok(text.len()) }
//! }
//!
//! let stats = Arc::new(StatsCollector::new());
//! assert_eq!(with_collector(stats.clone(), || send("hi")), Ok(2));
//! let retries = stats.stats().retries;
//! assert_eq!((retries.calls, retries.attempts, retries.succeeded), (1, 2, 1));
//! ```
//!
//! # Cargo features
//!
//! | feature | default | gives | pulls in |
//! |---|---|---|---|
//! | `prometheus` | yes | `PrometheusCollector`, its builder and the `prometheus` re-export | `prometheus` 0.14 (no default features), `hashbrown`, `tracing` (overflow warnings) |
//! | `tokio` | yes | async `#[retried]` and `retry_async` sleep on `tokio::time` (`TokioSleeper`) | `tokio` with `time` only |
//! | `quanta` | yes | timers read the CPU's invariant counter, about 3x cheaper than `Instant::now()` on a VM | `quanta` |
//! | `exporter` | no | `MetricsServer`: a `/metrics` endpoint on its own thread, no async runtime | `prometheus`, `tiny_http` |
//! | `http` | no | `metrics_response`: the exposition as an `http::Response`, for axum or hyper | `exporter`, `http` |
//! | `tracing` | no | `TracingCollector`: every record becomes a `tracing` event | `tracing` |
//! | `statsd` | no | `StatsdCollector`: DogStatsD-tagged counters, gauges and timers over UDP | `cadence`, `tracing` |
//! | `metrics` | no | `FacadeCollector`: records into the current `metrics` 0.24 recorder, and the `metrics` re-export | `metrics` 0.24, `hashbrown`, `tracing` |
//!
//! Without default features the crate depends on nothing but its macros.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
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
#[cfg(feature = "metrics")]
mod facade_backend;
mod fanout;
#[cfg(feature = "statsd")]
mod statsd_backend;
#[cfg(feature = "tracing")]
mod tracing_backend;

#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
#[path = "tower_layer/mod.rs"]
pub mod tower;

pub use collector::{CallHandle, Collector, DurationKind, Outcome};
pub use dispatch::{
    GlobalCollector, WithCollector, WithCollectorExt, collector_panics, global_collector,
    is_recording, set_global_collector, with_collector, with_current_collector,
};
#[allow(deprecated)]
pub use noop::DefaultCollector;
pub use noop::NoopCollector;
pub use record::{
    record_channel_error, record_channel_status, record_message_duration, record_message_received,
    record_message_sent, record_middleware_duration, record_retry, record_session_active,
    record_session_duration,
};
pub use retry::DefaultSleep;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use retry::TokioSleeper;
pub use retry::ZeroAttempts;
pub use retry::{
    Backoff, DefaultSleeper, RetryPolicy, Sleeper, TimerThreadSleep, TimerThreadSleeper, retry,
    retry_async, retry_async_if, retry_if,
};
pub use retry::{EveryError, Retry, RetryWhen};
// Kept for callers of the positional form; `Retry` replaces it.
#[allow(deprecated)]
pub use retry::retry_async_with;
pub use stats::{CallCounts, DurationStats, RetryStats, Stats, StatsCollector};
pub use timing::{CallTimer, Timer, time_message, time_middleware};

#[cfg(feature = "prometheus")]
#[cfg_attr(docsrs, doc(cfg(feature = "prometheus")))]
pub use crate::prometheus_backend::DEFAULT_MAX_LABEL_VALUE_LEN;
#[cfg(feature = "prometheus")]
#[cfg_attr(docsrs, doc(cfg(feature = "prometheus")))]
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
#[cfg_attr(docsrs, doc(cfg(feature = "prometheus")))]
pub use ::prometheus;

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use crate::exporter::metrics_response;
#[cfg(feature = "exporter")]
#[cfg_attr(docsrs, doc(cfg(feature = "exporter")))]
pub use crate::exporter::{ExporterError, MetricsServer, MetricsServerBuilder};
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub use crate::facade_backend::{FacadeBuilder, FacadeCollector};
pub use crate::fanout::FanoutCollector;
#[cfg(feature = "statsd")]
#[cfg_attr(docsrs, doc(cfg(feature = "statsd")))]
pub use crate::statsd_backend::{StatsdBuilder, StatsdCollector, StatsdError};
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
pub use crate::tracing_backend::TracingCollector;

/// The `metrics` crate the facade backend records through, so that users name one version.
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub use ::metrics;

/// The `cadence` crate the StatsD backend is built on, for
/// [`StatsdBuilder::build_with_sink`]'s sinks.
#[cfg(feature = "statsd")]
#[cfg_attr(docsrs, doc(cfg(feature = "statsd")))]
pub use ::cadence;

/// Compiles and runs the README's examples as doctests, so the README cannot drift. They use
/// every backend, so they run with all features (the README's test command).
#[cfg(all(
    doctest,
    feature = "exporter",
    feature = "tracing",
    feature = "statsd",
    feature = "tokio",
    feature = "tower"
))]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
