use gort_metrics::retried;

#[retried(attempts = 0)]
fn never_tried() -> Result<(), String> {
    Ok(())
}

fn main() {}
