use gort_metrics::timed;

#[timed(crate = "gort_metrics")]
fn authenticate() {}

fn main() {}
