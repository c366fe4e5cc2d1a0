//! Semantic checks: argument values, and whether the function can be retried. Every mistake
//! becomes a `syn::Error` on the offending token; all are collected, none stops the others.

use super::ast::{Argument, BackoffKind, Binding, Config, Key, Passing, RawArg, Shape};
use super::duration::{display, parse_duration};
use proc_macro2::Span;
use quote::format_ident;
use std::time::Duration;
use syn::spanned::Spanned;
use syn::{Expr, FnArg, Lit, Pat, Type};

/// Checks the arguments; `None` if any is wrong (the errors say which).
pub(crate) fn config(args: Vec<RawArg>, errors: &mut Vec<syn::Error>) -> Option<Config> {
    // The defaults of `RetryPolicy::new`, for the checks below; the generated code does not
    // repeat them (see `Config::given`).
    let mut config = Config {
        given: Vec::new(),
        op: None,
        attempts: 3,
        delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(10),
        max_elapsed: None,
        backoff: BackoffKind::Exponential,
        jitter: true,
        when: None,
        sleeper: None,
        krate: None,
    };
    let errors_before = errors.len();
    let mut seen: Vec<Key> = Vec::new();
    let mut delay_value: Option<Span> = None;
    for RawArg {
        key,
        key_span,
        value,
    } in args
    {
        if seen.contains(&key) {
            errors.push(syn::Error::new(
                key_span,
                format!("duplicate `{}`: each key may be given once", key.name()),
            ));
            continue;
        }
        seen.push(key);
        let checked = match key {
            Key::Op => label(&value).map(|op| config.op = Some(op)),
            Key::Attempts => attempts(&value).map(|n| config.attempts = n),
            Key::Delay => {
                delay_value = Some(value.span());
                duration(key, &value).map(|d| config.delay = d)
            }
            Key::MaxDelay => duration(key, &value).map(|d| config.max_delay = d),
            Key::MaxElapsed => duration(key, &value).map(|d| config.max_elapsed = Some(d)),
            Key::Backoff => backoff(&value).map(|b| config.backoff = b),
            Key::Jitter => boolean(key, &value).map(|j| config.jitter = j),
            Key::When => path(
                &value,
                "when = is_transient",
                "a path to a `fn(&E) -> bool`",
            )
            .map(|p| config.when = Some(p)),
            Key::Sleeper => path(
                &value,
                "sleeper = my_runtime::Sleeper",
                "a path to a value implementing `gort_metrics::Sleeper`",
            )
            .map(|p| config.sleeper = Some((p, key_span))),
            Key::Crate => path(
                &value,
                "crate = my_metrics",
                "a path to the `gort_metrics` crate",
            )
            .map(|p| config.krate = Some(p)),
        };
        if let Err(error) = checked {
            errors.push(error);
        }
    }
    if config.delay > config.max_delay && errors.len() == errors_before {
        errors.push(syn::Error::new(
            delay_value.unwrap_or_else(Span::call_site),
            format!(
                "`delay` ({}) is longer than `max_delay` ({}): the first wait must not exceed the cap",
                display(config.delay),
                display(config.max_delay),
            ),
        ));
    }
    config.given = seen;
    (errors.len() == errors_before).then_some(config)
}

fn label(value: &Expr) -> syn::Result<syn::LitStr> {
    match literal(value) {
        Some(Lit::Str(op)) if op.value().trim().is_empty() => Err(syn::Error::new_spanned(
            op,
            "`op` must not be empty: name the operation, like `op = \"api-call\"`",
        )),
        Some(Lit::Str(op)) => Ok(op.clone()),
        _ => Err(syn::Error::new_spanned(
            value,
            "expected a string: the operation's name, like `op = \"api-call\"`",
        )),
    }
}

fn attempts(value: &Expr) -> syn::Result<u32> {
    let expected = "expected a whole number of tries (the first included), like `attempts = 5`";
    let Some(Lit::Int(number)) = literal(value) else {
        return Err(syn::Error::new_spanned(value, expected));
    };
    match number.base10_parse::<u32>() {
        Ok(0) => Err(syn::Error::new_spanned(
            number,
            "`attempts` must be at least 1: it counts every try, the first included",
        )),
        Ok(n) => Ok(n),
        Err(_) => Err(syn::Error::new_spanned(
            number,
            format!("{expected}, at most {}", u32::MAX),
        )),
    }
}

fn duration(key: Key, value: &Expr) -> syn::Result<Duration> {
    match literal(value) {
        Some(Lit::Str(text)) => {
            parse_duration(&text.value()).map_err(|message| syn::Error::new_spanned(text, message))
        }
        _ => Err(syn::Error::new_spanned(
            value,
            format!(
                "expected a duration string with a unit, like `{} = \"100ms\"` (units: ns, us, ms, s, m, h)",
                key.name()
            ),
        )),
    }
}

fn backoff(value: &Expr) -> syn::Result<BackoffKind> {
    let expected = "expected `backoff = \"exponential\"` or `backoff = \"fixed\"`";
    match literal(value) {
        Some(Lit::Str(text)) => match text.value().as_str() {
            "exponential" => Ok(BackoffKind::Exponential),
            "fixed" => Ok(BackoffKind::Fixed),
            other => Err(syn::Error::new_spanned(
                text,
                format!("unknown backoff {other:?}: {expected}"),
            )),
        },
        _ => Err(syn::Error::new_spanned(value, expected)),
    }
}

fn boolean(key: Key, value: &Expr) -> syn::Result<bool> {
    match literal(value) {
        Some(Lit::Bool(flag)) => Ok(flag.value),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("expected `{0} = true` or `{0} = false`", key.name()),
        )),
    }
}

fn path(value: &Expr, example: &str, what: &str) -> syn::Result<syn::Path> {
    match value {
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => Ok(path.path.clone()),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("expected {what}, like `{example}`"),
        )),
    }
}

fn literal(value: &Expr) -> Option<&Lit> {
    match value {
        Expr::Lit(literal) if literal.attrs.is_empty() => Some(&literal.lit),
        _ => None,
    }
}

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
    let returned = returns_result(&signature.output, &signature.ident, errors);
    if let Some((_, sleeper_span)) = config.and_then(|config| config.sleeper.as_ref()) {
        if signature.asyncness.is_none() {
            errors.push(syn::Error::new(
                *sleeper_span,
                "`sleeper` applies only to an `async fn`: a blocking function sleeps on its thread",
            ));
        }
    }
    let mut arguments = Vec::new();
    for (index, input) in signature.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(receiver) if is_pinned(receiver) => {
                errors.push(syn::Error::new_spanned(
                    receiver,
                    "`#[retried]` cannot take `self: Pin<..>`: the body may consume the pinned \
                     reference, which every try needs; take `&self` or `&mut self`, or retry the \
                     pinned work by hand with `retry` / `retry_async`",
                ));
            }
            FnArg::Receiver(receiver) if !is_borrowed(receiver) => {
                errors.push(syn::Error::new_spanned(
                    receiver,
                    "`#[retried]` cannot take `self` by value: every try needs it; take `&self` or `&mut self`",
                ));
            }
            FnArg::Receiver(_) => {}
            FnArg::Typed(typed) => arguments.push(argument(index, typed)),
        }
    }
    let returned = returned?;
    (errors.len() == errors_before).then_some(Shape {
        returned,
        arguments,
    })
}

/// The returned type, if it is a `Result`.
fn returns_result(
    output: &syn::ReturnType,
    name: &syn::Ident,
    errors: &mut Vec<syn::Error>,
) -> Option<Type> {
    let found = match output {
        syn::ReturnType::Default => {
            errors.push(syn::Error::new_spanned(
                name,
                "`#[retried]` needs a function returning `Result<T, E>`; this one returns `()`",
            ));
            return None;
        }
        syn::ReturnType::Type(_, ty) => ty,
    };
    if let Type::Path(path) = &**found {
        let last = path.path.segments.last();
        if path.qself.is_none() && last.is_some_and(|s| s.ident.to_string().ends_with("Result")) {
            return Some((**found).clone());
        }
    }
    errors.push(syn::Error::new_spanned(
        found,
        "`#[retried]` needs a function returning `Result<T, E>` (or an alias named `...Result`, like `io::Result<T>`)",
    ));
    None
}

/// `&self`, `&mut self`, `self: &Self` or `self: &mut Self`: a borrow every try can share.
fn is_borrowed(receiver: &syn::Receiver) -> bool {
    match &receiver.kind {
        syn::ReceiverKind::Reference(..) => true,
        syn::ReceiverKind::Typed(_, ty) => matches!(&**ty, Type::Reference(_)),
        _ => false,
    }
}

/// `self: Pin<..>`, by its last path segment (`Pin`, `std::pin::Pin`, ...).
fn is_pinned(receiver: &syn::Receiver) -> bool {
    match &receiver.kind {
        syn::ReceiverKind::Typed(_, ty) => matches!(
            &**ty,
            Type::Path(path) if path.qself.is_none()
                && path.path.segments.last().is_some_and(|segment| segment.ident == "Pin")
        ),
        _ => false,
    }
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
