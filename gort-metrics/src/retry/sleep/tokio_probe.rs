//! Whether the current tokio runtime, if any, has a timer, asked once per runtime.

use std::cell::Cell;
use std::sync::{Mutex, PoisonError};
use tokio::runtime::{Handle, Id};

/// How many runtimes' answers are kept process-wide. Runtime ids are not reused in practice,
/// so this bounds memory for programs that build many runtimes; a forgotten runtime is only
/// asked again.
const REMEMBERED: usize = 32;

static ANSWERS: Mutex<Vec<(Id, bool)>> = Mutex::new(Vec::new());

thread_local! {
    /// The last runtime this thread asked about: a retry loop asks about the same one every
    /// time.
    static LAST: Cell<Option<(Id, bool)>> = const { Cell::new(None) };
}

/// Whether this code runs on a tokio runtime whose timer `tokio::time::sleep` can use.
pub(super) fn current_runtime_has_timer() -> bool {
    let Ok(handle) = Handle::try_current() else {
        return false;
    };
    let id = handle.id();
    if let Ok(Some((last, has_timer))) = LAST.try_with(Cell::get) {
        if last == id {
            return has_timer;
        }
    }
    let has_timer = remembered(id).unwrap_or_else(|| {
        let has_timer = probe();
        remember(id, has_timer);
        has_timer
    });
    // Fails only while this thread's locals are being destroyed: the next call asks again.
    let _ = LAST.try_with(|last| last.set(Some((id, has_timer))));
    has_timer
}

fn remembered(id: Id) -> Option<bool> {
    let answers = ANSWERS.lock().unwrap_or_else(PoisonError::into_inner);
    answers
        .iter()
        .find_map(|&(known, has_timer)| (known == id).then_some(has_timer))
}

fn remember(id: Id, has_timer: bool) {
    let mut answers = ANSWERS.lock().unwrap_or_else(PoisonError::into_inner);
    if answers.len() >= REMEMBERED {
        answers.remove(0);
    }
    answers.push((id, has_timer));
}

/// Creating a tokio sleep panics on a runtime without a timer, and tokio has no other way to
/// tell; the sleep is dropped unpolled, so nothing is registered on a runtime that has one.
#[cfg(panic = "unwind")]
fn probe() -> bool {
    std::panic::catch_unwind(|| drop(tokio::time::sleep(std::time::Duration::ZERO))).is_ok()
}

/// Without unwinding the panic cannot be caught, so the timer thread is always used.
#[cfg(not(panic = "unwind"))]
fn probe() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_any_runtime_there_is_no_tokio_timer() {
        assert!(!current_runtime_has_timer());
    }

    #[test]
    fn each_runtime_is_asked_on_its_own_and_memory_stays_bounded() {
        // One test, not two: the process-wide memory is shared by every test thread.
        let with_timer = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let without_timer = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for _ in 0..3 {
            assert!(with_timer.block_on(async { current_runtime_has_timer() }));
            assert!(!without_timer.block_on(async { current_runtime_has_timer() }));
        }
        assert_eq!(remembered(with_timer.handle().id()), Some(true));
        assert_eq!(remembered(without_timer.handle().id()), Some(false));
        for _ in 0..REMEMBERED + 5 {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .unwrap();
            assert!(runtime.block_on(async { current_runtime_has_timer() }));
        }
        assert_eq!(ANSWERS.lock().unwrap().len(), REMEMBERED);
        assert_eq!(remembered(without_timer.handle().id()), None);
        assert!(!without_timer.block_on(async { current_runtime_has_timer() }));
    }
}
