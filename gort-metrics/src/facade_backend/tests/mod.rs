//! Unit tests of the facade backend, against `metrics-util`'s debugging recorder.

mod descriptions;
mod families;
mod handles;

use metrics::Unit;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use std::collections::HashMap;

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
