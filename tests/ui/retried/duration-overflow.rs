use gort_metrics::retried;

// Past what u128 nanoseconds hold once the fraction is added.
#[retried(delay = "340282366920938463463374607431.9s")]
fn beyond_u128() -> Result<(), String> {
    Ok(())
}

// One second past the longest `Duration`.
#[retried(max_elapsed = "18446744073709551616s")]
fn beyond_duration() -> Result<(), String> {
    Ok(())
}

fn main() {}
