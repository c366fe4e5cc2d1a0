use gort_metrics::timed;

// An expression label is checked as the user's own code, at the expression.
#[timed(channel = dingtalk)]
fn unknown_name() {}

#[timed(middleware = attempt)]
fn not_a_string(attempt: u8) -> Result<(), ()> {
    let _ = attempt;
    Ok(())
}

fn main() {}
