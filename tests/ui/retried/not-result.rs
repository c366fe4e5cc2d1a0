use gort_metrics::retried;

#[retried]
fn count() -> u32 {
    1
}

#[retried]
fn nothing() {}

#[retried]
fn maybe() -> Option<u32> {
    None
}

fn main() {}
