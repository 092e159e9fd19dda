//! MicroPython's `readline` for the friendly REPL: echo, cursor movement,
//! backspace, history, and the control keys that end a line early.

use std::time::Duration;

use rustpython_vm::{PyResult, VirtualMachine};

use crate::uart::{Received, UartInput};

/// How long a read waits before letting signals (watchdog, timeout, pin
/// handlers) run.
pub const POLL: Duration = Duration::from_millis(20);
/// Lines kept for up-arrow recall (`MICROPY_READLINE_HISTORY_SIZE`).
const HISTORY: usize = 8;

/// How a line ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Enter: the text typed.
    Text(String),
    /// A control key on an empty line (Ctrl-A, -B, -D, -E, -F), or Ctrl-C.
    Control(u8),
    /// The input closed.
    Closed,
}

/// The line being edited and the lines before it.
#[derive(Default)]
pub struct LineEditor {
    history: Vec<String>,
    after_cr: bool,
}

/// Sends `text` to the console.
pub fn out(text: &str, vm: &VirtualMachine) -> PyResult<()> {
    crate::console::write(text, vm)
}

/// The next byte, running pending signals and the `_thread` threads that
/// may go on while the line is idle.
pub fn next_byte(input: &UartInput, vm: &VirtualMachine) -> PyResult<Option<u8>> {
    loop {
        match input.read(POLL) {
            Received::Byte(byte) => return Ok(Some(byte)),
            Received::Closed => return Ok(None),
            Received::Nothing => {
                vm.check_signals()?;
                crate::threads::run_due(vm)?;
            }
        }
    }
}

impl LineEditor {
    /// The next byte, with the `\n` of a `\r\n` pair dropped (a terminal
    /// sends `\r` for Enter; a pipe or socket may send either or both).
    pub fn next_key(&mut self, input: &UartInput, vm: &VirtualMachine) -> PyResult<Option<u8>> {
        loop {
            let byte = next_byte(input, vm)?;
            let was_cr = std::mem::replace(&mut self.after_cr, byte == Some(b'\r'));
            if !(was_cr && byte == Some(b'\n')) {
                return Ok(byte);
            }
        }
    }

    /// Reads a line after `prompt`, starting with `indent` already typed (the
    /// auto-indent of a continuation line).
    pub fn read(&mut self, prompt: &str, indent: &str, input: &UartInput, vm: &VirtualMachine) -> PyResult<Line> {
        out(prompt, vm)?;
        out(indent, vm)?;
        let mut line: Vec<char> = indent.chars().collect();
        let mut cursor = line.len();
        let mut recalled = self.history.len();
        loop {
            let Some(byte) = self.next_key(input, vm)? else { return Ok(Line::Closed) };
            match byte {
                b'\r' | b'\n' => {
                    out("\r\n", vm)?;
                    let text: String = line.into_iter().collect();
                    if !text.trim().is_empty() && self.history.last() != Some(&text) {
                        self.history.push(text.clone());
                        if self.history.len() > HISTORY {
                            self.history.remove(0);
                        }
                    }
                    return Ok(Line::Text(text));
                }
                0x03 => {
                    out("\r\n", vm)?;
                    return Ok(Line::Control(0x03));
                }
                0x01 | 0x02 | 0x04 | 0x05 | 0x06 if line.iter().copied().eq(indent.chars()) => {
                    return Ok(Line::Control(byte));
                }
                0x08 | 0x7F if cursor > 0 => {
                    cursor -= 1;
                    line.remove(cursor);
                    let rest: String = line[cursor..].iter().collect();
                    out(&format!("\x08{rest} {}", "\x08".repeat(rest.chars().count() + 1)), vm)?;
                }
                0x1B => {
                    if next_byte(input, vm)? != Some(b'[') {
                        continue;
                    }
                    match next_byte(input, vm)? {
                        Some(b'D') if cursor > 0 => {
                            cursor -= 1;
                            out("\x08", vm)?;
                        }
                        Some(b'C') if cursor < line.len() => {
                            out(&line[cursor].to_string(), vm)?;
                            cursor += 1;
                        }
                        Some(key @ (b'A' | b'B')) => {
                            let target = if key == b'A' { recalled.checked_sub(1) } else { Some(recalled + 1) };
                            let Some(target) = target.filter(|&t| t <= self.history.len()) else { continue };
                            recalled = target;
                            let text = self.history.get(target).cloned().unwrap_or_default();
                            out(&format!("{}{}", "\x08".repeat(cursor), "\x1b[K"), vm)?;
                            out(&text, vm)?;
                            line = text.chars().collect();
                            cursor = line.len();
                        }
                        _ => {}
                    }
                }
                byte if byte >= 0x20 => {
                    let c = char::from(byte);
                    line.insert(cursor, c);
                    cursor += 1;
                    let rest: String = line[cursor..].iter().collect();
                    out(&format!("{c}{rest}{}", "\x08".repeat(rest.chars().count())), vm)?;
                }
                _ => {}
            }
        }
    }
}

/// `mp_repl_continue_with_input`: whether the friendly REPL asks for another
/// line: open brackets or a triple-quoted string, a line ending in `:` or
/// `\`, or a compound statement not yet ended by a blank line.
pub fn continues(input: &str) -> bool {
    let last = input.rsplit('\n').next().unwrap_or("");
    if input.contains('\n') && last.trim().is_empty() {
        return false;
    }
    let (mut depth, mut quote, mut chars) = (0i32, None::<&str>, input.char_indices().peekable());
    while let Some((i, c)) = chars.next() {
        let rest = &input[i..];
        match quote {
            Some(q) if rest.starts_with(q) => {
                quote = None;
                for _ in 1..q.len() {
                    chars.next();
                }
            }
            Some(_) if c == '\\' => {
                chars.next();
            }
            Some(q) if c == '\n' && q.len() == 1 => quote = None,
            Some(_) => {}
            None => match c {
                '#' => {
                    while chars.peek().is_some_and(|&(_, c)| c != '\n') {
                        chars.next();
                    }
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                '"' | '\'' => {
                    let q = if rest.starts_with("\"\"\"") || rest.starts_with("'''") { &rest[..3] } else { &rest[..1] };
                    for _ in 1..q.len() {
                        chars.next();
                    }
                    quote = Some(q);
                }
                _ => {}
            },
        }
    }
    if depth > 0 || quote.is_some_and(|q| q.len() == 3) {
        return true;
    }
    let trimmed = last.trim_end();
    if trimmed.ends_with(':') || trimmed.ends_with('\\') {
        return true;
    }
    let first = input.trim_start();
    const COMPOUND: [&str; 8] = ["if", "while", "for", "try", "def", "class", "with", "@"];
    input.contains('\n')
        && COMPOUND.iter().any(|k| first.starts_with(k) && (*k == "@" || first[k.len()..].starts_with([' ', ':', '('])))
}

/// The indent a continuation line starts with: the previous line's, one
/// level deeper after a `:`.
pub fn auto_indent(previous: &str) -> String {
    let indent = previous.len() - previous.trim_start_matches(' ').len();
    let deeper = if previous.trim_end().ends_with(':') { 4 } else { 0 };
    " ".repeat(indent + deeper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compound_statements_and_open_brackets_continue_until_a_blank_line() {
        assert!(continues("def f():"));
        assert!(continues("def f():\n    return 1"));
        assert!(!continues("def f():\n    return 1\n    "));
        assert!(continues("x = (1,"));
        assert!(!continues("x = (1,\n2)"));
        assert!(continues("s = '''a"));
        assert!(!continues("print('a:')"));
        assert!(!continues("1 + 1"));
        assert!(!continues("iffy = 3"));
    }

    #[test]
    fn a_line_after_a_colon_is_indented_one_level_deeper() {
        assert_eq!(auto_indent("def f():"), "    ");
        assert_eq!(auto_indent("    x = 1"), "    ");
        assert_eq!(auto_indent("x = 1"), "");
    }
}
