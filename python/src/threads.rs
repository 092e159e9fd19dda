//! The board's Python threads (`_thread`), as the firmware's GIL runs them:
//! one at a time.
//!
//! Each thread started by `_thread.start_new_thread` is a stackful coroutine
//! on the interpreter's own OS thread, with its own frames, exceptions and
//! native stack (swapped into the interpreter when it runs, see
//! `vendor/README.md`). The main thread schedules them: wherever it waits
//! (a sleep, a lock, a device wait, the REPL's input) it runs first every
//! thread that may go on, and device time moves on only when every thread
//! waits, to the earliest wake-up. A thread gives its turn back where it
//! waits, or when the watcher finds it computing (as the GIL is handed on
//! after a number of bytecodes on the board). The interleaving therefore
//! follows device time alone, never the host's speed.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corosensei::stack::{DefaultStack, Stack};
use corosensei::{Coroutine, CoroutineResult, Yielder};
use pycom_board::Board;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyDictRef};
use rustpython_vm::function::{FuncArgs, KwArgs};
use rustpython_vm::vm::GreenThreadState;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

use crate::state::{self, board, lock};

/// Native stack of a thread: the interpreter's recursion needs far more
/// than the firmware's 5 KiB task stacks (memory is committed as it is used).
const STACK_BYTES: usize = 16 << 20;

/// `_thread.get_ident()` of the main thread: the address of its thread
/// state in the ESP32's RAM, as the firmware gives it.
pub const MAIN_IDENT: u64 = 0x3FFE_4C40;
/// Address of the first started thread's state; the next ones follow.
const FIRST_IDENT: u64 = 0x3FFD_2A10;
/// Distance between two threads' states (a task's control block and stack).
const IDENT_STRIDE: u64 = 0x1670;

/// A waiting device check of a suspended thread; it lives on the thread's
/// stack, which stays put while the thread is suspended.
type Check = *mut (dyn FnMut(&mut Board) -> bool + 'static);

/// Why a thread gave its turn back, and when it may go on.
enum Wait {
    /// Just started at this device time: it runs at the main thread's next
    /// wait, or once the main thread has computed for a slice of device time.
    Start(u64),
    /// It was computing: it goes on at its next turn.
    Turn,
    /// Until device time `at`, or sooner once `ready` holds.
    Until { at: u64, ready: Option<Check> },
    /// Until the lock is free.
    Lock(Rc<Cell<bool>>),
}

/// What a suspended thread is told when it gets its turn.
enum Resume {
    /// Go on.
    Run,
    /// The board resets or the run ends: unwind.
    Kill,
}

struct Thread {
    ident: u64,
    coroutine: Coroutine<Resume, Wait, (), DefaultStack>,
    vm_state: GreenThreadState,
    wait: Wait,
}

/// What the watcher and the interrupt checks see of the threads, from any
/// OS thread.
#[derive(Clone, Default)]
pub struct ThreadWakes {
    shared: Arc<Wakes>,
}

#[derive(Default)]
struct Wakes {
    alive: AtomicUsize,
    next_us: AtomicU64,
}

impl ThreadWakes {
    /// How many started threads have not ended.
    pub fn alive(&self) -> usize {
        self.shared.alive.load(Ordering::Relaxed)
    }

    /// The device time at which the next sleeping thread wakes, if any.
    pub fn next_us(&self) -> Option<u64> {
        Some(self.shared.next_us.load(Ordering::Relaxed)).filter(|&at| at != u64::MAX && self.alive() > 0)
    }
}

#[derive(Default)]
struct Scheduler {
    /// The started threads not running now; a running one's slot is empty.
    threads: Vec<Option<Thread>>,
    next_ident: u64,
    stack_size: i64,
    wakes: ThreadWakes,
}

thread_local! {
    static SCHEDULER: RefCell<Scheduler> = RefCell::default();
    /// The yielder of the thread running now; null while the main thread runs.
    static CURRENT: Cell<*const Yielder<Resume, Wait>> = const { Cell::new(std::ptr::null()) };
    static CURRENT_IDENT: Cell<u64> = const { Cell::new(MAIN_IDENT) };
    /// When the running thread got its turn.
    static TURN_STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
    /// The end of the main thread's device wait, while it waits.
    static MAIN_UNTIL: Cell<Option<u64>> = const { Cell::new(None) };
}

/// The main thread waits until device time `until`: a thread that spins
/// lets device time run on to it, as to a sleeping thread's wake-up.
pub fn main_waits_until(until: u64) -> MainWait {
    let before = MAIN_UNTIL.replace(Some(until));
    publish();
    MainWait { before }
}

/// The main thread's wait, published while it lasts.
pub struct MainWait {
    before: Option<u64>,
}

impl Drop for MainWait {
    fn drop(&mut self) {
        MAIN_UNTIL.set(self.before);
        publish();
    }
}

/// Starts the threads of a new interpreter: none yet.
pub fn install(wakes: ThreadWakes) {
    SCHEDULER.with(|s| *s.borrow_mut() = Scheduler { wakes, ..Scheduler::default() });
    publish();
}

/// Whether a started thread (not the main one) is running now.
pub fn in_thread() -> bool {
    !CURRENT.get().is_null()
}

/// `_thread.get_ident()`.
pub fn ident() -> u64 {
    CURRENT_IDENT.get()
}

/// `_thread.stack_size(size)`: sets the size the next thread gets; the one before.
pub fn swap_stack_size(size: i64) -> i64 {
    SCHEDULER.with(|s| std::mem::replace(&mut s.borrow_mut().stack_size, size))
}

/// `_thread.start_new_thread`: the thread runs `func(*args, **kwargs)` from
/// its first turn on.
pub fn start(
    func: PyObjectRef,
    args: Vec<PyObjectRef>,
    kwargs: Option<PyDictRef>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    let stack = DefaultStack::new(STACK_BYTES).map_err(|e| vm.new_memory_error(format!("thread stack: {e}")))?;
    let vm_state = GreenThreadState::new(stack.limit().get());
    let kwargs: KwArgs = match kwargs {
        Some(dict) => dict
            .into_iter()
            .map(|(k, v)| Ok((k.str(vm)?.as_wtf8().to_string_lossy().into_owned(), v)))
            .collect::<PyResult<Vec<_>>>()?
            .into_iter()
            .collect(),
        None => KwArgs::default(),
    };
    let coroutine = Coroutine::with_stack(stack, move |yielder: &Yielder<Resume, Wait>, first: Resume| {
        CURRENT.set(yielder);
        if let Resume::Run = first {
            rustpython_vm::vm::thread::with_current_vm(|vm| {
                let called = crate::panic_guard::run_python(vm, || func.call(FuncArgs::new(args, kwargs), vm));
                if let Err(exc) = called {
                    report(&func, &exc, vm);
                }
            });
        }
    });
    SCHEDULER.with(|s| {
        let mut s = s.borrow_mut();
        let ident = FIRST_IDENT + s.next_ident * IDENT_STRIDE;
        s.next_ident += 1;
        let now = now_us(&board());
        s.threads.push(Some(Thread { ident, coroutine, vm_state, wait: Wait::Start(now) }));
    });
    publish();
    Ok(())
}

/// An exception that ended a thread: `SystemExit` (`_thread.exit()`) and the
/// board's own unwinding end it silently; anything else is printed as the
/// firmware's `thread_entry` does.
fn report(func: &PyObjectRef, exc: &PyBaseExceptionRef, vm: &VirtualMachine) {
    let silent = exc.class().fast_issubclass(vm.ctx.exceptions.system_exit)
        || state::unwinding()
        || state::with(|s| s.unwind_type.clone()).is_some_and(|unwind| exc.class().fast_issubclass(&unwind));
    if silent {
        return;
    }
    let name =
        func.repr(vm).map(|r| r.as_wtf8().to_string_lossy().into_owned()).unwrap_or_else(|_| "<function>".into());
    let text = format!("Unhandled exception in thread started by {name}\n{}", crate::traceback::format(exc, vm));
    let _ = crate::console::write(&text, vm);
}

/// In a started thread: gives the turn back until `wait` is over. Fails with
/// the board's unwinding exception when the thread must end.
fn suspend(wait: Wait, vm: &VirtualMachine) -> PyResult<()> {
    let yielder = CURRENT.get();
    // SAFETY: `CURRENT` is the yielder of the coroutine running this code,
    // set by its body before any Python ran and after every resume.
    let resumed = unsafe { &*yielder }.suspend(wait);
    CURRENT.set(yielder);
    match resumed {
        Resume::Run => Ok(()),
        Resume::Kill => Err(state::unwind(vm)),
    }
}

/// Waits up to `us` of device time for `done`, as `time`'s device wait does
/// for the main thread, in a started thread: the main thread moves the
/// clock and gives this one its turn back once `done` holds or the time is
/// over. Whether `done` held.
pub fn wait_in_thread(us: u64, vm: &VirtualMachine, done: &mut dyn FnMut(&mut Board) -> bool) -> PyResult<bool> {
    let board = board();
    let until = lock(&board).now_us().saturating_add(us);
    loop {
        let (finished, now) = {
            let mut b = lock(&board);
            b.sync();
            (done(&mut b), b.now_us())
        };
        if finished {
            return Ok(true);
        }
        if now >= until {
            return Ok(false);
        }
        let check: *mut (dyn FnMut(&mut Board) -> bool + '_) = done;
        // SAFETY: only the lifetime is erased; the check is called only
        // while this thread is suspended right here, its stack intact.
        let ready: Check = unsafe { std::mem::transmute(check) };
        suspend(Wait::Until { at: until, ready: Some(ready) }, vm)?;
    }
}

/// Waits until `locked` is false, then takes it (`lock.acquire()`); in the
/// main thread it runs the others meanwhile.
pub fn acquire(locked: &Rc<Cell<bool>>, vm: &VirtualMachine) -> PyResult<()> {
    while locked.get() {
        if in_thread() {
            suspend(Wait::Lock(locked.clone()), vm)?;
        } else {
            main_waits_for(vm, &mut || !locked.get())?;
        }
    }
    locked.set(true);
    Ok(())
}

/// Step of a wait without end: the clock moves on a step at a time, so the
/// run's deadline and interrupts still come.
const FOREVER_STEP_US: u64 = 3_600_000_000;

/// In the main thread: waits as long as it takes for `done`, running the
/// other threads meanwhile.
pub fn main_waits_for(vm: &VirtualMachine, done: &mut dyn FnMut() -> bool) -> PyResult<()> {
    while !done() {
        crate::modules::time::device_wait(FOREVER_STEP_US, vm, &mut |_| done())?;
    }
    Ok(())
}

/// A sleeping thread's wake-up came while another computes: the main thread
/// runs it now; a started thread goes on (the main thread runs the woken
/// one when this one waits or its slice ends).
pub fn wake_due(vm: &VirtualMachine) -> PyResult<()> {
    if in_thread() { Ok(()) } else { run_due(vm).map(drop) }
}

/// Wall time a started thread computes before the watcher's slices hand
/// its turn on.
const SLICE: Duration = Duration::from_millis(5);

/// The computing thread's slice ended: it gives its turn to the others that
/// may go on (a thread that only just got its turn keeps it).
pub fn slice_ended(vm: &VirtualMachine) -> PyResult<()> {
    // The main thread's slices hand on to threads that compute too, and to
    // new ones once device time has moved a slice on without the main
    // thread waiting (a spin); the others run at its waits, where device
    // time puts them.
    let hand_on = if in_thread() {
        TURN_STARTED.get().is_some_and(|started| started.elapsed() >= SLICE)
    } else {
        turn_waiting() || start_overdue()
    };
    if hand_on { pass_turn(vm) } else { Ok(()) }
}

/// Whether a new thread has waited a slice of device time for its start.
fn start_overdue() -> bool {
    let now = now_us(&board());
    let slice = SLICE.as_micros() as u64;
    SCHEDULER.with(|s| {
        s.borrow()
            .threads
            .iter()
            .flatten()
            .any(|t| matches!(t.wait, Wait::Start(at) if now >= at.saturating_add(slice)))
    })
}

/// The running thread waits on the host (a socket): the others that may go
/// on run meanwhile.
pub fn pass_turn(vm: &VirtualMachine) -> PyResult<()> {
    if in_thread() { suspend(Wait::Turn, vm) } else { run_due(vm).map(drop) }
}

/// Whether a thread gave its turn back while computing: it goes on before
/// device time does.
pub fn turn_waiting() -> bool {
    SCHEDULER.with(|s| s.borrow().threads.iter().flatten().any(|t| matches!(t.wait, Wait::Turn)))
}

/// In the main thread: runs every thread that may go on, each until it
/// waits again, until none may; whether any ran. A thread that gave its
/// turn back while computing waits for the next call.
pub fn run_due(vm: &VirtualMachine) -> PyResult<bool> {
    if in_thread() || SCHEDULER.with(|s| s.borrow().threads.is_empty()) {
        return Ok(false);
    }
    let mut ran = false;
    let board = board();
    let mut turned = Vec::new();
    loop {
        let now = unclocked(&board).now_us();
        let next = SCHEDULER.with(|s| {
            let s = s.borrow();
            s.threads
                .iter()
                .position(|slot| slot.as_ref().is_some_and(|t| !turned.contains(&t.ident) && may_go_on(t, now, &board)))
        });
        let Some(index) = next else { break };
        let thread = SCHEDULER.with(|s| s.borrow_mut().threads[index].take()).expect("a waiting thread");
        let ident = thread.ident;
        ran = true;
        if let Some(thread) = resume(thread, Resume::Run, vm) {
            if matches!(thread.wait, Wait::Turn) {
                turned.push(ident);
            }
            SCHEDULER.with(|s| s.borrow_mut().threads[index] = Some(thread));
        }
        if state::unwinding() {
            break;
        }
    }
    SCHEDULER.with(|s| s.borrow_mut().threads.retain(Option::is_some));
    publish();
    Ok(ran)
}

fn may_go_on(thread: &Thread, now: u64, board: &std::sync::Mutex<Board>) -> bool {
    match &thread.wait {
        Wait::Start(_) | Wait::Turn => true,
        Wait::Lock(locked) => !locked.get(),
        Wait::Until { at, .. } if now >= *at => true,
        Wait::Until { ready: None, .. } => false,
        Wait::Until { ready: Some(ready), .. } => {
            let mut b = unclocked(board);
            b.sync();
            // SAFETY: the thread is suspended in `wait_in_thread`, whose
            // frame holds the check.
            unsafe { (**ready)(&mut b) }
        }
    }
}

/// Whether `done` holds, looked at without costing device time.
pub fn holds(board: &std::sync::Mutex<Board>, done: &mut dyn FnMut(&mut Board) -> bool) -> bool {
    let mut b = unclocked(board);
    b.sync();
    done(&mut b)
}

/// Device time, read without costing any.
pub fn now_us(board: &std::sync::Mutex<Board>) -> u64 {
    unclocked(board).now_us()
}

/// The board, locked by the scheduler: not an access from Python, so it
/// costs no device time.
fn unclocked(board: &std::sync::Mutex<Board>) -> std::sync::MutexGuard<'_, Board> {
    board.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `thread` until it waits again (the thread back) or ends (`None`).
fn resume(mut thread: Thread, how: Resume, vm: &VirtualMachine) -> Option<Thread> {
    vm.swap_green_thread_state(&mut thread.vm_state);
    CURRENT_IDENT.set(thread.ident);
    TURN_STARTED.set(Some(Instant::now()));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| thread.coroutine.resume(how)));
    CURRENT.set(std::ptr::null());
    CURRENT_IDENT.set(MAIN_IDENT);
    vm.swap_green_thread_state(&mut thread.vm_state);
    match result {
        Ok(CoroutineResult::Yield(wait)) => {
            thread.wait = wait;
            Some(thread)
        }
        Ok(CoroutineResult::Return(())) => None,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// The earliest wake-up of a sleeping thread, for the device waits of the
/// main thread.
pub fn next_wake_us() -> Option<u64> {
    SCHEDULER.with(|s| s.borrow().wakes.next_us())
}

/// Whether every started thread has ended.
pub fn all_ended() -> bool {
    SCHEDULER.with(|s| s.borrow().threads.is_empty())
}

/// Tells the watcher and the interrupt checks how many threads live and
/// when the next sleeping one (or the waiting main thread) wakes.
fn publish() {
    SCHEDULER.with(|s| {
        let s = s.borrow();
        let next = s
            .threads
            .iter()
            .flatten()
            .filter_map(|t| match t.wait {
                Wait::Until { at, .. } => Some(at),
                Wait::Start(_) | Wait::Turn | Wait::Lock(_) => None,
            })
            .chain(MAIN_UNTIL.get())
            .min()
            .unwrap_or(u64::MAX);
        s.wakes.shared.next_us.store(next, Ordering::Relaxed);
        s.wakes.shared.alive.store(s.threads.len(), Ordering::Relaxed);
    });
}

/// Ends every thread, as a reset does on the board: each is told to unwind
/// at its wait. One that catches the unwinding and waits again is told
/// again; one that still does not end is abandoned with its stack.
pub fn end_all(vm: &VirtualMachine) {
    const TELLS: usize = 3;
    let threads: Vec<Thread> = SCHEDULER.with(|s| s.borrow_mut().threads.drain(..).flatten().collect());
    for thread in threads {
        let mut left = Some(thread);
        for _ in 0..TELLS {
            let Some(thread) = left.take() else { break };
            left = resume(thread, Resume::Kill, vm);
        }
        if let Some(stubborn) = left {
            std::mem::forget(stubborn);
        }
    }
    publish();
}
