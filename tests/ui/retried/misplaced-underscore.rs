use gort_metrics::retried;

#[retried(delay = "1__000ms")]
fn doubled() -> Result<(), String> {
    Ok(())
}

#[retried(max_delay = "5_s")]
fn trailing() -> Result<(), String> {
    Ok(())
}

#[retried(max_elapsed = "_5s")]
fn leading() -> Result<(), String> {
    Ok(())
}

fn main() {}
