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
fn a_misspelt_key_suggests_the_one_meant() {
    let output = expand(
        quote!(atempts = 3),
        quote!(
            fn fetch() -> Result<u32, ()> {
                Ok(1)
            }
        ),
    );
    assert!(output.contains("did you mean `attempts`?"), "{output}");
}

#[test]
fn a_free_function_body_moves_into_a_closure_without_extra_braces() {
    let output = expand(
        quote!(),
        quote!(
            fn fetch(id: u64) -> Result<u64, ()> {
                Ok(id)
            }
        ),
    );
    assert!(
        output.contains("__gort_try = & mut | | -> Result < u64 , () > { Ok (id) }"),
        "{output}"
    );
    assert!(!output.contains("fn __gort_try"), "{output}");
    assert!(!output.contains("compile_error"), "{output}");
}

/// The expansion of a method adds no item beside it, which a trait implementation would reject.
#[test]
fn a_method_body_moves_into_a_closure_that_borrows_self() {
    let output = expand(
        quote!(),
        quote!(
            fn fetch(&mut self, id: u64) -> Result<u64, ()> {
                self.count += id;
                Ok(id)
            }
        ),
    );
    assert!(
        output.starts_with("fn fetch (& mut self , id : u64)"),
        "{output}"
    );
    assert_eq!(output.matches("fn ").count(), 1, "{output}");
    assert!(output.contains("self . count += id"), "{output}");
}

#[test]
fn an_async_body_moves_into_an_async_closure_with_its_declared_type_first() {
    let output = expand(
        quote!(),
        quote!(
            async fn fetch(&self, path: String) -> Result<String, Error> {
                Ok(path)
            }
        ),
    );
    assert!(
        output.contains(
            "async | __gort_is_last : :: core :: primitive :: bool | -> Result < String , Error >"
        ),
        "{output}"
    );
    assert!(
        output.contains(":: core :: option :: Option :: None :: < Result < String , Error > >"),
        "{output}"
    );
    assert!(
        output.contains("let path = __gort_slot0 . for_try (__gort_is_last) ;"),
        "{output}"
    );
}

#[test]
fn impl_trait_in_the_return_type_is_left_to_inference_in_the_closure() {
    let output = expand(
        quote!(),
        quote!(
            fn numbers(&self) -> Result<(impl Iterator<Item = &u32>, u8), ()> {
                Ok((self.items.iter(), 0))
            }
        ),
    );
    assert!(
        output.starts_with(
            "fn numbers (& self) -> Result < (impl Iterator < Item = & u32 > , u8) , () >"
        ),
        "{output}"
    );
    assert!(output.contains("-> Result < (_ , u8) , () >"), "{output}");
}

#[test]
fn patterns_are_bound_afresh_for_each_try() {
    let output = expand(
        quote!(),
        quote!(
            fn add((a, b): (u32, u32), mut n: u32, _: &str) -> Result<u32, ()> {
                n += a + b;
                Ok(n)
            }
        ),
    );
    assert!(
        output.contains("let __gort_arg0 = __gort_slot0 . for_try (__gort_is_last) ; # [allow (clippy :: shadow_unrelated , clippy :: shadow_same , clippy :: shadow_reuse)] let (a , b) = __gort_arg0 ;"),
        "{output}"
    );
    assert!(output.contains("] let mut n = n ;"), "{output}");
    assert!(output.contains("] let _ = __gort_arg2 ;"), "{output}");
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
