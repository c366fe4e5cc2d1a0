//! The data model: what the arguments say once checked, and the shape of the function.

use proc_macro2::{Ident, Span};
use std::time::Duration;

/// One `key = value` as written, before any check beyond its syntax.
pub(crate) struct RawArg {
    pub(crate) key: Key,
    /// The key token, where errors about the key itself (like a duplicate) point.
    pub(crate) key_span: Span,
    pub(crate) value: syn::Expr,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Op,
    Attempts,
    Delay,
    MaxDelay,
    MaxElapsed,
    Backoff,
    Jitter,
    When,
    Sleeper,
    Crate,
}

impl Key {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Key::Op => "op",
            Key::Attempts => "attempts",
            Key::Delay => "delay",
            Key::MaxDelay => "max_delay",
            Key::MaxElapsed => "max_elapsed",
            Key::Backoff => "backoff",
            Key::Jitter => "jitter",
            Key::When => "when",
            Key::Sleeper => "sleeper",
            Key::Crate => "crate",
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) enum BackoffKind {
    Exponential,
    Fixed,
}

/// The arguments, checked, with defaults filled in (except `op`, which defaults to the
/// function's name).
pub(crate) struct Config {
    /// The keys the attribute gives. The generated policy sets only these and leaves the rest
    /// to `RetryPolicy::new`, so that the runtime's defaults are the only ones that run; the
    /// default values below matter only to compile-time checks (`delay <= max_delay`).
    pub(crate) given: Vec<Key>,
    pub(crate) op: Option<syn::LitStr>,
    pub(crate) attempts: u32,
    pub(crate) delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) max_elapsed: Option<Duration>,
    pub(crate) backoff: BackoffKind,
    pub(crate) jitter: bool,
    pub(crate) when: Option<syn::Path>,
    /// The path, and the key's span for the error when the function is not `async`.
    pub(crate) sleeper: Option<(syn::Path, Span)>,
    pub(crate) krate: Option<syn::Path>,
}

/// How an argument reaches each try.
pub(crate) enum Passing {
    /// `&T` or a primitive `Copy` type: used as is.
    AsIs,
    /// `&mut T`: reborrowed for each try.
    Reborrow,
    /// Anything else: cloned for every try but the last, which gets the original.
    CloneEachTry,
}

/// How each try binds the argument's pattern to the value it gets.
pub(crate) enum Binding {
    /// A plain name, `id` or `mut id`: the one the wrapper takes too.
    Name { mutable: bool },
    /// Any other pattern (`(a, b)`, `_`, `ref id`): bound from a value under the wrapper's
    /// generated name, the way the compiler binds a parameter's pattern.
    Pattern(Box<syn::Pat>),
}

pub(crate) struct Argument {
    /// The name the wrapper gives the argument: the user's when the pattern is a plain name,
    /// a generated one otherwise.
    pub(crate) name: Ident,
    pub(crate) binding: Binding,
    pub(crate) passing: Passing,
    /// The whole `pattern: Type`, where a non-`Clone` error points.
    pub(crate) span: Span,
}

/// The function, checked. A receiver needs nothing here: the try borrows `self` from the
/// wrapper like any other captured reference.
pub(crate) struct Shape {
    /// The `Result` type the function returns.
    pub(crate) returned: syn::Type,
    pub(crate) arguments: Vec<Argument>,
}
