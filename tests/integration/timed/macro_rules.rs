//! `#[timed]` labels passed through `macro_rules!` as `literal` or `expr` fragments holding a
//! string literal.

use super::labels;
use gort_metrics::timed;
use tests::recording;

macro_rules! middleware_from_literal {
    ($name:ident, $label:literal) => {
        #[timed(middleware = $label)]
        fn $name() {}
    };
}

macro_rules! middleware_from_expression {
    ($name:ident, $label:expr) => {
        #[timed(middleware = $label)]
        fn $name() {}
    };
}

macro_rules! channel_from_literal {
    ($name:ident, $label:literal) => {
        #[timed(channel = $label)]
        fn $name() {}
    };
}

macro_rules! channel_from_expression {
    ($name:ident, $label:expr) => {
        #[timed(channel = $label)]
        fn $name() {}
    };
}

middleware_from_literal!(auth_literal, "auth-literal");
middleware_from_expression!(auth_expression, "auth-expression");
channel_from_literal!(dingtalk_literal, "dingtalk-literal");
channel_from_expression!(dingtalk_expression, "dingtalk-expression");

#[test]
fn labels_from_macro_fragments_are_the_strings_given() {
    let ((), collector) = recording(|| {
        auth_literal();
        auth_expression();
        dingtalk_literal();
        dingtalk_expression();
    });
    assert_eq!(
        labels(&collector.middleware_durations()),
        ["auth-literal", "auth-expression"]
    );
    assert_eq!(
        labels(&collector.message_durations()),
        ["dingtalk-literal", "dingtalk-expression"]
    );
}
