use gort_metrics::retried;

#[retried]
const fn constant() -> Result<(), ()> {
    Ok(())
}

fn main() {}
