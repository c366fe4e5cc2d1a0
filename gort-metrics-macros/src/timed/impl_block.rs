//! Checking `#[timed]` on an impl block: the label its methods share (the self type's name by
//! default), and the `#[timed(..)]` of each method, which the block's attribute reads and removes.

use super::attr::{ACCEPTED, Args};
use super::valid::{
    Errors, Failure, Kind, Place, Plan, Timing, const_fn_error, own_timing, settings,
};
use syn::ext::IdentExt;
use syn::{Attribute, Error, Generics, Ident, ImplItem, ItemImpl, LitStr, Meta, Path, Type};

/// Checks the block's arguments and every method's own attribute; each method with a body is
/// timed under the block's label unless its attribute says otherwise.
pub(super) fn plan(args: Args, mut implementation: ItemImpl) -> Result<Plan, Failure> {
    let mut errors = Errors::default();
    let shared = settings(args, Place::Impl, &mut errors);
    let mut type_label = None;
    let mut timings = Vec::with_capacity(implementation.items.len());
    for item in &mut implementation.items {
        let ImplItem::Fn(method) = item else {
            timings.push(None);
            continue;
        };
        let own = take_timed_attributes(&mut method.attrs, shared.krate.as_ref());
        if let Some(extra) = own.get(1) {
            errors.push(Error::new_spanned(
                extra,
                "a method takes one `#[timed(..)]`: merge them into one",
            ));
        }
        let timing = match own.first() {
            Some(attribute) => {
                let own = settings(
                    attribute_args(attribute, &mut errors),
                    Place::Method,
                    &mut errors,
                );
                if own.skip {
                    None
                } else {
                    if let Some(constness) = &method.sig.constness {
                        errors.push(const_fn_error(constness));
                    }
                    Some(own_timing(own, &method.sig.ident, shared.krate.as_ref()))
                }
            }
            // A `const fn` cannot read the clock, so the impl-wide attribute leaves it alone.
            None if method.sig.constness.is_some() => None,
            None => {
                let (kind, label) = match &shared.label {
                    Some(label) => label.clone(),
                    None => {
                        let label = type_label.get_or_insert_with(|| {
                            self_type_label(&implementation.self_ty, &implementation.generics)
                        });
                        match label {
                            Ok(label) => (Kind::Middleware, label.clone()),
                            Err(error) => {
                                // Reported once, however many methods needed the name.
                                if let Some(error) = error.take() {
                                    errors.push(error);
                                }
                                timings.push(None);
                                continue;
                            }
                        }
                    }
                };
                let krate = shared.krate.clone();
                Some(Timing { kind, label, krate })
            }
        };
        timings.push(timing);
    }
    errors.finish(&implementation)?;
    Ok(Plan::Impl(implementation, timings))
}

/// Removes and returns the `#[timed]` attributes of a method, which the impl-level attribute
/// reads itself.
fn take_timed_attributes(attributes: &mut Vec<Attribute>, krate: Option<&Path>) -> Vec<Attribute> {
    let (timed, others) = core::mem::take(attributes)
        .into_iter()
        .partition(|attribute| is_timed(attribute.path(), krate));
    *attributes = others;
    timed
}

/// `timed`, `gort_metrics::timed`, `::gort_metrics::timed`, or `<crate>::timed`.
fn is_timed(path: &Path, krate: Option<&Path>) -> bool {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let named = match names.as_slice() {
        [only] => only == "timed" && path.leading_colon.is_none(),
        [runtime, last] => runtime == "gort_metrics" && last == "timed",
        _ => false,
    };
    named
        || krate.is_some_and(|krate| {
            let prefix: Vec<String> = krate.segments.iter().map(|s| s.ident.to_string()).collect();
            names.len() == prefix.len() + 1
                && names.starts_with(&prefix)
                && names.ends_with(&["timed".to_owned()])
        })
}

fn attribute_args(attribute: &Attribute, errors: &mut Errors) -> Args {
    match &attribute.meta {
        Meta::Path(_) => Args::default(),
        Meta::List(list) => list.parse_args().unwrap_or_else(|error| Args {
            args: Vec::new(),
            errors: vec![error],
        }),
        Meta::NameValue(name_value) => {
            errors.push(Error::new_spanned(
                &name_value.value,
                format!("write `#[timed]` or `#[timed(..)]`: {ACCEPTED}"),
            ));
            Args::default()
        }
    }
}

/// The default label of an impl block: its self type's name in snake_case. The error is kept
/// in an `Option` so that it can be reported once.
fn self_type_label(self_type: &Type, generics: &Generics) -> Result<LitStr, Option<Error>> {
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
            let last = &path.path.segments.last()?.ident;
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

    fn label_of(item: ItemImpl) -> Result<String, ()> {
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

    #[test]
    fn method_attributes_are_recognised_by_path() {
        let krate: Path = syn::parse_quote!(renamed);
        let timed = |path: Path| is_timed(&path, Some(&krate));
        assert!(timed(syn::parse_quote!(timed)));
        assert!(timed(syn::parse_quote!(gort_metrics::timed)));
        assert!(timed(syn::parse_quote!(::gort_metrics::timed)));
        assert!(timed(syn::parse_quote!(renamed::timed)));
        assert!(!timed(syn::parse_quote!(other::timed)));
        assert!(!timed(syn::parse_quote!(::timed)));
        assert!(!timed(syn::parse_quote!(inline)));
    }
}
