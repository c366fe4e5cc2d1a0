use gort_metrics::retried;

#[retried]
struct Config {
    attempts: u32,
}

fn main() {}
