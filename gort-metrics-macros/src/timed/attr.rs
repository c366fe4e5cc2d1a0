//! Parsing the arguments of `#[timed(..)]` into [`Args`], syntax only.
//!
//! A bad argument does not stop the parse: its error is kept and parsing resumes after the next
//! comma, so one compile shows every mistake in the list at once.

use super::ast::{Errors, Label};
use crate::args::{skip_to_comma, take_value, ungrouped, unknown_key};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Error, Expr, Ident, Lit, LitStr, Meta, Path, Token};

pub(crate) mod kw {
    syn::custom_keyword!(middleware);
    syn::custom_keyword!(channel);
    syn::custom_keyword!(skip);
    syn::custom_keyword!(result);
}

/// Every key `#[timed]` understands, for suggestions.
const KEYS: [&str; 5] = ["middleware", "channel", "skip", "result", "crate"];

/// What the error messages list as accepted.
pub(crate) const ACCEPTED: &str = "`#[timed]` accepts `middleware = \"name\"`, \
     `channel = \"name\"` (or an expression for the name), `skip`, `result` and `crate = path`";

/// One well-formed argument.
pub(crate) enum Arg {
    /// `middleware = "auth"`, `middleware = name`
    Middleware { key: kw::middleware, label: Label },
    /// `channel = "dingtalk"`, `channel = msg.channel`
    Channel { key: kw::channel, label: Label },
    /// `skip`
    Skip(kw::skip),
    /// `result`: the return type is a `Result` under another name.
    Result(kw::result),
    /// `crate = path`: where the runtime crate is, when the dependency is renamed.
    Crate { key: Token![crate], path: Path },
}

impl Arg {
    /// The key as written, for duplicate and conflict messages.
    pub(crate) fn key(&self) -> (&'static str, proc_macro2::Span) {
        match self {
            Arg::Middleware { key, .. } => ("middleware", key.span),
            Arg::Channel { key, .. } => ("channel", key.span),
            Arg::Skip(key) => ("skip", key.span),
            Arg::Result(key) => ("result", key.span),
            Arg::Crate { key, .. } => ("crate", key.span),
        }
    }
}

/// The arguments of one `#[timed(..)]`, and the errors of those that were malformed.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) args: Vec<Arg>,
    pub(crate) errors: Vec<Error>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut parsed = Args::default();
        while !input.is_empty() {
            match input.call(parse_arg) {
                Ok(arg) => parsed.args.push(arg),
                Err(error) => {
                    parsed.errors.push(error);
                    skip_to_comma(input)?;
                }
            }
            if input.is_empty() {
                break;
            }
            // A missing comma is reported, and the next argument still parsed.
            if let Err(error) = input.parse::<Token![,]>() {
                parsed.errors.push(error);
            }
        }
        Ok(parsed)
    }
}

fn parse_arg(input: ParseStream) -> syn::Result<Arg> {
    let lookahead = input.lookahead1();
    if lookahead.peek(kw::middleware) {
        let key: kw::middleware = input.parse()?;
        let label = parse_label(input, "middleware", key.span)?;
        Ok(Arg::Middleware { key, label })
    } else if lookahead.peek(kw::channel) {
        let key: kw::channel = input.parse()?;
        let label = parse_label(input, "channel", key.span)?;
        Ok(Arg::Channel { key, label })
    } else if lookahead.peek(kw::skip) {
        let key: kw::skip = input.parse()?;
        no_value(input, "skip")?;
        Ok(Arg::Skip(key))
    } else if lookahead.peek(kw::result) {
        let key: kw::result = input.parse()?;
        no_value(input, "result")?;
        Ok(Arg::Result(key))
    } else if lookahead.peek(Token![crate]) {
        let key: Token![crate] = input.parse()?;
        let path = parse_crate_path(input, key.span)?;
        Ok(Arg::Crate { key, path })
    } else if input.peek(LitStr) {
        let label: LitStr = input.parse()?;
        Err(Error::new(
            label.span(),
            "a label needs its key: write `middleware = \"name\"` or `channel = \"name\"`",
        ))
    } else if input.peek(Ident::peek_any) {
        let key = input.call(Ident::parse_any)?;
        Err(unknown_key(&key, &KEYS, ACCEPTED))
    } else {
        Err(lookahead.error())
    }
}

/// The error for a value after a key that takes none.
fn no_value(input: ParseStream, key: &str) -> syn::Result<()> {
    if input.is_empty() || input.peek(Token![,]) {
        return Ok(());
    }
    let rest = take_value(input)?;
    Err(Error::new_spanned(
        rest,
        format!("`{key}` takes no value: write `#[timed({key})]`"),
    ))
}

/// `= "label"` or `= expression` after `key`.
fn parse_label(input: ParseStream, key: &str, key_span: proc_macro2::Span) -> syn::Result<Label> {
    let example = label_example(key);
    if !input.peek(Token![=]) {
        return Err(Error::new(
            key_span,
            format!("`{key}` needs a value: write {example}"),
        ));
    }
    let eq: Token![=] = input.parse()?;
    if input.peek(LitStr) {
        return input.parse().map(Label::Literal);
    }
    let value = take_value(input)?;
    if value.is_empty() {
        return Err(Error::new(
            eq.span,
            format!("expected the label after `=`: {example}"),
        ));
    }
    let expected = || {
        Error::new_spanned(
            &value,
            format!(
                "expected a string literal or an expression whose value is `AsRef<str>`: {example}"
            ),
        )
    };
    let expression = syn::parse2::<Expr>(value.clone()).map_err(|_| expected())?;
    match ungrouped(&expression) {
        Expr::Lit(literal) => match &literal.lit {
            Lit::Str(label) => Ok(Label::Literal(label.clone())),
            _ => Err(expected()),
        },
        _ => Ok(Label::Expr(Box::new(expression))),
    }
}

/// The arguments of a method's own `#[timed]`, which the impl-level attribute reads.
pub(crate) fn attribute_args(attribute: &Attribute, errors: &mut Errors) -> Args {
    match &attribute.meta {
        Meta::Path(_) => Args::default(),
        Meta::List(list) => list.parse_args().unwrap_or_else(|error| Args {
            args: Vec::new(),
            errors: vec![error],
        }),
        Meta::NameValue(name_value) => {
            errors.push(Error::new_spanned(
                &name_value.value,
                format!("write `#[timed]` or `#[timed(..)]`: {ACCEPTED}"),
            ));
            Args::default()
        }
    }
}

/// `middleware = "auth"`, `channel = "dingtalk"`: a literal label.
pub(crate) fn literal_example(key: &str) -> String {
    let label = if key == "channel" { "dingtalk" } else { "auth" };
    format!("`{key} = \"{label}\"`")
}

/// How a label key is written, with a literal or an expression.
fn label_example(key: &str) -> String {
    let (label, expression) = if key == "channel" {
        ("dingtalk", "msg.channel")
    } else {
        ("auth", "name")
    };
    format!("`{key} = \"{label}\"`, or `{key} = {expression}` for a name known at run time")
}

/// `= path` after `crate`.
fn parse_crate_path(input: ParseStream, key_span: proc_macro2::Span) -> syn::Result<Path> {
    const EXAMPLE: &str = "`crate = my_metrics`, the name the runtime crate has in this crate";
    if !input.peek(Token![=]) {
        return Err(Error::new(
            key_span,
            format!("`crate` needs a path: write {EXAMPLE}"),
        ));
    }
    input.parse::<Token![=]>()?;
    let value = take_value(input)?;
    match syn::parse2::<PathOnly>(value.clone()) {
        Ok(PathOnly(path)) => Ok(path),
        Err(_) if value.is_empty() => Err(Error::new(
            key_span,
            format!("`crate` needs a path after `=`: write {EXAMPLE}"),
        )),
        Err(_) => Err(Error::new_spanned(
            value,
            format!("expected a path: write {EXAMPLE}"),
        )),
    }
}

/// A module path (`renamed`, `::renamed`, `crate::vendored::metrics`) and nothing after it.
struct PathOnly(Path);

impl Parse for PathOnly {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Path::parse_mod_style(input).map(PathOnly)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_malformed_argument_is_reported_and_the_good_ones_kept() {
        let args: Args = syn::parse_quote!(
            middlewre = "a",
            channel = 5,
            skip,
            crate = "x",
            middleware = "b"
        );
        let keys: Vec<_> = args.args.iter().map(|arg| arg.key().0).collect();
        assert_eq!(keys, ["skip", "middleware"]);
        assert_eq!(args.errors.len(), 3);
    }

    #[test]
    fn a_missing_comma_is_reported_and_parsing_goes_on() {
        let args: Args = syn::parse_quote!(middleware = "a" skip);
        assert_eq!(args.args.len(), 2);
        assert_eq!(args.errors.len(), 1);
    }
}
