//! `#[retried]` and the retry runtime: one module per capability.

mod arguments;
mod async_fns;
mod async_trait;
mod attempts;
mod crate_path;
mod hand_written;
mod lints;
mod macro_rules;
mod methods;
mod operation;
mod panics;
mod receivers;
mod result_alias;
mod shadowing;
mod stacking;
mod timing;
mod trait_impls;
mod when;
