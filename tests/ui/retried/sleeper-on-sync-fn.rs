use gort_metrics::retried;

#[retried(sleeper = gort_metrics::TimerThreadSleeper)]
fn blocking() -> Result<(), String> {
    Ok(())
}

fn main() {}
