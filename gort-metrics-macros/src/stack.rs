//! Stacked `#[timed]` and `#[retried]` read top-down, outer to inner, as they look:
//!
//! - `#[timed] #[retried] fn f` times the whole call, every try and every wait, once;
//! - `#[retried] #[timed] fn f` times each try.
//!
//! The compiler runs the upper attribute first, with the lower one still on the item, which
//! left alone would give the opposite reading (the lower attribute would wrap what the upper one
//! generated). So the upper one expands the lower one itself: `#[timed]` times the wrapper
//! `#[retried]` generates, and `#[retried]` starts each try with the guard `#[timed]` would
//! have put first in the body.

use crate::args::crate_path;
use crate::paths::position;
use crate::retried::{retried as retried_alone, retried_timing_each_try};
use crate::timed::{timed as timed_alone, try_timing};
use proc_macro2::TokenStream;
use syn::{Ident, Meta, Path};

/// `#[timed]`, expanding a `#[retried]` below it first.
pub(crate) fn timed(args: TokenStream, item: TokenStream) -> TokenStream {
    match take_below(&item, "retried", crate_path(&args).as_ref()) {
        Some(Below {
            args: retried_args,
            item,
            path,
            ..
        }) => timed_alone(args, naming(&path, retried(retried_args, item))),
        None => timed_alone(args, item),
    }
}

/// `#[retried]`, timing each try for a `#[timed]` below it.
pub(crate) fn retried(args: TokenStream, item: TokenStream) -> TokenStream {
    match take_below(&item, "timed", crate_path(&args).as_ref()) {
        Some(Below {
            args: timed_args,
            item,
            name,
            path,
        }) => {
            let per_try = try_timing(timed_args, &name);
            naming(&path, retried_timing_each_try(args, item, per_try))
        }
        None => retried_alone(args, item),
    }
}

/// A fn's attribute of this crate, taken off it.
struct Below {
    /// The attribute's arguments.
    args: TokenStream,
    /// The fn without the attribute.
    item: TokenStream,
    /// The fn's name.
    name: Ident,
    /// The attribute's path as written.
    path: Path,
}

/// The first attribute `name` of this crate on `item`, if `item` is a fn that has one written
/// `#[name]` or `#[name(..)]`. Any other form is left on the item for its own expansion to
/// reject.
fn take_below(item: &TokenStream, name: &str, krate: Option<&Path>) -> Option<Below> {
    // Most items carry no such attribute: read only their attributes to tell, so that the
    // whole item (body and all) is parsed once, by the attribute's own expansion.
    position(&outer_attributes(item)?, name, krate)?;
    let Ok(syn::Item::Fn(mut function)) = syn::parse2::<syn::Item>(item.clone()) else {
        return None;
    };
    let index = position(&function.attrs, name, krate)?;
    let args = match &function.attrs[index].meta {
        Meta::Path(_) => TokenStream::new(),
        Meta::List(list) => list.tokens.clone(),
        Meta::NameValue(_) => return None,
    };
    let path = function.attrs.remove(index).path().clone();
    Some(Below {
        args,
        path,
        name: function.sig.ident.clone(),
        item: quote::ToTokens::into_token_stream(function),
    })
}

/// The outer attributes an item starts with, read without parsing the rest of it.
fn outer_attributes(item: &TokenStream) -> Option<Vec<syn::Attribute>> {
    struct Leading(Vec<syn::Attribute>);
    impl syn::parse::Parse for Leading {
        fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
            let attributes = input.call(syn::Attribute::parse_outer)?;
            input.parse::<TokenStream>()?;
            Ok(Leading(attributes))
        }
    }
    syn::parse2::<Leading>(item.clone())
        .ok()
        .map(|Leading(attributes)| attributes)
}

/// `expanded` with `use <path> as _;` first in the body of its fn (kept beside the errors when
/// the expansion failed): the attribute taken off is never expanded by the compiler, and
/// without this the user's `use gort_metrics::timed` would be reported unused.
fn naming(path: &Path, expanded: TokenStream) -> TokenStream {
    let Ok(mut file) = syn::parse2::<syn::File>(expanded.clone()) else {
        return expanded;
    };
    for item in &mut file.items {
        if let syn::Item::Fn(function) = item {
            let import = quote::quote! {
                #[allow(unused_imports)]
                use #path as _;
            };
            function
                .block
                .stmts
                .insert(0, syn::Stmt::Item(syn::Item::Verbatim(import)));
        }
    }
    quote::ToTokens::into_token_stream(file)
}
