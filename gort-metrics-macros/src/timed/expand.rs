//! Code generation for a checked [`Plan`]. Nothing here can fail.
//!
//! A timed body gets one statement in front of the user's own:
//!
//! ```text
//! let __gort_guard = {
//!     static __GORT_SITE: ::gort_metrics::__private::TimedSite =
//!         ::gort_metrics::__private::TimedSite::middleware("auth");
//!     __GORT_SITE.start()
//! };
//! ```
//!
//! The body itself is not wrapped, so `return`, `?` and type errors behave and point exactly
//! as they did without the attribute; the guard records when the body's locals are dropped.
//! The site is a `static` of its own block so it cannot clash with the user's items.
//!
//! Where the guard goes depends on what the body runs:
//! - `async fn`: first in the body, which runs from the first poll; the guard lives in the
//!   future and records on completion or when the future is dropped.
//! - a fn whose tail is an `async` block, or `Box::pin(async ..)` (what `#[async_trait]`
//!   generates): first in that block, for the same reason.
//! - any other fn returning `impl Future`: the body runs in a closure, and the future it
//!   returns is wrapped in a `TimedFuture` timed from its first poll.
//! - everything else: first in the body.

use super::ast::{Kind, Plan, Timing};
use crate::runtime::private_path;
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::{Block, Expr, Ident, ImplItem, Item, ReturnType, Signature, Stmt, Type, TypeParamBound};

pub(crate) fn expand(plan: Plan) -> TokenStream {
    match plan {
        Plan::Fn(mut function, timing) => {
            time_body(&function.sig, &mut function.block, &timing);
            function.into_token_stream()
        }
        Plan::Impl(mut implementation, timings) => {
            for (item, timing) in implementation.items.iter_mut().zip(&timings) {
                if let (ImplItem::Fn(method), Some(timing)) = (item, timing) {
                    time_body(&method.sig, &mut method.block, timing);
                }
            }
            implementation.into_token_stream()
        }
    }
}

fn time_body(signature: &Signature, body: &mut Block, timing: &Timing) {
    if signature.asyncness.is_some() {
        body.stmts.insert(0, guard(timing));
    } else if let Some(async_block) = returned_async_block(body) {
        async_block.stmts.insert(0, guard(timing));
    } else if let Some(return_type) = returned_impl_future(&signature.output) {
        wrap_returned_future(body, timing, return_type.span());
    } else {
        body.stmts.insert(0, guard(timing));
    }
}

/// `static __GORT_SITE: TimedSite = TimedSite::middleware("label");`
fn site(timing: &Timing) -> TokenStream {
    let private = private_path(timing.krate.as_ref());
    let name = Ident::new("__GORT_SITE", Span::mixed_site());
    let constructor = match timing.kind {
        Kind::Middleware => quote!(middleware),
        Kind::Channel => quote!(channel),
    };
    let label = &timing.label;
    quote! {
        static #name: #private::TimedSite = #private::TimedSite::#constructor(#label);
    }
}

/// The guard statement. Kept as verbatim tokens rather than re-parsed into a `syn::Stmt`,
/// which could only fail by panicking.
fn guard(timing: &Timing) -> Stmt {
    Stmt::Item(Item::Verbatim(guard_tokens(timing)))
}

/// `let __gort_guard = { static __GORT_SITE: .. ; __GORT_SITE.start() };`, which times the
/// rest of the block it starts.
pub(crate) fn guard_tokens(timing: &Timing) -> TokenStream {
    let site = site(timing);
    let name = Ident::new("__GORT_SITE", Span::mixed_site());
    let guard = Ident::new("__gort_guard", Span::mixed_site());
    quote! {
        let #guard = { #site #name.start() };
    }
}

/// The `async` block a body ends in, bare or as `Box::pin(async ..)`.
fn returned_async_block(body: &mut Block) -> Option<&mut Block> {
    match body.stmts.last_mut()? {
        Stmt::Expr(tail, None) => async_block_of(tail),
        _ => None,
    }
}

fn async_block_of(expression: &mut Expr) -> Option<&mut Block> {
    match expression {
        Expr::Async(async_block) => Some(&mut async_block.block),
        Expr::Paren(paren) => async_block_of(&mut paren.expr),
        Expr::Group(group) => async_block_of(&mut group.expr),
        Expr::Call(call) if is_box_pin(&call.func) && call.args.len() == 1 => {
            match call.args.first_mut()? {
                Expr::Async(async_block) => Some(&mut async_block.block),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `Box::pin`, `std::boxed::Box::pin`, `::alloc::boxed::Box::pin`, ...
fn is_box_pin(function: &Expr) -> bool {
    let Expr::Path(path) = function else {
        return false;
    };
    let mut segments = path.path.segments.iter().rev();
    matches!(
        (segments.next(), segments.next()),
        (Some(pin), Some(boxed)) if pin.ident == "pin" && boxed.ident == "Box"
    )
}

/// The return type, if it is `impl Future<..>` (with or without other bounds).
fn returned_impl_future(output: &ReturnType) -> Option<&Type> {
    let ReturnType::Type(_, return_type) = output else {
        return None;
    };
    let mut ty = &**return_type;
    while let Type::Paren(syn::TypeParen { elem, .. }) | Type::Group(syn::TypeGroup { elem, .. }) =
        ty
    {
        ty = elem;
    }
    let Type::ImplTrait(impl_trait) = ty else {
        return None;
    };
    let is_future = |bound: &TypeParamBound| match bound {
        TypeParamBound::Trait(bound) => bound
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "Future"),
        _ => false,
    };
    impl_trait
        .bounds
        .iter()
        .any(is_future)
        .then_some(return_type)
}

/// Runs the body in a closure (so its `return`s still produce the future) and times the
/// future it returns from its first poll. The call is spanned at the return type, so that a
/// body that returns something other than a future is reported there.
fn wrap_returned_future(body: &mut Block, timing: &Timing, return_span: Span) {
    let site = site(timing);
    let name = Ident::new("__GORT_SITE", Span::mixed_site());
    let statements = core::mem::take(&mut body.stmts);
    let method = Ident::new("time_future", return_span);
    let timed = quote! {
        #name.#method(move || { #(#statements)* })
    };
    body.stmts = vec![Stmt::Expr(Expr::Verbatim(quote! { #site #timed }), None)];
}
