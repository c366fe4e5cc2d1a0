//! The label an impl block's methods are timed under by default: the name of the type the
//! block is for, in snake_case.
//!
//! The type users mean is the one behind references and the smart pointers a trait is often
//! implemented for: `impl Handler for Box<DingTalk>`, `Arc<DingTalk>`, `Rc<DingTalk>`,
//! `Pin<Box<DingTalk>>`, `&DingTalk` and `&mut DingTalk` are all labelled `ding_talk`. Any
//! other generic type is named for itself (`Vec<Job>` is `vec`).

use syn::ext::IdentExt;
use syn::{Error, Generics, Ident, LitStr, Type};

/// The default label of an impl block: its self type's name in snake_case. The error is kept
/// in an `Option` so that it can be reported once.
pub(super) fn self_type_label(
    self_type: &Type,
    generics: &Generics,
) -> Result<LitStr, Option<Error>> {
    match type_name(self_type, generics) {
        Some(name) => Ok(LitStr::new(
            &snake_case(&name.unraw().to_string()),
            name.span(),
        )),
        None => Err(Some(Error::new_spanned(
            self_type,
            "`#[timed]` names an impl block's timer after its self type, and this one has no \
             name: give one with `#[timed(middleware = \"name\")]`",
        ))),
    }
}

fn type_name<'a>(ty: &'a Type, generics: &Generics) -> Option<&'a Ident> {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            let segment = path.path.segments.last()?;
            if let Some(pointee) = smart_pointer_target(segment) {
                return type_name(pointee, generics);
            }
            let last = &segment.ident;
            let is_parameter = path.path.segments.len() == 1
                && path.path.leading_colon.is_none()
                && generics.type_params().any(|param| param.ident == *last);
            (!is_parameter && last != "Self").then_some(last)
        }
        Type::Reference(reference) => type_name(&reference.elem, generics),
        Type::Paren(paren) => type_name(&paren.elem, generics),
        Type::Group(group) => type_name(&group.elem, generics),
        _ => None,
    }
}

/// `T` in `Box<T>`, `Arc<T>`, `Rc<T>` or `Pin<T>`, whatever path leads to them.
fn smart_pointer_target(segment: &syn::PathSegment) -> Option<&Type> {
    const POINTERS: [&str; 4] = ["Box", "Arc", "Rc", "Pin"];
    if !POINTERS.iter().any(|pointer| segment.ident == pointer) {
        return None;
    }
    let syn::PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return None;
    };
    match arguments.args.first() {
        Some(syn::GenericArgument::Type(target)) if arguments.args.len() == 1 => Some(target),
        _ => None,
    }
}

/// `AuthMiddleware` -> `auth_middleware`, `HTTPServer` -> `http_server`.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut snake = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let previous = i.checked_sub(1).map(|j| chars[j]);
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let starts_word = previous.is_some_and(|p| {
                p.is_lowercase() || p.is_numeric() || (p.is_uppercase() && next_is_lower)
            });
            if starts_word {
                snake.push('_');
            }
            snake.extend(c.to_lowercase());
        } else {
            snake.push(c);
        }
    }
    snake
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_become_snake_case_labels() {
        assert_eq!(snake_case("AuthMiddleware"), "auth_middleware");
        assert_eq!(snake_case("HTTPServer"), "http_server");
        assert_eq!(snake_case("Auth"), "auth");
        assert_eq!(snake_case("RateLimit2Layer"), "rate_limit2_layer");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }

    fn label_of(item: syn::ItemImpl) -> Result<String, ()> {
        self_type_label(&item.self_ty, &item.generics)
            .map(|label| label.value())
            .map_err(drop)
    }

    #[test]
    fn impl_blocks_are_named_after_the_last_segment_of_their_self_type() {
        assert_eq!(
            label_of(syn::parse_quote!(impl AuthMiddleware {})),
            Ok("auth_middleware".into())
        );
        assert_eq!(
            label_of(syn::parse_quote!(
                impl<T> a::Layer<T> {}
            )),
            Ok("layer".into())
        );
        assert_eq!(
            label_of(syn::parse_quote!(impl Tr for &'static Auth {})),
            Ok("auth".into())
        );
    }

    #[test]
    fn references_and_smart_pointers_are_named_after_what_they_point_to() {
        let impls: [syn::ItemImpl; 7] = [
            syn::parse_quote!(impl Handler for Box<DingTalk> {}),
            syn::parse_quote!(impl Handler for std::sync::Arc<DingTalk> {}),
            syn::parse_quote!(impl Handler for Rc<DingTalk> {}),
            syn::parse_quote!(impl Handler for Pin<Box<DingTalk>> {}),
            syn::parse_quote!(impl Handler for &DingTalk {}),
            syn::parse_quote!(impl Handler for &mut DingTalk {}),
            syn::parse_quote!(
                impl<'a> Handler for Box<&'a mut DingTalk> {}
            ),
        ];
        for item in impls {
            assert_eq!(label_of(item), Ok("ding_talk".into()));
        }
        assert_eq!(
            label_of(syn::parse_quote!(impl Handler for Vec<DingTalk> {})),
            Ok("vec".into())
        );
        assert!(
            label_of(syn::parse_quote!(
                impl<T> Handler for Box<T> {}
            ))
            .is_err()
        );
    }

    #[test]
    fn self_types_without_a_name_have_no_label() {
        assert!(
            label_of(syn::parse_quote!(
                impl<T> Tr for T {}
            ))
            .is_err()
        );
        assert!(
            label_of(syn::parse_quote!(
                impl<T> Tr for &T {}
            ))
            .is_err()
        );
        assert!(label_of(syn::parse_quote!(impl Tr for (u8, u8) {})).is_err());
        assert!(label_of(syn::parse_quote!(impl Tr for [u8] {})).is_err());
    }
}
