//! `#[retried]`: parse -> validate -> expand.

use proc_macro2::TokenStream;

pub(crate) fn retried(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}
