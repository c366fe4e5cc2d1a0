//! `#[retried]` and the retry runtime.
