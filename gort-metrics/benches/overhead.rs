//! What instrumentation costs, against hand-written baselines and peers measured in the same
//! run. The README's performance table comes from this bench:
//!
//! `cargo bench -p gort-metrics --bench overhead`
//!
//! Groups:
//! - `timed_disabled`: a bare function against the same function under `#[timed]` with no
//!   collector installed, and with the stats collector.
//! - `timed_prometheus`: timing one call into a Prometheus histogram: by hand with a cached
//!   `Histogram` (the best case), by hand with `with_label_values`, with `#[timed]`, with
//!   metrics-rs (`histogram!` into its Prometheus recorder) and with `#[autometrics]`.
//! - `record_prometheus`: counting one message, by hand with `CounterVec::with_label_values`
//!   against `record_message_received` through the global collector.
//! - `same_series_2t`: the same, with two threads hitting one series at once.
//! - `timed_outcomes`: `#[timed]` with its outcome counted into `gort_*_calls_total` beside the
//!   histogram: a literal label on a fn returning `u64` and on one returning `Result`, against
//!   the cached baseline of `timed_prometheus`; and a label known only at run time
//!   (`#[timed(channel = channel)]`) against the hand-written `Instant` +
//!   `record_message_duration(channel, elapsed)` it replaces.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use gort_metrics::prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounterVec, Opts};
use gort_metrics::{
    DEFAULT_BUCKETS, NoopCollector, PrometheusCollector, StatsCollector, record_message_duration,
    record_message_received, set_global_collector, timed,
};
use std::hint::black_box;
use std::time::{Duration, Instant};
use support::concurrently;

mod support;

/// The work being timed: small enough that the instrumentation dominates.
#[inline(never)]
fn bare(x: u64) -> u64 {
    black_box(x).wrapping_mul(31).wrapping_add(7)
}

#[timed(middleware = "auth")]
#[inline(never)]
fn timed_auth(x: u64) -> u64 {
    black_box(x).wrapping_mul(31).wrapping_add(7)
}

#[timed(middleware = "auth")]
#[inline(never)]
fn timed_checked(x: u64) -> Result<u64, u64> {
    let y = black_box(x).wrapping_mul(31).wrapping_add(7);
    if y == 0 { Err(y) } else { Ok(y) }
}

#[timed(channel = channel)]
#[inline(never)]
fn timed_dynamic(channel: &str, x: u64) -> u64 {
    black_box(x).wrapping_mul(31).wrapping_add(7)
}

#[autometrics::autometrics]
#[inline(never)]
fn autometrics_auth(x: u64) -> u64 {
    black_box(x).wrapping_mul(31).wrapping_add(7)
}

/// The hand-written best case: `Instant` around the work, into a cached `Histogram`.
#[inline(always)]
fn timed_by_hand(cached: &Histogram) -> u64 {
    let start = Instant::now();
    let out = bare(black_box(3));
    cached.observe(start.elapsed().as_secs_f64());
    out
}

fn timed_disabled(c: &mut Criterion) {
    let mut group = c.benchmark_group("timed_disabled");
    set_global_collector(NoopCollector);
    group.bench_function("baseline_bare_fn", |b| b.iter(|| bare(black_box(3))));
    group.bench_function("timed_no_collector", |b| {
        b.iter(|| timed_auth(black_box(3)))
    });
    set_global_collector(StatsCollector::new());
    group.bench_function("timed_stats", |b| b.iter(|| timed_auth(black_box(3))));
    set_global_collector(NoopCollector);
    group.finish();
}

fn timed_prometheus(c: &mut Criterion) {
    let mut group = c.benchmark_group("timed_prometheus");
    let histograms = hand_histograms();
    let cached = histograms.with_label_values(&["auth"]);
    group.bench_function("baseline_instant_cached_histogram", |b| {
        b.iter(|| timed_by_hand(&cached))
    });
    group.bench_function("hand_with_label_values", |b| {
        b.iter(|| {
            let start = Instant::now();
            let out = bare(black_box(3));
            histograms
                .with_label_values(&[black_box("auth")])
                .observe(start.elapsed().as_secs_f64());
            out
        })
    });
    set_global_collector(PrometheusCollector::new());
    group.bench_function("timed_prometheus", |b| b.iter(|| timed_auth(black_box(3))));
    set_global_collector(NoopCollector);
    group.bench_function("metrics_rs_histogram", |b| {
        b.iter(|| {
            let start = Instant::now();
            let out = bare(black_box(3));
            metrics::histogram!("gort_middleware_duration_seconds", "middleware" => "auth")
                .record(start.elapsed().as_secs_f64());
            out
        })
    });
    group.bench_function("autometrics", |b| b.iter(|| autometrics_auth(black_box(3))));
    group.finish();
}

fn timed_outcomes(c: &mut Criterion) {
    let mut group = c.benchmark_group("timed_outcomes");
    let histograms = hand_histograms();
    let cached = histograms.with_label_values(&["auth"]);
    set_global_collector(PrometheusCollector::new());
    // Interleaved: each case runs between two runs of its baseline, so a drift in the
    // machine's speed shows up in the baseline's two figures.
    for round in ["a", "b"] {
        group.bench_function(
            BenchmarkId::new("baseline_instant_cached_histogram", round),
            |b| b.iter(|| timed_by_hand(&cached)),
        );
        group.bench_function(BenchmarkId::new("timed_literal", round), |b| {
            b.iter(|| timed_auth(black_box(3)))
        });
        group.bench_function(BenchmarkId::new("timed_literal_result", round), |b| {
            b.iter(|| timed_checked(black_box(3)))
        });
        group.bench_function(
            BenchmarkId::new("baseline_record_message_duration", round),
            |b| {
                b.iter(|| {
                    let start = Instant::now();
                    let out = bare(black_box(3));
                    record_message_duration(black_box("dingtalk"), start.elapsed());
                    out
                })
            },
        );
        group.bench_function(BenchmarkId::new("timed_dynamic_label", round), |b| {
            b.iter(|| timed_dynamic(black_box("dingtalk"), black_box(3)))
        });
    }
    set_global_collector(NoopCollector);
    group.finish();
}

fn record_prometheus(c: &mut Criterion) {
    let mut group = c.benchmark_group("record_prometheus");
    let counters = hand_counters();
    group.bench_function("baseline_countervec_with_label_values", |b| {
        b.iter(|| {
            counters
                .with_label_values(&[black_box("dingtalk"), "inbound", "text"])
                .inc()
        })
    });
    set_global_collector(PrometheusCollector::new());
    group.bench_function("record_message_received_global", |b| {
        b.iter(|| record_message_received(black_box("dingtalk"), "inbound", "text"))
    });
    set_global_collector(NoopCollector);
    group.finish();
}

/// The hand-written counterpart of `gort_middleware_duration_seconds`.
fn hand_histograms() -> HistogramVec {
    HistogramVec::new(
        HistogramOpts::new("hand_middleware_duration_seconds", "by hand")
            .buckets(DEFAULT_BUCKETS.to_vec()),
        &["middleware"],
    )
    .expect("histogram")
}

/// The hand-written counterpart of `gort_messages_received_total`.
fn hand_counters() -> IntCounterVec {
    IntCounterVec::new(
        Opts::new("hand_messages_received_total", "by hand"),
        &["channel", "direction", "type"],
    )
    .expect("counter")
}

fn same_series_two_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("same_series_2t");
    let counters = hand_counters();
    let by_hand = || {
        counters
            .with_label_values(&[black_box("dingtalk"), "inbound", "text"])
            .inc()
    };
    let through_global = || record_message_received(black_box("dingtalk"), "inbound", "text");
    group.bench_function(
        BenchmarkId::new("baseline_countervec_with_label_values", "2t"),
        |b| b.iter_custom(|iters| concurrently(2, iters, &by_hand)),
    );
    set_global_collector(PrometheusCollector::new());
    group.bench_function(
        BenchmarkId::new("record_message_received_global", "2t"),
        |b| b.iter_custom(|iters| concurrently(2, iters, &through_global)),
    );
    set_global_collector(NoopCollector);
    group.finish();
}

fn install_peer_recorders() {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&DEFAULT_BUCKETS)
        .expect("buckets")
        .build_recorder();
    metrics::set_global_recorder(recorder).expect("first recorder");
}

fn benches(c: &mut Criterion) {
    install_peer_recorders();
    timed_disabled(c);
    timed_prometheus(c);
    timed_outcomes(c);
    record_prometheus(c);
    same_series_two_threads(c);
}

criterion_group! {
    name = overhead;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = benches
}
criterion_main!(overhead);
