use gort_metrics::retried;

#[retried(delay = "10")]
fn unitless() -> Result<(), String> {
    Ok(())
}

fn main() {}
