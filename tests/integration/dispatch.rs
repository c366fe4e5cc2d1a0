//! dispatch tests.
