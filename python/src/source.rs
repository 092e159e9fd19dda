//! Compiling scripts as MicroPython's lexer reads them.
//!
//! MicroPython measures indentation in columns, a tab advancing to the next
//! multiple of 8 (`py/lexer.c`, `TAB_SIZE`), so code that mixes tabs and
//! spaces is accepted there (Pycom's own `nanogateway.py` does). The runtime's
//! parser refuses such code, so a source it refuses is compiled again with the
//! tabs of its indentation expanded: code it accepts already means the same
//! under both rules.
//!
//! The lexer also reads every CR LF and lone CR as LF (`py/lexer.c`), in
//! string literals too, so a file saved with Windows or old Mac line endings
//! gives `'\n'` where a literal spans lines. `const()` and the built-in
//! decorators are read as the board's compiler reads them ([`crate::mpy_const`],
//! [`crate::mpy_decorators`]).

use std::borrow::Cow;

use rustpython_vm::builtins::{PyBaseExceptionRef, PyCode};
use rustpython_vm::compiler::{CompileError, CompileOpts, Mode};
use rustpython_vm::{AsObject, PyRef, PyResult, VirtualMachine};

use crate::mpy_const::NotAnInteger;
use crate::mpy_decorators::InvalidDecorator;

/// Columns a tab advances to the next multiple of.
const TAB_SIZE: usize = 8;

/// Compiles `source` in `mode` (module code, or a REPL entry) named `path`.
/// A `SyntaxError` names the file and line (for the traceback) and reads as
/// MicroPython's; source nested too deeply raises as [`crate::nesting`] says.
pub fn compile(source: &str, mode: Mode, path: &str, vm: &VirtualMachine) -> PyResult<PyRef<PyCode>> {
    if !crate::nesting::fits(source) {
        return Err(crate::nesting::too_deep(vm));
    }
    let source = lexed(source, path, vm)?;
    let opts = board_opts(vm);
    let error = match crate::code_cache::compile(&source, mode, path, opts, vm) {
        Ok(code) => return Ok(code),
        Err(error) => error,
    };
    let Some(expanded) = expand_indentation_tabs(&source) else { return Err(syntax_error(&error, path, vm)) };
    vm.compile_with_opts(&expanded, mode, path.to_owned(), opts).map_err(|e| syntax_error(&e, path, vm))
}

/// The compiler's options for `micropython.opt_level()`: from level 1 on,
/// `assert` statements are left out and `__debug__` is `False`.
fn board_opts(vm: &VirtualMachine) -> CompileOpts {
    let level = crate::state::try_with(|s| s.opt_level).unwrap_or(0);
    CompileOpts { optimize: u8::from(level >= 1), ..vm.compile_opts() }
}

/// `source` as MicroPython's lexer and parser hand it on: line ends as LF,
/// `const()` names folded in and `@micropython.bytecode` decorators read; a
/// `const()` that is not an integer, or a built-in decorator the board lacks,
/// raises the board's `SyntaxError` at its line of `path`.
pub fn lexed<'a>(source: &'a str, path: &str, vm: &VirtualMachine) -> PyResult<Cow<'a, str>> {
    let source = lf_line_ends(source);
    let refused = |source: &str, offset: usize, message: &'static str| {
        let line = source[..offset].matches('\n').count() + 1;
        let exc = vm.new_exception_msg(vm.ctx.exceptions.syntax_error.to_owned(), message.into());
        at_line(exc, path, line, vm)
    };
    let source = match crate::mpy_const::fold(&source) {
        Ok(Cow::Borrowed(_)) => source,
        Ok(Cow::Owned(folded)) => folded.into(),
        Err(e) => return Err(refused(&source, e.offset, NotAnInteger::MESSAGE)),
    };
    match crate::mpy_decorators::strip(&source) {
        Ok(Cow::Borrowed(_)) => Ok(source),
        Ok(Cow::Owned(stripped)) => Ok(stripped.into()),
        Err(e) => Err(refused(&source, e.offset, InvalidDecorator::MESSAGE)),
    }
}

/// `source` with every CR LF and lone CR read as LF, as the lexer reads it.
fn lf_line_ends(source: &str) -> Cow<'_, str> {
    if source.contains('\r') { source.replace("\r\n", "\n").replace('\r', "\n").into() } else { source.into() }
}

/// The board's exception for a source that does not compile. MicroPython's
/// parser knows three errors (`py/parse.c`): `IndentationError: unexpected
/// indent`, `IndentationError: unindent doesn't match any outer indent level`
/// and `SyntaxError: invalid syntax`; errors found after parsing (`'return'
/// outside function`, ...) keep the runtime's text.
fn syntax_error(error: &CompileError, path: &str, vm: &VirtualMachine) -> PyBaseExceptionRef {
    let CompileError::Parse(parse) = error else {
        return with_place(vm.new_syntax_error(error, None), path, error, vm);
    };
    let text = parse.error.to_string();
    let (kind, message) = if text.contains("unindent") {
        (vm.ctx.exceptions.indentation_error, "unindent doesn't match any outer indent level")
    } else if text.starts_with("Unexpected indentation") {
        (vm.ctx.exceptions.indentation_error, "unexpected indent")
    } else {
        (vm.ctx.exceptions.syntax_error, "invalid syntax")
    };
    with_place(vm.new_exception_msg(kind.to_owned(), message.into()), path, error, vm)
}

/// Sets the `filename` and `lineno` the traceback shows for a syntax error.
fn with_place(exc: PyBaseExceptionRef, path: &str, error: &CompileError, vm: &VirtualMachine) -> PyBaseExceptionRef {
    at_line(exc, path, error.location().map_or(1, |l| l.line.get()), vm)
}

/// Sets the `filename` and `lineno` of a syntax error to `path` and `line`.
fn at_line(exc: PyBaseExceptionRef, path: &str, line: usize, vm: &VirtualMachine) -> PyBaseExceptionRef {
    let _ = exc.as_object().set_attr("filename", vm.ctx.new_str(path), vm);
    let _ = exc.as_object().set_attr("lineno", vm.ctx.new_int(line), vm);
    exc
}

/// `source` with every tab in the indentation of a line replaced by spaces
/// up to the next multiple of [`TAB_SIZE`]; lines inside a triple-quoted
/// string are left alone. `None` when no indentation has a tab.
pub fn expand_indentation_tabs(source: &str) -> Option<String> {
    let mut out = String::with_capacity(source.len());
    let mut changed = false;
    let mut open_triple: Option<&str> = None;
    for line in source.split_inclusive('\n') {
        let body_start = line.len() - line.trim_start_matches([' ', '\t']).len();
        let (indent, body) = line.split_at(body_start);
        if open_triple.is_none() && indent.contains('\t') {
            let mut column = 0;
            for c in indent.chars() {
                column = if c == '\t' { (column / TAB_SIZE + 1) * TAB_SIZE } else { column + 1 };
            }
            out.extend(std::iter::repeat_n(' ', column));
            changed = true;
        } else {
            out.push_str(indent);
        }
        out.push_str(body);
        open_triple = triple_quote_state(body, open_triple);
    }
    changed.then_some(out)
}

/// Follows strings and comments along one line: the triple quote still open
/// at its end, given the one open at its start.
fn triple_quote_state(line: &str, mut open: Option<&'static str>) -> Option<&'static str> {
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut single: Option<u8> = None;
    while i < bytes.len() {
        let rest = &line[i..];
        match (open, single) {
            (Some(quote), _) => {
                if bytes[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if rest.starts_with(quote) {
                    open = None;
                    i += 3;
                    continue;
                }
            }
            (None, Some(quote)) => {
                if bytes[i] == b'\\' {
                    i += 2;
                    continue;
                }
                if bytes[i] == quote || bytes[i] == b'\n' {
                    single = None;
                }
            }
            (None, None) => {
                if bytes[i] == b'#' {
                    break;
                }
                if let Some(quote) = ["\"\"\"", "'''"].into_iter().find(|q| rest.starts_with(q)) {
                    open = Some(quote);
                    i += 3;
                    continue;
                }
                if bytes[i] == b'"' || bytes[i] == b'\'' {
                    single = Some(bytes[i]);
                }
            }
        }
        i += 1;
    }
    open
}

#[cfg(test)]
mod tests {
    use super::{expand_indentation_tabs, lf_line_ends};

    #[test]
    fn a_tab_advances_to_the_next_multiple_of_eight() {
        let source = "if x:\n    \t\ty = 1\n\tz = 2\n";
        assert_eq!(
            expand_indentation_tabs(source).unwrap(),
            format!("if x:\n{}y = 1\n{}z = 2\n", " ".repeat(16), " ".repeat(8))
        );
    }

    #[test]
    fn tabs_inside_a_triple_quoted_string_are_kept() {
        let source = "s = '''\n\tkept\n'''\n\tx = 1\n";
        assert_eq!(expand_indentation_tabs(source).unwrap(), "s = '''\n\tkept\n'''\n        x = 1\n");
    }

    #[test]
    fn cr_lf_and_lone_cr_are_read_as_lf() {
        assert_eq!(lf_line_ends("a = '''x\r\ny\rz'''\r\n"), "a = '''x\ny\nz'''\n");
        assert!(matches!(lf_line_ends("a = 1\n"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn source_without_indentation_tabs_is_left_alone() {
        assert_eq!(expand_indentation_tabs("x = '\t'\n# '''\n"), None);
    }
}
