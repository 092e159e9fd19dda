//! pycom-emu: the board's MicroPython heap as the embedder models it on the
//! host, per thread (a fleet runs one interpreter per thread).
//!
//! - A budget: the embedder's global allocator reports every block here
//!   ([`count`]); once the thread's live bytes pass the budget
//!   ([`set_budget`]), the next check raises `MemoryError`: at every
//!   instruction (the frame's eval breaker), at every step of an iterator
//!   consumed by a builtin ([`crate::protocol::PyIter::next`]) and before a
//!   large block ([`crate::vm::check_memory_size`]).
//! - `micropython.heap_lock()`: while the lock is held ([`set_lock_depth`]),
//!   making an object that MicroPython would put on its heap is reported by
//!   [`crate::PyRef::new_ref`] and raises `MemoryError` at the next check;
//!   growing a list or bytearray past its capacity raises before the change
//!   ([`check_growth`]).

use core::any::{Any, TypeId};
use core::cell::Cell;

use crate::builtins::{
    PyByteArray, PyComplex, PyDict, PyFloat, PyFrozenSet, PyFunction, PyInt, PyList,
    PyMemoryView, PySet, PySlice, PyTuple,
};
use crate::builtins::dict::{PyDictItems, PyDictKeys, PyDictValues};
use crate::{PyResult, VirtualMachine};

thread_local! {
    /// Bytes this thread allocated and did not free.
    static LIVE: Cell<isize> = const { Cell::new(0) };
    /// Live bytes the budget allows (`isize::MAX`: no budget).
    static BUDGET: Cell<isize> = const { Cell::new(isize::MAX) };
    /// The smallest block that can never be made: the board's whole heap.
    static NEVER: Cell<usize> = const { Cell::new(usize::MAX) };
    /// Live bytes past which the next check raises: the budget, raised a
    /// little after each `MemoryError` so that its handler can run.
    static TRIP: Cell<isize> = const { Cell::new(isize::MAX) };
    /// The size of the first block that passed [`TRIP`], 0 if none.
    static FAILED: Cell<usize> = const { Cell::new(0) };
    /// `gc_lock_depth`: the heap is locked while it is not 0.
    static LOCK_DEPTH: Cell<u16> = const { Cell::new(0) };
    /// An object was made on the locked heap and not yet reported.
    static LOCK_HIT: Cell<bool> = const { Cell::new(false) };
    /// `LIVE > TRIP || LOCK_HIT`, kept by every writer of the three, so that
    /// the check at every instruction ([`tripped`]) reads one flag.
    static TRIPPED: Cell<bool> = const { Cell::new(false) };
}

/// Sets [`TRIP`] and with it [`TRIPPED`].
fn set_trip(trip: isize) {
    TRIP.with(|t| t.set(trip));
    refresh_tripped();
}

/// Sets [`LOCK_HIT`] and with it [`TRIPPED`]; returns the previous value.
fn set_lock_hit(hit: bool) -> bool {
    let was = LOCK_HIT.with(|h| h.replace(hit));
    refresh_tripped();
    was
}

/// Computes [`TRIPPED`] again from the three it stands for.
fn refresh_tripped() {
    set_tripped(LIVE.with(Cell::get), TRIP.with(Cell::get));
}

/// Sets [`TRIPPED`] from the live bytes and the trip given and [`LOCK_HIT`].
#[inline]
fn set_tripped(live: isize, trip: isize) {
    let tripped = live > trip || LOCK_HIT.with(Cell::get);
    TRIPPED.with(|t| t.set(tripped));
}

/// Tells the embedder's own Python code (by source path) from a script's.
static EMBEDDER_CODE: std::sync::OnceLock<fn(&str) -> bool> = std::sync::OnceLock::new();

/// Objects made on the locked heap by code from a source path that
/// `is_embedder_code` accepts do not count: the embedder implements in
/// Python what MicroPython does without its heap. Set once per process.
pub fn set_embedder_code(is_embedder_code: fn(&str) -> bool) {
    let _ = EMBEDDER_CODE.set(is_embedder_code);
}

/// Whether the frame running now is the embedder's own code.
fn in_embedder_code(vm: &VirtualMachine) -> bool {
    let Some(is_embedder_code) = EMBEDDER_CODE.get() else { return false };
    vm.current_frame().is_some_and(|frame| is_embedder_code(frame.code.source_path().as_str()))
}

/// Counts a block of `size` bytes allocated (`delta` > 0) or `delta` bytes
/// freed; called by the global allocator, so it never allocates.
#[inline]
pub fn count(delta: isize, size: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get().wrapping_add(delta);
        live.set(now);
        let mut trip = TRIP.with(Cell::get);
        if delta > 0 {
            if now > trip && FAILED.with(Cell::get) == 0 {
                FAILED.with(|failed| failed.set(size));
            }
        } else {
            // A sixteenth of the budget freed below it: the slack given
            // after a `MemoryError` ends.
            let budget = BUDGET.with(Cell::get);
            if trip != budget && now <= budget - budget / 16 {
                TRIP.with(|t| t.set(budget));
                trip = budget;
            }
        }
        set_tripped(now, trip);
    });
}

/// Bytes this thread allocated and did not free.
pub fn live() -> isize {
    LIVE.with(Cell::get)
}

/// Lets this thread's live bytes grow to `budget` (none: no limit), and
/// refuses any block of `heap_size` bytes or more (the board's heap, which
/// never holds one).
pub fn set_budget(budget: Option<usize>, heap_size: usize) {
    NEVER.with(|n| n.set(heap_size));
    let budget = budget.map_or(isize::MAX, |b| isize::try_from(b).unwrap_or(isize::MAX));
    BUDGET.with(|b| b.set(budget));
    FAILED.with(|f| f.set(0));
    set_trip(budget);
}

/// `micropython.heap_lock()` / `heap_unlock()`: sets the lock depth.
pub fn set_lock_depth(depth: u16) {
    LOCK_DEPTH.with(|d| d.set(depth));
}

/// The lock depth (0: unlocked).
pub fn lock_depth() -> u16 {
    LOCK_DEPTH.with(Cell::get)
}

/// Whether a check would raise: the budget is passed or an object was made
/// on the locked heap.
#[inline]
pub fn tripped() -> bool {
    TRIPPED.with(Cell::get)
}

/// Raises the pending `MemoryError`, if any.
#[inline]
pub fn check(vm: &VirtualMachine) -> PyResult<()> {
    if tripped() { raise_pending(vm) } else { Ok(()) }
}

#[cold]
#[inline(never)]
fn raise_pending(vm: &VirtualMachine) -> PyResult<()> {
    if set_lock_hit(false) && !in_embedder_code(vm) {
        return Err(heap_locked_error(vm));
    }
    let live = LIVE.with(Cell::get);
    let budget = BUDGET.with(Cell::get);
    let failed = FAILED.with(|f| f.replace(0));
    if live <= budget {
        // Freed since: the budget applies again as it is.
        set_trip(budget);
        return Ok(());
    }
    let size = if failed == 0 { usize::try_from(live - budget).unwrap_or(0) } else { failed };
    Err(out_of_budget(size, vm))
}

/// `MemoryError` for a block of `size` bytes past the budget. The handler of
/// this error may allocate a sixteenth of the budget more (never past one
/// and a half budgets) before the next one.
fn out_of_budget(size: usize, vm: &VirtualMachine) -> crate::builtins::PyBaseExceptionRef {
    let budget = BUDGET.with(Cell::get);
    let next = live().max(budget).saturating_add(budget / 16).min(budget.saturating_add(budget / 2));
    set_trip(next);
    vm.new_memory_error(format!("memory allocation failed, allocating {size} bytes"))
}

/// `MemoryError` for a block of `size` bytes that would pass the budget.
pub fn check_block(size: usize, vm: &VirtualMachine) -> PyResult<()> {
    if lock_depth() != 0 && size > 0 {
        return Err(heap_locked_error(vm));
    }
    let trip = TRIP.with(Cell::get);
    let too_big = size >= NEVER.with(Cell::get);
    if too_big || (trip != isize::MAX && isize::try_from(size).map_or(true, |s| live().saturating_add(s) > trip)) {
        return Err(out_of_budget(size, vm));
    }
    Ok(())
}

/// On the locked heap, `MemoryError` before a sequence of `len` items with
/// room for `capacity` grows by `additional` past its room.
#[inline]
pub fn check_growth(len: usize, capacity: usize, additional: usize, vm: &VirtualMachine) -> PyResult<()> {
    if lock_depth() != 0 && len.saturating_add(additional) > capacity {
        return Err(heap_locked_error(vm));
    }
    Ok(())
}

/// On the locked heap, notes a sequence growing past its room, for the next
/// check (where the grower cannot raise).
#[inline]
pub fn note_growth(len: usize, capacity: usize, additional: usize) {
    if lock_depth() != 0 && len.saturating_add(additional) > capacity {
        set_lock_hit(true);
    }
}

/// The firmware's error for the locked heap; it reports any object made
/// before it too.
fn heap_locked_error(vm: &VirtualMachine) -> crate::builtins::PyBaseExceptionRef {
    set_lock_hit(false);
    let _unlocked = Unlocked::new();
    vm.new_memory_error("memory allocation failed, heap is locked".to_owned())
}

/// Called for every object made: on the locked heap, notes an object of a
/// type that MicroPython allocates on its heap.
#[inline(always)]
pub(crate) fn on_new_object<T: Any>(payload: &T) {
    if LOCK_DEPTH.with(Cell::get) != 0 {
        note_locked_object(payload);
    }
}

#[cold]
#[inline(never)]
fn note_locked_object<T: Any>(payload: &T) {
    if on_micropython_heap(payload) {
        set_lock_hit(true);
    }
}

/// Whether MicroPython makes such an object on its heap. Strings and bytes
/// are not counted: MicroPython returns an operand or an interned string for
/// many results that are new objects here (`"" + s`, `s.replace()` without
/// a match, `str(small_int)` inside `print`). Nor are generators: the
/// emulator's own iterators (`array`'s) are generators, where MicroPython
/// iterates without its heap. Nor are bound methods: the runtime binds some
/// where MicroPython's method calls bind none.
fn on_micropython_heap<T: Any>(payload: &T) -> bool {
    let payload: &dyn Any = payload;
    if let Some(int) = payload.downcast_ref::<PyInt>() {
        // MicroPython's small ints are 31-bit, in the object pointer.
        return i32::try_from(int.as_bigint()).map_or(true, |v| !(-(1 << 30)..(1 << 30)).contains(&v));
    }
    if let Some(tuple) = payload.downcast_ref::<PyTuple>() {
        return !tuple.is_empty();
    }
    let id = TypeId::of::<T>();
    [
        TypeId::of::<PyList>(),
        TypeId::of::<PyDict>(),
        TypeId::of::<PySet>(),
        TypeId::of::<PyFrozenSet>(),
        TypeId::of::<PyByteArray>(),
        TypeId::of::<PyMemoryView>(),
        TypeId::of::<PySlice>(),
        TypeId::of::<PyFloat>(),
        TypeId::of::<PyComplex>(),
        TypeId::of::<PyFunction>(),
        TypeId::of::<PyDictItems>(),
        TypeId::of::<PyDictKeys>(),
        TypeId::of::<PyDictValues>(),
    ]
    .contains(&id)
}

/// The heap is unlocked while this guard lives: for what MicroPython makes
/// without its heap (exceptions, from its emergency buffer).
pub struct Unlocked {
    depth: u16,
}

impl Unlocked {
    /// Unlocks the heap until the guard is dropped.
    pub fn new() -> Self {
        Self { depth: LOCK_DEPTH.with(|d| d.replace(0)) }
    }
}

impl Default for Unlocked {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Unlocked {
    fn drop(&mut self) {
        LOCK_DEPTH.with(|d| d.set(self.depth));
    }
}
