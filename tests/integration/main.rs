//! The integration tests: one binary, one module per capability.

mod cardinality;
mod dashboard;
mod dispatch;
mod exporter;
mod exposition;
mod fanout;
mod prometheus;
mod retried;
mod retry_edges;
mod servers;
mod site_cache;
mod stats;
mod statsd;
mod stress;
mod swap_release;
mod timed;
mod tracing_backend;
mod ui;
