use gort_metrics::timed;

struct Auth;

#[timed]
impl Auth {
    #[timed(skip, middleware = "check")]
    fn check(&self) {}
}

fn main() {}
