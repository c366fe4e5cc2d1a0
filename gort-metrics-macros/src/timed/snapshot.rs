//! The committed expansion under `tests/expand/` must be what the macro generates today.
//!
//! `tests/expand/timed.rs` holds one annotated item; `tests/expand/timed.expanded.rs` holds its
//! expansion, laid out by the small printer below. Set `UPDATE_EXPAND=1` to rewrite it after a
//! deliberate change, then read the diff.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;
use std::path::PathBuf;

fn expand_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/expand")
}

/// Runs `#[timed]` on the first item of `source`, as the compiler would.
fn expand_first_item(source: &str) -> TokenStream {
    let mut file: syn::File = syn::parse_str(source).expect("the input parses");
    let Some(syn::Item::Impl(item)) = file.items.first_mut() else {
        panic!("the input starts with an impl block");
    };
    let position = item
        .attrs
        .iter()
        .position(|attribute| attribute.path().is_ident("timed"))
        .expect("the impl block has #[timed]");
    let attribute = item.attrs.remove(position);
    let args = match attribute.meta {
        syn::Meta::List(list) => list.tokens,
        _ => TokenStream::new(),
    };
    super::timed(args, item.to_token_stream())
}

#[test]
fn the_committed_expansion_is_current() {
    let input = std::fs::read_to_string(expand_dir().join("timed.rs")).expect("input exists");
    let expanded = format!(
        "// The expansion of `timed.rs`, checked by a test in gort-metrics-macros.\n\n{}",
        pretty(expand_first_item(&input))
    );
    let path = expand_dir().join("timed.expanded.rs");
    if std::env::var_os("UPDATE_EXPAND").is_some() {
        std::fs::write(&path, &expanded).expect("snapshot written");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expanded,
        "tests/expand/timed.expanded.rs is stale; rerun with UPDATE_EXPAND=1.\n{expanded}"
    );
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
