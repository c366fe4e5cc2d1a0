//! The integration tests: one binary, one module per capability.

mod cardinality;
mod dashboard;
mod dispatch;
mod endpoint_client;
mod endpoint_limits;
mod endpoint_resources;
mod exporter;
mod exposition;
mod fanout;
mod prometheus;
mod retried;
mod servers;
mod site_cache;
mod stats;
mod statsd;
mod stress;
mod timed;
mod tracing_backend;
mod ui;
