//! Compile-fail tests: every misuse of a macro must fail with the committed message, at the
//! offending token. Run with `TRYBUILD=overwrite` to accept new snapshots after review.

#[test]
fn misuses_fail_to_compile_with_precise_errors() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/*/*.rs");
}
