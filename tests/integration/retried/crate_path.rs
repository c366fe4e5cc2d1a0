//! `crate = path`: the runtime reached through another path, as when the dependency is renamed.

use tests::recording;

mod renamed_metrics {
    pub use ::gort_metrics::*;
}

#[renamed_metrics::retried(crate = renamed_metrics, attempts = 2, delay = "1ms")]
fn through_reexport() -> Result<(), ()> {
    Err(())
}

#[test]
fn the_runtime_is_reached_through_the_given_path() {
    let (result, collector) = recording(through_reexport);
    assert_eq!(result, Err(()));
    assert_eq!(
        collector.retries(),
        [("through_reexport".to_owned(), 2, false)]
    );
}
