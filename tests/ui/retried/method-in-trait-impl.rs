//! A documented limitation: the moved body of a method becomes a hidden associated fn beside
//! it, which a trait implementation does not admit. Retry an inherent method instead.

use gort_metrics::retried;

trait Client {
    fn fetch(&self) -> Result<String, String>;
}

struct Http;

impl Client for Http {
    #[retried]
    fn fetch(&self) -> Result<String, String> {
        Ok("ok".into())
    }
}

fn main() {}
