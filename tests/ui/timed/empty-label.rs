use gort_metrics::timed;

#[timed(middleware = "")]
fn authenticate() {}

fn main() {}
