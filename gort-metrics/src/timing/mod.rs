//! Timing guards: measure a call and record it when the call ends.

pub(crate) mod private {}
