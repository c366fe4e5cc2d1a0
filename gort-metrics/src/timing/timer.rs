//! [`Timer`]: the one drop guard that measures a call and records it when the call ends.

use super::clock::Stamp;
use crate::collector::{Collector, DurationKind, Outcome};
use crate::dispatch::is_recording;
use crate::dispatch::record_contained;
use core::time::Duration;

/// Records `elapsed` under `kind` and `label` with the collector's plain methods.
#[inline]
pub(crate) fn record_duration(
    collector: &dyn Collector,
    kind: DurationKind,
    label: &str,
    elapsed: Duration,
) {
    match kind {
        DurationKind::Middleware => collector.record_middleware_duration(label, elapsed),
        DurationKind::Message => collector.record_message_duration(label, elapsed),
    }
}

/// Records one finished call of `kind` and `label` with the collector's plain methods.
#[inline]
pub(crate) fn record_call(
    collector: &dyn Collector,
    kind: DurationKind,
    label: &str,
    outcome: Outcome,
    elapsed: Duration,
) {
    match kind {
        DurationKind::Middleware => collector.record_middleware_call(label, outcome, elapsed),
        DurationKind::Message => collector.record_message_call(label, outcome, elapsed),
    }
}

/// Measures from its creation until it is dropped, then records the elapsed time through the
/// current collector: as a middleware duration ([`time_middleware`]) or a message duration
/// ([`time_message`]).
///
/// Dropping is what records, so every way out of a block is covered: falling off the end,
/// `return`, `?`, `break`, a panic unwinding through it, or an `async` block being dropped
/// before it completes. `#[timed]` expands to its counterpart for a call site, which works the
/// same way.
///
/// While no collector that keeps data is current ([`is_recording`] is
/// `false`) a timer does not read the clock and records nothing, even if a collector is
/// installed before it is dropped: its call began unobserved.
///
/// ```
/// use std::sync::Arc;
/// use gort_metrics::{time_middleware, with_collector, StatsCollector};
///
/// fn authenticate(token: &str) -> Result<(), String> {
///     let _timer = time_middleware("auth");
///     if token.is_empty() {
///         return Err("missing token".into()); // recorded here
///     }
///     Ok(()) // and here
/// }
///
/// let stats = Arc::new(StatsCollector::new());
/// with_collector(stats.clone(), || {
///     authenticate("").unwrap_err();
///     authenticate("secret").unwrap();
/// });
/// assert_eq!(stats.stats().middleware_durations.count, 2);
/// ```
#[must_use = "a timer records when it is dropped: bind it to a named variable such as `_timer`, \
              not to `_`, which drops it at once"]
#[derive(Debug)]
pub struct Timer<'a> {
    kind: DurationKind,
    label: &'a str,
    /// `None` when the timer was started while nothing recorded: the clock was never read.
    pub(super) start: Option<Stamp>,
}

impl<'a> Timer<'a> {
    #[inline]
    fn start(kind: DurationKind, label: &'a str) -> Self {
        Timer {
            kind,
            label,
            start: start_if_recording(),
        }
    }

    /// Whether this timer measures: `false` when it started while nothing recorded, in which
    /// case it never reads the clock and records nothing.
    ///
    /// ```
    /// use gort_metrics::{time_message, with_collector, NoopCollector, StatsCollector};
    ///
    /// with_collector(StatsCollector::new(), || assert!(time_message("dingtalk").is_measuring()));
    /// with_collector(NoopCollector, || assert!(!time_message("dingtalk").is_measuring()));
    /// ```
    #[inline]
    pub fn is_measuring(&self) -> bool {
        self.start.is_some()
    }

    /// The time since the timer started, or `None` if it is not [measuring](Self::is_measuring).
    ///
    /// ```
    /// use gort_metrics::{time_middleware, with_collector, StatsCollector};
    ///
    /// with_collector(StatsCollector::new(), || {
    ///     let timer = time_middleware("auth");
    ///     assert!(timer.elapsed().is_some());
    /// });
    /// ```
    #[inline]
    pub fn elapsed(&self) -> Option<Duration> {
        self.start.map(|start| start.elapsed())
    }

    /// Records now instead of at the end of the scope, and returns what was recorded (`None`
    /// if the timer was not [measuring](Self::is_measuring)).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use gort_metrics::{time_message, with_collector, StatsCollector};
    ///
    /// let stats = Arc::new(StatsCollector::new());
    /// let recorded = with_collector(stats.clone(), || {
    ///     let timer = time_message("dingtalk");
    ///     // ... handle the message ...
    ///     timer.finish()
    /// });
    /// assert!(recorded.is_some());
    /// assert_eq!(stats.stats().message_durations.count, 1);
    /// ```
    #[inline]
    pub fn finish(mut self) -> Option<Duration> {
        self.record()
    }

    /// Stops the timer without recording anything, e.g. for a call that turned out not to be
    /// worth measuring.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use gort_metrics::{time_middleware, with_collector, StatsCollector};
    ///
    /// let stats = Arc::new(StatsCollector::new());
    /// with_collector(stats.clone(), || time_middleware("auth").discard());
    /// assert_eq!(stats.stats().middleware_durations.count, 0);
    /// ```
    #[inline]
    pub fn discard(mut self) {
        self.start = None;
    }

    /// Records the elapsed time once; later calls (the drop after [`finish`](Self::finish))
    /// find `start` taken and do nothing.
    fn record(&mut self) -> Option<Duration> {
        let start = self.start.take()?;
        Some(record_since(self.kind, self.label, start))
    }
}

/// Reads the clock if anything records now: the start of every timer.
#[inline(always)]
pub(super) fn start_if_recording() -> Option<Stamp> {
    if is_recording() {
        Some(Stamp::now())
    } else {
        None
    }
}

/// Measures from `start` and records under `kind` and `label`. Out of line and taking only
/// values, so that a timer which never started costs its caller one test.
#[inline(never)]
fn record_since(kind: DurationKind, label: &str, start: Stamp) -> Duration {
    let elapsed = start.elapsed();
    record_contained(|collector| record_duration(collector, kind, label, elapsed));
    elapsed
}

impl Drop for Timer<'_> {
    #[inline]
    fn drop(&mut self) {
        self.record();
    }
}

/// Starts a [`Timer`] that records how long the rest of the scope takes as a run of the
/// middleware `middleware`, through
/// [`record_middleware_duration`](crate::Collector::record_middleware_duration).
///
/// The explicit form of `#[timed(middleware = "..")]`, for code the attribute cannot reach: a
/// closure, part of a function, or a label known only at run time.
///
/// ```
/// use std::sync::Arc;
/// use gort_metrics::{time_middleware, with_collector, StatsCollector};
///
/// let stats = Arc::new(StatsCollector::new());
/// with_collector(stats.clone(), || {
///     let check = |token: &str| {
///         let _timer = time_middleware("auth");
///         !token.is_empty()
///     };
///     assert!(check("secret"));
/// });
/// assert_eq!(stats.stats().middleware_durations.count, 1);
/// ```
#[inline]
pub fn time_middleware(middleware: &str) -> Timer<'_> {
    Timer::start(DurationKind::Middleware, middleware)
}

/// Starts a [`Timer`] that records how long the rest of the scope takes as the processing of
/// one message on `channel`, through
/// [`record_message_duration`](crate::Collector::record_message_duration).
///
/// The explicit form of `#[timed(channel = "..")]`.
///
/// ```
/// use std::sync::Arc;
/// use gort_metrics::{time_message, with_collector, StatsCollector};
///
/// let stats = Arc::new(StatsCollector::new());
/// with_collector(stats.clone(), || {
///     for channel in ["dingtalk", "feishu"] {
///         let _timer = time_message(channel);
///         // ... handle one message ...
///     }
/// });
/// assert_eq!(stats.stats().message_durations.count, 2);
/// ```
#[inline]
pub fn time_message(channel: &str) -> Timer<'_> {
    Timer::start(DurationKind::Message, channel)
}
