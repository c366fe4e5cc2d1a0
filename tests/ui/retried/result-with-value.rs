use gort_metrics::retried;

type Fallible<T> = Result<T, String>;

#[retried(result = true)]
fn fetch() -> Fallible<u8> {
    Ok(1)
}

fn main() {}
