//! `NoopCollector`, and its old name `DefaultCollector`, which keeps compiling in every form
//! the round-1 contract allowed (the deprecation warning itself is a UI test).
#![allow(deprecated)]

use gort_metrics::{
    Collector, DefaultCollector, NoopCollector, StatsCollector, is_recording, set_global_collector,
    with_collector,
};
use std::sync::Arc;
use tests::lock_global;

#[test]
fn the_old_name_is_the_no_op_as_a_value_a_type_and_through_default() {
    let value = DefaultCollector;
    let typed: DefaultCollector = DefaultCollector::default();
    let braced = DefaultCollector {};
    assert_eq!(value, NoopCollector);
    assert_eq!(typed, NoopCollector);
    assert_eq!(braced, value);
    // A pattern now names the constant, which also draws `non_upper_case_globals`.
    #[allow(non_upper_case_globals)]
    let matched = matches!(NoopCollector, DefaultCollector);
    assert!(matched);
    assert!(!value.is_enabled());
    let boxed: Box<dyn Collector> = Box::new(DefaultCollector);
    boxed.record_message_received("dingtalk", "inbound", "text");
}

#[test]
fn the_old_name_installs_the_no_op_globally_and_in_a_scope() {
    let _global = lock_global();
    let stats = Arc::new(StatsCollector::new());
    set_global_collector(stats.clone());
    assert!(is_recording());
    set_global_collector(DefaultCollector);
    assert!(
        !is_recording(),
        "the no-op records nothing, so instrumentation stands down"
    );
    gort_metrics::record_message_received("dingtalk", "inbound", "text");
    assert_eq!(stats.stats().messages_received, 0);

    set_global_collector(stats.clone());
    with_collector(DefaultCollector::default(), || {
        assert!(!is_recording());
        gort_metrics::record_message_received("dingtalk", "inbound", "text");
    });
    assert_eq!(
        stats.stats().messages_received,
        0,
        "the scope went to the no-op"
    );
    set_global_collector(NoopCollector);
}
