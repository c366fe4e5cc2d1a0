//! The integration tests: one binary, one module per capability.

mod cardinality;
mod dispatch;
mod exposition;
mod prometheus;
mod retried;
mod stats;
mod timed;
mod ui;
