//! The REPL on the board's UART 0, as MicroPython's `pyexec` runs it on
//! firmware 1.20.2: the friendly REPL (banner, `>>> `, line editing and
//! history, auto-indent, paste mode), the raw REPL with raw-paste mode (what
//! `mpremote` and `pyboard.py` drive), and the control keys.

mod line_editor;

use rustpython_vm::compiler::Mode as CompileMode;
use rustpython_vm::scope::Scope;
use rustpython_vm::signal::UserSignalSender;
use rustpython_vm::{PyResult, VirtualMachine};

use self::line_editor::{Line, LineEditor, auto_indent, continues, next_byte, out};
use crate::modules::os::CORE_TAG;
use crate::state::{self, board, lock};
use crate::uart::UartInput;
use pycom_board::FIRMWARE_BUILD_DATE;

const CTRL_A: u8 = 0x01;
const CTRL_B: u8 = 0x02;
const CTRL_C: u8 = 0x03;
const CTRL_D: u8 = 0x04;
const CTRL_E: u8 = 0x05;
const CTRL_F: u8 = 0x06;
/// Raw-paste flow-control window (bytes the host may send before an ack).
const RAW_PASTE_WINDOW: u16 = 256;

/// The REPL's mode, kept across soft resets as `pyexec_mode_kind` is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// `>>> ` with echo and editing.
    #[default]
    Friendly,
    /// `>` with no echo, for tools.
    Raw,
}

/// Why the REPL handed control back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Ctrl-D: soft reset.
    SoftReset,
    /// Ctrl-F: a hard reset into safe boot.
    SafeBoot,
    /// The input closed.
    Closed,
}

/// The REPL of one interpreter.
pub struct Repl<'a> {
    input: &'a UartInput,
    interrupt: UserSignalSender,
    editor: LineEditor,
}

/// The banner the friendly REPL starts with.
fn banner() -> String {
    let board = board();
    let (machine, release) = {
        let b = lock(&board);
        (b.model().machine(), b.firmware_release())
    };
    format!(
        "Pycom MicroPython {release} [{CORE_TAG}] on {FIRMWARE_BUILD_DATE}; {machine}\r\nType \"help()\" for more information.\r\n"
    )
}

impl<'a> Repl<'a> {
    /// A REPL reading `input`, sending Ctrl-C during execution to `interrupt`.
    pub fn new(input: &'a UartInput, interrupt: UserSignalSender) -> Self {
        Self { input, interrupt, editor: LineEditor::default() }
    }

    /// Runs the REPL in `scope` (where `main.py` ran) until a reset or the
    /// end of input. An error is the unwind of a stop or reset requested
    /// while it ran.
    pub fn run(&mut self, scope: &Scope, vm: &VirtualMachine) -> PyResult<Exit> {
        loop {
            let mode = state::with(|s| s.repl_mode);
            let next = match mode {
                Mode::Friendly => self.friendly(scope, vm)?,
                Mode::Raw => self.raw(scope, vm)?,
            };
            match next {
                Ok(mode) => state::with(|s| s.repl_mode = mode),
                Err(exit) => return Ok(exit),
            }
        }
    }

    /// The friendly REPL; returns the mode to switch to, or why it ended.
    fn friendly(&mut self, scope: &Scope, vm: &VirtualMachine) -> PyResult<Result<Mode, Exit>> {
        out(&banner(), vm)?;
        loop {
            let first = match self.editor.read(">>> ", "", self.input, vm)? {
                Line::Closed => return Ok(Err(Exit::Closed)),
                Line::Control(CTRL_A) => {
                    out("\r\n", vm)?;
                    return Ok(Ok(Mode::Raw));
                }
                Line::Control(CTRL_B) => {
                    out(&format!("\r\n{}", banner()), vm)?;
                    continue;
                }
                Line::Control(CTRL_D) => {
                    out("\r\n", vm)?;
                    return Ok(Err(Exit::SoftReset));
                }
                Line::Control(CTRL_E) => {
                    self.paste(scope, vm)?;
                    continue;
                }
                Line::Control(CTRL_F) => {
                    out("\r\n", vm)?;
                    return Ok(Err(Exit::SafeBoot));
                }
                Line::Control(_) => continue,
                Line::Text(text) => text,
            };
            let mut source = first;
            while continues(&source) {
                let indent = auto_indent(source.rsplit('\n').next().unwrap_or(""));
                match self.editor.read("... ", &indent, self.input, vm)? {
                    Line::Text(text) => {
                        source.push('\n');
                        source.push_str(&text);
                    }
                    Line::Control(CTRL_D) => {
                        out("\r\n", vm)?;
                        break;
                    }
                    Line::Control(CTRL_C) => {
                        source.clear();
                        break;
                    }
                    Line::Closed => return Ok(Err(Exit::Closed)),
                    Line::Control(_) => {}
                }
            }
            if !source.trim().is_empty() {
                source.push('\n');
                self.execute(&source, CompileMode::Single, scope, vm)?;
            }
        }
    }

    /// Paste mode (Ctrl-E): lines echoed after `=== ` until Ctrl-D runs them
    /// as one block, or Ctrl-C drops them.
    fn paste(&mut self, scope: &Scope, vm: &VirtualMachine) -> PyResult<()> {
        out("\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ", vm)?;
        let mut source = String::new();
        loop {
            let Some(byte) = self.editor.next_key(self.input, vm)? else { return Ok(()) };
            match byte {
                CTRL_C => return out("\r\n", vm),
                CTRL_D => {
                    out("\r\n", vm)?;
                    return self.execute(&source, CompileMode::Exec, scope, vm);
                }
                b'\r' | b'\n' => {
                    source.push('\n');
                    out("\r\n=== ", vm)?;
                }
                byte => {
                    source.push(char::from(byte));
                    out(&char::from(byte).to_string(), vm)?;
                }
            }
        }
    }

    /// The raw REPL: `>` then source until Ctrl-D, `OK`, its output, `\x04`,
    /// its error, `\x04`. Ctrl-D on an empty input soft-resets; Ctrl-B goes
    /// back to the friendly REPL; `\x05A\x01` starts raw-paste mode.
    fn raw(&mut self, scope: &Scope, vm: &VirtualMachine) -> PyResult<Result<Mode, Exit>> {
        out("raw REPL; CTRL-B to exit\r\n", vm)?;
        loop {
            out(">", vm)?;
            let mut source: Vec<u8> = Vec::new();
            loop {
                let Some(byte) = next_byte(self.input, vm)? else { return Ok(Err(Exit::Closed)) };
                match byte {
                    CTRL_A if source == [CTRL_E, b'A'] => {
                        self.raw_paste(scope, vm)?;
                        break;
                    }
                    CTRL_A => {
                        out("raw REPL; CTRL-B to exit\r\n", vm)?;
                        break;
                    }
                    CTRL_B => {
                        out("\r\n", vm)?;
                        return Ok(Ok(Mode::Friendly));
                    }
                    CTRL_C => source.clear(),
                    CTRL_D => {
                        out("OK", vm)?;
                        if source.is_empty() {
                            out("\r\n", vm)?;
                            return Ok(Err(Exit::SoftReset));
                        }
                        self.execute_raw(&source, scope, vm)?;
                        break;
                    }
                    byte => source.push(byte),
                }
            }
        }
    }

    /// Raw-paste mode: `R\x01` and the window size, then source in windows
    /// acknowledged with `\x01`, ended by Ctrl-D (answered with `\x04`).
    fn raw_paste(&mut self, scope: &Scope, vm: &VirtualMachine) -> PyResult<()> {
        let [low, high] = RAW_PASTE_WINDOW.to_le_bytes();
        out(&format!("R\x01{}{}", char::from(low), char::from(high)), vm)?;
        let mut source = Vec::new();
        let mut window_left = RAW_PASTE_WINDOW;
        loop {
            let Some(byte) = next_byte(self.input, vm)? else { return Ok(()) };
            if byte == CTRL_D {
                out("\x04", vm)?;
                return self.execute_raw(&source, scope, vm);
            }
            source.push(byte);
            window_left -= 1;
            if window_left == 0 {
                out("\x01", vm)?;
                window_left = RAW_PASTE_WINDOW;
            }
        }
    }

    /// Runs raw-REPL source: output, `\x04`, the error if any, `\x04`.
    fn execute_raw(&mut self, source: &[u8], scope: &Scope, vm: &VirtualMachine) -> PyResult<()> {
        let source = String::from_utf8_lossy(source);
        let error = self.run_code(&source, CompileMode::Exec, scope, vm)?;
        out(&format!("\x04{}\x04", error.unwrap_or_default()), vm)
    }

    /// Runs friendly-REPL source, printing a traceback if it raises.
    fn execute(&mut self, source: &str, mode: CompileMode, scope: &Scope, vm: &VirtualMachine) -> PyResult<()> {
        match self.run_code(source, mode, scope, vm)? {
            Some(traceback) => out(&traceback, vm),
            None => Ok(()),
        }
    }

    /// Runs `f` (`boot.py` or `main.py`, before the REPL starts) with Ctrl-C
    /// armed, as `pyexec` arms it for every script it runs.
    pub fn armed<R>(&self, f: impl FnOnce() -> R) -> R {
        self.input.set_interrupt(Some(self.interrupt.clone()));
        let result = f();
        self.input.set_interrupt(None);
        result
    }

    /// Compiles and runs `source` as `<stdin>` with Ctrl-C armed; returns the
    /// traceback of what it raised, if anything.
    fn run_code(
        &mut self,
        source: &str,
        mode: CompileMode,
        scope: &Scope,
        vm: &VirtualMachine,
    ) -> PyResult<Option<String>> {
        self.input.set_interrupt(Some(self.interrupt.clone()));
        let result = crate::panic_guard::run_python(vm, || {
            let code = crate::source::compile(source, mode, "<stdin>", vm)?;
            vm.run_code_obj(code, scope.clone())
        });
        self.input.set_interrupt(None);
        match result {
            Ok(_) => Ok(None),
            Err(exc) if state::unwinding() => Err(exc),
            Err(exc) => Ok(Some(crate::traceback::format(&exc, vm))),
        }
    }
}
