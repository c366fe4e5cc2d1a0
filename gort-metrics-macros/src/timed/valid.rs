//! Semantic checks: which keys go together, where `#[timed]` may sit, and what each function
//! is labelled. The result, a [`Plan`], is what expansion needs and cannot be wrong.

use super::attr::{ACCEPTED, Arg, Args, kw, label_example};
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Attribute, Error, Generics, Ident, ImplItem, Item, ItemFn, ItemImpl, LitStr, Meta};
use syn::{Path, TraitItemFn, Type};

/// The collector method a timed call is recorded with.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// `record_middleware_duration`
    Middleware,
    /// `record_message_duration`
    Channel,
}

/// How one function is timed.
pub(crate) struct Timing {
    pub(crate) kind: Kind,
    pub(crate) label: LitStr,
    /// `crate = path`, if the runtime crate is not `::gort_metrics`.
    pub(crate) krate: Option<Path>,
}

/// A checked item and how to time it.
pub(crate) enum Plan {
    Fn(ItemFn, Timing),
    /// `timings[i]` is for `item.items[i]`; `None` leaves that item alone.
    Impl(ItemImpl, Vec<Option<Timing>>),
}

/// Why the item cannot be timed, and what to emit instead: the item as it was (without the
/// method attributes the impl-level `#[timed]` owns), so no knock-on errors follow.
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) fallback: TokenStream,
}

/// Where an attribute sits, which decides whether `skip` is allowed.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Fn,
    Impl,
    Method,
}

/// The arguments of one attribute, checked.
#[derive(Default)]
struct Settings {
    label: Option<(Kind, LitStr)>,
    skip: bool,
    krate: Option<Path>,
}

/// Errors gathered so that the user sees all of them in one compile.
#[derive(Default)]
struct Errors(Option<Error>);

impl Errors {
    fn push(&mut self, error: Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn finish(self, fallback: impl ToTokens) -> Result<(), Failure> {
        match self.0 {
            Some(error) => Err(Failure {
                error,
                fallback: fallback.into_token_stream(),
            }),
            None => Ok(()),
        }
    }
}

/// Checks the attribute's arguments against the item it sits on.
///
/// `Ok(None)` means the item is not one `#[timed]` understands and not one it rejects either:
/// leave it to rustc, which reports the real problem.
pub(crate) fn plan(args: Args, item: Item) -> Result<Option<Plan>, Failure> {
    let mut errors = Errors::default();
    match item {
        Item::Fn(function) => {
            let settings = settings(args, Place::Fn, &mut errors);
            if let Some(constness) = &function.sig.constness {
                errors.push(const_fn_error(constness));
            }
            errors.finish(&function)?;
            let timing = own_timing(settings, &function.sig.ident, None);
            Ok(Some(Plan::Fn(function, timing)))
        }
        Item::Impl(implementation) => plan_impl(args, implementation).map(Some),
        Item::Verbatim(tokens) => match syn::parse2::<TraitItemFn>(tokens.clone()) {
            Ok(TraitItemFn {
                default: None,
                semi_token: Some(semi),
                ..
            }) => {
                errors.push(Error::new(
                    semi.span,
                    "`#[timed]` times a function body, and this fn has none: put the \
                     attribute on the fns that implement it",
                ));
                errors.finish(tokens).map(|()| None)
            }
            _ => Ok(None),
        },
        other => match unsupported(&other) {
            Some(error) => {
                errors.push(error);
                errors.finish(other).map(|()| None)
            }
            None => Ok(None),
        },
    }
}

fn plan_impl(args: Args, mut implementation: ItemImpl) -> Result<Plan, Failure> {
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

/// The timing of a fn from its own attribute: its label, else the fn's name as a middleware.
fn own_timing(settings: Settings, name: &Ident, inherited_crate: Option<&Path>) -> Timing {
    let (kind, label) = settings.label.unwrap_or_else(|| {
        let name = name.unraw();
        (
            Kind::Middleware,
            LitStr::new(&name.to_string(), name.span()),
        )
    });
    let krate = settings.krate.or_else(|| inherited_crate.cloned());
    Timing { kind, label, krate }
}

fn settings(args: Args, place: Place, errors: &mut Errors) -> Settings {
    let mut settings = Settings::default();
    for error in args.errors {
        errors.push(error);
    }
    let mut seen: Vec<&'static str> = Vec::new();
    let mut skip_span = None;
    for arg in &args.args {
        let (key, span) = arg.key();
        if seen.contains(&key) {
            errors.push(Error::new(
                span,
                format!("duplicate key `{key}`: give it once"),
            ));
            continue;
        }
        seen.push(key);
        match arg {
            Arg::Middleware { label, .. } | Arg::Channel { label, .. } => {
                let kind = match arg {
                    Arg::Channel { .. } => Kind::Channel,
                    _ => Kind::Middleware,
                };
                if label.value().trim().is_empty() {
                    errors.push(Error::new(
                        label.span(),
                        format!(
                            "the `{key}` label is empty or blank: name it, as in {}",
                            label_example(key)
                        ),
                    ));
                }
                if settings.label.is_some() {
                    errors.push(Error::new(
                        span,
                        "`middleware` and `channel` cannot be combined: a call is timed either \
                         as a middleware run or as the processing of a message, choose one",
                    ));
                }
                settings.label = Some((kind, label.clone()));
            }
            Arg::Skip(kw::skip { span }) => {
                settings.skip = true;
                skip_span = Some(*span);
                if place != Place::Method {
                    errors.push(Error::new(*span, skip_misplaced(place)));
                }
            }
            Arg::Crate { path, .. } => settings.krate = Some(path.clone()),
        }
    }
    if let Some(span) = skip_span.filter(|_| place == Place::Method && settings.label.is_some()) {
        errors.push(Error::new(
            span,
            "`skip` cannot be combined with a label: `skip` leaves the method untimed",
        ));
    }
    settings
}

fn skip_misplaced(place: Place) -> &'static str {
    match place {
        Place::Impl => {
            "`skip` goes on a method inside a `#[timed]` impl block, not on the impl itself: \
             to time nothing, remove the attribute"
        }
        _ => {
            "`skip` only opts a method out of a `#[timed]` impl block; this fn is not in one, \
             so remove `#[timed(skip)]` to leave it untimed"
        }
    }
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
pub(crate) fn snake_case(name: &str) -> String {
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

fn const_fn_error(constness: &syn::token::Const) -> Error {
    Error::new(
        constness.span,
        "`#[timed]` cannot time a `const fn`: const evaluation has no clock; remove `const` \
         or the attribute",
    )
}

/// The error for an item `#[timed]` rejects, at its keyword.
fn unsupported(item: &Item) -> Option<Error> {
    let (span, what): (Span, &str) = match item {
        Item::Struct(item) => (item.struct_token.span, "a struct"),
        Item::Enum(item) => (item.enum_token.span, "an enum"),
        Item::Union(item) => (item.union_token.span, "a union"),
        Item::Trait(item) => (
            item.trait_token.span,
            "a trait (put it on the trait's impl blocks, or on methods with a default body)",
        ),
        Item::TraitAlias(item) => (item.trait_token.span, "a trait alias"),
        Item::Const(item) => (item.const_token.span, "a const"),
        Item::Static(item) => (item.static_token.span, "a static"),
        Item::Mod(item) => (item.mod_token.span, "a module"),
        Item::Type(item) => (item.type_token.span, "a type alias"),
        Item::Use(item) => (item.use_token.span, "a `use`"),
        Item::ExternCrate(item) => (item.extern_token.span, "an `extern crate`"),
        Item::ForeignMod(item) => (item.abi.extern_token.span, "an `extern` block"),
        Item::Macro(item) => (item.mac.path.span(), "a macro"),
        _ => return None,
    };
    Some(Error::new(
        span,
        format!("`#[timed]` goes on a fn, a method, an `async fn` or an impl block, not on {what}"),
    ))
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
