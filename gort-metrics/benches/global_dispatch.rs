//! The cost of recording through the global collector, against hand-written baselines measured
//! in the same run: a direct call on the collector, a Go-style `RwLock` global, and a bare
//! atomic add. Each case runs on one thread and on two threads at once; one more records on
//! one thread while another thread enters and leaves scoped collectors.
//!
//! `cargo bench -p gort-metrics --bench global_dispatch`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gort_metrics::{
    Collector, NoopCollector, StatsCollector, record_message_received, set_global_collector,
    with_collector,
};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::thread;
use std::time::Duration;
use support::concurrently;

mod support;

fn record_through_global() {
    record_message_received(black_box("dingtalk"), "inbound", "text");
}

fn bench(c: &mut Criterion) {
    let stats = Arc::new(StatsCollector::new());
    let counter = AtomicU64::new(0);
    // The Go design: a lock around a shared pointer, read on every record.
    let go_style: RwLock<Arc<dyn Collector>> = RwLock::new(stats.clone());
    let mut group = c.benchmark_group("global_dispatch");
    for threads in [1usize, 2] {
        let mut case = |name: &str, record: &(dyn Fn() + Sync)| {
            group.bench_function(BenchmarkId::new(name, format!("{threads}t")), |b| {
                b.iter_custom(|iters| concurrently(threads, iters, record))
            });
        };
        case("baseline_atomic_add", &|| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        case("baseline_stats_direct", &|| {
            stats.record_message_received(black_box("dingtalk"), "inbound", "text")
        });
        case("baseline_go_rwlock_stats", &|| {
            let collector = go_style.read().expect("not poisoned");
            collector.record_message_received(black_box("dingtalk"), "inbound", "text");
        });
        set_global_collector(NoopCollector);
        case("global_noop", &record_through_global);
        set_global_collector(stats.clone());
        case("global_stats", &record_through_global);
    }
    // A server that gives each request a scoped collector: one thread enters and leaves scopes
    // as fast as it can while this one records through the global. Scopes live in their own
    // thread, so this should cost what `global_stats/1t` costs.
    let scoped = Arc::new(StatsCollector::new());
    let stop = AtomicBool::new(false);
    thread::scope(|background| {
        background.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                with_collector(Arc::clone(&scoped), || {
                    record_message_received(black_box("feishu"), "inbound", "text")
                });
            }
        });
        group.bench_function(BenchmarkId::new("global_stats_beside_scopes", "1t"), |b| {
            b.iter(record_through_global)
        });
        stop.store(true, Ordering::Relaxed);
    });
    group.finish();
    set_global_collector(NoopCollector);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
