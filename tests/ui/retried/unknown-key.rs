use gort_metrics::retried;

#[retried(retries = 3, attempts = 2)]
fn misspelt() -> Result<(), String> {
    Ok(())
}

fn main() {}
