use async_trait::async_trait;
use gort_metrics::retried;

#[async_trait]
trait Counter {
    async fn count(&self) -> u32;
}

struct Clicks;

#[async_trait]
impl Counter for Clicks {
    #[retried]
    async fn count(&self) -> u32 {
        1
    }
}

fn main() {}
