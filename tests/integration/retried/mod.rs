//! `#[retried]` and the retry runtime: one module per capability.

mod arguments;
mod async_fns;
mod attempts;
mod crate_path;
mod hand_written;
mod lints;
mod methods;
mod panics;
mod shadowing;
mod timing;
mod trait_impls;
mod when;
