//! Parsing `#[retried(key = value, ...)]` into raw arguments. Values are checked in `valid`.

use super::ast::{Key, RawArg};
use crate::args::{skip_to_comma, unknown_key};
use syn::parse::{Parse, ParseStream};
use syn::{Token, ext::IdentExt};

mod kw {
    syn::custom_keyword!(op);
    syn::custom_keyword!(operation);
    syn::custom_keyword!(result);
    syn::custom_keyword!(attempts);
    syn::custom_keyword!(delay);
    syn::custom_keyword!(max_delay);
    syn::custom_keyword!(max_elapsed);
    syn::custom_keyword!(backoff);
    syn::custom_keyword!(jitter);
    syn::custom_keyword!(when);
    syn::custom_keyword!(sleeper);
}

/// Every key `#[retried]` understands, for suggestions.
const KEYS: [&str; 12] = [
    "op",
    "operation",
    "attempts",
    "delay",
    "max_delay",
    "max_elapsed",
    "backoff",
    "jitter",
    "when",
    "sleeper",
    "crate",
    "result",
];

/// What the error messages list as accepted.
const ACCEPTED: &str = "`#[retried]` accepts `op` (or `operation`), `attempts`, `delay`, \
     `max_delay`, `max_elapsed`, `backoff`, `jitter`, `when`, `sleeper`, `crate` and `result`";

/// The arguments in order, and the errors of unknown keys (parsing goes on past them so that
/// every mistake is reported at once).
pub(crate) struct RawArgs {
    pub(crate) args: Vec<RawArg>,
    pub(crate) errors: Vec<syn::Error>,
}

impl Parse for RawArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Vec::new();
        let mut errors = Vec::new();
        while !input.is_empty() {
            let key_span = input.span();
            match parse_key(input)? {
                Some((Key::Result, written)) => {
                    if input.peek(Token![=]) {
                        let eq = input.parse::<Token![=]>()?;
                        errors.push(syn::Error::new(
                            eq.span,
                            "`result` takes no value: write `#[retried(result)]` to say that the \
                             return type is a `Result` under another name",
                        ));
                        skip_to_comma(input)?;
                    }
                    args.push(RawArg {
                        key: Key::Result,
                        written,
                        key_span,
                        value: None,
                    });
                }
                Some((key, written)) => {
                    input.parse::<Token![=]>()?;
                    let value = input.parse()?;
                    args.push(RawArg {
                        key,
                        written,
                        key_span,
                        value: Some(value),
                    });
                }
                None => {
                    let unknown = input.call(syn::Ident::parse_any)?;
                    errors.push(unknown_key(&unknown, &KEYS, ACCEPTED));
                    skip_to_comma(input)?;
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(RawArgs { args, errors })
    }
}

/// The next key and how it was written, or `None` if the next token is an identifier that is
/// no key.
fn parse_key(input: ParseStream<'_>) -> syn::Result<Option<(Key, &'static str)>> {
    let lookahead = input.lookahead1();
    let key = if lookahead.peek(kw::op) {
        input.parse::<kw::op>().map(|_| (Key::Op, "op"))
    } else if lookahead.peek(kw::operation) {
        input
            .parse::<kw::operation>()
            .map(|_| (Key::Op, "operation"))
    } else if lookahead.peek(kw::attempts) {
        input
            .parse::<kw::attempts>()
            .map(|_| (Key::Attempts, "attempts"))
    } else if lookahead.peek(kw::delay) {
        input.parse::<kw::delay>().map(|_| (Key::Delay, "delay"))
    } else if lookahead.peek(kw::max_delay) {
        input
            .parse::<kw::max_delay>()
            .map(|_| (Key::MaxDelay, "max_delay"))
    } else if lookahead.peek(kw::max_elapsed) {
        input
            .parse::<kw::max_elapsed>()
            .map(|_| (Key::MaxElapsed, "max_elapsed"))
    } else if lookahead.peek(kw::backoff) {
        input
            .parse::<kw::backoff>()
            .map(|_| (Key::Backoff, "backoff"))
    } else if lookahead.peek(kw::jitter) {
        input.parse::<kw::jitter>().map(|_| (Key::Jitter, "jitter"))
    } else if lookahead.peek(kw::when) {
        input.parse::<kw::when>().map(|_| (Key::When, "when"))
    } else if lookahead.peek(kw::sleeper) {
        input
            .parse::<kw::sleeper>()
            .map(|_| (Key::Sleeper, "sleeper"))
    } else if lookahead.peek(kw::result) {
        input.parse::<kw::result>().map(|_| (Key::Result, "result"))
    } else if lookahead.peek(Token![crate]) {
        input
            .parse::<Token![crate]>()
            .map(|_| (Key::Crate, "crate"))
    } else if input.peek(syn::Ident::peek_any) {
        return Ok(None);
    } else {
        return Err(lookahead.error());
    };
    key.map(Some)
}
