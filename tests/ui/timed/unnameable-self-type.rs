use gort_metrics::timed;

trait Describe {
    fn describe(&self) -> String;
}

#[timed]
impl<T: std::fmt::Debug> Describe for T {
    fn describe(&self) -> String {
        format!("{self:?}")
    }
}

fn main() {}
