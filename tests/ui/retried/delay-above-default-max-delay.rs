use gort_metrics::retried;

#[retried(delay = "20s")]
fn patient() -> Result<(), String> {
    Ok(())
}

fn main() {}
