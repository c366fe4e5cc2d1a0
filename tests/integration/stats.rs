//! stats tests.
