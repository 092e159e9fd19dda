//! The board's serial console on the host terminal, watched for the CI patterns.

use std::io::Write;

use pycom_python::{Console, StopRequest};

/// Exit status when `--fail-text` is seen.
pub const FAIL_TEXT_EXIT: i32 = 1;

/// Prints UART output to stdout and ends the run when a watched text appears.
pub struct TerminalConsole {
    watch: TextWatch,
}

impl TerminalConsole {
    /// A console watching for `expect` (success) and `fail` (failure).
    pub fn new(expect: Option<String>, fail: Option<String>) -> Self {
        Self { watch: TextWatch::new(expect, fail) }
    }
}

impl Console for TerminalConsole {
    fn write(&mut self, text: &str) -> Option<StopRequest> {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
        self.watch.check(text)
    }
}

/// A console that writes to two: the first one's stop requests count.
pub struct Tee(pub Box<dyn Console>, pub Box<dyn Console>);

impl Console for Tee {
    fn write(&mut self, text: &str) -> Option<StopRequest> {
        let _ = self.1.write(text);
        self.0.write(text)
    }
}

/// Watches console output for an expected and a failure text, also when
/// one is split across writes.
pub struct TextWatch {
    expect: Option<String>,
    fail: Option<String>,
    window: String,
}

impl TextWatch {
    /// Watches for `expect` (success) and `fail` (failure).
    pub fn new(expect: Option<String>, fail: Option<String>) -> Self {
        Self { expect, fail, window: String::new() }
    }

    /// The longest pattern: how much earlier output a match may straddle.
    fn keep(&self) -> usize {
        [&self.expect, &self.fail].iter().filter_map(|p| p.as_ref().map(String::len)).max().unwrap_or(0)
    }

    /// Takes the next piece of output: the stop it calls for, if a watched
    /// text is now complete (the failure text first).
    pub fn check(&mut self, text: &str) -> Option<StopRequest> {
        let keep = self.keep();
        if keep == 0 {
            return None;
        }
        self.window.push_str(text);
        if let Some(fail) = self.fail.as_deref().filter(|f| self.window.contains(*f)) {
            return Some(StopRequest { reason: format!("fail text {fail:?} seen"), exit_code: FAIL_TEXT_EXIT });
        }
        if let Some(expect) = self.expect.as_deref().filter(|e| self.window.contains(*e)) {
            return Some(StopRequest { reason: format!("expected text {expect:?} seen"), exit_code: 0 });
        }
        let mut cut = self.window.len().saturating_sub(keep);
        while !self.window.is_char_boundary(cut) {
            cut -= 1;
        }
        self.window.drain(..cut);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_split_across_writes_is_found() {
        let mut c = TextWatch::new(Some("READY".into()), Some("Traceback".into()));
        assert_eq!(c.check("...RE"), None);
        let stop = c.check("ADY\n").unwrap();
        assert_eq!(stop.exit_code, 0);
    }

    #[test]
    fn fail_text_wins_and_exits_1() {
        let mut c = TextWatch::new(None, Some("Traceback".into()));
        assert_eq!(c.check("Trace").map(|s| s.exit_code), None);
        assert_eq!(c.check("back (most").map(|s| s.exit_code), Some(1));
    }
}
