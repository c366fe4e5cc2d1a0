//! Per-collector storage for the handles `#[timed]` call sites resolve: each installed
//! collector owns the handles resolved in it, and frees them when it is dropped.
//!
//! A call site is numbered once, the first time it records (see
//! [`SiteIndex`]); its handle for a collector sits at that number in the collector's
//! [`SiteSlots`]. Slots are grouped in chunks allocated on first use, so a collector that no
//! call site reaches costs one array of null pointers.

use crate::collector::CallHandle;
use core::ptr;
use core::sync::atomic::{AtomicPtr, AtomicU32, Ordering};

/// Slots per chunk.
const CHUNK: usize = 64;
/// Chunks per collector: `CHUNK * CHUNKS` call sites get a cached handle; sites numbered past
/// that record through the collector's plain methods, which is slower but equivalent.
const CHUNKS: usize = 128;

/// What a call site resolved in one collector: its handle, or `None` if the collector has
/// none for that label and the plain method is to be called.
pub(crate) struct Resolved {
    pub(crate) handle: Option<CallHandle>,
}

type Chunk = [AtomicPtr<Resolved>; CHUNK];

/// The handles of every call site that has recorded into one collector.
pub(crate) struct SiteSlots {
    chunks: [AtomicPtr<Chunk>; CHUNKS],
}

impl SiteSlots {
    pub(crate) const fn new() -> Self {
        SiteSlots {
            chunks: [const { AtomicPtr::new(ptr::null_mut()) }; CHUNKS],
        }
    }

    /// The slot of call site `index`, allocating its chunk if need be; `None` past the last.
    #[inline]
    fn slot(&self, index: usize) -> Option<&AtomicPtr<Resolved>> {
        let chunk = self.chunks.get(index / CHUNK)?;
        let mut pointer = chunk.load(Ordering::Acquire);
        if pointer.is_null() {
            pointer = Self::allocate(chunk);
        }
        // SAFETY: a non-null chunk pointer came from `Box::into_raw` in `allocate`, published
        // with release and read with acquire; chunks are freed only in `Drop`, which has
        // `&mut self`, so none is freed while `&self` lends it out.
        let chunk = unsafe { &*pointer };
        Some(&chunk[index % CHUNK])
    }

    #[cold]
    fn allocate(chunk: &AtomicPtr<Chunk>) -> *mut Chunk {
        let fresh = Box::into_raw(Box::new([const { AtomicPtr::new(ptr::null_mut()) }; CHUNK]));
        match chunk.compare_exchange(ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` was never published; this thread owns it alone.
                drop(unsafe { Box::from_raw(fresh) });
                winner
            }
        }
    }

    /// What call site `index` resolved in this collector, resolving it with `resolve` the
    /// first time. `resolve` runs with no lock held (it is the collector's own code); threads
    /// racing here each resolve, and the first to publish wins. `None` for sites past the
    /// last slot, which then use the plain methods.
    #[inline]
    pub(crate) fn get_or_resolve(
        &self,
        index: usize,
        resolve: impl FnOnce() -> Option<CallHandle>,
    ) -> Option<&Resolved> {
        let slot = self.slot(index)?;
        let pointer = slot.load(Ordering::Acquire);
        // SAFETY: a non-null entry came from `Box::into_raw` in `publish`, with release and
        // acquire; entries are freed only in `Drop` (`&mut self`).
        match unsafe { pointer.as_ref() } {
            Some(resolved) => Some(resolved),
            None => Some(Self::publish(slot, resolve())),
        }
    }

    #[cold]
    #[inline(never)]
    fn publish(slot: &AtomicPtr<Resolved>, handle: Option<CallHandle>) -> &Resolved {
        let fresh = Box::into_raw(Box::new(Resolved { handle }));
        let published = match slot.compare_exchange(
            ptr::null_mut(),
            fresh,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => fresh,
            Err(winner) => {
                // SAFETY: `fresh` was never published; this thread owns it alone.
                drop(unsafe { Box::from_raw(fresh) });
                winner
            }
        };
        // SAFETY: as in `get_or_resolve`.
        unsafe { &*published }
    }
}

impl Drop for SiteSlots {
    fn drop(&mut self) {
        for chunk in &mut self.chunks {
            let chunk = *chunk.get_mut();
            if chunk.is_null() {
                continue;
            }
            // SAFETY: `&mut self`: nothing else can reach these pointers; each came from
            // `Box::into_raw` and is freed exactly once, here.
            let mut chunk = unsafe { Box::from_raw(chunk) };
            for entry in chunk.iter_mut() {
                let entry = *entry.get_mut();
                if !entry.is_null() {
                    // SAFETY: as above.
                    drop(unsafe { Box::from_raw(entry) });
                }
            }
        }
    }
}

/// A call site's number among all call sites of the process: zero until it first records.
#[derive(Debug)]
pub(crate) struct SiteIndex(AtomicU32);

/// The next number to hand out; numbers start at 1 so that 0 can mean "not yet".
static NEXT_SITE: AtomicU32 = AtomicU32::new(1);

impl SiteIndex {
    pub(crate) const fn new() -> Self {
        SiteIndex(AtomicU32::new(0))
    }

    /// The site's slot number (from 0).
    #[inline]
    pub(crate) fn get(&self) -> usize {
        match self.0.load(Ordering::Relaxed) {
            0 => self.assign(),
            number => number as usize - 1,
        }
    }

    #[cold]
    #[inline(never)]
    fn assign(&self) -> usize {
        let fresh = NEXT_SITE.fetch_add(1, Ordering::Relaxed).max(1);
        // A site racing itself on two threads keeps one number; the other is never used.
        let number = match self
            .0
            .compare_exchange(0, fresh, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => fresh,
            Err(winner) => winner,
        };
        number as usize - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collector::Outcome;
    use core::time::Duration;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn a_site_resolves_once_and_its_handle_is_freed_with_the_slots() {
        let records = Arc::new(AtomicUsize::new(0));
        let slots = SiteSlots::new();
        let mut resolutions = 0;
        for _ in 0..3 {
            let resolved = slots.get_or_resolve(70, || {
                resolutions += 1;
                let records = Arc::clone(&records);
                Some(CallHandle::new(move |_, _| {
                    records.fetch_add(1, Ordering::Relaxed);
                }))
            });
            let handle = resolved.and_then(|r| r.handle.as_ref()).expect("a handle");
            handle.record(Outcome::Ok, Duration::ZERO);
        }
        assert_eq!(resolutions, 1);
        assert_eq!(records.load(Ordering::Relaxed), 3);
        assert_eq!(Arc::strong_count(&records), 2, "the handle holds one");
        drop(slots);
        assert_eq!(Arc::strong_count(&records), 1, "freed with the slots");
    }

    #[test]
    fn sites_past_the_last_slot_are_not_cached() {
        let slots = SiteSlots::new();
        assert!(slots.get_or_resolve(CHUNK * CHUNKS, || None).is_none());
        assert!(slots.get_or_resolve(CHUNK * CHUNKS - 1, || None).is_some());
    }

    #[test]
    fn site_numbers_are_distinct_and_stable() {
        let (a, b) = (SiteIndex::new(), SiteIndex::new());
        let first = a.get();
        assert_eq!(a.get(), first);
        assert_ne!(b.get(), first);
    }
}
