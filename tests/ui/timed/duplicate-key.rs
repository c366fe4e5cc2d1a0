use gort_metrics::timed;

#[timed(middleware = "auth", middleware = "login")]
fn authenticate() {}

fn main() {}
