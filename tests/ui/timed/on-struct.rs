use gort_metrics::timed;

#[timed]
struct AuthMiddleware {
    secret: String,
}

fn main() {}
