//! Parsing `#[retried(key = value, ...)]` into raw arguments. Values are checked in `valid`.

use super::ast::{Key, RawArg};
use crate::args::{skip_to_comma, unknown_key};
use syn::parse::{Parse, ParseStream};
use syn::{Token, ext::IdentExt};

mod kw {
    syn::custom_keyword!(op);
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
const KEYS: [&str; 10] = [
    "op",
    "attempts",
    "delay",
    "max_delay",
    "max_elapsed",
    "backoff",
    "jitter",
    "when",
    "sleeper",
    "crate",
];

/// What the error messages list as accepted.
const ACCEPTED: &str = "`#[retried]` accepts `op`, `attempts`, `delay`, `max_delay`, \
     `max_elapsed`, `backoff`, `jitter`, `when`, `sleeper` and `crate`";

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
                Some(key) => {
                    input.parse::<Token![=]>()?;
                    let value = input.parse()?;
                    args.push(RawArg {
                        key,
                        key_span,
                        value,
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

/// The next key, or `None` if the next token is an identifier that is no key.
fn parse_key(input: ParseStream<'_>) -> syn::Result<Option<Key>> {
    let lookahead = input.lookahead1();
    let key = if lookahead.peek(kw::op) {
        input.parse::<kw::op>().map(|_| Key::Op)
    } else if lookahead.peek(kw::attempts) {
        input.parse::<kw::attempts>().map(|_| Key::Attempts)
    } else if lookahead.peek(kw::delay) {
        input.parse::<kw::delay>().map(|_| Key::Delay)
    } else if lookahead.peek(kw::max_delay) {
        input.parse::<kw::max_delay>().map(|_| Key::MaxDelay)
    } else if lookahead.peek(kw::max_elapsed) {
        input.parse::<kw::max_elapsed>().map(|_| Key::MaxElapsed)
    } else if lookahead.peek(kw::backoff) {
        input.parse::<kw::backoff>().map(|_| Key::Backoff)
    } else if lookahead.peek(kw::jitter) {
        input.parse::<kw::jitter>().map(|_| Key::Jitter)
    } else if lookahead.peek(kw::when) {
        input.parse::<kw::when>().map(|_| Key::When)
    } else if lookahead.peek(kw::sleeper) {
        input.parse::<kw::sleeper>().map(|_| Key::Sleeper)
    } else if lookahead.peek(Token![crate]) {
        input.parse::<Token![crate]>().map(|_| Key::Crate)
    } else if input.peek(syn::Ident::peek_any) {
        return Ok(None);
    } else {
        return Err(lookahead.error());
    };
    key.map(Some)
}
