use gort_metrics::retried;

#[retried(attempts = 2, delay = "1s", attempts = 3)]
fn twice() -> Result<(), String> {
    Ok(())
}

fn main() {}
