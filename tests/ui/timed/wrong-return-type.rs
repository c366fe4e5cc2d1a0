use gort_metrics::timed;

// The body is not wrapped: a type error points at the user's own code.
#[timed]
fn status() -> u16 {
    "ok"
}

#[timed]
async fn status_later() -> u16 {
    "ok"
}

fn main() {}
