//! The macro as a function from tokens to tokens: errors collected, item kept, body timed.

use super::timed;
use quote::quote;

fn expand(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
    timed(args, item).to_string()
}

#[test]
fn a_valid_fn_gets_one_guard_and_keeps_everything_else() {
    let output = expand(
        quote!(),
        quote!(
            #[inline]
            pub fn f(x: u8) -> u8 {
                x
            }
        ),
    );
    assert!(
        output.starts_with("# [inline] pub fn f (x : u8) -> u8 {"),
        "{output}"
    );
    assert_eq!(output.matches("__gort_guard").count(), 1);
    assert!(
        output.contains("TimedSite :: middleware (\"f\")"),
        "{output}"
    );
}

#[test]
fn invalid_arguments_emit_errors_and_the_unchanged_item() {
    let item = quote!(
        fn f() {}
    );
    let output = expand(quote!(middleware = 1, bogus), item.clone());
    assert_eq!(output.matches("compile_error").count(), 2, "{output}");
    assert!(output.ends_with(&item.to_string()), "{output}");
    assert!(!output.contains("__gort_guard"));
}

#[test]
fn a_failing_impl_block_is_emitted_without_its_method_attributes() {
    let output = expand(
        quote!(),
        quote!(
            impl<T> Tr for T {
                #[timed(skip)]
                fn a(&self) {}
                fn b(&self) {}
            }
        ),
    );
    assert_eq!(output.matches("compile_error").count(), 1, "{output}");
    assert!(!output.contains("# [timed"), "{output}");
    assert!(!output.contains("__gort_guard"), "{output}");
}

#[test]
fn items_it_does_not_know_are_handed_back_untouched() {
    let item = quote!(this is not an item);
    assert_eq!(expand(quote!(), item.clone()), item.to_string());
    let output = expand(quote!(bogus), item.clone());
    assert!(output.contains("compile_error"), "{output}");
    assert!(output.ends_with(&item.to_string()), "{output}");
}

#[test]
fn malformed_arguments_never_panic() {
    let cases = [
        quote!(),
        quote!(,),
        quote!(= =),
        quote!(middleware),
        quote!(middleware =),
        quote!(crate),
        quote!(crate = ::),
        quote!(skip(1)),
        quote!((a, b)),
    ];
    for args in cases {
        let _ = expand(
            args.clone(),
            quote!(
                fn f() {}
            ),
        );
        let _ = expand(args, quote!(impl A { #[timed(middleware = )] fn f() {} }));
    }
}
