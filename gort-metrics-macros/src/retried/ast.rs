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
    /// `&T` or a primitive `Copy` type: passed as is.
    AsIs,
    /// `&mut T`: reborrowed for each try.
    Reborrow,
    /// Anything else: cloned for every try but the last, which gets the original.
    CloneEachTry,
}

pub(crate) struct Argument {
    /// The name the wrapper gives the argument: the user's when the pattern is a plain name,
    /// a generated one otherwise.
    pub(crate) name: Ident,
    pub(crate) passing: Passing,
    /// The whole `pattern: Type`, where a non-`Clone` error points.
    pub(crate) span: Span,
}

#[derive(Clone, Copy)]
pub(crate) enum Receiver {
    Shared,
    Exclusive,
}

/// Where the moved body goes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyPlacement {
    /// A fn nested inside the wrapper: free fns and associated fns that never name `Self`.
    Nested,
    /// A hidden associated fn beside the wrapper: methods, and associated fns naming `Self`
    /// (a nested fn cannot see the impl's `Self`).
    Sibling,
}

/// The function, checked.
pub(crate) struct Shape {
    pub(crate) receiver: Option<(Receiver, syn::Token![self])>,
    pub(crate) arguments: Vec<Argument>,
    pub(crate) placement: BodyPlacement,
}
