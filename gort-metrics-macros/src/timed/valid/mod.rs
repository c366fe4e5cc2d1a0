//! Semantic checks: which keys go together, where `#[timed]` may sit, and what each function
//! is labelled. The result, a [`Plan`], is what expansion needs and cannot be wrong.

mod impl_block;
mod label;
mod settings;

use super::ast::{Errors, Failure, Place, Plan};
use super::attr::Args;
use proc_macro2::Span;
use settings::{const_fn_error, own_timing, settings};
use syn::spanned::Spanned;
use syn::{Error, Item, TraitItemFn};

pub(crate) use settings::try_timing;

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
        Item::Impl(implementation) => impl_block::plan(args, implementation).map(Some),
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
