//! Code generation for a checked [`Plan`]. Nothing here can fail.
//!
//! Every call is counted by outcome beside its duration. How the end of a call is seen
//! depends on what the body runs:
//!
//! - a plain fn: a guard first in the body, which records when the body's locals are dropped,
//!   as `ok` (or `panicked` while unwinding). The body itself is not wrapped, so `return`, `?`
//!   and type errors behave and point exactly as they did without the attribute:
//!
//!   ```text
//!   let __gort_guard = {
//!       static __GORT_SITE: ::gort_metrics::__private::TimedSite =
//!           ::gort_metrics::__private::TimedSite::middleware("auth");
//!       __GORT_SITE.start()
//!   };
//!   ```
//!
//! - a fn returning a `Result` (spelled as one, or marked `result`): the body runs in a
//!   closure called at once, whose value is read as `ok` or `error` before it is returned.
//!   The closure is made `FnOnce`, so the body may return borrows of what it captured.
//! - `async fn`, and a fn whose tail is an `async` block or `Box::pin(async ..)` (what
//!   `#[async_trait]` generates): the body runs in an inner `async` block; the call starts at
//!   the first poll and ends when that block's value is read, or as `cancelled` when the
//!   future is dropped before.
//! - any other fn returning `impl Future`: the body runs in a closure, and the future it
//!   returns is wrapped in a `TimedFuture` timed from its first poll.
//!
//! A literal label is a `static` site of its own block, so it cannot clash with the user's
//! items and caches the label's handle; an expression label is evaluated and copied on entry.

use super::ast::{Kind, Label, Plan, Timing};
use crate::runtime::private_path;
use crate::types::{
    future_output, infer_impl_trait, is_box_pin, is_inferred, is_never, is_unit, named_result,
};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{
    Block, Expr, ExprAsync, Ident, ImplItem, Item, ReturnType, Signature, Stmt, Type,
    TypeParamBound,
};

pub(crate) fn expand(plan: Plan) -> TokenStream {
    match plan {
        Plan::Fn(mut function, timing) => {
            let tracks_caller = tracks_caller(&function.attrs);
            time_body(&function.sig, tracks_caller, &mut function.block, &timing);
            function.into_token_stream()
        }
        Plan::Impl(mut implementation, timings) => {
            for (item, timing) in implementation.items.iter_mut().zip(&timings) {
                if let (ImplItem::Fn(method), Some(timing)) = (item, timing) {
                    let tracks_caller = tracks_caller(&method.attrs);
                    time_body(&method.sig, tracks_caller, &mut method.block, timing);
                }
            }
            implementation.into_token_stream()
        }
    }
}

/// Whether the fn is `#[track_caller]`: its body must then not move into a closure, which
/// cannot carry the attribute on stable Rust, or `Location::caller()` and panics inside would
/// report the closure instead of the fn's caller.
fn tracks_caller(attributes: &[syn::Attribute]) -> bool {
    attributes
        .iter()
        .any(|attribute| attribute.path().is_ident("track_caller"))
}

fn time_body(signature: &Signature, tracks_caller: bool, body: &mut Block, timing: &Timing) {
    if signature.asyncness.is_some() {
        let output = match &signature.output {
            ReturnType::Default => syn::parse_quote!(()),
            ReturnType::Type(_, ty) => (**ty).clone(),
        };
        wrap_async(&mut body.stmts, timing, Some(&output), true);
    } else if let Some(async_block) = returned_async_block(body) {
        let moves = async_block.capture.is_some();
        wrap_async(
            &mut async_block.block.stmts,
            timing,
            future_output(&signature.output),
            moves,
        );
    } else if let Some(return_type) = returned_impl_future(&signature.output) {
        let span = return_type.span();
        wrap_returned_future(body, timing, span, future_output(&signature.output));
    } else if let Some(output) =
        returned_result(&signature.output, timing.result).filter(|_| !tracks_caller)
    {
        wrap_result(body, timing, output);
    } else {
        body.stmts.insert(0, guard(timing));
    }
}

/// The return type, written for a closure or a `let`, if the fn returns a `Result`.
fn returned_result(output: &ReturnType, marked: bool) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    if !(marked || named_result(ty)) {
        return None;
    }
    nameable(ty)
}

/// `ty` as a `let` or a closure may write it: every `impl Trait` left to inference. `None` if
/// nothing would be left to read (`_`, `!`).
fn nameable(ty: &Type) -> Option<Type> {
    let mut ty = ty.clone();
    infer_impl_trait(&mut ty);
    (!is_inferred(&ty) && !is_never(&ty)).then_some(ty)
}

/// `static __GORT_SITE: TimedSite = TimedSite::middleware("label");`
fn site(timing: &Timing, label: &syn::LitStr) -> TokenStream {
    let private = private_path(timing.krate.as_ref());
    let name = Ident::new("__GORT_SITE", Span::mixed_site());
    let constructor = match timing.kind {
        Kind::Middleware => quote!(middleware),
        Kind::Channel => quote!(channel),
    };
    quote! {
        static #name: #private::TimedSite = #private::TimedSite::#constructor(#label);
    }
}

/// `DurationKind::Middleware` or `DurationKind::Message`.
fn duration_kind(timing: &Timing) -> TokenStream {
    let private = private_path(timing.krate.as_ref());
    match timing.kind {
        Kind::Middleware => quote!(#private::DurationKind::Middleware),
        Kind::Channel => quote!(#private::DurationKind::Message),
    }
}

/// An expression label, borrowed for the runtime to copy: spanned at the expression, so that a
/// value that is not `AsRef<str>` is reported there.
fn borrowed_label(expression: &Expr) -> TokenStream {
    let at_expression = Span::mixed_site().located_at(expression.span());
    quote_spanned!(at_expression=> &(#expression))
}

/// The guard statement. Kept as verbatim tokens rather than re-parsed into a `syn::Stmt`,
/// which could only fail by panicking.
fn guard(timing: &Timing) -> Stmt {
    Stmt::Item(Item::Verbatim(guard_tokens(timing)))
}

/// `let __gort_guard = { static __GORT_SITE: .. ; __GORT_SITE.start() };`, which times the
/// rest of the block it starts and records it as `ok` (or `panicked`) when dropped.
fn guard_tokens(timing: &Timing) -> TokenStream {
    let guard = Ident::new("__gort_guard", Span::mixed_site());
    let start = start_with(timing, "start", "dynamic_guard");
    quote! {
        let #guard = #start;
    }
}

/// How a `#[timed]` below a `#[retried]` times each try: a statement on entry (that copies a
/// run-time label once, before any argument moves) and the timing of each try's call.
pub(crate) struct TryTiming {
    entry: Option<TokenStream>,
    start: TokenStream,
    private: TokenStream,
}

impl TryTiming {
    pub(crate) fn new(timing: &Timing) -> Self {
        let private = private_path(timing.krate.as_ref());
        let label = Ident::new("__gort_try_label", Span::mixed_site());
        let (entry, start) = match &timing.label {
            Label::Literal(_) => (None, call_start(timing)),
            Label::Expr(expression) => {
                let kind = duration_kind(timing);
                let borrowed = borrowed_label(expression);
                (
                    Some(quote! {
                        let #label = #private::LabelCopy::new(
                            ::core::convert::AsRef::<::core::primitive::str>::as_ref(#borrowed),
                        );
                    }),
                    quote!(#private::CallTimer::start(#kind, &#label)),
                )
            }
        };
        TryTiming {
            entry,
            start,
            private,
        }
    }

    /// The statement that runs before the argument slots are filled.
    pub(crate) fn entry(&self) -> Option<&TokenStream> {
        self.entry.as_ref()
    }

    /// `let #result = #call;`, with `call` (one try) timed and counted by the outcome its
    /// `Result` reads as.
    pub(crate) fn time(&self, result: &Ident, call: &TokenStream) -> TokenStream {
        let private = &self.private;
        let start = &self.start;
        let try_call = Ident::new("__gort_try_call", Span::mixed_site());
        let outcome = read_outcome(private, &quote!(&#result));
        quote! {
            let #try_call = #start;
            let #result = #call;
            #private::FinishCall::finish_call(#try_call, #outcome);
        }
    }
}

/// An expression that starts one call, to be finished with its outcome: a site's `SiteCall` or
/// a `CallTimer` over a copy of the label.
fn call_start(timing: &Timing) -> TokenStream {
    start_with(timing, "call", "dynamic_call")
}

/// `{ static __GORT_SITE: ..; __GORT_SITE.site_method() }` for a literal label,
/// `dynamic(kind, &(label))` for an expression.
fn start_with(timing: &Timing, site_method: &str, dynamic: &str) -> TokenStream {
    let mixed = Span::mixed_site();
    match &timing.label {
        Label::Literal(label) => {
            let site = site(timing, label);
            let name = Ident::new("__GORT_SITE", mixed);
            let method = Ident::new(site_method, mixed);
            quote!({ #site #name.#method() })
        }
        Label::Expr(expression) => {
            let private = private_path(timing.krate.as_ref());
            let kind = duration_kind(timing);
            let label = borrowed_label(expression);
            let function = Ident::new(dynamic, mixed);
            quote!(#private::#function(#kind, #label))
        }
    }
}

/// The outcome the value behind `reference` (a `&output`) stands for: read off a `Result`,
/// `ok` for anything else. Method resolution tries `ResultOutcome`'s `&Result` receiver before
/// `OtherOutcome`'s `&&T`.
fn outcome_of(timing: &Timing, reference: &TokenStream, output: Option<&Type>) -> TokenStream {
    let private = private_path(timing.krate.as_ref());
    match output {
        Some(ty) if !is_unit(ty) => read_outcome(&private, reference),
        _ => quote!(#private::Outcome::Ok),
    }
}

/// `ResultOutcome` or `OtherOutcome` on the value behind `reference`, whichever method
/// resolution picks for its type.
fn read_outcome(private: &TokenStream, reference: &TokenStream) -> TokenStream {
    quote! {{
        #[allow(unused_imports)]
        use #private::{OtherOutcome as _, ResultOutcome as _};
        (#reference).__gort_outcome()
    }}
}

/// Runs `statements` in an inner `async` block and finishes the call with what it yields.
/// `output` is the block's type where the signature says; written first as a `return` that is
/// never taken, it gives every `return` and `?` inside the type the fn declared.
fn wrap_async(statements: &mut Vec<Stmt>, timing: &Timing, output: Option<&Type>, moves: bool) {
    let private = private_path(timing.krate.as_ref());
    let mixed = Span::mixed_site();
    let call = Ident::new("__gort_call", mixed);
    let value = Ident::new("__gort_output", mixed);
    let start = call_start(timing);
    let output = output.and_then(nameable);
    // Spanned at the declared type, so that a body of another type is reported against it.
    let (annotation, pin) = match &output {
        Some(ty) => {
            let at_type = mixed.located_at(ty.span());
            let declared = Ident::new("__gort_declared", at_type);
            (
                Some(quote!(: #ty)),
                Some(quote_spanned! {at_type=>
                    if let ::core::option::Option::Some(#declared) = ::core::option::Option::None::<#ty> {
                        return #declared;
                    }
                }),
            )
        }
        None => (None, None),
    };
    let capture = moves.then(|| quote!(move));
    let outcome = outcome_of(timing, &quote!(&#value), output.as_ref());
    let body = core::mem::take(statements);
    let tokens = quote! {
        let #call = #start;
        let #value #annotation = async #capture {
            #pin
            #(#body)*
        }
        .await;
        #private::FinishCall::finish_call(#call, #outcome);
        #value
    };
    *statements = vec![Stmt::Expr(Expr::Verbatim(tokens), None)];
}

/// Runs the body of a fn returning `output`, a `Result`, in a closure called at once, and
/// finishes the call with what it returned.
fn wrap_result(body: &mut Block, timing: &Timing, output: Type) {
    let private = private_path(timing.krate.as_ref());
    let mixed = Span::mixed_site();
    let call = Ident::new("__gort_call", mixed);
    let value = Ident::new("__gort_output", mixed);
    let once = Ident::new("__gort_once", mixed);
    let start = call_start(timing);
    let outcome = outcome_of(timing, &quote!(&#value), Some(&output));
    let statements = core::mem::take(&mut body.stmts);
    let tokens = quote! {
        let #call = #start;
        let #once = #private::BodyOnce;
        #[allow(clippy::redundant_closure_call)]
        let #value: #output = (move || -> #output {
            #once.take();
            #(#statements)*
        })();
        #private::FinishCall::finish_call(#call, #outcome);
        #value
    };
    body.stmts = vec![Stmt::Expr(Expr::Verbatim(tokens), None)];
}

/// The `async` block a body ends in, bare or as `Box::pin(async ..)`.
fn returned_async_block(body: &mut Block) -> Option<&mut ExprAsync> {
    match body.stmts.last_mut()? {
        Stmt::Expr(tail, None) => async_block_of(tail),
        _ => None,
    }
}

fn async_block_of(expression: &mut Expr) -> Option<&mut ExprAsync> {
    match expression {
        Expr::Async(async_block) => Some(async_block),
        Expr::Paren(paren) => async_block_of(&mut paren.expr),
        Expr::Group(group) => async_block_of(&mut group.expr),
        Expr::Call(call) if is_box_pin(&call.func) && call.args.len() == 1 => {
            match call.args.first_mut()? {
                Expr::Async(async_block) => Some(async_block),
                _ => None,
            }
        }
        _ => None,
    }
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
/// future it returns from its first poll, reading its output as an outcome where the return
/// type names it. The call is spanned at the return type, so that a body that returns
/// something other than a future is reported there.
fn wrap_returned_future(
    body: &mut Block,
    timing: &Timing,
    return_span: Span,
    output: Option<&Type>,
) {
    let private = private_path(timing.krate.as_ref());
    let mixed = Span::mixed_site();
    let value = Ident::new("__gort_output", mixed);
    let statements = core::mem::take(&mut body.stmts);
    let (site, start, method) = match &timing.label {
        Label::Literal(label) => {
            let name = Ident::new("__GORT_SITE", mixed);
            (
                Some(site(timing, label)),
                name.into_token_stream(),
                Ident::new("time_future_with", return_span),
            )
        }
        Label::Expr(expression) => {
            let kind = duration_kind(timing);
            let label = borrowed_label(expression);
            (
                None,
                quote!(#private::DynamicStart::new(#kind, #label)),
                Ident::new("time_future", return_span),
            )
        }
    };
    let output = output.and_then(nameable);
    let classify = match &output {
        Some(ty) => {
            let outcome = outcome_of(timing, &value.to_token_stream(), Some(ty));
            quote!(|#value: &#ty| #outcome)
        }
        None => quote!(|_| #private::Outcome::Ok),
    };
    let timed = quote! {
        #start.#method(move || { #(#statements)* }, #classify)
    };
    body.stmts = vec![Stmt::Expr(Expr::Verbatim(quote! { #site #timed }), None)];
}
