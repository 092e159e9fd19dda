//! MicroPython's built-in decorators as the firmware's compiler reads them
//! (`py/compile.c`, `compile_built_in_decorator`).
//!
//! A decorator that is a dotted name starting with `micropython` is not code
//! but an instruction to the compiler. The board's build has only the
//! bytecode emitter (no `MICROPY_EMIT_XTENSA`, so no native, viper or inline
//! assembler): `@micropython.bytecode` is accepted and does nothing, and every
//! other one (`@micropython.native`, `@micropython.viper`, `@micropython.a.b`)
//! is `SyntaxError: invalid micropython decorator`. Code written for boards
//! with the native emitter fails so on a Pycom board too.
//!
//! The source is rewritten before the runtime compiles it: each
//! `@micropython.bytecode` becomes blank, so line numbers are kept.

use std::borrow::Cow;

use rustpython_vm::compiler::ast::visitor::{Visitor, walk_stmt};
use rustpython_vm::compiler::ast::{Decorator, Expr, Stmt};

/// A built-in decorator the board's compiler refuses, at this byte offset.
#[derive(Debug, PartialEq)]
pub struct InvalidDecorator {
    /// Byte offset of the decorator in the source.
    pub offset: usize,
}

impl InvalidDecorator {
    /// The board's text for it.
    pub const MESSAGE: &'static str = "invalid micropython decorator";
}

/// `source` without its `@micropython.bytecode` decorators, or the error of
/// the first other `@micropython...` one. Source that does not parse is
/// returned as it is, for the compiler to report.
pub fn strip(source: &str) -> Result<Cow<'_, str>, InvalidDecorator> {
    crate::mpy_const::rewrite(source, "micropython", Finder::default(), |finder| match finder.invalid {
        Some(offset) => Err(InvalidDecorator { offset }),
        None => Ok(finder.accepted.into_iter().map(|(start, end)| (start, end, " ".repeat(end - start))).collect()),
    })
}

/// The dotted name of a decorator (`micropython.bytecode` as two parts), or
/// `None` when it is any other expression.
fn dotted_name(expr: &Expr) -> Option<Vec<&str>> {
    match expr {
        Expr::Name(name) => Some(vec![name.id.as_str()]),
        Expr::Attribute(attribute) => {
            let mut parts = dotted_name(&attribute.value)?;
            parts.push(attribute.attr.as_str());
            Some(parts)
        }
        _ => None,
    }
}

/// Collects the built-in decorators of every definition, in source order.
#[derive(Default)]
struct Finder {
    /// Byte ranges of the `@micropython.bytecode` decorators.
    accepted: Vec<(usize, usize)>,
    /// Where the first refused one is.
    invalid: Option<usize>,
}

impl Finder {
    fn decorators(&mut self, decorators: &[Decorator]) {
        for decorator in decorators {
            let Some(parts) = dotted_name(&decorator.expression) else { continue };
            let (start, end) = (decorator.range.start().to_usize(), decorator.range.end().to_usize());
            match parts.as_slice() {
                ["micropython", "bytecode"] => self.accepted.push((start, end)),
                ["micropython", ..] => {
                    self.invalid.get_or_insert(start);
                }
                _ => {}
            }
        }
    }
}

impl<'a> Visitor<'a> for Finder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => self.decorators(&def.decorator_list),
            Stmt::ClassDef(def) => self.decorators(&def.decorator_list),
            _ => {}
        }
        walk_stmt(self, stmt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytecode_is_accepted_and_blanked_keeping_lines() {
        let source = "@micropython.bytecode\ndef f():\n    return 1\n";
        let stripped = strip(source).unwrap();
        assert_eq!(stripped, format!("{}\ndef f():\n    return 1\n", " ".repeat(21)));
    }

    #[test]
    fn emitters_the_board_lacks_are_refused() {
        for decorator in ["native", "viper", "asm_xtensa", "a"] {
            let source = format!("x = 1\n@micropython.{decorator}\ndef f(): pass\n");
            assert_eq!(strip(&source), Err(InvalidDecorator { offset: 6 }), "{decorator}");
        }
        assert_eq!(strip("@micropython.a.b\ndef f(): pass\n"), Err(InvalidDecorator { offset: 0 }));
        assert_eq!(strip("@micropython\ndef f(): pass\n"), Err(InvalidDecorator { offset: 0 }));
    }

    #[test]
    fn nested_definitions_and_classes_are_read_too() {
        let source = "class C:\n    @micropython.native\n    def f(self): pass\n";
        assert_eq!(strip(source), Err(InvalidDecorator { offset: 13 }));
    }

    #[test]
    fn other_decorators_and_calls_are_code() {
        let source = "@micropython.bytecode()\n@staticmethod\ndef f(): pass\n";
        assert!(matches!(strip(source), Ok(Cow::Borrowed(_))));
    }
}
