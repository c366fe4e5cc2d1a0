//! What the facade backend costs over writing the same `metrics` calls by hand, into the same
//! recorder (`metrics-exporter-prometheus`'s):
//!
//! `cargo bench -p gort-metrics --features metrics --bench facade`
//!
//! Groups:
//! - `facade_counter`: one message received. By hand with literal labels (the macro's static
//!   key: the best case), by hand with the labels a gateway has at run time (owned strings),
//!   and through `FacadeCollector::record_message_received`, with and without kept handles.
//! - `facade_histogram`: one middleware duration, by hand and through the facade.
//! - `facade_call`: one timed call (duration and outcome counter), by hand, through
//!   `record_middleware_call`, and through the `call_handle` a `#[timed]` site keeps.
//! - `facade_local`: the counter again, inside `with_local_recorder` (nothing is kept there).
//! - `facade_counter_2t`: the counter with two threads hitting one series at once.

use criterion::{Criterion, criterion_group, criterion_main};
use gort_metrics::{Collector, DEFAULT_BUCKETS, DurationKind, FacadeCollector, Outcome};
use metrics::{counter, histogram};
use std::hint::black_box;
use std::time::Duration;
use support::concurrently;

mod support;

const ELAPSED: Duration = Duration::from_micros(1500);

fn by_hand_static() {
    counter!(
        "gort_messages_received_total",
        "channel" => "dingtalk",
        "direction" => "inbound",
        "type" => "text"
    )
    .increment(1);
}

fn by_hand_owned(channel: &str, direction: &str, msg_type: &str) {
    counter!(
        "gort_messages_received_total",
        "channel" => channel.to_owned(),
        "direction" => direction.to_owned(),
        "type" => msg_type.to_owned()
    )
    .increment(1);
}

fn facade_counter(c: &mut Criterion) {
    let mut group = c.benchmark_group("facade_counter");
    let cached = FacadeCollector::new();
    let uncached = FacadeCollector::builder().cache_handles(false).build();
    group.bench_function("by_hand_static_labels", |b| b.iter(by_hand_static));
    group.bench_function("by_hand_owned_labels", |b| {
        b.iter(|| {
            by_hand_owned(
                black_box("dingtalk"),
                black_box("inbound"),
                black_box("text"),
            )
        })
    });
    group.bench_function("facade", |b| {
        b.iter(|| {
            cached.record_message_received(
                black_box("dingtalk"),
                black_box("inbound"),
                black_box("text"),
            )
        })
    });
    group.bench_function("facade_no_kept_handles", |b| {
        b.iter(|| {
            uncached.record_message_received(
                black_box("dingtalk"),
                black_box("inbound"),
                black_box("text"),
            )
        })
    });
    group.finish();
}

fn facade_histogram(c: &mut Criterion) {
    let mut group = c.benchmark_group("facade_histogram");
    let collector = FacadeCollector::new();
    group.bench_function("by_hand", |b| {
        b.iter(|| {
            histogram!("gort_middleware_duration_seconds", "middleware" => "auth")
                .record(black_box(ELAPSED).as_secs_f64())
        })
    });
    group.bench_function("facade", |b| {
        b.iter(|| collector.record_middleware_duration(black_box("auth"), black_box(ELAPSED)))
    });
    group.finish();
}

fn facade_call(c: &mut Criterion) {
    let mut group = c.benchmark_group("facade_call");
    let collector = FacadeCollector::new();
    let handle = collector
        .call_handle(DurationKind::Middleware, "auth")
        .expect("under the limit");
    group.bench_function("by_hand", |b| {
        b.iter(|| {
            histogram!("gort_middleware_duration_seconds", "middleware" => "auth")
                .record(black_box(ELAPSED).as_secs_f64());
            counter!("gort_middleware_calls_total", "middleware" => "auth", "outcome" => "ok")
                .increment(1);
        })
    });
    group.bench_function("facade_record_middleware_call", |b| {
        b.iter(|| {
            collector.record_middleware_call(black_box("auth"), Outcome::Ok, black_box(ELAPSED))
        })
    });
    group.bench_function("facade_call_handle", |b| {
        b.iter(|| handle.record(black_box(Outcome::Ok), black_box(ELAPSED)))
    });
    group.finish();
}

fn facade_local(c: &mut Criterion) {
    let mut group = c.benchmark_group("facade_local");
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let collector = FacadeCollector::new();
    metrics::with_local_recorder(&recorder, || {
        group.bench_function("by_hand_static_labels", |b| b.iter(by_hand_static));
        group.bench_function("by_hand_owned_labels", |b| {
            b.iter(|| {
                by_hand_owned(
                    black_box("dingtalk"),
                    black_box("inbound"),
                    black_box("text"),
                )
            })
        });
        group.bench_function("facade", |b| {
            b.iter(|| {
                collector.record_message_received(
                    black_box("dingtalk"),
                    black_box("inbound"),
                    black_box("text"),
                )
            })
        });
    });
    group.finish();
}

fn facade_counter_two_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("facade_counter_2t");
    let collector = FacadeCollector::new();
    let through_facade = || collector.record_message_received("dingtalk", "inbound", "text");
    group.bench_function("by_hand_static_labels", |b| {
        b.iter_custom(|iters| concurrently(2, iters, &by_hand_static))
    });
    group.bench_function("facade", |b| {
        b.iter_custom(|iters| concurrently(2, iters, &through_facade))
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(&DEFAULT_BUCKETS)
        .expect("buckets")
        .build_recorder();
    metrics::set_global_recorder(recorder).expect("first recorder");
    facade_counter(c);
    facade_histogram(c);
    facade_call(c);
    facade_local(c);
    facade_counter_two_threads(c);
}

criterion_group! {
    name = facade;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30);
    targets = benches
}
criterion_main!(facade);
