//! The macro as a function from tokens to tokens: errors collected, item kept, body moved.

use super::retried;
use proc_macro2::TokenStream;
use quote::quote;

fn expand(args: TokenStream, item: TokenStream) -> String {
    retried(args, item).to_string()
}

#[test]
fn every_mistake_is_reported_and_the_item_is_kept_unchanged() {
    let item = quote!(
        fn fetch() -> u32 {
            1
        }
    );
    let output = expand(
        quote!(attempts = 0, delay = "soon", colour = "red"),
        item.clone(),
    );
    assert_eq!(output.matches("compile_error").count(), 4, "{output}");
    assert!(output.starts_with(&item.to_string()), "{output}");
}

#[test]
fn a_free_function_body_moves_into_a_nested_fn() {
    let output = expand(
        quote!(),
        quote!(
            fn fetch(id: u64) -> Result<u64, ()> {
                Ok(id)
            }
        ),
    );
    assert!(output.contains("fn __gort_try"), "{output}");
    assert!(!output.contains("__gort_retried_fetch"), "{output}");
    assert!(!output.contains("compile_error"), "{output}");
}

#[test]
fn a_method_body_moves_into_a_sibling_associated_fn() {
    let output = expand(
        quote!(),
        quote!(
            fn fetch(&mut self, id: u64) -> Result<u64, ()> {
                Ok(id)
            }
        ),
    );
    assert!(
        output.contains("fn __gort_retried_fetch (& mut self"),
        "{output}"
    );
    assert!(output.contains("Self :: __gort_retried_fetch"), "{output}");
    assert!(output.contains("& mut * self"), "{output}");
}

#[test]
fn only_owned_arguments_get_a_slot() {
    let output = expand(
        quote!(),
        quote!(
            fn send(a: String, b: &str, c: &mut Vec<u8>, d: u32) -> Result<(), ()> {
                Ok(())
            }
        ),
    );
    assert_eq!(output.matches("ArgumentSlot :: new").count(), 1, "{output}");
    assert!(output.contains("& mut * c"), "{output}");
}

#[test]
fn an_unparsable_item_is_returned_untouched() {
    let item = quote!(fn broken() -> Result<(), ()> { let });
    assert_eq!(expand(quote!(), item.clone()), item.to_string());
}

#[test]
fn a_declaration_without_body_is_an_error() {
    let output = expand(
        quote!(),
        quote!(
            fn fetch(&self) -> Result<(), ()>;
        ),
    );
    assert!(output.contains("needs a function with a body"), "{output}");
}
