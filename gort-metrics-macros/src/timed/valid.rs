//! Semantic checks: which keys go together, where `#[timed]` may sit, and what each function
//! is labelled. The result, a [`Plan`], is what expansion needs and cannot be wrong.

use super::attr::{Arg, Args, kw, label_example};
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Error, Ident, Item, ItemFn, ItemImpl, LitStr, Path, TraitItemFn};

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
pub(super) enum Place {
    Fn,
    Impl,
    Method,
}

/// The arguments of one attribute, checked.
#[derive(Default)]
pub(super) struct Settings {
    pub(super) label: Option<(Kind, LitStr)>,
    pub(super) skip: bool,
    pub(super) krate: Option<Path>,
}

/// Errors gathered so that the user sees all of them in one compile.
#[derive(Default)]
pub(super) struct Errors(Option<Error>);

impl Errors {
    pub(super) fn push(&mut self, error: Error) {
        match &mut self.0 {
            Some(first) => first.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(super) fn finish(self, fallback: impl ToTokens) -> Result<(), Failure> {
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
        Item::Impl(implementation) => super::impl_block::plan(args, implementation).map(Some),
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
            _ => {
                let _ = settings(args, Place::Fn, &mut errors);
                errors.finish(tokens).map(|()| None)
            }
        },
        other => {
            if let Some(error) = unsupported(&other) {
                errors.push(error);
            }
            let _ = settings(args, Place::Fn, &mut errors);
            errors.finish(other).map(|()| None)
        }
    }
}

/// The timing of a fn from its own attribute: its label, else the fn's name as a middleware.
pub(super) fn own_timing(
    settings: Settings,
    name: &Ident,
    inherited_crate: Option<&Path>,
) -> Timing {
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

pub(super) fn settings(args: Args, place: Place, errors: &mut Errors) -> Settings {
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

pub(super) fn const_fn_error(constness: &syn::token::Const) -> Error {
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
