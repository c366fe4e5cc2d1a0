//! The data model: how a function is timed, and what a checked item becomes.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Error, Expr, ItemFn, ItemImpl, LitStr, Path};

/// The collector method a timed call is recorded with.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// `record_middleware_duration`
    Middleware,
    /// `record_message_duration`
    Channel,
}

impl Kind {
    /// The key that selects this kind, as written in the attribute.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Kind::Middleware => "middleware",
            Kind::Channel => "channel",
        }
    }
}

/// What a call is labelled with.
#[derive(Clone)]
pub(crate) enum Label {
    /// A string literal: fixed at compile time, so the call site caches its handle.
    Literal(LitStr),
    /// An expression of the arguments (or a const) whose value is `AsRef<str>`, evaluated once
    /// on entry and copied, so that the body may then move or change what it was read from.
    Expr(Box<Expr>),
}

impl Label {
    pub(crate) fn span(&self) -> Span {
        match self {
            Label::Literal(literal) => literal.span(),
            Label::Expr(expression) => expression.span(),
        }
    }
}

impl ToTokens for Label {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Label::Literal(literal) => literal.to_tokens(tokens),
            Label::Expr(expression) => expression.to_tokens(tokens),
        }
    }
}

/// How one function is timed.
pub(crate) struct Timing {
    pub(crate) kind: Kind,
    pub(crate) label: Label,
    /// `crate = path`, if the runtime crate is not `::gort_metrics`.
    pub(crate) krate: Option<Path>,
    /// `result`: the return type is a `Result` under a name that does not say so.
    pub(crate) result: bool,
}

/// A checked item and how to time it.
pub(crate) enum Plan {
    Fn(ItemFn, Timing),
    /// `timings[i]` is for `item.items[i]`; `None` leaves that item alone.
    Impl(ItemImpl, Vec<Option<Timing>>),
}

/// Why the item cannot be timed, and what to emit instead: the item as it was (without the
/// method attributes the impl-level `#[timed]` owns), so no knock-on errors follow.
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) fallback: TokenStream,
}

/// Where an attribute sits, which decides whether `skip` is allowed.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Place {
    Fn,
    Impl,
    Method,
}

/// The arguments of one attribute, checked.
#[derive(Default)]
pub(crate) struct Settings {
    pub(crate) label: Option<(Kind, Label)>,
    pub(crate) skip: bool,
    pub(crate) krate: Option<Path>,
    pub(crate) result: bool,
}

/// Errors gathered so that the user sees all of them in one compile.
#[derive(Default)]
pub(crate) struct Errors(Option<Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// The gathered errors as one, if there were any.
    pub(crate) fn into_error(self) -> Option<Error> {
        self.0
    }

    pub(crate) fn finish(self, fallback: impl ToTokens) -> Result<(), Failure> {
        match self.0 {
            Some(error) => Err(Failure {
                error,
                fallback: fallback.into_token_stream(),
            }),
            None => Ok(()),
        }
    }
}
