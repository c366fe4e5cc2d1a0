use gort_metrics::retried;

#[retried(delay = "2s", max_delay = "1500ms")]
fn inverted() -> Result<(), String> {
    Ok(())
}

fn main() {}
