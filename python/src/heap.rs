//! A counting allocator, so `gc.mem_alloc()` / `gc.mem_free()` move with what the
//! script allocates, so a script's heap has the board's limit
//! ([`limit_to_board`]), and so the watcher can tell an interpreter that
//! computes from one that spins without allocating or freeing
//! ([`AllocationCount`]).
//!
//! The live bytes are counted per thread by the runtime's
//! `heap_hook` (the interpreter's own checks read them there); the allocator
//! never fails for the budget: it only counts, and the interpreter raises
//! `MemoryError` at its next check.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

/// How many times the board's MicroPython heap the host may hold for a
/// script: the emulator's objects are much bigger than MicroPython's (a list
/// element of a small int takes about 110 bytes here against 8 there, a
/// function's compiled code several times its bytecode), so a script that
/// fits the board's heap must fit here with room to spare, while a runaway
/// one stops at a few tens of megabytes (82 MB on a PSRAM board).
pub const HOST_BYTES_PER_BOARD_BYTE: usize = 32;

thread_local! {
    /// Where this thread's allocations are counted, or null.
    static COUNTED_IN: Cell<*const AtomicU64> = const { Cell::new(std::ptr::null()) };
}

/// Counts `delta` bytes more (or fewer) live on this thread, for a block of
/// `size` bytes: an interpreter's heap, apart from the other boards' of a fleet.
fn live_add(delta: isize, size: usize) {
    rustpython_vm::heap_hook::count(delta, size);
}

fn count_one() {
    let _ = COUNTED_IN.try_with(|counter| {
        let counter = counter.get();
        if !counter.is_null() {
            // SAFETY: a registered counter is kept alive by the `Counted`
            // guard of this thread, which unregisters it before letting go.
            let counter = unsafe { &*counter };
            // Only this thread writes the counter (one session's), so a
            // plain load and store count it without a locked add.
            counter.store(counter.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
        }
    });
}

// SAFETY: forwards to the system allocator and only adds bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        live_add(layout.size() as isize, layout.size());
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        live_add(-(layout.size() as isize), 0);
        // Freeing is computing too: a script dropping a full heap (after a
        // `MemoryError`) does not spin.
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        live_add(new_size as isize - layout.size() as isize, new_size);
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
    usize::try_from(rustpython_vm::heap_hook::live()).unwrap_or(0)
}

/// From now on, this thread's script may hold [`HOST_BYTES_PER_BOARD_BYTE`]
/// times `board_heap` bytes more than it holds now; past that, the
/// interpreter raises `MemoryError`, as it does at once for a single block
/// of `board_heap` bytes or more. The heap starts unlocked; what the
/// emulator's own Python modules make never counts on a locked heap.
pub fn limit_to_board(board_heap: usize) {
    let budget = live_bytes().saturating_add(board_heap.saturating_mul(HOST_BYTES_PER_BOARD_BYTE));
    rustpython_vm::heap_hook::set_budget(Some(budget), board_heap);
    rustpython_vm::heap_hook::set_lock_depth(0);
    rustpython_vm::heap_hook::set_embedder_code(crate::import_guard::is_emulator_code);
}

/// Lifts this thread's limit and lock: the run is over.
pub fn lift_limit() {
    rustpython_vm::heap_hook::set_budget(None, usize::MAX);
    rustpython_vm::heap_hook::set_lock_depth(0);
}

/// How many blocks one thread (an interpreter's) has allocated or freed,
/// readable from any thread.
#[derive(Clone, Debug, Default)]
pub struct AllocationCount(Arc<AtomicU64>);

impl AllocationCount {
    /// Allocations and frees counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Counts this thread's allocations here until the guard is dropped;
    /// one thread at a time counts into an `AllocationCount`.
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
