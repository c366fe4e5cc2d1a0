//! `#[timed]`: parse ([`attr`]) -> validate ([`valid`]) -> expand ([`expand`]).

mod attr;
mod expand;
mod valid;

#[cfg(test)]
mod snapshot;

use proc_macro2::TokenStream;

pub(crate) fn timed(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = syn::parse2::<attr::Args>(args).unwrap_or_else(|error| attr::Args {
        args: Vec::new(),
        errors: vec![error],
    });
    let parsed = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(parsed) => parsed,
        // Not an item syn knows: hand it back untouched so that rustc reports the real error.
        Err(_) => return item,
    };
    match valid::plan(args, parsed) {
        Ok(Some(plan)) => expand::expand(plan),
        Ok(None) => item,
        Err(failure) => {
            let mut output = failure.error.into_compile_error();
            output.extend(failure.fallback);
            output
        }
    }
}
