use gort_metrics::timed;

#[timed(middlewre = "auth")]
fn authenticate() {}

fn main() {}
