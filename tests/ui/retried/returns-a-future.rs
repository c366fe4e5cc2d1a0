use gort_metrics::retried;
use std::future::Future;

#[retried]
fn fetch() -> impl Future<Output = Result<(), String>> {
    async { Ok(()) }
}

fn main() {}
