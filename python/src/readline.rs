//! `input()` as the firmware's: the prompt, then a line read from UART 0 by
//! MicroPython's line editor (`lib/mp-readline`), which echoes what is
//! typed, erases with backspace and ends the line at Enter (`\r`, echoed as
//! `\r\n`). `sys.stdin.readline()` is the raw stream and echoes nothing.
//! Ctrl-D on an empty line is `EOFError`; so is the end of the input. Ctrl-C
//! raises `KeyboardInterrupt` as anywhere else (`micropython.kbd_intr`).
//!
//! A terminal sends Enter as `\r`; text piped to `--uart` ends lines with
//! `\n`, which also ends a line here, and the `\n` of a `\r\n` is skipped.

use std::cell::Cell;

use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyResult, VirtualMachine};

use crate::args::arity;
use crate::modules::sys::uart_byte;

const CTRL_D: u8 = 0x04;
const BACKSPACE: u8 = 0x08;
const DELETE: u8 = 0x7f;

thread_local! {
    /// Whether the last line read ended with `\r`, so a `\n` right after
    /// it belongs to the same Enter.
    static ENDED_WITH_CR: Cell<bool> = const { Cell::new(false) };
}

/// `input([prompt])`.
pub fn input(args: FuncArgs, vm: &VirtualMachine) -> PyResult<String> {
    arity(&args, 0, 1, vm)?;
    if let Some(prompt) = args.args.first() {
        crate::console::write(prompt.str(vm)?.as_wtf8().to_string_lossy().as_ref(), vm)?;
    }
    let mut line: Vec<u8> = Vec::new();
    loop {
        let Some(byte) = uart_byte(vm)? else {
            return if line.is_empty() { Err(eof(vm)) } else { Ok(finish(line, false)) };
        };
        let after_cr = ENDED_WITH_CR.replace(false);
        match byte {
            b'\n' if after_cr && line.is_empty() => {}
            b'\r' | b'\n' => {
                crate::console::write("\r\n", vm)?;
                return Ok(finish(line, byte == b'\r'));
            }
            CTRL_D if line.is_empty() => return Err(eof(vm)),
            BACKSPACE | DELETE if pop_char(&mut line) => crate::console::write("\x08 \x08", vm)?,
            BACKSPACE | DELETE => {}
            byte if byte >= 0x20 => {
                line.push(byte);
                // Echo a character once its UTF-8 bytes are all there.
                if let Some(last) = last_char(&line) {
                    crate::console::write(last, vm)?;
                }
            }
            _ => {}
        }
    }
}

fn eof(vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_exception_empty(vm.ctx.exceptions.eof_error.to_owned())
}

fn finish(line: Vec<u8>, ended_with_cr: bool) -> String {
    ENDED_WITH_CR.set(ended_with_cr);
    String::from_utf8_lossy(&line).into_owned()
}

/// The last character of `line` when its bytes end a whole UTF-8 character.
fn last_char(line: &[u8]) -> Option<&str> {
    (1..=4.min(line.len())).find_map(|n| std::str::from_utf8(&line[line.len() - n..]).ok())
}

/// Removes the last character (all its UTF-8 bytes); whether there was one.
fn pop_char(line: &mut Vec<u8>) -> bool {
    let Some(start) = line.iter().rposition(|&b| b & 0xC0 != 0x80) else { return false };
    line.truncate(start);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backspace_removes_a_whole_character() {
        let mut line = "aé".as_bytes().to_vec();
        assert!(pop_char(&mut line));
        assert_eq!(line, b"a");
        assert!(pop_char(&mut line));
        assert!(!pop_char(&mut line));
    }

    #[test]
    fn a_character_is_echoed_once_complete() {
        let e_acute = "é".as_bytes();
        assert_eq!(last_char(&e_acute[..1]), None);
        assert_eq!(last_char(e_acute), Some("é"));
        assert_eq!(last_char(b"ab"), Some("b"));
    }
}
