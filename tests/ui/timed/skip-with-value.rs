use gort_metrics::timed;

struct Auth;

#[timed]
impl Auth {
    #[timed(skip = true)]
    fn check(&self) {}
}

fn main() {}
