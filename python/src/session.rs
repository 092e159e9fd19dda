//! A run of the board: power-on, `main.py`, and the boot loop around resets.

use std::collections::HashMap;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pycom_board::{Board, BoardError, BootKind, ResetCause};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyInt};
use rustpython_vm::scope::Scope;
use rustpython_vm::signal::user_signal_channel;
use rustpython_vm::{AsObject, Interpreter, PyResult, VirtualMachine};

use crate::cpu_clock::ThreadCpuClock;
use crate::device_time::{self, Deadlines};
use crate::heap::AllocationCount;
use crate::power::PowerSwitch;
use crate::repl::{self, Exit, Repl};
use crate::state::{self, RunState, lock};
use crate::uart::UartInput;
use crate::watcher::{Effort, Watcher};
use crate::{Console, modules, panic_guard, prelude, teardown, traceback};

/// Where the firmware looks for the script it runs before `main.py`.
const BOOT_PY: &str = "/boot.py";
/// `boot.py`'s name in tracebacks.
const BOOT_PY_NAME: &str = "boot.py";
/// The script run after `boot.py` unless `machine.main()` names another
/// (relative to the working directory, as `pyexec_file` opens it).
const MAIN_PY: &str = "main.py";
/// The firmware's frozen `_boot.py`, run at every boot (safe boot too) before
/// `boot.py`, in the globals `boot.py`, `main.py` and the REPL share.
const FROZEN_BOOT_PY: &str = include_str!("frozen/_boot.py");

/// The script that runs after `boot.py`.
enum MainStep {
    /// None: a safe boot, or the REPL is in raw mode.
    Skip,
    /// The run's script, played as `main.py`.
    Given(Script),
    /// `main.py` on the board's flash.
    Flash,
}

/// A Python source file to run as the board's `main.py`.
#[derive(Clone, Debug)]
pub struct Script {
    /// File name shown in tracebacks.
    pub name: String,
    /// Source text.
    pub source: String,
}

impl Script {
    fn from_bytes(name: &str, source: &[u8]) -> Self {
        Self { name: name.into(), source: String::from_utf8_lossy(source).into_owned() }
    }
}

/// A request to end the run, with the exit status the host should report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StopRequest {
    /// Why the run ends, for the user.
    pub reason: String,
    /// Exit status for the host process.
    pub exit_code: i32,
}

/// What to run and when to give up.
#[derive(Clone)]
pub struct RunConfig {
    /// The script played as `main.py` after every boot; `None` runs the
    /// board's own `/flash/main.py`, if any.
    pub main: Option<Script>,
    /// The UART's input: with it, the REPL runs after `main.py`, as on the
    /// board, until the input closes.
    pub uart: Option<UartInput>,
    /// With `uart`: whether the REPL runs after `main.py`, as on the board.
    /// Without it the script still reads the UART (`input()`, `sys.stdin`,
    /// Ctrl-C raising `KeyboardInterrupt`) and the run ends with `main.py`
    /// (`run --web`: the page's keys reach the script).
    pub repl: bool,
    /// Device time (µs since power-on) at which the run stops, and how to report it.
    pub timeout: Option<(u64, StopRequest)>,
    /// Most resets allowed before the run is stopped.
    pub max_resets: Option<u32>,
    /// The board's power switch, for whoever else holds it (the web view).
    pub power: PowerSwitch,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `main.py` ran to its end.
    Completed,
    /// `main.py` raised; the traceback went to the console.
    Raised,
    /// `sys.exit(code)`.
    SystemExit(i32),
    /// Stopped from outside: console match, timeout or reset limit.
    Stopped(StopRequest),
    /// The emulator failed (a Rust panic outside script code); the message says where.
    InternalError(String),
    /// The timeout fired but the script did not stop within [`STOP_GRACE`] of
    /// wall time (one long native operation, such as a huge power, cannot be
    /// interrupted): the board's thread is abandoned, still running.
    Overran(StopRequest),
}

/// Wall time a script has to stop once the run's timeout fired before
/// [`run`] gives up on it and returns [`Outcome::Overran`].
pub const STOP_GRACE: Duration = Duration::from_secs(2);

/// Stack of the thread the interpreter runs on: deep enough for the parser
/// and compiler on deeply nested source and for the interpreter's own
/// recursion limit (memory is only committed as it is used).
const INTERPRETER_STACK: usize = 256 << 20;

/// Runs `config.main` on `board` from power-on, sending UART output to `console`.
/// Hard and soft resets requested by the script boot the board again and rerun
/// the script, with flash contents kept. The board runs on a thread of its own
/// with a deep stack; a script that does not stop within [`STOP_GRACE`] of
/// its timeout is left running there and the run ends as [`Outcome::Overran`].
pub fn run(board: Arc<Mutex<Board>>, console: Box<dyn Console>, config: RunConfig) -> Result<Outcome, BoardError> {
    let (ended, end) = mpsc::channel();
    let overran = ended.clone();
    let spawned = std::thread::Builder::new().name("pycom-emu board".into()).stack_size(INTERPRETER_STACK);
    let body = move || {
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_here(board, console, config, overran)));
        let result = result.unwrap_or_else(|_| Ok(Outcome::InternalError("the board's thread panicked".into())));
        let _ = ended.send(result);
    };
    match spawned.spawn(body) {
        // The board's thread always sends its result; the watcher sends first when the script overran.
        Ok(_thread) => end.recv().unwrap_or_else(|_| Ok(Outcome::InternalError("the board's thread vanished".into()))),
        Err(e) => Ok(Outcome::InternalError(format!("cannot start the board's thread: {e}"))),
    }
}

fn run_here(
    board: Arc<Mutex<Board>>,
    console: Box<dyn Console>,
    config: RunConfig,
    overran: Sender<Result<Outcome, BoardError>>,
) -> Result<Outcome, BoardError> {
    let clock = lock(&board).clock().clone();
    state::install(RunState {
        board: board.clone(),
        console,
        stop: None,
        reset: None,
        timeout: config.timeout.clone(),
        cwd: crate::vfs::FLASH.into(),
        timezone: 0,
        unwind_type: None,
        gc_enabled: true,
        gc_threshold: -1,
        heap_baseline: 0,
        pins: HashMap::new(),
        i2c: HashMap::new(),
        spi: HashMap::new(),
        uarts: HashMap::new(),
        irq_task_dead: false,
        in_irq: false,
        irqs_disabled: false,
        alarms: HashMap::new(),
        next_alarm_id: 0,
        irq_alias_noted: false,
        repl_mode: crate::repl::Mode::Friendly,
        uart: config.uart.clone(),
        main_script: None,
        dupterm: None,
        opt_level: 0,
        lora_callback: None,
        lora_restore: false,
    });
    let deadlines = {
        let b = lock(&board);
        Deadlines {
            clock,
            deadline: config.timeout.clone(),
            watchdog: b.watchdog_handle(),
            events: b.next_event_handle(),
            threads: crate::threads::ThreadWakes::default(),
            power: config.power.clone(),
        }
    };
    let allocations = AllocationCount::default();
    let _counted = allocations.count_this_thread();
    let interpreter = Effort { cpu: ThreadCpuClock::of_this_thread(), allocations, threads: deadlines.threads.clone() };
    let watch = Watcher::start(deadlines.clone(), interpreter, overran);
    let result = {
        let _turn = TimelineTurn::take(&deadlines.clock);
        panic_guard::guard(|| boot_loop(&board, &config, &watch, &deadlines))
    };
    // The run is over: a watcher held at a paused clock goes on to its end.
    deadlines.clock.set_hurry(true);
    watch.finish();
    state::uninstall();
    lock(&board).sync();
    result.unwrap_or_else(|message| Ok(Outcome::InternalError(message)))
}

/// The board's hold on a fleet's timeline while it runs: taken at power-on,
/// given up when the run ends, also by a panic.
struct TimelineTurn<'a>(&'a pycom_board::Clock);

impl<'a> TimelineTurn<'a> {
    fn take(clock: &'a pycom_board::Clock) -> Self {
        clock.take_first_turn();
        Self(clock)
    }
}

impl Drop for TimelineTurn<'_> {
    fn drop(&mut self) {
        self.0.leave_timeline();
    }
}

fn boot_loop(
    board: &Mutex<Board>,
    config: &RunConfig,
    watch: &Watcher,
    deadlines: &Deadlines,
) -> Result<Outcome, BoardError> {
    let mut kind = BootKind::Hard(ResetCause::PowerOn);
    let mut resets = 0u32;
    loop {
        deadlines.clock.rejoin();
        if matches!(kind, BootKind::Hard(_)) {
            state::with(|s| s.repl_mode = repl::Mode::Friendly);
        }
        if lock(board).power_lost() {
            eprintln!("[pycom-emu] the power was cut in the middle of a flash write: the board powers on again");
            lock(board).restore_power();
            config.power.powered_on();
            kind = BootKind::Hard(ResetCause::PowerOn);
        }
        let booted = lock(board).boot(kind);
        if booted.is_err() && lock(board).power_lost() {
            // The cut came during the boot's own flash writes.
            continue;
        }
        booted?;
        let (uart, notes, safe_boot, boot_py) = {
            let mut board = lock(board);
            let mut fs = board.fs();
            let boot_py = fs.read(BOOT_PY).ok();
            (board.take_uart_output(), board.take_diagnostics(), board.safe_boot(), boot_py)
        };
        for note in notes {
            eprintln!("[pycom-emu] {note}");
        }
        for line in uart {
            if let Some(stop) = state::with(|s| s.console.write(&format!("{line}\r\n"))) {
                return Ok(Outcome::Stopped(stop));
            }
        }
        state::with(|s| {
            s.reset = None;
            s.cwd = crate::vfs::FLASH.into();
            s.irq_task_dead = false;
            s.in_irq = false;
            s.irqs_disabled = false;
            s.main_script = None;
            s.opt_level = 0;
            if matches!(kind, BootKind::Hard(_)) {
                s.timezone = 0;
            }
        });
        let (boot_py, main) = if safe_boot {
            eprintln!("[pycom-emu] safe boot: boot.py and main.py are skipped");
            (None, MainStep::Skip)
        } else {
            let boot_py = boot_py.map(|source| Script::from_bytes(BOOT_PY_NAME, &source));
            // As pyexec does, main.py runs only when the REPL is in friendly mode.
            let main = match &config.main {
                Some(main) => MainStep::Given(main.clone()),
                None if state::with(|s| s.repl_mode) == repl::Mode::Friendly => MainStep::Flash,
                None => MainStep::Skip,
            };
            (boot_py, main)
        };
        let outcome = run_once(board, boot_py, &main, config, watch, deadlines);
        if let Some(stop) = state::with(|s| s.stop.take()) {
            return Ok(Outcome::Stopped(stop));
        }
        let Some(next) = state::with(|s| s.reset.take()) else { return Ok(outcome) };
        resets += 1;
        if let Some(limit) = config.max_resets.filter(|limit| resets > *limit) {
            return Ok(Outcome::Stopped(StopRequest {
                reason: format!("stopped after {limit} resets (--max-resets)"),
                exit_code: 1,
            }));
        }
        if next == BootKind::Soft
            && let Some(stop) = state::with(|s| s.console.write("PYB: soft reboot\r\n"))
        {
            return Ok(Outcome::Stopped(stop));
        }
        kind = next;
    }
}

/// Runs `scripts` (`boot.py`, then `main.py`) in one interpreter and one global
/// namespace, as the firmware does: an exception in one is reported and the next
/// still runs; a stop or reset ends the run at once.
fn run_once(
    board: &Mutex<Board>,
    boot_py: Option<Script>,
    main: &MainStep,
    config: &RunConfig,
    watch: &Watcher,
    deadlines: &Deadlines,
) -> Outcome {
    let uart = config.uart.as_ref();
    let model = lock(board).model();
    let (sender, receiver) = user_signal_channel();
    let repl = uart.map(|input| Repl::new(input, sender.clone()));
    // Building the interpreter and its prelude touches nothing of the board:
    // in a fleet the other boards run meanwhile.
    let clock = &deadlines.clock;
    clock.step_aside();
    let builder = Interpreter::builder(Default::default());
    let defs = modules::defs(&builder.ctx);
    let interpreter =
        builder.add_native_modules(&defs).init_hook(move |vm| vm.set_user_signal_channel(receiver)).build();
    let (scope, installed) = interpreter.enter(|vm| {
        let scope = vm.new_scope_with_builtins();
        let installed = prelude::install(vm, model).and_then(|()| register_main(&scope, vm));
        (scope, installed)
    });
    clock.rejoin();
    // Interrupts start once the interpreter is built: RustPython's own start-up
    // must not fail. One that fell due meanwhile fires at the next instruction.
    watch.attach(sender.clone());
    device_time::arm(deadlines.clone(), sender.clone());
    config.power.attach(clock, sender);
    crate::threads::install(deadlines.threads.clone());
    let outcome = interpreter.enter(|vm| {
        let outcome = match installed {
            Ok(()) => run_scripts(board, boot_py, main, repl, config.repl, &scope, vm),
            Err(exc) => uncaught(exc, board, vm),
        };
        crate::heap::lift_limit();
        // A reset or the end of the run ends the threads still running.
        crate::threads::end_all(vm);
        // Pin and UART objects, the unwind type and the dupterm stream belong to this
        // interpreter; the next boot makes new ones.
        state::with(|s| {
            s.pins.clear();
            s.i2c.clear();
            s.spi.clear();
            s.alarms.clear();
            s.uarts.clear();
            s.unwind_type = None;
            s.dupterm = None;
            s.lora_callback = None;
            s.lora_restore = false;
        });
        outcome
    });
    device_time::disarm();
    config.power.detach();
    watch.detach();
    // Freeing it is the board's own business too.
    clock.step_aside();
    interpreter.enter(|vm| teardown::clear(&scope.globals, vm));
    drop(scope);
    teardown::free(interpreter);
    outcome
}

/// Installs the prelude and runs the frozen `_boot.py`, `boot.py` and the
/// main script in one global namespace, as the firmware does: an exception in
/// one is reported and the next still runs; a stop or reset ends the run at
/// once. Then the REPL, if there is one and `repl_after` asks for it.
fn run_scripts(
    board: &Mutex<Board>,
    boot_py: Option<Script>,
    main: &MainStep,
    repl: Option<Repl<'_>>,
    repl_after: bool,
    scope: &Scope,
    vm: &VirtualMachine,
) -> Outcome {
    {
        state::with(|s| s.heap_baseline = crate::heap::live_bytes());
        crate::heap::limit_to_board(lock(board).model().gc_heap_size());
        let frozen = Script { name: "_boot.py".into(), source: FROZEN_BOOT_PY.into() };
        // The main script is chosen only once `boot.py` has run: it may call `machine.main()`.
        let steps: [&dyn Fn() -> PyResult<Option<Script>>; 3] =
            [&|| Ok(Some(frozen.clone())), &|| Ok(boot_py.clone()), &|| main_script(main, vm)];
        let mut outcome = Outcome::Completed;
        for step in steps {
            let run = |script: Script| match &repl {
                Some(repl) => repl.armed(|| execute(&script, scope, vm)),
                None => execute(&script, scope, vm),
            };
            let ran = match step().and_then(|script| script.map_or(Ok(()), run)) {
                Ok(()) => Outcome::Completed,
                Err(exc) => uncaught(exc, board, vm),
            };
            if state::unwinding() {
                return ran;
            }
            outcome = match (outcome, ran) {
                (Outcome::Raised, Outcome::Completed) => Outcome::Raised,
                (_, ran) => ran,
            };
        }
        let Some(mut repl) = repl.filter(|_| repl_after) else { return threads_to_their_end(outcome, board, vm) };
        match repl.run(scope, vm) {
            Ok(Exit::Closed) => Outcome::Completed,
            Ok(Exit::SoftReset) => {
                state::with(|s| s.reset = Some(BootKind::Soft));
                Outcome::Completed
            }
            Ok(Exit::SafeBoot) => {
                // Ctrl-F: the firmware asks its bootloader for a safe boot and resets.
                let request = pycom_board::BootmgrRequest { safeboot: Some(1), ..Default::default() };
                if let Err(e) = lock(board).bootmgr(request) {
                    eprintln!("[pycom-emu] safe boot request failed: {e}");
                }
                state::with(|s| s.reset = Some(BootKind::Hard(ResetCause::Hard)));
                Outcome::Completed
            }
            Err(exc) => uncaught(exc, board, vm),
        }
    }
}

/// With no REPL to go to, the board goes on running the threads `main.py`
/// started, as it would at its REPL, until each has ended (or the run's
/// deadline comes).
fn threads_to_their_end(outcome: Outcome, board: &Mutex<Board>, vm: &VirtualMachine) -> Outcome {
    match crate::threads::main_waits_for(vm, &mut || crate::threads::all_ended() || state::unwinding()) {
        Ok(()) => outcome,
        Err(exc) => uncaught(exc, board, vm),
    }
}

/// The script to run after `boot.py`: the one `machine.main()` named, read
/// from flash now, else `main.py`. The run's script stands for
/// `/flash/main.py`, also when `machine.main('main.py')` names it. A file
/// that cannot be read raises `OSError` as `pyexec_file` does.
fn main_script(main: &MainStep, vm: &VirtualMachine) -> PyResult<Option<Script>> {
    let name = match (main, state::with(|s| s.main_script.clone())) {
        (MainStep::Skip, _) => return Ok(None),
        (MainStep::Given(script), Some(name))
            if crate::vfs::normalise(&name, &crate::vfs::cwd()) == "/flash/main.py" =>
        {
            return Ok(Some(script.clone()));
        }
        (_, Some(name)) => name,
        (MainStep::Given(script), None) => return Ok(Some(script.clone())),
        (MainStep::Flash, None) => MAIN_PY.to_owned(),
    };
    let location = crate::vfs::resolve(&name, vm)?;
    let source = crate::vfs::on_volume!(vm, location, |fs, inner| fs.read(&inner))?;
    Ok(Some(Script::from_bytes(&name, &source)))
}

/// Puts the scripts' globals in `sys.modules` as the module `__main__`, as
/// `mp_init` registers it: `import __main__` gives the scripts' namespace.
fn register_main(scope: &Scope, vm: &VirtualMachine) -> PyResult<()> {
    let module = vm.new_module("__main__", scope.globals.clone(), None);
    vm.sys_module.get_attr("modules", vm)?.set_item("__main__", module.into(), vm)
}

fn execute(script: &Script, scope: &Scope, vm: &VirtualMachine) -> PyResult<()> {
    panic_guard::run_python(vm, || {
        let code = crate::source::compile(&script.source, rustpython_vm::compiler::Mode::Exec, &script.name, vm)?;
        scope.globals.set_item("__name__", vm.ctx.new_str("__main__").into(), vm)?;
        scope.globals.set_item("__file__", vm.ctx.new_str(script.name.as_str()).into(), vm)?;
        vm.run_code_obj(code, scope.clone()).map(|_| ())
    })
}

fn uncaught(exc: PyBaseExceptionRef, board: &Mutex<Board>, vm: &VirtualMachine) -> Outcome {
    if state::unwinding() {
        return Outcome::Completed;
    }
    if exc.class().fast_issubclass(vm.ctx.exceptions.system_exit) {
        let code = match exc.args().as_slice() {
            [] => 0,
            [code] if vm.is_none(code) => 0,
            [code] => match code.downcast_ref::<PyInt>() {
                Some(i) => i32::try_from(i.as_bigint()).unwrap_or(1),
                None => {
                    let _ = crate::console::write(&format!("{}\n", traceback::message(&exc, vm)), vm);
                    1
                }
            },
            _ => 1,
        };
        return Outcome::SystemExit(code);
    }
    let _ = crate::console::write(&traceback::format(&exc, vm), vm);
    // mperror_signal_error: the LED goes dark and the heartbeat stays disabled.
    lock(board).set_heartbeat(false);
    Outcome::Raised
}
