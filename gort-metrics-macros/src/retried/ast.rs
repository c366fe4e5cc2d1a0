//! The data model: what the arguments say once checked, and the shape of the function.

use proc_macro2::{Ident, Span};
use std::time::Duration;

/// One `key = value` (or bare `key`) as written, before any check beyond its syntax.
pub(crate) struct RawArg {
    pub(crate) key: Key,
    /// The key as written: `op` and `operation` are one key under two names.
    pub(crate) written: &'static str,
    /// The key token, where errors about the key itself (like a duplicate) point.
    pub(crate) key_span: Span,
    /// `None` for a flag (`result`).
    pub(crate) value: Option<syn::Expr>,
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
    Result,
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
            Key::Result => "result",
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
    pub(crate) op: Option<Operation>,
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
    /// `result`: the return type is a `Result` under a name that does not say so.
    pub(crate) result_alias: bool,
}

/// What `op` names the operation with.
pub(crate) enum Operation {
    /// A string literal: the label is fixed at compile time.
    Literal(syn::LitStr),
    /// An expression of the arguments (or a const) whose value is `AsRef<str>`, evaluated once
    /// on entry.
    Expr(syn::Expr),
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

/// How `self` reaches each try.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReceiverPassing {
    /// `&self`, `&mut self`, `self: Pin<&Self>`, or none: the try's closure borrows `self` from
    /// the wrapper like any other captured reference, and the body is left as written.
    Captured,
    /// `&mut self` under `#[async_trait]`, whose body moves `self` into a local: each try gets
    /// `&mut *self`.
    Reborrow,
    /// `self: Pin<&mut Self>`: each try gets `self.as_mut()`.
    PinReborrow,
    /// `self: Arc<Self>` or `Rc<Self>`: cloned for every try but the last, which gets the
    /// original.
    CloneEachTry,
}

/// What kind of function the body runs in.
pub(crate) enum Form {
    /// A blocking `fn`.
    Blocking,
    /// An `async fn`.
    Async,
    /// A fn whose body is `Box::pin(async move { .. })` and which returns
    /// `Pin<Box<dyn Future<Output = ..>>>`, as `#[async_trait]` rewrites an `async fn`: the
    /// async block is what gets retried.
    BoxedAsync,
}

/// The function, checked.
pub(crate) struct Shape {
    pub(crate) form: Form,
    /// The `Result` type the function (or its boxed future) returns.
    pub(crate) returned: syn::Type,
    pub(crate) receiver: ReceiverPassing,
    pub(crate) arguments: Vec<Argument>,
}
