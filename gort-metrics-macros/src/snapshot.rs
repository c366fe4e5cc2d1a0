//! The committed expansions under `tests/expand/` must be what the macros generate today.
//!
//! `tests/expand/<macro>.rs` holds annotated items; `tests/expand/<macro>.expanded.rs` holds
//! their expansion, laid out by the small printer below. Set `UPDATE_EXPAND=1` to rewrite them
//! after a deliberate change, then read the diff.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use std::path::PathBuf;

fn expand_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/expand")
}

type Expander = fn(TokenStream, TokenStream) -> TokenStream;

/// Takes the attribute `name` off `attrs`, returning its arguments, if it is there.
fn take_attribute(attrs: &mut Vec<syn::Attribute>, name: &str) -> Option<TokenStream> {
    let position = attrs
        .iter()
        .position(|attribute| attribute.path().is_ident(name))?;
    Some(match attrs.remove(position).meta {
        syn::Meta::List(list) => list.tokens,
        _ => TokenStream::new(),
    })
}

/// Runs the attribute `name` wherever it stands in `source`, as the compiler would: on an item,
/// or on a method inside an impl block that does not carry it itself.
fn expand_source(source: &str, name: &str, expand: Expander) -> TokenStream {
    let mut file: syn::File = syn::parse_str(source).expect("the input parses");
    let mut expanded_any = false;
    for item in &mut file.items {
        let attrs = match item {
            syn::Item::Fn(function) => &mut function.attrs,
            syn::Item::Impl(block) => &mut block.attrs,
            _ => continue,
        };
        if let Some(args) = take_attribute(attrs, name) {
            *item = syn::Item::Verbatim(expand(args, item.to_token_stream()));
            expanded_any = true;
            continue;
        }
        if let syn::Item::Impl(block) = item {
            for member in &mut block.items {
                if let syn::ImplItem::Fn(method) = member {
                    if let Some(args) = take_attribute(&mut method.attrs, name) {
                        let tokens = expand(args, method.to_token_stream());
                        *member = syn::ImplItem::Verbatim(tokens);
                        expanded_any = true;
                    }
                }
            }
        }
    }
    assert!(expanded_any, "the input uses #[{name}]");
    file.to_token_stream()
}

/// Compares `tests/expand/<name>.expanded.rs` with the expansion of `tests/expand/<name>.rs`.
fn check(name: &str, expand: Expander) {
    let input =
        std::fs::read_to_string(expand_dir().join(format!("{name}.rs"))).expect("input exists");
    let expanded = format!(
        "// The expansion of `{name}.rs`, checked by a test in gort-metrics-macros.\n\n{}",
        pretty(expand_source(&input, name, expand))
    );
    let path = expand_dir().join(format!("{name}.expanded.rs"));
    if std::env::var_os("UPDATE_EXPAND").is_some() {
        std::fs::write(&path, &expanded).expect("snapshot written");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expanded,
        "tests/expand/{name}.expanded.rs is stale; rerun with UPDATE_EXPAND=1.\n{expanded}"
    );
}

#[test]
fn the_committed_timed_expansion_is_current() {
    check("timed", crate::timed::timed);
}

#[test]
fn the_committed_retried_expansion_is_current() {
    check("retried", crate::retried::retried);
}

/// Lays tokens out one statement per line, indented by braces: enough to read, not rustfmt.
fn pretty(tokens: TokenStream) -> String {
    let mut printer = Printer::default();
    printer.stream(tokens, 0);
    let mut text = printer.out.trim_end().to_owned();
    text.push('\n');
    text
}

#[derive(Default)]
struct Printer {
    out: String,
    /// Whether the next token attaches to the previous one without a space.
    glue: bool,
}

impl Printer {
    fn stream(&mut self, tokens: TokenStream, depth: usize) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, token) in tokens.iter().enumerate() {
            let next = tokens.get(i + 1);
            match token {
                TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                    self.word("{");
                    self.newline(depth + 1);
                    self.stream(group.stream(), depth + 1);
                    self.out.truncate(self.out.trim_end().len());
                    self.newline(depth);
                    self.out.push('}');
                    let continues =
                        matches!(next, Some(TokenTree::Punct(p)) if ",;.)".contains(p.as_char()));
                    if continues {
                        self.glue = true;
                    } else {
                        self.newline(depth);
                    }
                }
                TokenTree::Group(group) => {
                    let (open, close) = match group.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Bracket => ("[", "]"),
                        _ => ("", ""),
                    };
                    let attached = matches!(self.out.chars().last(), Some(c) if c.is_alphanumeric() || c == '_' || c == '#' || c == '!' || c == '>' || c == ')');
                    self.glue |= attached && !open.is_empty();
                    self.word(open);
                    self.glue = true;
                    self.stream(group.stream(), depth);
                    self.glue = true;
                    self.word(close);
                    if group.delimiter() == Delimiter::Bracket
                        && self.out.trim_end().ends_with(']')
                        && is_attribute_end(&self.out)
                    {
                        self.newline(depth);
                    }
                }
                TokenTree::Punct(punct) => {
                    let c = punct.as_char();
                    let joint = punct.spacing() == Spacing::Joint;
                    let after_word = self
                        .out
                        .ends_with(|p: char| p.is_alphanumeric() || p == '_');
                    let path_colon = c == ':' && (joint || self.out.ends_with(':'));
                    self.glue |= matches!(c, ',' | ';' | '.' | '?' | '>')
                        || (c == ':' && !path_colon)
                        || ((path_colon || c == '<') && after_word);
                    self.word(&c.to_string());
                    self.glue = joint || path_colon || matches!(c, '.' | '#' | '&' | '\'' | '<');
                    if c == ';' {
                        self.newline(depth);
                    }
                }
                TokenTree::Ident(_) | TokenTree::Literal(_) => {
                    self.word(&token.to_string());
                    self.glue = false;
                }
            }
        }
    }

    fn word(&mut self, word: &str) {
        let at_line_start =
            self.out.is_empty() || self.out.ends_with(' ') || self.out.ends_with('\n');
        if !self.glue && !at_line_start {
            self.out.push(' ');
        }
        self.out.push_str(word);
        self.glue = false;
    }

    fn newline(&mut self, depth: usize) {
        self.out.truncate(self.out.trim_end_matches(' ').len());
        self.out.push('\n');
        self.out.push_str(&"    ".repeat(depth));
        self.glue = false;
    }
}

/// Whether the text ends with an attribute, `#[..]` or `#![..]`, alone on its line.
fn is_attribute_end(text: &str) -> bool {
    let line = text.rsplit('\n').next().unwrap_or_default().trim_start();
    line.starts_with("#[") || line.starts_with("#![")
}
