use gort_metrics::retried;

#[retried(when = |_error: &String| true)]
fn closure() -> Result<(), String> {
    Ok(())
}

#[retried(when = "is_transient")]
fn string() -> Result<(), String> {
    Ok(())
}

fn main() {}
