//! The retry runtime at its edges: exact backoff schedules, zero delays, executors other than
//! tokio, fairness between tries, degenerate policies.

mod attempts;
mod builder;
mod executors;
mod fairness;
mod schedules;
mod zero_delay;
