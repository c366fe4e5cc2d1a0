//! Unit tests of the facade backend, against `metrics-util`'s debugging recorder.

mod descriptions;
mod families;
mod global;
mod handles;

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A series as a snapshot shows it: name and `label=value` pairs.
pub(super) type SeriesName = (String, Vec<(String, String)>);

/// What `f` records into a fresh local recorder: every series with its unit, HELP and value.
pub(super) fn recorded(
    f: impl FnOnce(),
) -> HashMap<SeriesName, (Option<Unit>, Option<String>, DebugValue)> {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, f);
    read(&snapshotter)
}

pub(super) fn read(
    snapshotter: &Snapshotter,
) -> HashMap<SeriesName, (Option<Unit>, Option<String>, DebugValue)> {
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, unit, help, value)| {
            let labels = key
                .key()
                .labels()
                .map(|label| (label.key().to_owned(), label.value().to_owned()))
                .collect();
            let help = help.map(|help| help.to_string());
            ((key.key().name().to_owned(), labels), (unit, help, value))
        })
        .collect()
}

pub(super) fn series(name: &str, labels: &[(&str, &str)]) -> SeriesName {
    let labels = labels
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    (name.to_owned(), labels)
}

pub(super) fn histogram(values: &[f64]) -> DebugValue {
    DebugValue::Histogram(values.iter().map(|&value| value.into()).collect())
}

/// A recorder that counts the descriptions and registrations it is given and passes them on.
pub(super) struct CountingRecorder<R> {
    inner: R,
    descriptions: AtomicUsize,
    registrations: AtomicUsize,
}

impl<R> CountingRecorder<R> {
    pub(super) fn new(inner: R) -> Self {
        CountingRecorder {
            inner,
            descriptions: AtomicUsize::new(0),
            registrations: AtomicUsize::new(0),
        }
    }

    pub(super) fn descriptions(&self) -> usize {
        self.descriptions.load(Ordering::Relaxed)
    }

    pub(super) fn registrations(&self) -> usize {
        self.registrations.load(Ordering::Relaxed)
    }

    fn described(&self) {
        self.descriptions.fetch_add(1, Ordering::Relaxed);
    }

    fn registered(&self) {
        self.registrations.fetch_add(1, Ordering::Relaxed);
    }
}

impl<R: Recorder> Recorder for CountingRecorder<R> {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, help: SharedString) {
        self.described();
        self.inner.describe_counter(key, unit, help)
    }
    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, help: SharedString) {
        self.described();
        self.inner.describe_gauge(key, unit, help)
    }
    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, help: SharedString) {
        self.described();
        self.inner.describe_histogram(key, unit, help)
    }
    fn register_counter(&self, key: &Key, metadata: &Metadata<'_>) -> Counter {
        self.registered();
        self.inner.register_counter(key, metadata)
    }
    fn register_gauge(&self, key: &Key, metadata: &Metadata<'_>) -> Gauge {
        self.registered();
        self.inner.register_gauge(key, metadata)
    }
    fn register_histogram(&self, key: &Key, metadata: &Metadata<'_>) -> Histogram {
        self.registered();
        self.inner.register_histogram(key, metadata)
    }
}
