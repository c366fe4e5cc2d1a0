use gort_metrics::retried;

struct Connection;

impl Connection {
    #[retried]
    fn close(self) -> Result<(), String> {
        Ok(())
    }

    #[retried]
    fn close_boxed(self: Box<Self>) -> Result<(), String> {
        Ok(())
    }
}

fn main() {}
