//! `#[timed]`: every function shape, label and exit path.
