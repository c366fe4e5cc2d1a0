use gort_metrics::timed;

// Every mistake in the list is reported in one compile, not just the first.
#[timed(chanel = "dingtalk", middleware = 5, skip)]
fn authenticate() {}

struct Auth;

#[timed]
impl Auth {
    #[timed(middleware = "")]
    fn check(&self) {}

    #[timed(skp)]
    fn name(&self) {}
}

fn main() {}
