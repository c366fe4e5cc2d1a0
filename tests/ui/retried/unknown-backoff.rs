use gort_metrics::retried;

#[retried(backoff = "linear")]
fn linear() -> Result<(), String> {
    Ok(())
}

fn main() {}
