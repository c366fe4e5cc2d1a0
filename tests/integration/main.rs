//! The integration tests: one binary, one module per capability.

mod call_outcomes;
mod cardinality;
mod dashboard;
mod dispatch;
mod exporter;
mod exposition;
mod fanout;
mod histogram_buckets;
mod label_values;
mod prometheus;
mod reentrancy;
mod retried;
mod servers;
mod site_cache;
mod stats;
mod statsd;
mod stress;
mod timed;
mod tracing_backend;
mod ui;
