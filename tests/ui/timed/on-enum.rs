use gort_metrics::timed;

#[timed(middleware = "auth")]
enum Outcome {
    Allowed,
    Denied,
}

fn main() {}
