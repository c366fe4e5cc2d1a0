//! The shape `#[async_trait]` gives an `async fn` before `#[retried]` sees it: a plain fn
//! returning `Pin<Box<dyn Future<Output = T> + Send + 'async_trait>>` whose body is one
//! `Box::pin(async move { .. })`. The async block holds the body, and is what each try runs.

use crate::types::{boxed_future_output, is_box_pin};
use syn::{Block, Expr, ExprAsync, ItemFn, Stmt, Type};

/// The `Output` of the boxed future, if `function` has that shape.
pub(crate) fn boxed_output(function: &ItemFn) -> Option<&Type> {
    if function.sig.asyncness.is_some() {
        return None;
    }
    let syn::ReturnType::Type(_, returned) = &function.sig.output else {
        return None;
    };
    let [Stmt::Expr(tail, None)] = function.block.stmts.as_slice() else {
        return None;
    };
    boxed_async(tail)?;
    boxed_future_output(returned)
}

/// The `async move` block of the body, in a function [`boxed_output`] accepts.
pub(crate) fn boxed_async_block(block: &mut Block) -> Option<&mut ExprAsync> {
    let [Stmt::Expr(tail, None)] = block.stmts.as_mut_slice() else {
        return None;
    };
    let Expr::Call(call) = tail else {
        return None;
    };
    match call.args.first_mut() {
        Some(Expr::Async(block)) if block.capture.is_some() => Some(block),
        _ => None,
    }
}

/// The `async move` block in `Box::pin(async move { .. })`.
fn boxed_async(expression: &Expr) -> Option<&ExprAsync> {
    let Expr::Call(call) = expression else {
        return None;
    };
    match (is_box_pin(&call.func), call.args.len(), call.args.first()) {
        (true, 1, Some(Expr::Async(block))) if block.capture.is_some() => Some(block),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn output_of(function: ItemFn) -> Option<String> {
        boxed_output(&function).map(|ty| ty.to_token_stream().to_string())
    }

    #[test]
    fn the_async_trait_shape_is_recognised_with_its_output() {
        let function: ItemFn = syn::parse_quote! {
            fn send<'life0, 'async_trait>(&'life0 self) -> ::core::pin::Pin<Box<
                dyn ::core::future::Future<Output = Result<u8, E>> + ::core::marker::Send + 'async_trait
            >> {
                Box::pin(async move { Ok(1) })
            }
        };
        assert_eq!(output_of(function).as_deref(), Some("Result < u8 , E >"));
    }

    #[test]
    fn other_future_returning_fns_are_not_that_shape() {
        let plain_block: ItemFn = syn::parse_quote! {
            fn f() -> Pin<Box<dyn Future<Output = Result<u8, E>>>> { Box::pin(async { Ok(1) }) }
        };
        let more_statements: ItemFn = syn::parse_quote! {
            fn f() -> Pin<Box<dyn Future<Output = Result<u8, E>>>> {
                let x = 1;
                Box::pin(async move { Ok(x) })
            }
        };
        let async_fn: ItemFn = syn::parse_quote! {
            async fn f() -> Pin<Box<dyn Future<Output = Result<u8, E>>>> { Box::pin(async move { Ok(1) }) }
        };
        let not_boxed: ItemFn = syn::parse_quote! {
            fn f() -> Pin<Box<dyn Future<Output = Result<u8, E>>>> { make(async move { Ok(1) }) }
        };
        for function in [plain_block, more_statements, async_fn, not_boxed] {
            assert_eq!(output_of(function), None);
        }
    }
}
