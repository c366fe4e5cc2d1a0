use gort_metrics::timed;

#[timed(middleware = 5)]
fn authenticate() {}

#[timed(channel = 'd')]
fn on_message() {}

fn main() {}
