use gort_metrics::retried;

#[retried(op = "", attempts = "3", jitter = "yes", backoff = fixed)]
fn everything_wrong_at_once() -> Result<(), String> {
    Ok(())
}

fn main() {}
