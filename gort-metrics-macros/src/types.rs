//! What the macros read off a function's signature and shape: whether it returns a `Result`,
//! what a future it returns yields, whether its body is `Box::pin(..)`, and a return type
//! written so that a closure or a `let` may name it.

use syn::punctuated::Punctuated;
use syn::{Expr, GenericArgument, PathArguments, ReturnType, Token, Type, TypeParamBound};

/// Whether `ty` is spelled as a `Result`: its last path segment ends in `Result` (`Result<T, E>`,
/// `io::Result<T>`, `anyhow::Result<T>`, `FetchResult<T>`).
pub(crate) fn named_result(ty: &Type) -> bool {
    match ungrouped(ty) {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident.to_string().ends_with("Result")),
        _ => false,
    }
}

/// The `Output` of the future a function returns: `impl Future<Output = T>` or
/// `Pin<Box<dyn Future<Output = T> + ..>>` (what `#[async_trait]` writes). `None` if the type
/// does not say.
pub(crate) fn future_output(output: &ReturnType) -> Option<&Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    match ungrouped(ty) {
        Type::ImplTrait(impl_trait) => bounds_output(&impl_trait.bounds),
        _ => boxed_future_output(ty),
    }
}

/// `T` in `Pin<Box<dyn Future<Output = T> + ..>>`, whatever paths name `Pin`, `Box` and
/// `Future`.
pub(crate) fn boxed_future_output(ty: &Type) -> Option<&Type> {
    let pinned = only_type_argument(ungrouped(ty), "Pin")?;
    let boxed = only_type_argument(ungrouped(pinned), "Box")?;
    let Type::TraitObject(object) = ungrouped(boxed) else {
        return None;
    };
    bounds_output(&object.bounds)
}

/// `T` in a `Future<Output = T>` among `bounds`.
fn bounds_output(bounds: &Punctuated<TypeParamBound, Token![+]>) -> Option<&Type> {
    bounds.iter().find_map(|bound| {
        let TypeParamBound::Trait(bound) = bound else {
            return None;
        };
        let future = bound.path.segments.last()?;
        if future.ident != "Future" {
            return None;
        }
        let PathArguments::AngleBracketed(arguments) = &future.arguments else {
            return None;
        };
        arguments.args.iter().find_map(|argument| match argument {
            GenericArgument::AssocType(output) if output.ident == "Output" => Some(&output.ty),
            _ => None,
        })
    })
}

/// `T` in `Name<T>` (any path ending in `Name`).
fn only_type_argument<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if path.qself.is_some() || last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    let mut types = arguments.args.iter().filter_map(|argument| match argument {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    });
    match (types.next(), types.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// `Box::pin`, `std::boxed::Box::pin`, `::alloc::boxed::Box::pin`, ...
pub(crate) fn is_box_pin(function: &Expr) -> bool {
    let Expr::Path(path) = function else {
        return false;
    };
    let mut segments = path.path.segments.iter().rev();
    matches!(
        (segments.next(), segments.next()),
        (Some(pin), Some(boxed)) if pin.ident == "pin" && boxed.ident == "Box"
    )
}

/// Whether the whole type is left to inference (`_`): nothing can be read off it.
pub(crate) fn is_inferred(ty: &Type) -> bool {
    matches!(ungrouped(ty), Type::Infer(_))
}

/// Whether the type is `()`.
pub(crate) fn is_unit(ty: &Type) -> bool {
    matches!(ungrouped(ty), Type::Tuple(tuple) if tuple.elems.is_empty())
}

/// Whether the type is `!`.
pub(crate) fn is_never(ty: &Type) -> bool {
    matches!(ungrouped(ty), Type::Never(_))
}

/// A type as written, out of parentheses and the invisible groups `macro_rules!` adds.
pub(crate) fn ungrouped(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => ungrouped(&group.elem),
        Type::Paren(paren) => ungrouped(&paren.elem),
        other => other,
    }
}

/// Leaves every `impl Trait` in a return type to inference (`_`), for the closure's annotation,
/// where `impl Trait` is not allowed: the wrapper's signature still names it, and the closure's
/// result is what the wrapper returns.
pub(crate) fn infer_impl_trait(ty: &mut Type) {
    match ty {
        Type::ImplTrait(impl_trait) => {
            let underscore_token = syn::Token![_](impl_trait.impl_token.span);
            *ty = Type::Infer(syn::TypeInfer {
                attrs: Vec::new(),
                underscore_token,
            });
        }
        Type::Path(path) => {
            for segment in &mut path.path.segments {
                if let syn::PathArguments::AngleBracketed(arguments) = &mut segment.arguments {
                    for argument in &mut arguments.args {
                        match argument {
                            syn::GenericArgument::Type(ty) => infer_impl_trait(ty),
                            syn::GenericArgument::AssocType(assoc) => {
                                infer_impl_trait(&mut assoc.ty);
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        Type::Tuple(tuple) => tuple.elems.iter_mut().for_each(infer_impl_trait),
        Type::Reference(reference) => infer_impl_trait(&mut reference.elem),
        Type::Paren(paren) => infer_impl_trait(&mut paren.elem),
        Type::Group(group) => infer_impl_trait(&mut group.elem),
        _ => {}
    }
}
