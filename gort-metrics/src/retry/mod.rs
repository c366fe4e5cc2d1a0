//! Retrying fallible calls with backoff, recording attempts and outcome.

pub(crate) mod private {}
