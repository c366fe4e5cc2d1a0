//! Generating the retried function. Runs only on validated input and cannot fail.
//!
//! The body is never pasted into the retry loop, where `?` and `return` would end the whole
//! call. Its statements move, unchanged, into a closure with a declared return type (an `async`
//! closure for an `async fn`), which the wrapper calls once per try through the runtime's retry
//! driver, so `?` and `return` end that try. A closure rather than a nested fn, because a
//! closure may use `Self` and the impl's generic parameters, and rather than a hidden associated
//! fn beside the method, which a trait implementation does not admit: the macro cannot see the
//! impl header, so the expansion must be valid in both kinds of impl block.
//!
//! The closure borrows `self` and the reference arguments from the wrapper; an `async` closure
//! lends them to the future of each try, so `&mut self` and `&mut T` work there too. Owned
//! arguments, and a `self: Arc<Self>`, wait in slots outside the closure, which hand each try a
//! clone or, on the last try, the original.
//!
//! Under `#[async_trait]` the function is already a plain fn returning
//! `Box::pin(async move { body })`: the async block's body is what each try runs, and the retry
//! loop takes its place inside the block.

mod receiver;

use super::ast::{
    Argument, BackoffKind, Binding, Config, Form, Key, Operation, Passing, ReceiverPassing, Shape,
};
use super::boxed::boxed_async_block;
use crate::runtime::private_path;
use crate::timed::TryTiming;
use crate::types::infer_impl_trait;
use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use receiver::rename_self;
use std::time::Duration;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{AttrStyle, Expr, FnArg, Pat, PatIdent, Stmt};

/// The retried function. `per_try` times each try (for a `#[timed]` found below the
/// `#[retried]`).
pub(crate) fn expand(
    function: syn::ItemFn,
    config: &Config,
    shape: &Shape,
    per_try: Option<&TryTiming>,
) -> TokenStream {
    // `modifiers` (`default fn`, ...) cannot appear on the items `#[retried]` accepts.
    let syn::ItemFn {
        attrs,
        vis,
        sig,
        mut block,
        ..
    } = function;
    let (outer, inner): (Vec<_>, Vec<_>) = attrs
        .into_iter()
        .partition(|attribute| matches!(attribute.style, AttrStyle::Outer));
    let body = match (&shape.form, boxed_async_block(&mut block)) {
        (Form::BoxedAsync, Some(async_block)) => {
            let statements = core::mem::take(&mut async_block.block.stmts);
            let retried = retry_loop(config, shape, &sig, statements, per_try);
            async_block.block.stmts = vec![Stmt::Expr(Expr::Verbatim(retried), None)];
            let statements = &block.stmts;
            quote!(#(#statements)*)
        }
        _ => retry_loop(config, shape, &sig, block.stmts, per_try),
    };
    let wrapper_signature = wrapper_signature(sig, shape);
    quote! {
        #(#outer)*
        #vis #wrapper_signature {
            #(#inner)*
            #body
        }
    }
}

/// The wrapper's statements: the operation's name, the argument slots, and the loop that runs
/// `statements` once per try.
fn retry_loop(
    config: &Config,
    shape: &Shape,
    sig: &syn::Signature,
    mut statements: Vec<Stmt>,
    per_try: Option<&TryTiming>,
) -> TokenStream {
    let private = private_path(config.krate.as_ref());
    let mixed = Span::mixed_site();
    let retry = Ident::new("__gort_retry", mixed);
    let result = Ident::new("__gort_result", mixed);
    let is_last = Ident::new("__gort_is_last", mixed);
    let sleeper = Ident::new("__gort_sleeper", mixed);
    let try_body = Ident::new("__gort_try", mixed);
    // Lints about shadowing would blame the user for the names a try rebinds its arguments to.
    let allow_shadowing =
        quote!(#[allow(clippy::shadow_unrelated, clippy::shadow_same, clippy::shadow_reuse)]);

    let (operation, op) = operation(config, &sig.ident);
    let mut slots = Vec::new();
    let mut bindings = Vec::new();
    if shape.receiver != ReceiverPassing::Captured {
        let renamed_self = Ident::new("__gort_self", mixed);
        let value = match shape.receiver {
            ReceiverPassing::CloneEachTry => {
                let slot = Ident::new("__gort_slot_self", mixed);
                slots.push(quote! {
                    let mut #slot = #private::ArgumentSlot::new(self);
                });
                quote!(#slot.for_try(#is_last))
            }
            ReceiverPassing::PinReborrow => quote!(::core::pin::Pin::as_mut(&mut self)),
            _ => quote!(&mut *self),
        };
        // `mut self` stays a mutable binding for the body that mutates it.
        let mutability = sig
            .inputs
            .iter()
            .any(
                |input| matches!(input, FnArg::Receiver(receiver) if receiver.mutability.is_some()),
            )
            .then(|| quote!(mut));
        bindings.push(quote!(let #mutability #renamed_self = #value;));
        let renamed = rename_self(quote!(#(#statements)*), &renamed_self);
        statements = vec![Stmt::Expr(Expr::Verbatim(renamed), None)];
    }
    for (index, argument) in shape.arguments.iter().enumerate() {
        let Argument {
            name,
            binding,
            passing,
            span,
        } = argument;
        let value = match passing {
            Passing::AsIs => match binding {
                // The closure uses the wrapper's binding: a copy would change nothing.
                Binding::Name { mutable: false } => continue,
                _ => quote!(#name),
            },
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
        };
        bindings.push(match binding {
            Binding::Name { mutable } => {
                let mutability = mutable.then(|| quote!(mut));
                quote!(#allow_shadowing let #mutability #name = #value;)
            }
            // `let _ = value;` would drop the value at once; bound to a name first, it lives
            // until the try ends, as a parameter would.
            Binding::Pattern(pattern) if matches!(passing, Passing::AsIs) => {
                quote!(#allow_shadowing let #pattern = #name;)
            }
            Binding::Pattern(pattern) => quote! {
                let #name = #value;
                #allow_shadowing let #pattern = #name;
            },
        });
    }
    // Only owned arguments' slots need to know whether a try is the last.
    let (parameter, argument, is_last_pattern) = if slots.is_empty() {
        (None, None, quote!(_))
    } else {
        (
            Some(quote!(#is_last: ::core::primitive::bool)),
            Some(quote!(#is_last)),
            quote!(#is_last),
        )
    };

    let note_last = argument
        .as_ref()
        .map(|is_last| quote!(let #is_last = #retry.is_last_try();));

    let mut returned = shape.returned.clone();
    infer_impl_trait(&mut returned);
    let policy = policy(config, &op, &private);
    let when = match &config.when {
        Some(path) => quote!(#path),
        None => quote!(#private::retry_every_error),
    };

    let try_call = quote!(#try_body(#argument));
    let run = if matches!(shape.form, Form::Blocking) {
        let run_try = match per_try {
            Some(per_try) => {
                let timed = per_try.time(&result, &try_call);
                quote!({ #timed #result })
            }
            None => try_call,
        };
        quote! {
            let #try_body = &mut |#parameter| -> #returned {
                #(#bindings)*
                #(#statements)*
            };
            #private::Retrying::new(#policy, #private::now)
                .run_blocking(#when, |#is_last_pattern| #run_try)
        }
    } else {
        let sleeper_value = match &config.sleeper {
            Some((path, _)) => quote!(#path),
            None => quote!(#private::DefaultSleeper),
        };
        let declared = Ident::new("__gort_declared", mixed);
        let awaited = quote!(#try_call.await);
        let run_try = match per_try {
            Some(per_try) => per_try.time(&result, &awaited),
            None => quote!(let #result = #awaited;),
        };
        quote! {
            let #try_body = &mut async |#parameter| -> #returned {
                // An async closure takes the type of its body from the first `return` it meets,
                // not from its annotation; with this one first, every later `return` and the
                // tail coerce to the declared type, as in an `async fn`.
                if let ::core::option::Option::Some(#declared) =
                    ::core::option::Option::None::<#returned>
                {
                    return #declared;
                }
                #(#bindings)*
                #(#statements)*
            };
            let #sleeper = #sleeper_value;
            // The loop stays here rather than in a generic runner: see `Retrying::start_try`.
            let mut #retry = #private::Retrying::new(#policy, || #private::Sleeper::now(&#sleeper));
            loop {
                #retry.start_try();
                #note_last
                #run_try
                if let ::core::ops::ControlFlow::Break(#result) =
                    #retry.after_try_async(#result, #when, &#sleeper).await
                {
                    return #result;
                }
            }
        }
    };
    let per_try_entry = per_try.and_then(TryTiming::entry);
    quote! {
        #operation
        #per_try_entry
        #(#slots)*
        #run
    }
}

/// The operation's name for the policy, and for an expression, the statement that evaluates it
/// on entry, before any argument moves into a slot or the body, copied so that the body may
/// then move or change what it was read from.
fn operation(config: &Config, name: &Ident) -> (Option<TokenStream>, TokenStream) {
    match &config.op {
        Some(Operation::Literal(op)) => (None, op.to_token_stream()),
        Some(Operation::Expr(expression)) => {
            let operation = Ident::new("__gort_operation", Span::mixed_site());
            let at_expression = Span::mixed_site().located_at(expression.span());
            let owned = quote_spanned! {at_expression=>
                <::core::primitive::str as ::std::borrow::ToOwned>::to_owned(
                    ::core::convert::AsRef::<::core::primitive::str>::as_ref(&(#expression))
                )
            };
            (
                Some(quote!(let #operation: ::std::string::String = #owned;)),
                operation.into_token_stream(),
            )
        }
        None => {
            let op = syn::LitStr::new(&name.unraw().to_string(), name.span());
            (None, op.into_token_stream())
        }
    }
}

/// The user's signature with every argument pattern replaced by the plain name the wrapper
/// passes on (`mut` dropped: the wrapper never mutates them), and `mut self` where each try
/// reborrows a `Pin<&mut Self>`.
fn wrapper_signature(mut sig: syn::Signature, shape: &Shape) -> syn::Signature {
    let mut arguments = shape.arguments.iter();
    for input in &mut sig.inputs {
        if let FnArg::Receiver(receiver) = input {
            if shape.receiver == ReceiverPassing::PinReborrow && receiver.mutability.is_none() {
                receiver.mutability = Some(syn::Token![mut](receiver.self_token.span));
            }
        }
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

fn policy(config: &Config, op: &TokenStream, private: &TokenStream) -> TokenStream {
    let given = |key: Key| config.given.contains(&key);
    let attempts = given(Key::Attempts).then(|| {
        let attempts = config.attempts;
        quote!(.attempts(#attempts))
    });
    let delay = given(Key::Delay).then(|| {
        let delay = duration(config.delay);
        quote!(.delay(#delay))
    });
    let max_delay = given(Key::MaxDelay).then(|| {
        let max_delay = duration(config.max_delay);
        quote!(.max_delay(#max_delay))
    });
    let backoff = given(Key::Backoff).then(|| match config.backoff {
        BackoffKind::Exponential => quote!(.backoff(#private::Backoff::Exponential)),
        BackoffKind::Fixed => quote!(.backoff(#private::Backoff::Fixed)),
    });
    let jitter = given(Key::Jitter).then(|| {
        let jitter = config.jitter;
        quote!(.jitter(#jitter))
    });
    let max_elapsed = config.max_elapsed.map(|budget| {
        let budget = duration(budget);
        quote!(.max_elapsed(#budget))
    });
    quote! {
        #private::RetryPolicy::new(#op) #attempts #delay #max_delay #backoff #jitter #max_elapsed
    }
}

fn duration(duration: Duration) -> TokenStream {
    let secs = duration.as_secs();
    let nanos = duration.subsec_nanos();
    quote!(::core::time::Duration::new(#secs, #nanos))
}
