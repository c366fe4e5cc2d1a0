use gort_metrics::timed;

#[timed]
trait Middleware {
    fn call(&self);
}

fn main() {}
