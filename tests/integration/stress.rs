//! Randomised, time-bounded stress of everything that is shared between threads: the global
//! swap, the per-call-site handle caches and scoped collectors. Every record must land in
//! exactly one collector: none lost, none counted twice.

use crate::site_cache::{HandleCounting, cached_site};
use gort_metrics::{
    Collector, NoopCollector, StatsCollector, record_message_received, set_global_collector,
    with_collector,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};
use tests::lock_global;

/// A collector installed at some point: its counts are summed at the end.
enum Installed {
    Stats(Arc<StatsCollector>),
    Handles(Arc<HandleCounting>),
}

impl Installed {
    fn messages(&self) -> u64 {
        match self {
            Installed::Stats(stats) => stats.stats().messages_received,
            Installed::Handles(_) => 0,
        }
    }

    fn timed_calls(&self) -> u64 {
        match self {
            Installed::Stats(stats) => stats.stats().middleware_durations.count,
            Installed::Handles(handles) => {
                (handles.handle_records.load(Ordering::Relaxed)
                    + handles.plain_records.load(Ordering::Relaxed)) as u64
            }
        }
    }
}

/// A small xorshift generator: each thread's schedule differs, and no dependency is needed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}

#[test]
fn swaps_caches_and_scopes_under_load_lose_and_duplicate_nothing() {
    let _lock = lock_global();
    const RUN_FOR: Duration = Duration::from_secs(3);
    let first = Arc::new(StatsCollector::new());
    set_global_collector(first.clone());
    let mut installed = vec![Installed::Stats(first)];
    let stop = AtomicBool::new(false);
    let (messages_sent, timed_sent) = (AtomicU64::new(0), AtomicU64::new(0));
    let scoped_totals = AtomicU64::new(0);
    thread::scope(|scope| {
        for seed in 1..=4u64 {
            let (stop, messages_sent, timed_sent) = (&stop, &messages_sent, &timed_sent);
            let scoped_totals = &scoped_totals;
            scope.spawn(move || {
                let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let (mut messages, mut timed) = (0u64, 0u64);
                while !stop.load(Ordering::Relaxed) {
                    match dice.roll(8) {
                        0 => {
                            // A burst inside a scoped collector: nothing may leak out of it.
                            let scoped = Arc::new(StatsCollector::new());
                            let burst = 1 + dice.roll(50);
                            with_collector(scoped.clone(), || {
                                for _ in 0..burst {
                                    record_message_received("c", "inbound", "text");
                                    cached_site();
                                }
                            });
                            let stats = scoped.stats();
                            assert_eq!(stats.messages_received, burst);
                            assert_eq!(stats.middleware_durations.count, burst);
                            scoped_totals.fetch_add(burst, Ordering::Relaxed);
                        }
                        1..=4 => {
                            record_message_received("c", "inbound", "text");
                            messages += 1;
                        }
                        _ => {
                            cached_site();
                            timed += 1;
                        }
                    }
                }
                messages_sent.fetch_add(messages, Ordering::Relaxed);
                timed_sent.fetch_add(timed, Ordering::Relaxed);
            });
        }
        let started = Instant::now();
        let mut dice = Dice(0xDEAD_BEEF);
        while started.elapsed() < RUN_FOR {
            let next = if dice.roll(2) == 0 {
                let stats = Arc::new(StatsCollector::new());
                set_global_collector(stats.clone());
                Installed::Stats(stats)
            } else {
                let handles = Arc::new(HandleCounting::default());
                set_global_collector(handles.clone());
                Installed::Handles(handles)
            };
            installed.push(next);
            thread::sleep(Duration::from_micros(dice.roll(500)));
        }
        stop.store(true, Ordering::Relaxed);
    });
    set_global_collector(NoopCollector);
    let sent_messages = messages_sent.load(Ordering::Relaxed);
    let sent_timed = timed_sent.load(Ordering::Relaxed);
    // Messages recorded into a `HandleCounting` collector are dropped by design; count only
    // those that went to stats collectors, and check the total through an upper and a lower
    // view: every timed call is kept by whichever collector it landed in.
    let timed_total: u64 = installed.iter().map(Installed::timed_calls).sum();
    assert_eq!(timed_total, sent_timed, "timed calls lost or duplicated");
    let messages_total: u64 = installed.iter().map(Installed::messages).sum();
    assert!(messages_total <= sent_messages, "messages counted twice");
    assert!(installed.len() > 100, "only {} swaps", installed.len());
    assert!(scoped_totals.load(Ordering::Relaxed) > 0);
    println!(
        "{} swaps, {sent_messages} messages, {sent_timed} timed calls",
        installed.len()
    );
}

/// Every message recorded while only stats collectors are swapped in lands in exactly one.
#[test]
fn message_records_are_exact_across_stats_swaps() {
    let _lock = lock_global();
    let first = Arc::new(StatsCollector::new());
    set_global_collector(first.clone());
    let mut installed = vec![first];
    let stop = AtomicBool::new(false);
    let sent = AtomicU64::new(0);
    thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                let mut count = 0;
                while !stop.load(Ordering::Relaxed) {
                    record_message_received("c", "inbound", "text");
                    count += 1;
                }
                sent.fetch_add(count, Ordering::Relaxed);
            });
        }
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(2) {
            let next = Arc::new(StatsCollector::new());
            set_global_collector(next.clone());
            installed.push(next);
            thread::yield_now();
        }
        stop.store(true, Ordering::Relaxed);
    });
    set_global_collector(NoopCollector);
    let landed: u64 = installed
        .iter()
        .map(|stats| stats.stats().messages_received)
        .sum();
    assert_eq!(landed, sent.load(Ordering::Relaxed));
}

#[test]
fn the_stress_collector_keeps_no_messages() {
    // Guards the accounting above: `HandleCounting` must not count messages, or the
    // `messages_total <= sent_messages` bound would hide duplicates.
    let handles = HandleCounting::default();
    handles.record_message_received("c", "inbound", "text");
    assert_eq!(Installed::Handles(Arc::new(handles)).messages(), 0);
}
