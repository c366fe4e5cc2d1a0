use gort_metrics::timed;

#[timed]
const fn version() -> u32 {
    1
}

struct Auth;

#[timed]
impl Auth {
    #[timed(middleware = "limit")]
    const fn limit() -> u32 {
        3
    }
}

fn main() {}
