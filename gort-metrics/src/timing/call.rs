//! Timing one call to its outcome: [`CallTimer`], for a label known only at run time (the tower
//! layer, `#[timed(channel = EXPR)]`), and [`SiteCall`], for a `#[timed]` call site's fixed
//! label.
//!
//! Both are finished with the call's [`Outcome`]. One that is dropped unfinished records
//! [`Outcome::Panicked`] while its thread panics and [`Outcome::Cancelled`] otherwise: the only
//! other way to leave a call unfinished is to drop its future before it completes.

use super::clock::Stamp;
use super::site::TimedSite;
use super::timer::{record_call, start_if_recording};
use crate::collector::{DurationKind, Outcome};
use crate::dispatch::record_contained;

/// The outcome of a call left unfinished: see the module docs.
#[inline]
fn unfinished() -> Outcome {
    if std::thread::panicking() {
        Outcome::Panicked
    } else {
        Outcome::Cancelled
    }
}

/// A call being timed under a run-time label: records `record_middleware_call` or
/// `record_message_call` with its outcome when [finished](Self::finish) or dropped.
///
/// Like every timer here it reads no clock and records nothing when it starts while nothing
/// records. `L` is however the caller keeps the label: a `&'static str`, an `Arc<str>`, or a
/// copy made on entry. It is the explicit form of `#[timed]`, for code the attribute cannot
/// reach.
///
/// ```
/// use std::sync::Arc;
/// use gort_metrics::{with_collector, CallTimer, DurationKind, Outcome, StatsCollector};
///
/// let stats = Arc::new(StatsCollector::new());
/// with_collector(stats.clone(), || {
///     let channel = String::from("dingtalk");
///     let timer = CallTimer::start(DurationKind::Message, channel);
///     // ... handle the message ...
///     timer.finish(Outcome::Error);
///     // A timer dropped unfinished counts as cancelled (or panicked, while unwinding).
///     drop(CallTimer::start(DurationKind::Middleware, "auth"));
/// });
/// assert_eq!(stats.stats().message_durations.count, 1);
/// assert_eq!(stats.stats().middleware_durations.count, 1);
/// ```
#[must_use = "the call is timed until the timer is finished or dropped"]
#[derive(Debug)]
pub struct CallTimer<L: AsRef<str>> {
    kind: DurationKind,
    label: L,
    start: Option<Stamp>,
}

impl<L: AsRef<str>> CallTimer<L> {
    /// Starts timing a call of `kind` labelled `label`.
    #[inline]
    pub fn start(kind: DurationKind, label: L) -> Self {
        CallTimer {
            kind,
            label,
            start: start_if_recording(),
        }
    }

    /// Whether the timer measures (it started while something recorded).
    #[inline]
    pub fn is_measuring(&self) -> bool {
        self.start.is_some()
    }

    /// Records the call as ended with `outcome`.
    #[inline]
    pub fn finish(mut self, outcome: Outcome) {
        if let Some(start) = self.start.take() {
            record_since(self.kind, self.label.as_ref(), outcome, start);
        }
    }
}

impl<L: AsRef<str>> Drop for CallTimer<L> {
    #[inline]
    fn drop(&mut self) {
        if let Some(start) = self.start.take() {
            record_since(self.kind, self.label.as_ref(), unfinished(), start);
        }
    }
}

/// Measures from `start` and records one call. Out of line and taking only values.
#[inline(never)]
fn record_since(kind: DurationKind, label: &str, outcome: Outcome, start: Stamp) {
    let elapsed = start.elapsed();
    record_contained(|collector| record_call(collector, kind, label, outcome, elapsed));
}

/// A run-time label copied on entry, so that the timed body may then move or change whatever
/// the label was borrowed from. Short labels (the usual channel and middleware names) stay
/// inline; longer ones take one allocation.
#[derive(Debug)]
pub struct LabelCopy(LabelStorage);

/// Inline capacity of a [`LabelCopy`], in bytes.
const INLINE: usize = 46;

#[derive(Debug)]
enum LabelStorage {
    /// Not copied: the call started while nothing recorded, so the label is never read.
    Unused,
    Inline {
        length: u8,
        bytes: [u8; INLINE],
    },
    Heap(Box<str>),
}

impl LabelCopy {
    /// Copies `label`.
    #[inline]
    pub fn new(label: &str) -> Self {
        let source = label.as_bytes();
        if source.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..source.len()].copy_from_slice(source);
            // `source.len() <= INLINE < 256`, so the cast keeps its value.
            LabelCopy(LabelStorage::Inline {
                length: source.len() as u8,
                bytes,
            })
        } else {
            LabelCopy(LabelStorage::Heap(label.into()))
        }
    }
}

impl AsRef<str> for LabelCopy {
    #[inline]
    fn as_ref(&self) -> &str {
        match &self.0 {
            LabelStorage::Unused => "",
            LabelStorage::Inline { length, bytes } => {
                // A prefix of a copy of a `str`'s bytes, cut at that `str`'s own length, so it
                // is valid UTF-8; the fallback is never taken.
                core::str::from_utf8(&bytes[..usize::from(*length)]).unwrap_or_default()
            }
            LabelStorage::Heap(label) => label,
        }
    }
}

/// Starts timing a call under a run-time label: copies the label only if something records.
#[inline]
pub fn dynamic_call<L: AsRef<str> + ?Sized>(kind: DurationKind, label: &L) -> CallTimer<LabelCopy> {
    let start = start_if_recording();
    let label = match start {
        Some(_) => LabelCopy::new(label.as_ref()),
        None => LabelCopy(LabelStorage::Unused),
    };
    CallTimer { kind, label, start }
}

/// Starts timing a call under a run-time label whose end is only ever seen as a drop: a
/// function that returns no `Result` and no future. Dropped normally it records
/// [`Outcome::Ok`], dropped while its thread panics [`Outcome::Panicked`].
#[inline]
pub fn dynamic_guard<L: AsRef<str> + ?Sized>(kind: DurationKind, label: &L) -> DynamicGuard {
    DynamicGuard(Some(dynamic_call(kind, label)))
}

/// The guard [`dynamic_guard`] returns.
#[must_use = "the call is timed until the guard is dropped"]
#[derive(Debug)]
pub struct DynamicGuard(Option<CallTimer<LabelCopy>>);

impl Drop for DynamicGuard {
    #[inline]
    fn drop(&mut self) {
        if let Some(call) = self.0.take() {
            call.finish(ok_unless_panicking());
        }
    }
}

/// [`Outcome::Ok`], or [`Outcome::Panicked`] while the thread unwinds.
#[inline]
pub(super) fn ok_unless_panicking() -> Outcome {
    if std::thread::panicking() {
        Outcome::Panicked
    } else {
        Outcome::Ok
    }
}

/// A call in progress that ends with an [`Outcome`]: [`SiteCall`] or [`CallTimer`].
pub trait FinishCall {
    /// Records the call as ended with `outcome`.
    fn finish_call(self, outcome: Outcome);
}

impl FinishCall for SiteCall {
    #[inline]
    fn finish_call(self, outcome: Outcome) {
        self.finish(outcome);
    }
}

impl<L: AsRef<str>> FinishCall for CallTimer<L> {
    #[inline]
    fn finish_call(self, outcome: Outcome) {
        self.finish(outcome);
    }
}

/// What starts the call a [`TimedFuture`](super::site::TimedFuture) measures, at its first
/// poll: a `#[timed]` site, or a run-time label copied when the function was called.
pub trait StartCall {
    /// The call it starts.
    type Call: FinishCall;
    /// Starts the call.
    fn start_call(self) -> Self::Call;
}

impl StartCall for &'static TimedSite {
    type Call = SiteCall;
    #[inline]
    fn start_call(self) -> SiteCall {
        self.call()
    }
}

/// A run-time label taken when a function returning a future was called, for the call that
/// starts when that future is first polled.
#[derive(Debug)]
pub struct DynamicStart {
    kind: DurationKind,
    label: LabelCopy,
}

impl DynamicStart {
    /// Copies `label` for a call of `kind` that starts later.
    #[inline]
    pub fn new<L: AsRef<str> + ?Sized>(kind: DurationKind, label: &L) -> Self {
        DynamicStart {
            kind,
            label: LabelCopy::new(label.as_ref()),
        }
    }

    /// Builds a future by calling `make_future` and times it under this label from its first
    /// poll: see [`TimedFuture`](super::site::TimedFuture).
    #[inline]
    pub fn time_future<F, K>(
        self,
        make_future: impl FnOnce() -> F,
        classify: K,
    ) -> super::site::TimedFuture<F, Self, K>
    where
        F: core::future::Future,
        K: FnOnce(&F::Output) -> Outcome,
    {
        super::site::time_future(self, make_future, classify)
    }
}

impl StartCall for DynamicStart {
    type Call = CallTimer<LabelCopy>;
    #[inline]
    fn start_call(self) -> CallTimer<LabelCopy> {
        CallTimer::start(self.kind, self.label)
    }
}

/// One call at a `#[timed]` site: finished with its outcome, or dropped unfinished.
#[must_use = "the call is timed until it is finished or dropped"]
#[derive(Debug)]
pub struct SiteCall {
    site: &'static TimedSite,
    start: Option<Stamp>,
}

impl SiteCall {
    #[inline]
    pub(super) fn start(site: &'static TimedSite) -> Self {
        SiteCall {
            site,
            start: start_if_recording(),
        }
    }

    /// Records the call as ended with `outcome`.
    #[inline]
    pub fn finish(mut self, outcome: Outcome) {
        if let Some(start) = self.start.take() {
            self.site.record_since(outcome, start);
        }
    }
}

impl Drop for SiteCall {
    #[inline]
    fn drop(&mut self) {
        if let Some(start) = self.start.take() {
            self.site.record_since(unfinished(), start);
        }
    }
}

/// How a call's return value reads as an outcome, for `#[timed]` expansions: an `Err` is
/// [`Outcome::Error`], anything else [`Outcome::Ok`]. Called as `(&value).__gort_outcome()`
/// with both traits in scope, so that `Result`s take this impl and other types
/// [`OtherOutcome`]'s (method resolution tries the receiver's own type before its reference).
pub trait ResultOutcome {
    /// The outcome this value stands for.
    fn __gort_outcome(&self) -> Outcome;
}

impl<T, E> ResultOutcome for Result<T, E> {
    #[inline]
    fn __gort_outcome(&self) -> Outcome {
        match self {
            Ok(_) => Outcome::Ok,
            Err(_) => Outcome::Error,
        }
    }
}

/// The fallback of [`ResultOutcome`]: a value that is not a `Result` is a success.
pub trait OtherOutcome {
    /// Always [`Outcome::Ok`].
    fn __gort_outcome(&self) -> Outcome;
}

impl<T: ?Sized> OtherOutcome for &T {
    #[inline]
    fn __gort_outcome(&self) -> Outcome {
        Outcome::Ok
    }
}

/// Moved into the closure a `#[timed]` fn's body runs in, so that the closure is `FnOnce`:
/// its body may then return borrows of what it captured (`&mut self.field`), as the fn's own
/// body could.
#[derive(Debug)]
pub struct BodyOnce;

impl BodyOnce {
    /// Consumes the marker.
    #[inline(always)]
    pub fn take(self) {}
}
