use gort_metrics::timed;
use std::future::Future;

// A body that does not build the promised future is reported at the return type.
#[timed]
fn fetch() -> impl Future<Output = u8> {
    5_u8
}

fn main() {}
