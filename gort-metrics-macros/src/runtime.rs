//! The one way generated code reaches the runtime crate.

use proc_macro2::TokenStream;
use quote::quote;

/// `::gort_metrics::__private`, or `<crate>::__private` when the user renamed the dependency
/// and said so with `crate = path`.
pub(crate) fn private_path(krate: Option<&syn::Path>) -> TokenStream {
    match krate {
        Some(path) => quote!(#path::__private),
        None => quote!(::gort_metrics::__private),
    }
}
