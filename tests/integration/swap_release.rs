//! Swapping the global collector releases the replaced one: a server that reconfigures its
//! collector for months neither leaks collectors nor loses what they recorded.

use gort_metrics::{
    Collector, GlobalCollector, StatsCollector, global_collector, record_message_received,
    set_global_collector, timed, with_collector,
};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};
use tests::{in_own_process, lock_global, resident_bytes};

/// Live [`Counted`] collectors, process-wide.
static ALIVE: AtomicUsize = AtomicUsize::new(0);
/// Records that reached a [`Counted`] collector that has since been dropped.
static COUNTED_BY_DROPPED: AtomicU64 = AtomicU64::new(0);

/// Counts what it receives, and on drop hands its count to [`COUNTED_BY_DROPPED`].
struct Counted {
    records: AtomicU64,
    flushes: Arc<AtomicUsize>,
}

impl Counted {
    fn new() -> Self {
        Self::with_flushes(Arc::default())
    }

    fn with_flushes(flushes: Arc<AtomicUsize>) -> Self {
        ALIVE.fetch_add(1, Ordering::SeqCst);
        Counted {
            records: AtomicU64::new(0),
            flushes,
        }
    }

    fn count(&self) {
        self.records.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        COUNTED_BY_DROPPED.fetch_add(*self.records.get_mut(), Ordering::SeqCst);
        ALIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Collector for Counted {
    fn record_message_received(&self, _: &str, _: &str, _: &str) {
        self.count();
    }
    fn record_message_sent(&self, _: &str, _: &str, _: &str) {
        self.count();
    }
    fn record_message_duration(&self, _: &str, _: Duration) {
        self.count();
    }
    fn record_channel_status(&self, _: &str, _: &str, _: bool) {}
    fn record_channel_error(&self, _: &str, _: &str, _: &str) {}
    fn record_session_active(&self, _: i64) {}
    fn record_session_duration(&self, _: Duration) {}
    fn record_middleware_duration(&self, _: &str, _: Duration) {
        self.count();
    }
    fn record_retry(&self, _: &str, _: u32, _: bool) {}
    fn flush(&self) {
        self.flushes.fetch_add(1, Ordering::SeqCst);
    }
}

#[timed(middleware = "swap-release")]
fn timed_site() {}

/// What a run of the soak leaves behind.
struct Soak {
    swaps: u64,
    records: u64,
}

/// Swaps the global collector `swaps` times while three threads record: one through the free
/// functions, one through the `global_collector()` handle, one through a `#[timed]` site.
fn soak(swaps: u64) -> Soak {
    // Every record of the soak lands in a `Counted`, from the first one on.
    set_global_collector(Counted::new());
    let stop = AtomicBool::new(false);
    let records = AtomicU64::new(0);
    let start = Barrier::new(4);
    thread::scope(|scope| {
        let recorders: [&(dyn Fn() + Sync); 3] = [
            &|| record_message_received("dingtalk", "inbound", "text"),
            &|| global_collector().record_message_sent("feishu", "outbound", "text"),
            &timed_site,
        ];
        let mut threads = Vec::new();
        for record in recorders {
            let (stop, records, start) = (&stop, &records, &start);
            threads.push(scope.spawn(move || {
                start.wait();
                let mut made = 0;
                while !stop.load(Ordering::Relaxed) {
                    record();
                    made += 1;
                }
                records.fetch_add(made, Ordering::SeqCst);
            }));
        }
        start.wait();
        for _ in 0..swaps {
            set_global_collector(Counted::new());
        }
        stop.store(true, Ordering::Relaxed);
        // Joined by hand: only a join waits for a thread's thread-locals to be destroyed,
        // and with them its reference to the collector it last used.
        for thread in threads {
            thread.join().expect("recording thread");
        }
    });
    Soak {
        swaps,
        records: records.load(Ordering::SeqCst),
    }
}

#[test]
fn a_million_swaps_under_load_release_every_replaced_collector_and_lose_nothing() {
    if in_own_process(
        "swap_release::a_million_swaps_under_load_release_every_replaced_collector_and_lose_nothing",
    ) {
        return;
    }
    const SWAPS: u64 = 1_000_000;
    // Warm up the allocator and the threads' machinery so the reading measures the swaps.
    soak(1_000);
    set_global_collector(StatsCollector::new());
    let counted_before = COUNTED_BY_DROPPED.load(Ordering::SeqCst);
    let before = resident_bytes();
    let started = Instant::now();
    let soak = soak(SWAPS);
    let took = started.elapsed();
    let growth = resident_bytes().saturating_sub(before);

    // The recording threads have ended; only this thread holds a collector now: the last
    // one installed.
    let alive = ALIVE.load(Ordering::SeqCst);
    assert!(
        alive <= 2,
        "{alive} collectors still alive after {SWAPS} swaps"
    );
    // Every record landed in exactly one collector: the dropped ones report theirs.
    set_global_collector(StatsCollector::new());
    assert_eq!(
        ALIVE.load(Ordering::SeqCst),
        0,
        "the last one is released by the next swap"
    );
    let counted = COUNTED_BY_DROPPED.load(Ordering::SeqCst) - counted_before;
    assert_eq!(counted, soak.records, "every record counted exactly once");
    assert!(
        growth < 16 << 20,
        "resident memory grew by {growth} bytes over {SWAPS} swaps"
    );
    println!(
        "{} swaps with {} records in {took:?}: resident memory grew by {} KiB, {alive} \
         replaced collectors alive",
        soak.swaps,
        soak.records,
        growth >> 10
    );
}

#[test]
fn records_made_across_swaps_are_each_counted_once() {
    let _lock = lock_global();
    let before = COUNTED_BY_DROPPED.load(Ordering::SeqCst);
    let soak = soak(20_000);
    set_global_collector(StatsCollector::new());
    // Other tests of this module may drop collectors concurrently only under the same lock.
    let counted = COUNTED_BY_DROPPED.load(Ordering::SeqCst) - before;
    assert_eq!(counted, soak.records);
}

#[test]
fn a_replaced_collector_is_flushed_at_once_and_dropped_when_the_last_thread_lets_go() {
    let _lock = lock_global();
    let flushes = Arc::new(AtomicUsize::new(0));
    let installed = Arc::new(Counted::with_flushes(flushes.clone()));
    set_global_collector(installed.clone());
    let (recorded, release) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
    let worker = {
        let (recorded, release) = (recorded.clone(), release.clone());
        thread::spawn(move || {
            record_message_received("dingtalk", "inbound", "text");
            recorded.wait();
            // Holds the replaced collector until it records again.
            release.wait();
            record_message_received("dingtalk", "inbound", "text");
        })
    };
    recorded.wait();
    set_global_collector(StatsCollector::new());
    assert_eq!(flushes.load(Ordering::SeqCst), 1, "flushed when replaced");
    assert!(
        Arc::strong_count(&installed) > 1,
        "the worker still holds it"
    );
    release.wait();
    worker.join().expect("worker");
    assert_eq!(Arc::strong_count(&installed), 1, "released by the worker");
    assert_eq!(installed.records.load(Ordering::Relaxed), 1);
}

#[test]
fn a_held_handle_keeps_its_collector_alive_after_a_swap() {
    let _lock = lock_global();
    let first = Arc::new(StatsCollector::new());
    set_global_collector(first.clone());
    let handle: GlobalCollector = global_collector();
    set_global_collector(StatsCollector::new());
    handle.record_message_received("dingtalk", "inbound", "text");
    assert!(handle.is_enabled());
    assert_eq!(first.stats().messages_received, 1);
    drop(handle);
    assert_eq!(Arc::strong_count(&first), 1);
}

/// Records into the global collector from inside its own record methods, as a tracing backend
/// whose subscriber records metrics does.
struct Reentrant {
    inner: StatsCollector,
}

thread_local! {
    static NESTING: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

impl Collector for Reentrant {
    fn record_message_received(&self, channel: &str, direction: &str, msg_type: &str) {
        self.inner
            .record_message_received(channel, direction, msg_type);
        // Bounded per thread, not per collector: a nested record may reach a newer one.
        let depth = NESTING.with(|nesting| nesting.replace(nesting.get() + 1));
        if depth < 8 {
            // Another thread may have installed a new collector meanwhile: the one running
            // here must stay alive until this record returns.
            record_message_received(channel, direction, msg_type);
        }
        NESTING.with(|nesting| nesting.set(depth));
    }
    fn record_message_sent(&self, _: &str, _: &str, _: &str) {}
    fn record_message_duration(&self, _: &str, _: Duration) {}
    fn record_channel_status(&self, _: &str, _: &str, _: bool) {}
    fn record_channel_error(&self, _: &str, _: &str, _: &str) {}
    fn record_session_active(&self, _: i64) {}
    fn record_session_duration(&self, _: Duration) {}
    fn record_middleware_duration(&self, _: &str, _: Duration) {}
    fn record_retry(&self, _: &str, _: u32, _: bool) {}
}

#[test]
fn a_collector_recording_into_the_global_from_its_own_record_survives_swaps() {
    let _lock = lock_global();
    let made = Mutex::new(Vec::<Arc<Reentrant>>::new());
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        let swapper = scope.spawn(|| {
            for _ in 0..2_000 {
                let collector = Arc::new(Reentrant {
                    inner: StatsCollector::new(),
                });
                made.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(collector.clone());
                set_global_collector(collector);
            }
            stop.store(true, Ordering::SeqCst);
        });
        let recorder = scope.spawn(|| {
            let mut records = 0;
            while !stop.load(Ordering::SeqCst) || records == 0 {
                record_message_received("dingtalk", "inbound", "text");
                records += 1;
            }
        });
        // Joined by hand, so that their thread-locals (and the collectors they hold) are gone.
        swapper.join().expect("swapping thread");
        recorder.join().expect("recording thread");
    });
    set_global_collector(StatsCollector::new());
    let made = made.into_inner().unwrap_or_else(PoisonError::into_inner);
    let total: u64 = made
        .iter()
        .map(|collector| collector.inner.stats().messages_received)
        .sum();
    assert!(total > 0);
    for collector in &made {
        assert_eq!(Arc::strong_count(collector), 1, "every one released");
    }
}

#[test]
fn a_scope_on_one_thread_leaves_other_threads_on_the_global() {
    let _lock = lock_global();
    let global = Arc::new(StatsCollector::new());
    set_global_collector(global.clone());
    let scoped = Arc::new(StatsCollector::new());
    let (entered, done) = (Barrier::new(2), Barrier::new(2));
    thread::scope(|scope| {
        scope.spawn(|| {
            with_collector(scoped.clone(), || {
                entered.wait();
                done.wait();
            })
        });
        entered.wait();
        record_message_received("dingtalk", "inbound", "text");
        done.wait();
    });
    assert_eq!(global.stats().messages_received, 1);
    assert_eq!(scoped.stats().messages_received, 0);
    set_global_collector(gort_metrics::NoopCollector);
}
