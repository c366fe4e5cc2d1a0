//! What the two attribute macros share in parsing their `key = value` lists: taking a value
//! up to the next comma, and telling an unknown key from a typo of a known one.

use proc_macro2::{TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::{Error, Expr, Ident, Token};

/// The tokens of one argument's value: everything up to the next top-level comma.
pub(crate) fn take_value(input: ParseStream) -> syn::Result<TokenStream> {
    let mut value = TokenStream::new();
    while !input.is_empty() && !input.peek(Token![,]) {
        value.extend([input.parse::<TokenTree>()?]);
    }
    Ok(value)
}

/// A value as written, out of the invisible groups `macro_rules!` wraps its `$value`s in.
pub(crate) fn ungrouped(value: &Expr) -> &Expr {
    match value {
        Expr::Group(group) if group.attrs.is_empty() => ungrouped(&group.expr),
        other => other,
    }
}

/// Skips a malformed argument, so that parsing resumes at the next one.
pub(crate) fn skip_to_comma(input: ParseStream) -> syn::Result<()> {
    take_value(input).map(drop)
}

/// The error for a key that is none of `keys`, suggesting the nearest one when it looks like a
/// typo; `accepted` says what the attribute takes.
pub(crate) fn unknown_key(key: &Ident, keys: &[&'static str], accepted: &str) -> Error {
    let written = key.unraw().to_string();
    let message = match closest_key(&written, keys) {
        Some(known) => format!("unknown key `{written}`: did you mean `{known}`? {accepted}"),
        None => format!("unknown key `{written}`: {accepted}"),
    };
    Error::new(key.span(), message)
}

/// The key nearest to `written`, if it is near enough to be a likely typo.
fn closest_key(written: &str, keys: &[&'static str]) -> Option<&'static str> {
    let written = written.to_ascii_lowercase();
    keys.iter()
        .map(|&key| (edit_distance(&written, key), key))
        .filter(|&(distance, key)| distance <= key.len().div_ceil(3))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, key)| key)
}

/// The `crate = path` among an attribute's arguments, read loosely (the macro's own parser
/// checks it): what a stacked attribute's path may start with.
pub(crate) fn crate_path(args: &TokenStream) -> Option<syn::Path> {
    let mut tokens = args.clone().into_iter().peekable();
    while let Some(token) = tokens.next() {
        let is_crate = matches!(&token, TokenTree::Ident(ident) if ident == "crate");
        let then_equals = matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '=');
        if is_crate && then_equals {
            tokens.next();
            let value: TokenStream = tokens
                .take_while(|token| !matches!(token, TokenTree::Punct(p) if p.as_char() == ','))
                .collect();
            return syn::parse::Parser::parse2(syn::Path::parse_mod_style, value).ok();
        }
    }
    None
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, &b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != b_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMED: [&str; 4] = ["middleware", "channel", "skip", "crate"];

    #[test]
    fn typos_suggest_the_nearest_key() {
        assert_eq!(closest_key("middlewre", &TIMED), Some("middleware"));
        assert_eq!(closest_key("Middleware", &TIMED), Some("middleware"));
        assert_eq!(closest_key("chanel", &TIMED), Some("channel"));
        assert_eq!(closest_key("skp", &TIMED), Some("skip"));
        assert_eq!(closest_key("krate", &TIMED), Some("crate"));
    }

    #[test]
    fn unrelated_words_suggest_nothing() {
        assert_eq!(closest_key("label", &TIMED), None);
        assert_eq!(closest_key("x", &TIMED), None);
    }

    #[test]
    fn the_crate_path_is_found_among_other_arguments() {
        let path = crate_path(&quote::quote!(
            middleware = "a",
            crate = ::my::metrics,
            skip
        ));
        assert_eq!(
            path.map(|path| quote::ToTokens::to_token_stream(&path).to_string()),
            Some(":: my :: metrics".to_owned())
        );
        assert!(crate_path(&quote::quote!(middleware = "crate")).is_none());
        assert!(crate_path(&quote::quote!(crate = "x")).is_none());
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
