//! Attribute macros for `gort-metrics`.
//!
//! Users never name this crate: `gort_metrics` re-exports both macros, and their full
//! documentation lives on those re-exports. Each macro runs parse -> validate -> expand in its
//! own modules; `stack` decides what a pair of them stacked on one fn means; this file holds
//! only the entry points.

mod args;
mod paths;
mod retried;
mod runtime;
#[cfg(test)]
mod snapshot;
mod stack;
mod timed;
mod types;

use proc_macro::TokenStream;

/// Times a function, method, `async fn` or every method of an `impl` block through the current
/// collector. Documented on `gort_metrics::timed`.
#[proc_macro_attribute]
pub fn timed(args: TokenStream, item: TokenStream) -> TokenStream {
    stack::timed(args.into(), item.into()).into()
}

/// Retries a `Result`-returning function with backoff and records the outcome. Documented on
/// `gort_metrics::retried`.
#[proc_macro_attribute]
pub fn retried(args: TokenStream, item: TokenStream) -> TokenStream {
    stack::retried(args.into(), item.into()).into()
}
