//! The watcher: a helper thread that looks at device time from outside the
//! interpreter, for what the script's own steps cannot bring due.
//!
//! - A script that runs past the run's deadline without stopping within
//!   [`STOP_GRACE`] of wall time (one long native operation) is reported as
//!   overrun.
//! - In real time, device time passes by itself: the watcher raises the
//!   deadline, the watchdog, pin events and alarms as they fall due.
//! - On the virtual clock, a script that neither touches the board nor
//!   sleeps leaves device time standing. One that computes [`SPIN`] of CPU
//!   time without even allocating or freeing (`while not flag: pass`, `while True:
//!   pass`) is waiting for an interrupt: device time jumps to the next one
//!   (an alarm, a pin event with an interrupt armed, the watchdog, the run's
//!   deadline), as a sleep would. One that computes for [`COMPUTE`] of CPU
//!   time counts its CPU time as device time from then on. CPU time, not wall
//!   time: a host busy with other programs changes nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use pycom_board::{BoardError, ClockMode};
use rustpython_vm::signal::UserSignalSender;

use crate::cpu_clock::ThreadCpuClock;
use crate::device_time::{Deadlines, Due};
use crate::heap::AllocationCount;
use crate::session::{Outcome, STOP_GRACE};

/// How often the watcher looks at the clock (wall time).
const POLL: Duration = Duration::from_millis(2);
/// How seldom, at most, the watcher looks at an interpreter that has not
/// computed since its last look.
const IDLE_POLL: Duration = Duration::from_millis(100);
/// How often an ignored interrupt is sent again.
const RESEND: Duration = Duration::from_millis(50);
/// CPU time a script that leaves the clock standing and allocates nothing
/// is taken to spin, waiting for an interrupt.
pub const SPIN: Duration = Duration::from_millis(10);
/// CPU time a script may compute without touching the board before its CPU
/// time starts to count as device time.
pub const COMPUTE: Duration = Duration::from_millis(300);

/// The watcher thread of one run.
pub struct Watcher {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

struct Shared {
    /// The running interpreter's signal channel; `None` between interpreters.
    sender: Mutex<Option<UserSignalSender>>,
    finished: AtomicBool,
}

impl Watcher {
    /// Starts watching `deadlines`; an overrun is sent to `overran`.
    /// `interpreter` tells how much the interpreter's thread has computed.
    pub fn start(deadlines: Deadlines, interpreter: Effort, overran: Sender<Result<Outcome, BoardError>>) -> Self {
        let shared = Arc::new(Shared { sender: Mutex::new(None), finished: AtomicBool::new(false) });
        let watcher = shared.clone();
        let thread = std::thread::spawn(move || watch(&watcher, &deadlines, &interpreter, &overran));
        Self { shared, thread: Some(thread) }
    }

    /// An interpreter runs: interrupts go to `sender`.
    pub fn attach(&self, sender: UserSignalSender) {
        *self.shared.sender() = Some(sender);
    }

    /// The interpreter is gone.
    pub fn detach(&self) {
        *self.shared.sender() = None;
    }

    /// Stops the thread.
    pub fn finish(mut self) {
        self.shared.finished.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Shared {
    fn sender(&self) -> std::sync::MutexGuard<'_, Option<UserSignalSender>> {
        self.sender.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What the interpreter's thread has done: its CPU time and its allocations
/// and frees.
pub struct Effort {
    /// Its CPU clock.
    pub cpu: ThreadCpuClock,
    /// Its allocations and frees.
    pub allocations: AllocationCount,
    /// Its `_thread` threads.
    pub threads: crate::threads::ThreadWakes,
}

impl Effort {
    fn now(&self) -> (Duration, u64) {
        (self.cpu.used(), self.allocations.get())
    }
}

fn watch(shared: &Shared, deadlines: &Deadlines, interpreter: &Effort, overran: &Sender<Result<Outcome, BoardError>>) {
    let clock = &deadlines.clock;
    let mut standstill = Standstill::new(clock.now_us(), interpreter.now());
    let mut fired: Option<Instant> = None;
    let mut poll = POLL;
    while !shared.finished.load(Ordering::Relaxed) {
        let mut computing = false;
        let mut jumped = false;
        let virtual_clock = clock.mode() == ClockMode::Virtual;
        if virtual_clock {
            let running = shared.sender().is_some();
            let effort = interpreter.now();
            // An interpreter that does not compute (it waits for its turn
            // in a fleet, or for the host) needs no close watch.
            computing = effort.0 != standstill.cpu;
            poll = if computing { POLL } else { (poll * 2).min(IDLE_POLL) };
            jumped = standstill.look(deadlines, effort, running);
        }
        // A thread that computes hands the turn on to the board's other
        // threads at the end of its slice, as the firmware's GIL does.
        if computing
            && interpreter.threads.alive() > 0
            && let Some(sender) = shared.sender().as_ref()
        {
            let _ = sender.send(Box::new(crate::threads::slice_ended));
        }
        // A board that computes without touching the board (the charges above
        // move its clock) lets the boards of its fleet that are due run first.
        if computing
            && clock.others_due()
            && let Some(sender) = shared.sender().as_ref()
        {
            let clock = clock.clone();
            let _ = sender.send(Box::new(move |_vm| {
                clock.let_others_catch_up();
                Ok(())
            }));
        }
        // A power request from outside waits for the interpreter to take it.
        if deadlines.power.pending()
            && let Some(sender) = shared.sender().as_ref()
        {
            let _ = sender.send(deadlines.power.taker());
        }
        let due = deadlines.due(clock.now_us());
        if let Some(Due::Deadline(request)) = &due
            && fired.get_or_insert_with(Instant::now).elapsed() >= STOP_GRACE
        {
            let _ = overran.send(Ok(Outcome::Overran(request.clone())));
            return;
        }
        // On the virtual clock the interpreter raises what its own steps
        // bring due; the watcher raises only what its own moves of the clock
        // did, so the board's timing never depends on when the watcher looks.
        let Some(due) = due.filter(|_| !virtual_clock || jumped) else {
            std::thread::sleep(poll);
            continue;
        };
        // Between interpreters (a boot starting) nothing is sent: look again soon.
        let sent = shared.sender().as_ref().is_some_and(|sender| sender.send(due.signal()).is_ok());
        std::thread::sleep(if sent { RESEND } else { POLL });
    }
}

/// Moves a virtual clock that a running script leaves standing.
struct Standstill {
    /// Device time at the last look.
    seen_us: u64,
    /// The interpreter's CPU time when it last moved device time.
    moved_at: Duration,
    /// Its allocations at the last look.
    allocations: u64,
    /// Its CPU time when it last allocated.
    allocated_at: Duration,
    /// CPU time up to which a computing script's time is counted.
    counted_to: Duration,
    /// The interpreter's CPU time at the last look.
    cpu: Duration,
}

impl Standstill {
    fn new(now_us: u64, (cpu, allocations): (Duration, u64)) -> Self {
        Self { seen_us: now_us, moved_at: cpu, allocations, allocated_at: cpu, counted_to: cpu, cpu }
    }

    /// Looks at the interpreter's effort; whether it moved the clock.
    fn look(&mut self, deadlines: &Deadlines, (cpu, allocations): (Duration, u64), running: bool) -> bool {
        let clock = &deadlines.clock;
        let now_us = clock.now_us();
        self.cpu = cpu;
        if allocations != self.allocations {
            self.allocations = allocations;
            self.allocated_at = cpu;
        }
        if now_us != self.seen_us || !running {
            self.seen_us = now_us;
            self.moved_at = cpu;
            self.counted_to = cpu;
            return false;
        }
        let standing = cpu.saturating_sub(self.moved_at);
        if standing >= SPIN && cpu.saturating_sub(self.allocated_at) >= SPIN {
            if let Some(at) = deadlines.next_us().filter(|&at| at > now_us) {
                clock.spend_us(at - now_us);
            }
        } else if standing >= COMPUTE {
            clock.spend_us(u64::try_from(cpu.saturating_sub(self.counted_to).as_micros()).unwrap_or(u64::MAX));
        } else {
            return false;
        }
        self.counted_to = cpu;
        self.seen_us = clock.now_us();
        true
    }
}
