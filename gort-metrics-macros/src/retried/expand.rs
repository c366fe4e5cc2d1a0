//! Generating the retried function. Runs only on validated input and cannot fail.
//!
//! The body is never pasted into a loop or a closure, where `?`, `return`, `&mut self` and moved
//! arguments would change meaning. It moves, unchanged, into a function of its own (nested in
//! the wrapper, or a hidden associated fn beside it when it needs `Self`), and the wrapper calls
//! that once per try through the runtime's retry driver.

use super::ast::{Argument, BackoffKind, BodyPlacement, Config, Passing, Receiver, Shape};
use crate::runtime::private_path;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use std::time::Duration;
use syn::ext::IdentExt;
use syn::{FnArg, Pat, PatIdent};

/// Attributes of the user's function that also govern the moved body.
const LINT_ATTRIBUTES: [&str; 4] = ["allow", "warn", "deny", "forbid"];

pub(crate) fn expand(function: syn::ItemFn, config: &Config, shape: &Shape) -> TokenStream {
    let private = private_path(config.krate.as_ref());
    // `modifiers` (`default fn`, ...) cannot appear on the items `#[retried]` accepts.
    let syn::ItemFn {
        attrs,
        vis,
        sig,
        block,
        ..
    } = function;
    let mixed = Span::mixed_site();
    let retry = Ident::new("__gort_retry", mixed);
    let is_last = Ident::new("__gort_is_last", mixed);
    let result = Ident::new("__gort_result", mixed);
    let sleeper = Ident::new("__gort_sleeper", mixed);

    let body_name = match shape.placement {
        BodyPlacement::Nested => Ident::new("__gort_try", mixed),
        BodyPlacement::Sibling => format_ident!("__gort_retried_{}", sig.ident.unraw()),
    };
    let lint_attributes = attrs.iter().filter(|attr| {
        LINT_ATTRIBUTES
            .iter()
            .any(|lint| attr.path().is_ident(lint))
    });
    let mut body_signature = sig.clone();
    body_signature.ident = body_name.clone();
    body_signature.abi = None;
    let hidden = (shape.placement == BodyPlacement::Sibling).then(|| quote!(#[doc(hidden)]));
    let body_fn = quote! {
        #hidden
        #(#lint_attributes)*
        #body_signature #block
    };

    let mut slots = Vec::new();
    let mut call_arguments = Vec::new();
    if let (BodyPlacement::Sibling, Some((receiver, self_token))) =
        (shape.placement, &shape.receiver)
    {
        call_arguments.push(match receiver {
            Receiver::Shared => quote!(#self_token),
            Receiver::Exclusive => quote!(&mut *#self_token),
        });
    }
    for (index, argument) in shape.arguments.iter().enumerate() {
        let Argument {
            name,
            passing,
            span,
        } = argument;
        call_arguments.push(match passing {
            Passing::AsIs => quote!(#name),
            Passing::Reborrow => quote!(&mut *#name),
            Passing::CloneEachTry => {
                let slot = format_ident!("__gort_slot{}", index, span = mixed);
                // Moved into a hygienic local located at the argument, so that a non-`Clone`
                // error points at the argument without rustc suggesting edits to the pattern.
                let located =
                    format_ident!("__gort_owned{}", index, span = mixed.located_at(*span));
                let new_slot = quote_spanned!(*span=> ArgumentSlot::new);
                slots.push(quote! {
                    let #located = #name;
                    let mut #slot = #private::#new_slot(#located);
                });
                quote!(#slot.for_try(#is_last))
            }
        });
    }
    let start_try = if slots.is_empty() {
        quote!(#retry.start_try();)
    } else {
        quote! {
            #retry.start_try();
            let #is_last = #retry.is_last_try();
        }
    };

    let turbofish = generic_arguments(&sig.generics);
    let callee = match shape.placement {
        BodyPlacement::Nested => quote!(#body_name #turbofish),
        BodyPlacement::Sibling => quote!(Self::#body_name #turbofish),
    };
    let mut call = quote!(#callee(#(#call_arguments),*));
    if matches!(sig.safety, syn::Safety::Unsafe(_)) {
        call = quote!(unsafe { #call });
    }
    let policy = policy(config, &sig.ident, &private);
    let when = match &config.when {
        Some(path) => quote!(#path),
        None => quote!(#private::retry_every_error),
    };

    let loop_body = if sig.asyncness.is_some() {
        let sleeper_value = match &config.sleeper {
            Some((path, _)) => quote!(#path),
            None => quote!(#private::DefaultSleeper),
        };
        quote! {
            let #sleeper = #sleeper_value;
            let mut #retry = #private::Retrying::new(#policy, #private::Sleeper::now(&#sleeper));
            loop {
                #start_try
                let #result = #call.await;
                if let ::core::ops::ControlFlow::Break(#result) =
                    #retry.after_try_async(#result, #when, &#sleeper).await
                {
                    return #result;
                }
            }
        }
    } else {
        quote! {
            let mut #retry = #private::Retrying::new(#policy, #private::now());
            loop {
                #start_try
                let #result = #call;
                if let ::core::ops::ControlFlow::Break(#result) =
                    #retry.after_try_blocking(#result, #when)
                {
                    return #result;
                }
            }
        }
    };

    let wrapper_signature = wrapper_signature(sig, shape);
    let (sibling, nested) = match shape.placement {
        BodyPlacement::Nested => (None, Some(body_fn)),
        BodyPlacement::Sibling => (Some(body_fn), None),
    };
    quote! {
        #sibling
        #(#attrs)*
        #vis #wrapper_signature {
            #nested
            #(#slots)*
            #loop_body
        }
    }
}

/// The user's signature with every argument pattern replaced by the plain name the wrapper
/// passes on (`mut` dropped: the wrapper never mutates them).
fn wrapper_signature(mut sig: syn::Signature, shape: &Shape) -> syn::Signature {
    let mut arguments = shape.arguments.iter();
    for input in &mut sig.inputs {
        if let FnArg::Typed(typed) = input {
            if let Some(argument) = arguments.next() {
                *typed.pat = Pat::Ident(PatIdent {
                    attrs: Vec::new(),
                    by_ref: None,
                    mutability: None,
                    ident: argument.name.clone(),
                    subpat: None,
                });
            }
        }
    }
    sig
}

/// `::<T, N>` for the type and const parameters, so the body fn gets exactly the wrapper's.
/// Lifetimes are left to inference: naming late-bound ones is an error.
fn generic_arguments(generics: &syn::Generics) -> Option<TokenStream> {
    let arguments: Vec<&Ident> = generics
        .params
        .iter()
        .filter_map(|param| match param {
            syn::GenericParam::Type(ty) => Some(&ty.ident),
            syn::GenericParam::Const(constant) => Some(&constant.ident),
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect();
    (!arguments.is_empty()).then(|| quote!(::<#(#arguments),*>))
}

fn policy(config: &Config, name: &Ident, private: &TokenStream) -> TokenStream {
    let op = match &config.op {
        Some(op) => op.clone(),
        None => syn::LitStr::new(&name.unraw().to_string(), name.span()),
    };
    let attempts = config.attempts;
    let delay = duration(config.delay);
    let max_delay = duration(config.max_delay);
    let backoff = match config.backoff {
        BackoffKind::Exponential => quote!(#private::Backoff::Exponential),
        BackoffKind::Fixed => quote!(#private::Backoff::Fixed),
    };
    let jitter = config.jitter;
    let max_elapsed = config.max_elapsed.map(|budget| {
        let budget = duration(budget);
        quote!(.max_elapsed(#budget))
    });
    quote! {
        #private::RetryPolicy::new(#op)
            .attempts(#attempts)
            .delay(#delay)
            .max_delay(#max_delay)
            .backoff(#backoff)
            .jitter(#jitter)
            #max_elapsed
    }
}

fn duration(duration: Duration) -> TokenStream {
    let secs = duration.as_secs();
    let nanos = duration.subsec_nanos();
    quote!(::core::time::Duration::new(#secs, #nanos))
}
