use gort_metrics::timed;

trait Middleware {
    #[timed]
    fn call(&self);
}

fn main() {}
