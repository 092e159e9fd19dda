//! A counting allocator, so `gc.mem_alloc()` / `gc.mem_free()` move with what the
//! script allocates, and so the watcher can tell an interpreter that computes
//! from one that spins without allocating ([`AllocationCount`]).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

thread_local! {
    /// Bytes this thread allocated and did not free: an interpreter's heap,
    /// apart from the other boards' of a fleet.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// Where this thread's allocations are counted, or null.
    static COUNTED_IN: Cell<*const AtomicU64> = const { Cell::new(std::ptr::null()) };
}

fn live_add(bytes: isize) {
    let _ = LIVE.try_with(|live| live.set(live.get().wrapping_add(bytes)));
}

fn count_one() {
    let _ = COUNTED_IN.try_with(|counter| {
        let counter = counter.get();
        if !counter.is_null() {
            // SAFETY: a registered counter is kept alive by the `Counted`
            // guard of this thread, which unregisters it before letting go.
            unsafe { &*counter }.fetch_add(1, Ordering::Relaxed);
        }
    });
}

// SAFETY: forwards to the system allocator and only adds bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        live_add(layout.size() as isize);
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        live_add(-(layout.size() as isize));
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        live_add(new_size as isize - layout.size() as isize);
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes of host heap this thread has allocated and not freed (the
/// interpreter's, on its thread).
pub fn live_bytes() -> usize {
    LIVE.with(|live| usize::try_from(live.get()).unwrap_or(0))
}

/// How many allocations one thread (an interpreter's) has made, readable
/// from any thread.
#[derive(Clone, Debug, Default)]
pub struct AllocationCount(Arc<AtomicU64>);

impl AllocationCount {
    /// Allocations counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Counts this thread's allocations here until the guard is dropped.
    pub fn count_this_thread(&self) -> Counted {
        COUNTED_IN.with(|c| c.set(Arc::as_ptr(&self.0)));
        Counted { _counter: self.0.clone() }
    }
}

/// This thread's allocations are counted while it lives.
pub struct Counted {
    _counter: Arc<AtomicU64>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        let _ = COUNTED_IN.try_with(|c| c.set(std::ptr::null()));
    }
}
