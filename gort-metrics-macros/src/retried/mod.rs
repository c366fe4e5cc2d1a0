//! `#[retried]`: parse (`attr`) -> validate (`valid`) -> expand (`expand`), over the data model
//! in `ast`. Every error is collected and emitted with the unchanged function, so the user sees
//! the mistakes in the attribute and nothing else.

mod ast;
mod attr;
mod boxed;
mod duration;
mod expand;
mod valid;

use crate::timed::TryTiming;
use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;

pub(crate) fn retried(args: TokenStream, item: TokenStream) -> TokenStream {
    retried_with(args, item, None)
}

/// `#[retried]` over a `#[timed]`, which the caller took off the item: `per_try` is how each
/// try is timed, or the mistakes in that attribute's arguments.
pub(crate) fn retried_timing_each_try(
    args: TokenStream,
    item: TokenStream,
    per_try: syn::Result<TryTiming>,
) -> TokenStream {
    retried_with(args, item, Some(per_try))
}

fn retried_with(
    args: TokenStream,
    item: TokenStream,
    per_try: Option<syn::Result<TryTiming>>,
) -> TokenStream {
    let function = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Fn(function)) => function,
        Ok(other) => return with_errors(item, vec![not_a_function(&other)]),
        // The item does not parse: re-emit it untouched so rustc reports the real error.
        Err(_) => return item,
    };
    let mut errors = Vec::new();
    let per_try = match per_try {
        Some(Ok(guard)) => Some(guard),
        Some(Err(error)) => {
            errors.push(error);
            None
        }
        None => None,
    };
    let raw = match syn::parse2::<attr::RawArgs>(args) {
        Ok(raw) => {
            errors.extend(raw.errors);
            Some(raw.args)
        }
        Err(error) => {
            errors.push(error);
            None
        }
    };
    let config = raw.and_then(|args| valid::config(args, &mut errors));
    let shape = valid::shape(&function, config.as_ref(), &mut errors);
    match (config, shape) {
        (Some(config), Some(shape)) if errors.is_empty() => {
            expand::expand(function, &config, &shape, per_try.as_ref())
        }
        _ => with_errors(item, errors),
    }
}

fn with_errors(item: TokenStream, errors: Vec<syn::Error>) -> TokenStream {
    let errors = errors.into_iter().map(|error| error.to_compile_error());
    quote!(#item #(#errors)*)
}

fn not_a_function(item: &syn::Item) -> syn::Error {
    let message = "`#[retried]` applies to a `fn` or `async fn` returning `Result`";
    let keyword = match item {
        syn::Item::Struct(item) => item.struct_token.span,
        syn::Item::Enum(item) => item.enum_token.span,
        syn::Item::Union(item) => item.union_token.span,
        syn::Item::Impl(item) => item.impl_token.span,
        syn::Item::Trait(item) => item.trait_token.span,
        syn::Item::Mod(item) => item.mod_token.span,
        syn::Item::Const(item) => item.const_token.span,
        syn::Item::Static(item) => item.static_token.span,
        syn::Item::Type(item) => item.type_token.span,
        syn::Item::Verbatim(tokens) => match syn::parse2::<syn::TraitItemFn>(tokens.clone()) {
            // A trait method declaration: `fn f(&self) -> Result<T, E>;`.
            Ok(declaration) => {
                return syn::Error::new(
                    declaration
                        .semi_token
                        .map_or_else(|| declaration.sig.span(), |s| s.span),
                    "`#[retried]` needs a function with a body to retry; put it on the method's implementation",
                );
            }
            Err(_) => tokens.span(),
        },
        other => other.span(),
    };
    syn::Error::new(keyword, message)
}

#[cfg(test)]
mod tests;
