use gort_metrics::retried;

#[retried(op = 5)]
fn numbered() -> Result<(), String> {
    Ok(())
}

#[retried(op = id)]
fn by_id(id: u32) -> Result<(), String> {
    Ok(())
}

fn main() {}
