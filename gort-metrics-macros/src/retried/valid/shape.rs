//! Whether the function can be retried: its return type, its receiver, and how each argument
//! reaches a try.

use crate::retried::ast::{Argument, Binding, Config, Form, Passing, ReceiverPassing, Shape};
use crate::retried::boxed::boxed_output;
use crate::types::{named_result, ungrouped};
use proc_macro2::Span;
use quote::{ToTokens, format_ident};
use syn::spanned::Spanned;
use syn::{FnArg, Pat, Type};

/// Checks that `function` can be retried and works out how each argument reaches a try.
pub(crate) fn shape(
    function: &syn::ItemFn,
    config: Option<&Config>,
    errors: &mut Vec<syn::Error>,
) -> Option<Shape> {
    let errors_before = errors.len();
    let signature = &function.sig;
    if let Some(constness) = &signature.constness {
        errors.push(syn::Error::new_spanned(
            constness,
            "`#[retried]` cannot apply to a `const fn`: retrying sleeps, which a `const fn` cannot do; remove `const`",
        ));
    }
    if let Some(variadic) = &signature.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "`#[retried]` cannot apply to a variadic function",
        ));
    }
    let result_alias = config.is_some_and(|config| config.result_alias);
    let (form, returned) = match boxed_output(function) {
        Some(output) => (
            Form::BoxedAsync,
            checked_result(output, result_alias, errors),
        ),
        None if signature.asyncness.is_some() => (
            Form::Async,
            returns_result(&signature.output, &signature.ident, result_alias, errors),
        ),
        None => (
            Form::Blocking,
            returns_result(&signature.output, &signature.ident, result_alias, errors),
        ),
    };
    if let Some((_, sleeper_span)) = config.and_then(|config| config.sleeper.as_ref()) {
        if matches!(form, Form::Blocking) {
            errors.push(syn::Error::new(
                *sleeper_span,
                "`sleeper` applies only to an `async fn`: a blocking function sleeps on its thread",
            ));
        }
    }
    let mut receiver = ReceiverPassing::Captured;
    let mut arguments = Vec::new();
    for (index, input) in signature.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(self_argument) => match receiver_passing(self_argument, &form) {
                Ok(passing) => receiver = passing,
                Err(error) => errors.push(error),
            },
            FnArg::Typed(typed) => arguments.push(argument(index, typed)),
        }
    }
    let returned = returned?;
    (errors.len() == errors_before).then_some(Shape {
        form,
        returned,
        receiver,
        arguments,
    })
}

/// The returned type, if it is a `Result`.
fn returns_result(
    output: &syn::ReturnType,
    name: &syn::Ident,
    result_alias: bool,
    errors: &mut Vec<syn::Error>,
) -> Option<Type> {
    match output {
        syn::ReturnType::Default => {
            errors.push(syn::Error::new_spanned(
                name,
                "`#[retried]` needs a function returning `Result<T, E>`; this one returns `()`",
            ));
            None
        }
        syn::ReturnType::Type(_, ty) => checked_result(ty, result_alias, errors),
    }
}

/// `found`, if it is a `Result`: named `..Result`, or said to be one with `result`.
fn checked_result(found: &Type, result_alias: bool, errors: &mut Vec<syn::Error>) -> Option<Type> {
    let last_segment = match found {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        _ => None,
    };
    if result_alias || named_result(found) {
        return Some(found.clone());
    }
    let message = match last_segment {
        _ if returns_a_future(found) => "`#[retried]` retries an `async fn`, not a fn returning a \
             future it built: write it as an `async fn` returning `Result<T, E>`"
            .to_owned(),
        Some(segment) if !is_known_not_result(&segment.ident) => format!(
            "`#[retried]` needs a function returning `Result<T, E>`: if `{}` is an alias of \
             `Result`, say so with `#[retried(result)]` (an alias whose name ends in `Result`, \
             like `io::Result<T>`, needs nothing)",
            found
                .to_token_stream()
                .to_string()
                .replace(" < ", "<")
                .replace(" >", ">")
                .replace(" , ", ", ")
        ),
        _ => "`#[retried]` needs a function returning `Result<T, E>` (or an alias named \
             `...Result`, like `io::Result<T>`)"
            .to_owned(),
    };
    errors.push(syn::Error::new_spanned(found, message));
    None
}

/// `impl Future<..>`, or `Pin<Box<dyn Future<..>>>` not built by `Box::pin(async move ..)`.
fn returns_a_future(ty: &Type) -> bool {
    match ty {
        Type::ImplTrait(found) => found.bounds.iter().any(|bound| {
            matches!(bound, syn::TypeParamBound::Trait(bound)
                if bound.path.segments.last().is_some_and(|s| s.ident == "Future"))
        }),
        Type::Path(path) => path.path.segments.last().is_some_and(|pin| {
            pin.ident == "Pin" && pin.to_token_stream().to_string().contains("Future")
        }),
        _ => false,
    }
}

/// Types that are plainly no alias of `Result`, where suggesting `result` would mislead.
fn is_known_not_result(name: &syn::Ident) -> bool {
    const NOT_RESULTS: [&str; 24] = [
        "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32",
        "i64", "i128", "isize", "f32", "f64", "Option", "String", "Vec", "Box", "Pin", "Poll",
        "Self",
    ];
    NOT_RESULTS.iter().any(|known| name == known)
}

/// How `self` reaches each try, or why it cannot.
fn receiver_passing(receiver: &syn::Receiver, form: &Form) -> syn::Result<ReceiverPassing> {
    let by_value = || {
        syn::Error::new_spanned(
            receiver,
            "`#[retried]` cannot take `self` by value: every try needs it; take `&self`, \
             `&mut self`, `self: Arc<Self>` or `self: Rc<Self>`",
        )
    };
    // `#[async_trait]` moves `self` into a local of the body, which a try may not do with a
    // `&mut` the tries share: each try gets its own reborrow instead.
    let reference = |mutable: bool| match form {
        Form::BoxedAsync if mutable => ReceiverPassing::Reborrow,
        _ => ReceiverPassing::Captured,
    };
    match &receiver.kind {
        syn::ReceiverKind::Reference(_, _, mutability) => Ok(reference(mutability.is_some())),
        syn::ReceiverKind::Typed(_, ty) => match ungrouped(ty) {
            Type::Reference(borrowed) => Ok(reference(borrowed.mutability.is_some())),
            Type::Path(path) if path.qself.is_none() => {
                let Some(last) = path.path.segments.last() else {
                    return Err(by_value());
                };
                if last.ident == "Arc" || last.ident == "Rc" {
                    return Ok(ReceiverPassing::CloneEachTry);
                }
                if last.ident != "Pin" {
                    return Err(by_value());
                }
                match pinned_pointer(&last.arguments) {
                    Some(Type::Reference(borrowed)) if borrowed.mutability.is_some() => {
                        Ok(ReceiverPassing::PinReborrow)
                    }
                    Some(Type::Reference(_)) => Ok(ReceiverPassing::Captured),
                    _ => Err(syn::Error::new_spanned(
                        receiver,
                        "`#[retried]` cannot take `self: Pin<..>` with an owning pointer: every \
                         try needs it; take `self: Pin<&mut Self>` (reborrowed for each try) or \
                         `self: Pin<&Self>`",
                    )),
                }
            }
            _ => Err(by_value()),
        },
        _ => Err(by_value()),
    }
}

/// `P` in `Pin<P>`.
fn pinned_pointer(arguments: &syn::PathArguments) -> Option<&Type> {
    let syn::PathArguments::AngleBracketed(arguments) = arguments else {
        return None;
    };
    arguments.args.iter().find_map(|argument| match argument {
        syn::GenericArgument::Type(ty) => Some(ungrouped(ty)),
        _ => None,
    })
}

fn argument(index: usize, typed: &syn::PatType) -> Argument {
    let (name, binding) = match &*typed.pat {
        Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => (
            ident.ident.clone(),
            Binding::Name {
                mutable: ident.mutability.is_some(),
            },
        ),
        other => (
            format_ident!(
                "__gort_arg{}",
                index,
                span = Span::mixed_site().located_at(other.span())
            ),
            Binding::Pattern(Box::new(other.clone())),
        ),
    };
    Argument {
        name,
        binding,
        passing: passing(&typed.ty),
        span: typed.span(),
    }
}

fn passing(ty: &Type) -> Passing {
    match ty {
        Type::Reference(reference) if reference.mutability.is_some() => Passing::Reborrow,
        Type::Reference(_) => Passing::AsIs,
        Type::Paren(inner) => passing(&inner.elem),
        Type::Group(inner) => passing(&inner.elem),
        Type::Path(path) if path.qself.is_none() && is_primitive_copy(&path.path) => Passing::AsIs,
        _ => Passing::CloneEachTry,
    }
}

fn is_primitive_copy(path: &syn::Path) -> bool {
    const PRIMITIVES: [&str; 16] = [
        "bool", "char", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
        "i128", "isize", "f32", "f64",
    ];
    path.get_ident()
        .is_some_and(|ident| PRIMITIVES.iter().any(|primitive| ident == primitive))
}
