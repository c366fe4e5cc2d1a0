//! The integration tests: one binary, one module per capability.

mod dispatch;
mod prometheus;
mod retried;
mod stats;
mod timed;
mod ui;
