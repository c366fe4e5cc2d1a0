#![deny(unused_must_use)]

use gort_metrics::timed;

// The fn's own attributes are kept: ignoring a `#[must_use]` result is still caught.
#[timed]
#[must_use = "the token must be checked"]
fn issue_token() -> String {
    String::from("token")
}

fn main() {
    issue_token();
}
