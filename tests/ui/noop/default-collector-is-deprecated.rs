// The old name still compiles, as a value and as a type, but warns: here the warning is
// denied, so that the snapshot shows it.
#![deny(deprecated)]

use gort_metrics::Collector;

fn main() {
    let value = gort_metrics::DefaultCollector;
    let typed: gort_metrics::DefaultCollector = Default::default();
    assert!(!value.is_enabled() && !typed.is_enabled());
}
