use gort_metrics::timed;

#[timed(middleware = 5)]
fn authenticate() {}

#[timed(channel = dingtalk)]
fn on_message() {}

fn main() {}
