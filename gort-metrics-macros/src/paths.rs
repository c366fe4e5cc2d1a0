//! Recognising this crate's attributes on an item by their path: how an impl-level `#[timed]`
//! finds its methods' own attributes, and how stacked `#[timed]` and `#[retried]` find each
//! other.

use syn::{Attribute, Path};

/// Whether `path` names this crate's macro `name`: `name`, `gort_metrics::name`,
/// `::gort_metrics::name`, or `<krate>::name` for the `crate = krate` the attribute was given.
pub(crate) fn names_macro(path: &Path, name: &str, krate: Option<&Path>) -> bool {
    let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let named = match names.as_slice() {
        [only] => only == name && path.leading_colon.is_none(),
        [runtime, last] => runtime == "gort_metrics" && last == name,
        _ => false,
    };
    named
        || krate.is_some_and(|krate| {
            let prefix: Vec<String> = krate.segments.iter().map(|s| s.ident.to_string()).collect();
            names.len() == prefix.len() + 1
                && names.starts_with(&prefix)
                && names.last().is_some_and(|last| last == name)
        })
}

/// The index of the first attribute in `attrs` that is this crate's macro `name`.
pub(crate) fn position(attrs: &[Attribute], name: &str, krate: Option<&Path>) -> Option<usize> {
    attrs
        .iter()
        .position(|attribute| names_macro(attribute.path(), name, krate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_recognised_by_path() {
        let krate: Path = syn::parse_quote!(renamed);
        let timed = |path: Path| names_macro(&path, "timed", Some(&krate));
        assert!(timed(syn::parse_quote!(timed)));
        assert!(timed(syn::parse_quote!(gort_metrics::timed)));
        assert!(timed(syn::parse_quote!(::gort_metrics::timed)));
        assert!(timed(syn::parse_quote!(renamed::timed)));
        assert!(!timed(syn::parse_quote!(other::timed)));
        assert!(!timed(syn::parse_quote!(::timed)));
        assert!(!timed(syn::parse_quote!(inline)));
        assert!(!timed(syn::parse_quote!(retried)));
        assert!(names_macro(&syn::parse_quote!(retried), "retried", None));
        assert!(!names_macro(
            &syn::parse_quote!(renamed::retried),
            "retried",
            None
        ));
    }
}
