use gort_metrics::timed;

#[timed("auth")]
fn authenticate() {}

fn main() {}
