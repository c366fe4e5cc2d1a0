//! `#[timed]`: parse ([`attr`]) -> validate ([`valid`]) -> expand ([`expand`]), over the data
//! model in [`ast`].

mod ast;
mod attr;
mod expand;
mod valid;

use proc_macro2::TokenStream;

pub(crate) fn timed(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = parse_args(args);
    let parsed = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(parsed) => parsed,
        // Not an item syn knows: hand it back untouched so that rustc reports the real error,
        // with whatever was wrong in the arguments.
        Err(_) => {
            let mut output: TokenStream = args
                .errors
                .into_iter()
                .map(syn::Error::into_compile_error)
                .collect();
            output.extend(item);
            return output;
        }
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

pub(crate) use expand::TryTiming;

/// How each try of a `#[retried]` function is timed, from a `#[timed]` found below the
/// `#[retried]`: `args` are that attribute's, `name` the function's.
///
/// # Errors
///
/// The mistakes in `args`, all of them.
pub(crate) fn try_timing(args: TokenStream, name: &syn::Ident) -> syn::Result<TryTiming> {
    let timing = valid::try_timing(parse_args(args), name)?;
    Ok(TryTiming::new(&timing))
}

fn parse_args(args: TokenStream) -> attr::Args {
    syn::parse2::<attr::Args>(args).unwrap_or_else(|error| attr::Args {
        args: Vec::new(),
        errors: vec![error],
    })
}

#[cfg(test)]
mod tests;
