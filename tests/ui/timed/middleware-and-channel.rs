use gort_metrics::timed;

#[timed(middleware = "auth", channel = "dingtalk")]
fn authenticate() {}

fn main() {}
