use gort_metrics::timed;

#[timed(channel = "   ")]
fn on_message() {}

fn main() {}
