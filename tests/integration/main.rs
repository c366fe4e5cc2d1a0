//! The integration tests: one binary, one module per capability.

mod cardinality;
mod dashboard;
mod dispatch;
mod exporter;
mod exposition;
mod facade;
mod fanout;
mod noop;
mod prometheus;
mod retried;
mod retry_edges;
mod servers;
mod site_cache;
mod stats;
mod stats_consistency;
mod statsd;
mod statsd_daemon;
mod statsd_delivery;
mod stress;
mod swap_release;
mod timed;
mod tower_layer;
mod tracing_backend;
mod ui;
