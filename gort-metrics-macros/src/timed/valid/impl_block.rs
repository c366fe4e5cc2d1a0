//! Checking `#[timed]` on an impl block: the label its methods share (the self type's name by
//! default), and the `#[timed(..)]` of each method, which the block's attribute reads and removes.
//!
//! A method that is also `#[retried]` is not timed here: its body is about to become the
//! retry loop's try, and the block's attribute cannot see that expansion. Instead its timing is
//! written back onto the method as one resolved `#[timed(..)]`, standing where its own stood,
//! or above everything for the block's timing (the block's attribute is the outermost), so that
//! the stacked pair decides, top-down, whether the whole call or each try is timed.

use super::label::self_type_label;
use super::settings::{const_fn_error, own_timing, settings};
use crate::paths::{names_macro, position};
use crate::timed::ast::{Errors, Failure, Kind, Label, Place, Plan, Timing};
use crate::timed::attr::attribute_args;
use proc_macro2::Span;
use quote::quote;
use syn::{Attribute, Error, ImplItem, ItemImpl, Path};

/// Checks the block's arguments and every method's own attribute; each method with a body is
/// timed under the block's label unless its attribute says otherwise.
pub(super) fn plan(
    args: crate::timed::attr::Args,
    mut implementation: ItemImpl,
) -> Result<Plan, Failure> {
    let mut errors = Errors::default();
    let shared = settings(args, Place::Impl, &mut errors);
    let mut type_label = None;
    let mut timings = Vec::with_capacity(implementation.items.len());
    for item in &mut implementation.items {
        let ImplItem::Fn(method) = item else {
            timings.push(None);
            continue;
        };
        let krate = shared.krate.as_ref();
        let own_position = position(&method.attrs, "timed", krate);
        let own = take_timed_attributes(&mut method.attrs, krate);
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
                    Some(own_timing(own, &method.sig.ident, krate))
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
                            Ok(label) => (Kind::Middleware, Label::Literal(label.clone())),
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
                Some(Timing {
                    kind,
                    label,
                    krate,
                    result: shared.result,
                })
            }
        };
        match timing {
            Some(timing) if position(&method.attrs, "retried", krate).is_some() => {
                match resolved_attribute(&timing) {
                    Ok(attribute) => method
                        .attrs
                        .insert(own_position.unwrap_or(0).min(method.attrs.len()), attribute),
                    Err(error) => errors.push(error),
                }
                timings.push(None);
            }
            timing => timings.push(timing),
        }
    }
    errors.finish(&implementation)?;
    Ok(Plan::Impl(implementation, timings))
}

/// Removes and returns the `#[timed]` attributes of a method, which the impl-level attribute
/// reads itself.
fn take_timed_attributes(attributes: &mut Vec<Attribute>, krate: Option<&Path>) -> Vec<Attribute> {
    let (timed, others) = core::mem::take(attributes)
        .into_iter()
        .partition(|attribute| names_macro(attribute.path(), "timed", krate));
    *attributes = others;
    timed
}

/// `#[::gort_metrics::timed(middleware = "label")]`, or through the `crate` path: the method's
/// timing, with nothing left to infer, for the method's own expansion to apply.
fn resolved_attribute(timing: &Timing) -> syn::Result<Attribute> {
    let key = proc_macro2::Ident::new(timing.kind.key(), Span::call_site());
    let label = &timing.label;
    let result = timing.result.then(|| quote!(, result));
    let tokens = match &timing.krate {
        Some(krate) => quote!(#[#krate::timed(#key = #label, crate = #krate #result)]),
        None => quote!(#[::gort_metrics::timed(#key = #label #result)]),
    };
    let mut attributes = syn::parse::Parser::parse2(Attribute::parse_outer, tokens)?;
    attributes
        .pop()
        .ok_or_else(|| Error::new(label.span(), "the method's timing could not be written"))
}
