//! Renaming `self` in a body whose tries each get their own `self` (an `Arc<Self>` clone, a
//! reborrowed `Pin<&mut Self>`): a closure cannot rebind `self`, so the body is given the
//! try's value under another name.
//!
//! The rename works on tokens, so it reaches into macro calls (`println!("{}", self.name)`) as
//! the compiler would. It leaves alone what is not the method's `self`: a path through the
//! current module (`self::helper`), `use` declarations (`use std::io::{self, Read}`),
//! visibilities (`pub(self)`), and the bodies of nested `impl` and `trait` blocks and of
//! `macro_rules!`, where `self` is someone else's.

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};

/// `tokens` with every use of the method's `self` replaced by `renamed`.
pub(super) fn rename_self(tokens: TokenStream, renamed: &Ident) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut output = Vec::with_capacity(tokens.len());
    let mut index = 0;
    while index < tokens.len() {
        let token = &tokens[index];
        match token {
            TokenTree::Ident(ident) if ident == "self" => {
                if is_path_separator(&tokens, index + 1) {
                    output.push(token.clone());
                } else {
                    let mut replacement = renamed.clone();
                    replacement.set_span(renamed.span().located_at(ident.span()));
                    output.push(TokenTree::Ident(replacement));
                }
            }
            TokenTree::Ident(ident) if ident == "use" => {
                // Up to and including the `;` that ends the declaration.
                let end = tokens[index..]
                    .iter()
                    .position(|token| matches!(token, TokenTree::Punct(p) if p.as_char() == ';'))
                    .map_or(tokens.len(), |offset| index + offset + 1);
                output.extend_from_slice(&tokens[index..end]);
                index = end;
                continue;
            }
            TokenTree::Ident(ident) if ident == "pub" => {
                output.push(token.clone());
                if let Some(TokenTree::Group(group)) = tokens.get(index + 1) {
                    if group.delimiter() == Delimiter::Parenthesis {
                        output.push(TokenTree::Group(group.clone()));
                        index += 1;
                    }
                }
            }
            TokenTree::Ident(ident)
                if ident == "impl" || ident == "trait" || ident == "macro_rules" =>
            {
                // Through the first brace group: the nested item's body.
                let end = tokens[index..]
                    .iter()
                    .position(|token| {
                        matches!(token, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
                    })
                    .map_or(tokens.len(), |offset| index + offset + 1);
                output.extend_from_slice(&tokens[index..end]);
                index = end;
                continue;
            }
            TokenTree::Group(group) => {
                let mut renamed_group =
                    Group::new(group.delimiter(), rename_self(group.stream(), renamed));
                renamed_group.set_span(group.span());
                output.push(TokenTree::Group(renamed_group));
            }
            _ => output.push(token.clone()),
        }
        index += 1;
    }
    output.into_iter().collect()
}

/// Whether `tokens[index..]` starts with `::`.
fn is_path_separator(tokens: &[TokenTree], index: usize) -> bool {
    matches!(
        (tokens.get(index), tokens.get(index + 1)),
        (Some(TokenTree::Punct(first)), Some(TokenTree::Punct(second)))
            if first.as_char() == ':' && second.as_char() == ':'
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;
    use quote::quote;

    fn renamed(tokens: TokenStream) -> String {
        rename_self(tokens, &Ident::new("__gort_self", Span::call_site())).to_string()
    }

    #[test]
    fn uses_of_self_are_renamed_everywhere_in_the_body() {
        let output = renamed(quote! {
            let name = self.name.clone();
            println!("{}", self.count);
            let job = move || Self::run(self);
            Ok(self)
        });
        assert_eq!(output.matches("__gort_self").count(), 4, "{output}");
        assert!(!output.contains(" self "), "{output}");
    }

    #[test]
    fn paths_uses_visibilities_and_nested_items_keep_their_self() {
        let output = renamed(quote! {
            use std::io::{self, Read};
            let helper = self::helper();
            pub(self) struct Local;
            impl Local { fn get(&self) -> &Self { self } }
            trait Named { fn name(&self) -> &str { self.name() } }
            macro_rules! me { () => { self } }
        });
        assert!(!output.contains("__gort_self"), "{output}");
    }
}
