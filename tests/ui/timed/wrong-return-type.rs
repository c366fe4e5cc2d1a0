use gort_metrics::timed;

// A type error in the body points at the user's own code and their declared return type,
// whichever way the body is timed: a guard, a closure for a `Result`, an inner async block.
#[timed]
fn status() -> u16 {
    "ok"
}

#[timed]
async fn status_later() -> u16 {
    "ok"
}

#[timed]
fn checked() -> Result<u16, String> {
    if true {
        return Ok("early");
    }
    Ok(200)
}

fn main() {}
