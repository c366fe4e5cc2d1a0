use gort_metrics::retried;

#[retried(op = "fetch", operation = "fetch-user")]
fn fetch() -> Result<(), String> {
    Ok(())
}

fn main() {}
