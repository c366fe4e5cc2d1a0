//! Checking the arguments of one attribute: duplicates, conflicts, empty labels, and `skip`
//! only where it means something.

use crate::timed::ast::{Errors, Kind, Label, Place, Settings, Timing};
use crate::timed::attr::{Arg, Args, kw, literal_example};
use syn::ext::IdentExt;
use syn::{Error, Ident, LitStr, Path};

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
            Label::Literal(LitStr::new(&name.to_string(), name.span())),
        )
    });
    let krate = settings.krate.or_else(|| inherited_crate.cloned());
    Timing {
        kind,
        label,
        krate,
        result: settings.result,
    }
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
                let blank =
                    matches!(label, Label::Literal(label) if label.value().trim().is_empty());
                if blank {
                    errors.push(Error::new(
                        label.span(),
                        format!(
                            "the `{key}` label is empty or blank: name it, as in {}",
                            literal_example(key)
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
            Arg::Result(_) => settings.result = true,
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

/// The timing of each try of a `#[retried]` function that carries this `#[timed]` below its
/// `#[retried]`: the attribute's arguments checked as on a fn.
pub(crate) fn try_timing(args: Args, name: &Ident) -> Result<Timing, Error> {
    let mut errors = Errors::default();
    let settings = settings(args, Place::Fn, &mut errors);
    match errors.into_error() {
        Some(error) => Err(error),
        None => Ok(own_timing(settings, name, None)),
    }
}
