//! What both benches share.

use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

/// Runs `record` `iters` times on each of `threads` threads at once; returns the slowest
/// thread's time, so the figure is the per-record cost under that much concurrency.
pub fn concurrently(threads: usize, iters: u64, record: &(dyn Fn() + Sync)) -> Duration {
    let barrier = Barrier::new(threads);
    thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    let start = Instant::now();
                    for _ in 0..iters {
                        record();
                    }
                    start.elapsed()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("bench thread"))
            .max()
            .unwrap_or_default()
    })
}
