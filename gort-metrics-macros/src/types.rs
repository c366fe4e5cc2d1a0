//! What the macros read off a function's types: whether it returns a `Result`, what a future
//! it returns yields, and a return type written so that a closure or a `let` may name it.

use syn::{GenericArgument, PathArguments, ReturnType, Type, TypeParamBound};

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
pub(crate) fn future_output(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    output_of(ty)
}

fn output_of(ty: &Type) -> Option<Type> {
    let bounds = match ungrouped(ty) {
        Type::ImplTrait(impl_trait) => &impl_trait.bounds,
        Type::TraitObject(object) => &object.bounds,
        Type::Path(path) => {
            // `Pin<Box<..>>`: look inside the one type argument of each.
            let segment = path.path.segments.last()?;
            let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
                return None;
            };
            if segment.ident != "Pin" && segment.ident != "Box" {
                return None;
            }
            return arguments.args.iter().find_map(|argument| match argument {
                GenericArgument::Type(inner) => output_of(inner),
                _ => None,
            });
        }
        _ => return None,
    };
    bounds.iter().find_map(|bound| {
        let TypeParamBound::Trait(bound) = bound else {
            return None;
        };
        let segment = bound.path.segments.last()?;
        if segment.ident != "Future" {
            return None;
        }
        let PathArguments::AngleBracketed(arguments) = &segment.arguments else {
            return None;
        };
        arguments.args.iter().find_map(|argument| match argument {
            GenericArgument::AssocType(assoc) if assoc.ident == "Output" => Some(assoc.ty.clone()),
            _ => None,
        })
    })
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

fn ungrouped(ty: &Type) -> &Type {
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
