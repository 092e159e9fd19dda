//! A bound on how deeply source nests, checked before it is parsed: the
//! parser and compiler recurse once per level of the syntax tree, and source
//! nested deeper than the board's deep stack holds would abort the emulator.
//! Such source raises `RuntimeError('maximum recursion depth exceeded')`, as
//! the firmware's compiler does when it runs out of stack.
//!
//! The bound comes from the tokens alone (the lexer does not recurse): every
//! open bracket, indented block, operator, keyword or trailer can put at most
//! one level above what follows it, and a comma, semicolon or end of statement
//! starts a sibling. The depth of the syntax tree never exceeds this count.

use rustpython_vm::builtins::{PyBytes, PyStr};
use rustpython_vm::compiler::Mode;
use rustpython_vm::compiler::ast::token::TokenKind;
use rustpython_vm::compiler::parser::{self, lexer};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

/// Deepest source (by the token count above) that is compiled: far beyond
/// what the board's own compiler stack takes, well within the emulator's
/// stack, and small enough that the compiler's cost on long `and`/`or`
/// chains and nested `lambda`s (quadratic in RustPython: 2000 cost it about
/// 0.7 GB and 1-3 s) stays bounded.
pub const MAX_NESTING: usize = 2_000;

/// Message of the error raised for source nested too deeply (the firmware's).
const TOO_DEEP: &str = "maximum recursion depth exceeded";

/// An upper bound on the depth of the syntax tree of `source`, counted until
/// it passes `limit`.
fn nesting_bound(source: &str, limit: usize) -> usize {
    let mut tokens = lexer::lex(source, parser::Mode::Module);
    // Per open bracket (and the statement itself): levels its current element adds.
    let mut levels: Vec<usize> = vec![0];
    let (mut blocks, mut total, mut deepest) = (0usize, 0usize, 0usize);
    loop {
        let token = tokens.next_token();
        let element = levels.last_mut().expect("the statement's level is never popped");
        match token {
            TokenKind::EndOfFile => break,
            TokenKind::Name
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Complex
            | TokenKind::String
            | TokenKind::FStringMiddle
            | TokenKind::TStringMiddle
            | TokenKind::Comment
            | TokenKind::NonLogicalNewline => {}
            TokenKind::Comma | TokenKind::Semi | TokenKind::Newline => {
                total -= *element;
                *element = 0;
            }
            TokenKind::Indent => blocks += 1,
            TokenKind::Dedent => blocks = blocks.saturating_sub(1),
            TokenKind::Lpar
            | TokenKind::Lsqb
            | TokenKind::Lbrace
            | TokenKind::FStringStart
            | TokenKind::TStringStart => {
                levels.push(1);
                total += 1;
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace | TokenKind::FStringEnd | TokenKind::TStringEnd => {
                // The closed group is one trailer or operand of the enclosing element.
                if levels.len() > 1 {
                    total -= levels.pop().unwrap_or(0);
                }
                *levels.last_mut().expect("the statement's level is never popped") += 1;
                total += 1;
            }
            _ => {
                *element += 1;
                total += 1;
            }
        }
        deepest = deepest.max(blocks + total);
        if deepest > limit {
            break;
        }
    }
    deepest
}

/// Whether `source` nests at most [`MAX_NESTING`] levels deep.
pub fn fits(source: &str) -> bool {
    nesting_bound(source, MAX_NESTING) <= MAX_NESTING
}

/// The error raised for source that does not [`fit`](fits).
pub fn too_deep(vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_runtime_error(TOO_DEEP)
}

/// Built-ins that compile source given as a string, with the name under
/// which the helpers module keeps each unchecked original, and the mode in
/// which the board compiles their text (`compile` has its own mode argument).
const COMPILING_BUILTINS: [(&str, &str, Option<Mode>); 3] = [
    ("compile", "_unchecked_compile", None),
    ("exec", "_unchecked_exec", Some(Mode::Exec)),
    ("eval", "_unchecked_eval", Some(Mode::Eval)),
];

/// Replaces `compile`, `exec` and `eval` with versions that check the nesting
/// of source text first; the originals are kept in `helpers`.
pub fn guard_builtins(helpers: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    for (name, unchecked, mode) in COMPILING_BUILTINS {
        let function =
            vm.new_function(name, move |args: FuncArgs, vm: &VirtualMachine| call_checked(unchecked, mode, args, vm));
        helpers.set_attr(unchecked, vm.builtins.get_attr(name, vm)?, vm)?;
        vm.builtins.set_attr(name, function, vm)?;
    }
    Ok(())
}

/// Calls the original built-in kept as `unchecked` with `args`, its source
/// text, if any, read as MicroPython reads it: compiled as the scripts are
/// ([`crate::source::compile`], the level of `micropython.opt_level()`
/// included) for `exec` and `eval` (`mode`), checked and lexed
/// ([`crate::source::lexed`]) for `compile`, which has its own mode and flags.
fn call_checked(unchecked: &'static str, mode: Option<Mode>, mut args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let source = args.args.first().or_else(|| args.kwargs.get("source"));
    if let Some(source) = source {
        let text = if let Some(text) = source.downcast_ref::<PyStr>() {
            Some(text.as_wtf8().to_string_lossy().into_owned())
        } else {
            source.downcast_ref::<PyBytes>().and_then(|b| std::str::from_utf8(b.as_bytes()).ok().map(str::to_owned))
        };
        if let Some(text) = text {
            let replacement = match mode {
                Some(mode) => Some(crate::source::compile(&text, mode, "<string>", vm)?.into()),
                None if !fits(&text) => return Err(too_deep(vm)),
                None => match crate::source::lexed(&text, "<string>", vm)? {
                    std::borrow::Cow::Owned(lexed) => Some(vm.ctx.new_str(lexed).into()),
                    std::borrow::Cow::Borrowed(_) => None,
                },
            };
            if let Some(replacement) = replacement {
                match args.args.first_mut() {
                    Some(first) => *first = replacement,
                    None => drop(args.kwargs.insert("source".to_owned(), replacement)),
                }
            }
        }
    }
    let helpers = crate::import_guard::import_hidden(crate::prelude::HELPERS, vm)?;
    helpers.get_attr(unchecked, vm)?.call(args, vm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(source: &str) -> usize {
        nesting_bound(source, usize::MAX)
    }

    #[test]
    fn flat_source_is_shallow_however_long() {
        let list = format!("x = [{}]\n", "1, ".repeat(100_000));
        assert!(bound(&list) < 10, "{}", bound(&list));
        let lines = "x = a + b\n".repeat(100_000);
        assert!(bound(&lines) < 10);
        let strings = format!("x = ({})\n", "'a' ".repeat(100_000));
        assert!(bound(&strings) < 10);
    }

    #[test]
    fn every_shape_of_nesting_counts() {
        let n = 1000;
        let shapes = [
            format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n)),
            format!("x = {}{}\n", "[".repeat(n), "]".repeat(n)),
            format!("x = {}{}\n", "{'a': ".repeat(n), "}".repeat(n)),
            format!("x = a{}\n", " + a".repeat(n)),
            format!("x = {}1\n", "not ".repeat(n)),
            format!("x = {}1\n", "lambda: ".repeat(n)),
            format!("x = f{}\n", "()".repeat(n)),
            format!("x = a{}\n", ".b".repeat(n)),
            format!("x = {}1{}\n", "f'{".repeat(n), "}'".repeat(n)),
            (0..n).map(|i| format!("{}if x:\n", " ".repeat(i))).collect::<String>() + &" ".repeat(n) + "pass\n",
        ];
        for shape in shapes {
            assert!(bound(&shape) >= n, "{} for {:.40}", bound(&shape), shape);
        }
    }

    #[test]
    fn the_count_stops_past_the_limit() {
        let source = format!("x = {}1{}\n", "(".repeat(1_000_000), ")".repeat(1_000_000));
        assert_eq!(nesting_bound(&source, 100), 101);
        assert!(!fits(&source));
        assert!(fits(&format!("x = {}1{}\n", "(".repeat(1900), ")".repeat(1900))));
    }
}
