use gort_metrics::retried;

#[retried(delay = "soon")]
fn vague() -> Result<(), String> {
    Ok(())
}

#[retried(max_delay = "10d")]
fn days() -> Result<(), String> {
    Ok(())
}

#[retried(delay = 100)]
fn number() -> Result<(), String> {
    Ok(())
}

fn main() {}
