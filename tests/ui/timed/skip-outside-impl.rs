use gort_metrics::timed;

#[timed(skip)]
fn authenticate() {}

struct Auth;

#[timed(skip)]
impl Auth {
    fn check(&self) {}
}

fn main() {}
