use gort_metrics::{retried, timed};

#[retried(attempts = 2)]
#[timed(skip)]
fn fetch() -> Result<(), String> {
    Ok(())
}

fn main() {}
