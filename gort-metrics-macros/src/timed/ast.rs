//! The data model: how a function is timed, and what a checked item becomes.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::{Error, ItemFn, ItemImpl, LitStr, Path};

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

/// How one function is timed.
pub(crate) struct Timing {
    pub(crate) kind: Kind,
    pub(crate) label: LitStr,
    /// `crate = path`, if the runtime crate is not `::gort_metrics`.
    pub(crate) krate: Option<Path>,
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
    pub(crate) label: Option<(Kind, LitStr)>,
    pub(crate) skip: bool,
    pub(crate) krate: Option<Path>,
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
