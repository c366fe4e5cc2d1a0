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

    #[retried]
    fn poll_close(self: std::pin::Pin<Box<Self>>) -> Result<(), String> {
        Ok(())
    }
}

trait Close {
    fn close(self) -> Result<(), String>;
}

impl Close for Connection {
    #[retried]
    fn close(self) -> Result<(), String> {
        Ok(())
    }
}

fn main() {}
