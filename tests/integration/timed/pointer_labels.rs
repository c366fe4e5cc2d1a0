//! An impl block for a reference or a smart pointer is labelled after the type it points to,
//! the one its users mean: `impl Handler for Box<DingTalk>` times `ding_talk`.

use super::labels;
use gort_metrics::timed;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use tests::recording;

trait Handler {
    fn handle(&self) -> u8;
}

struct DingTalk;

#[timed]
impl Handler for Box<DingTalk> {
    fn handle(&self) -> u8 {
        1
    }
}

#[timed]
impl Handler for Arc<DingTalk> {
    fn handle(&self) -> u8 {
        2
    }
}

#[timed]
impl Handler for Rc<DingTalk> {
    fn handle(&self) -> u8 {
        3
    }
}

#[timed]
impl Handler for &DingTalk {
    fn handle(&self) -> u8 {
        4
    }
}

#[timed]
impl Handler for &mut DingTalk {
    fn handle(&self) -> u8 {
        5
    }
}

#[timed]
impl Handler for Pin<Box<DingTalk>> {
    fn handle(&self) -> u8 {
        6
    }
}

/// A name that reads badly is replaced with the block's own label.
#[timed(middleware = "dingtalk")]
impl Handler for Vec<DingTalk> {
    fn handle(&self) -> u8 {
        7
    }
}

#[test]
fn pointers_and_references_are_labelled_after_their_target() {
    let mut target = DingTalk;
    let exclusive: &mut DingTalk = &mut target;
    let (sum, collector) = recording(|| {
        Box::new(DingTalk).handle()
            + Arc::new(DingTalk).handle()
            + Rc::new(DingTalk).handle()
            + (&DingTalk).handle()
            + exclusive.handle()
            + Box::pin(DingTalk).handle()
            + vec![DingTalk].handle()
    });
    // Each impl ran once: 1 + 2 + .. + 7.
    assert_eq!(sum, 28);
    assert_eq!(
        labels(&collector.middleware_durations()),
        [
            "ding_talk",
            "ding_talk",
            "ding_talk",
            "ding_talk",
            "ding_talk",
            "ding_talk",
            "dingtalk"
        ]
    );
}
