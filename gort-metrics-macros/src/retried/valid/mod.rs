//! Semantic checks: argument values here, whether the function can be retried in [`shape`].
//! Every mistake becomes a `syn::Error` on the offending token; all are collected, none stops
//! the others.

mod shape;

use super::ast::{BackoffKind, Config, Key, Operation, RawArg};
use super::duration::{display, parse_duration};
use crate::args::ungrouped;
use proc_macro2::Span;
use std::time::Duration;
use syn::spanned::Spanned;
use syn::{Expr, Lit};

pub(crate) use shape::shape;

/// The defaults of `RetryPolicy::new` that the compile-time checks need.
const DEFAULT_DELAY: Duration = Duration::from_millis(100);
const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(10);

/// Checks the arguments; `None` if any is wrong (the errors say which).
pub(crate) fn config(args: Vec<RawArg>, errors: &mut Vec<syn::Error>) -> Option<Config> {
    // The defaults of `RetryPolicy::new`, for the checks below; the generated code does not
    // repeat them (see `Config::given`).
    let mut config = Config {
        given: Vec::new(),
        op: None,
        attempts: 3,
        delay: DEFAULT_DELAY,
        max_delay: DEFAULT_MAX_DELAY,
        max_elapsed: None,
        backoff: BackoffKind::Exponential,
        jitter: true,
        when: None,
        sleeper: None,
        krate: None,
        result_alias: false,
    };
    let errors_before = errors.len();
    let mut seen: Vec<(Key, &'static str)> = Vec::new();
    let mut delay_value: Option<Span> = None;
    for RawArg {
        key,
        written,
        key_span,
        value,
    } in args
    {
        if let Some(&(_, first)) = seen.iter().find(|(seen, _)| *seen == key) {
            let message = if first == written {
                format!("duplicate `{written}`: each key may be given once")
            } else {
                format!("`{written}` and `{first}` are one key under two names: give one of them")
            };
            errors.push(syn::Error::new(key_span, message));
            continue;
        }
        seen.push((key, written));
        let Some(value) = value else {
            // Only `result` is a flag; the parser gives every other key a value.
            config.result_alias = key == Key::Result;
            continue;
        };
        let value = ungrouped(&value);
        let checked = match key {
            Key::Op => operation(value).map(|op| config.op = Some(op)),
            Key::Attempts => attempts(value).map(|n| config.attempts = n),
            Key::Delay => {
                delay_value = Some(value.span());
                duration(key, value).map(|d| config.delay = d)
            }
            Key::MaxDelay => duration(key, value).map(|d| config.max_delay = d),
            Key::MaxElapsed => duration(key, value).map(|d| config.max_elapsed = Some(d)),
            Key::Backoff => backoff(value).map(|b| config.backoff = b),
            Key::Jitter => boolean(key, value).map(|j| config.jitter = j),
            Key::When => path(value, "when = is_transient", "a path to a `fn(&E) -> bool`")
                .map(|p| config.when = Some(p)),
            Key::Sleeper => path(
                value,
                "sleeper = my_runtime::Sleeper",
                "a path to a value implementing `gort_metrics::Sleeper`",
            )
            .map(|p| config.sleeper = Some((p, key_span))),
            Key::Crate => path(
                value,
                "crate = my_metrics",
                "a path to the `gort_metrics` crate",
            )
            .map(|p| config.krate = Some(p)),
            Key::Result => Ok(()),
        };
        if let Err(error) = checked {
            errors.push(error);
        }
    }
    // Without a `delay`, the default one is capped at `max_delay` as every wait is: only a
    // `delay` the user wrote can contradict the cap.
    let max_delay_given = seen.iter().any(|(key, _)| *key == Key::MaxDelay);
    if let Some(delay_span) = delay_value {
        if config.delay > config.max_delay && errors.len() == errors_before {
            let message = if max_delay_given {
                format!(
                    "`delay` ({}) is longer than `max_delay` ({}): the first wait must not exceed the cap",
                    display(config.delay),
                    display(config.max_delay),
                )
            } else {
                format!(
                    "`delay` ({}) is longer than the default `max_delay` ({}): the first wait must \
                     not exceed the cap; raise it, like `max_delay = \"{}\"`",
                    display(config.delay),
                    display(config.max_delay),
                    display(config.delay),
                )
            };
            errors.push(syn::Error::new(delay_span, message));
        }
    }
    config.given = seen.into_iter().map(|(key, _)| key).collect();
    (errors.len() == errors_before).then_some(config)
}

fn operation(value: &Expr) -> syn::Result<Operation> {
    match literal(value) {
        Some(Lit::Str(op)) if op.value().trim().is_empty() => Err(syn::Error::new_spanned(
            op,
            "`op` must not be empty: name the operation, like `op = \"api-call\"`",
        )),
        Some(Lit::Str(op)) => Ok(Operation::Literal(op.clone())),
        Some(_) => Err(syn::Error::new_spanned(
            value,
            "expected the operation's name: a string, like `op = \"api-call\"`, or an expression \
             whose value is `AsRef<str>`, like `op = request.operation`",
        )),
        None => Ok(Operation::Expr(value.clone())),
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
