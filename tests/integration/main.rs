//! The integration tests: one binary, one module per capability.

mod cardinality;
mod dashboard;
mod dispatch;
mod exporter;
mod exposition;
mod fanout;
mod prometheus;
mod retried;
mod servers;
mod site_cache;
mod stats;
mod statsd;
mod statsd_daemon;
mod statsd_delivery;
mod stress;
mod timed;
mod tracing_backend;
mod ui;
