//! `FacadeCollector`: records through the `metrics` facade reach `metrics-util`'s debugging
//! recorder and `metrics-exporter-prometheus` with the Go families' names, labels, values and
//! descriptions, locally and globally, and a real Prometheus scrapes the exporter's output.

mod debugging;
mod exporter;

use metrics::Unit;
use metrics_util::debugging::{DebugValue, Snapshotter};
use std::collections::HashMap;

/// A series as the debugging recorder shows it: name and `label=value` pairs in key order.
pub type SeriesName = (String, Vec<(String, String)>);

/// What the debugging recorder holds for a series.
#[derive(Debug, PartialEq)]
pub struct Seen {
    pub unit: Option<Unit>,
    pub help: Option<String>,
    pub value: DebugValue,
}

/// Every series recorded since the last read (the debugging recorder resets on read).
pub fn read(snapshotter: &Snapshotter) -> HashMap<SeriesName, Seen> {
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
            let name = (key.key().name().to_owned(), labels);
            (name, Seen { unit, help, value })
        })
        .collect()
}

pub fn series(name: &str, labels: &[(&str, &str)]) -> SeriesName {
    let labels = labels
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    (name.to_owned(), labels)
}
