use gort_metrics::retried;

trait Client {
    #[retried]
    fn fetch(&self) -> Result<String, String>;
}

fn main() {}
