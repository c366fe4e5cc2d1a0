//! [`Retrying`]: the one retry driver. The hand-written [`retry`](crate::retry) functions and
//! the code `#[retried]` generates both run their tries through it.
//!
//! It decides, after each try, whether to return or wait, and it is the drop guard that makes
//! every call record exactly one `record_retry`: when it decides to return, or, if it never gets
//! to (the try panicked, the future was dropped), when it is dropped.

use super::backoff::full_jitter;
use super::policy::RetryPolicy;
use super::random::SplitMix64;
use super::sleep::{Sleeper, pause};
use core::ops::ControlFlow;
use std::time::{Duration, Instant};

/// The state of one retried call. Records its outcome exactly once: see the module docs.
#[must_use = "dropping the driver records the call as failed"]
#[derive(Debug)]
pub struct Retrying {
    policy: RetryPolicy,
    /// Made on the first jittered wait: a call that succeeds at once never seeds one.
    random: Option<SplitMix64>,
    /// The policy's time budget and when the call started, for a policy with one; without a
    /// budget the clock is never read.
    budget: Option<(Duration, Instant)>,
    tries: u32,
    recorded: bool,
}

impl Retrying {
    /// Starts a call. `clock` is read once, now, if the policy has a time budget to measure
    /// from; otherwise never.
    pub fn new(policy: RetryPolicy, clock: impl FnOnce() -> Instant) -> Self {
        let budget = policy.max_elapsed_budget().map(|budget| (budget, clock()));
        Retrying {
            policy,
            random: None,
            budget,
            tries: 0,
            recorded: false,
        }
    }

    /// Runs the call: `attempt` once per try, told whether it is the last (so that it can hand
    /// over owned values instead of clones), until a try succeeds, an error is not
    /// `retryable`, or the policy runs out; sleeping on this thread between tries.
    pub fn run_blocking<T, E>(
        mut self,
        mut retryable: impl FnMut(&E) -> bool,
        mut attempt: impl FnMut(bool) -> Result<T, E>,
    ) -> Result<T, E> {
        loop {
            self.start_try();
            let result = attempt(self.is_last_try());
            if let ControlFlow::Break(result) = self.after_try_blocking(result, &mut retryable) {
                return result;
            }
        }
    }

    /// Counts a try that is about to start.
    ///
    /// Async calls run their own loop of `start_try`, `is_last_try` and
    /// [`after_try_async`](Self::after_try_async): a runner generic over `AsyncFnMut` would
    /// hide whether the future is `Send` behind a higher-ranked bound the compiler cannot yet
    /// prove ("implementation of `Send` is not general enough").
    pub fn start_try(&mut self) {
        self.tries = self.tries.saturating_add(1);
    }

    /// Whether the policy allows no try after the current one, so that the caller can hand
    /// over owned values instead of clones.
    pub fn is_last_try(&self) -> bool {
        self.tries >= self.policy.max_attempts()
    }

    /// How many tries have started.
    #[cfg(test)]
    fn tries(&self) -> u32 {
        self.tries
    }

    /// Given the result of the try that just ended, either returns it for good (recording the
    /// call) or says how long to wait before the next try.
    ///
    /// `retryable` is asked only when another try is allowed; `clock` is read only then, and
    /// only for a policy with a time budget.
    fn decide<T, E>(
        &mut self,
        result: Result<T, E>,
        retryable: impl FnOnce(&E) -> bool,
        clock: impl FnOnce() -> Instant,
    ) -> ControlFlow<Result<T, E>, Duration> {
        let Err(error) = &result else {
            return self.finish(result, true);
        };
        if self.is_last_try() || !retryable(error) {
            return self.finish(result, false);
        }
        let ceiling = self.policy.wait_ceiling(self.tries);
        let wait = if self.policy.has_jitter() {
            let seed = self.policy.seed();
            let random = self.random.get_or_insert_with(|| match seed {
                Some(seed) => SplitMix64::seeded(seed),
                None => SplitMix64::unpredictable(),
            });
            full_jitter(ceiling, random.next_u64())
        } else {
            ceiling
        };
        if let Some((budget, started)) = self.budget {
            let elapsed = clock().saturating_duration_since(started);
            if elapsed.saturating_add(wait) > budget {
                return self.finish(result, false);
            }
        }
        ControlFlow::Continue(wait)
    }

    /// [`decide`](Self::decide), then sleep on this thread if there is another try.
    fn after_try_blocking<T, E>(
        &mut self,
        result: Result<T, E>,
        retryable: impl FnOnce(&E) -> bool,
    ) -> ControlFlow<Result<T, E>> {
        let wait = self.decide(result, retryable, Instant::now)?;
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
        ControlFlow::Continue(())
    }

    /// [`decide`](Self::decide) on `sleeper`'s clock, then, if there is another try, sleep
    /// with it; the task goes back to its executor between tries even when there is nothing
    /// to wait for, so that tries that fail at once cannot starve the tasks beside them.
    pub async fn after_try_async<T, E, S: Sleeper + ?Sized>(
        &mut self,
        result: Result<T, E>,
        retryable: impl FnOnce(&E) -> bool,
        sleeper: &S,
    ) -> ControlFlow<Result<T, E>> {
        let wait = self.decide(result, retryable, || sleeper.now())?;
        pause(sleeper, wait).await;
        ControlFlow::Continue(())
    }

    fn finish<T, E>(
        &mut self,
        result: Result<T, E>,
        success: bool,
    ) -> ControlFlow<Result<T, E>, Duration> {
        self.record(success);
        ControlFlow::Break(result)
    }

    fn record(&mut self, success: bool) {
        if !self.recorded {
            self.recorded = true;
            crate::record_retry(self.policy.operation(), self.tries, success);
        }
    }
}

impl Drop for Retrying {
    fn drop(&mut self) {
        // Reached without a recorded outcome only when the call did not finish: a try panicked
        // or the future running the call was dropped. Either way it did not succeed.
        self.record(false);
    }
}

#[cfg(test)]
mod tests;
