//! `const()` as MicroPython's parser reads it (`py/parse.c`, `MICROPY_COMP_CONST`).
//!
//! `NAME = const(expr)`, anywhere in a file, makes `NAME` a compile-time
//! constant of the whole file from there on: every later use of the bare name
//! as a value reads the integer, in any class or function. Pycom's shield
//! libraries rely on it (constants set in a class body used in module code).
//! A name starting with `_` is not stored at all; other names are also
//! assigned as usual. The value must fold to an integer from literals, earlier
//! constants and `+ - * // % << >> & | ^ ** ~`, within 128 bits; anything else is the board's
//! `SyntaxError: constant must be an integer`.
//!
//! The source is rewritten before the runtime compiles it: each use becomes the
//! integer in parentheses and each `_NAME = const(...)` statement becomes
//! `pass`, so line numbers are kept.

use std::borrow::Cow;
use std::collections::HashMap;

use rustpython_vm::compiler::ast::visitor::{Visitor, walk_expr, walk_stmt};
use rustpython_vm::compiler::ast::{Expr, ExprContext, Number, Operator, Stmt, UnaryOp};

/// A `const()` whose value does not fold to an integer, at this byte offset.
#[derive(Debug, PartialEq)]
pub struct NotAnInteger {
    /// Byte offset of the `const(...)` statement in the source.
    pub offset: usize,
}

impl NotAnInteger {
    /// The board's text for it.
    pub const MESSAGE: &'static str = "constant must be an integer";
}

/// `source` with its `const()` names folded in, or the error of a `const()`
/// that is not an integer. Source that does not parse is returned as it is,
/// for the compiler to report.
pub fn fold(source: &str) -> Result<Cow<'_, str>, NotAnInteger> {
    // The walk meets an `elif` test twice; `rewritten` replaces each name once.
    rewrite(source, "const", Folder::default(), |folder| match folder.error {
        Some(offset) => Err(NotAnInteger { offset }),
        None => Ok(folder.edits),
    })
}

/// A byte range of the source and its new text.
pub(crate) type Edit = (usize, usize, String);

/// Walks the statements of `source` with `pass` when the source mentions
/// `keyword` and parses, and applies the edits `finish` takes from it, or
/// returns its error. Source that does not mention `keyword`, does not
/// parse, or needs no edit is returned as it is (the compiler reports what
/// does not parse).
pub(crate) fn rewrite<'s, P, E>(
    source: &'s str,
    keyword: &str,
    mut pass: P,
    finish: impl FnOnce(P) -> Result<Vec<Edit>, E>,
) -> Result<Cow<'s, str>, E>
where
    P: for<'a> Visitor<'a>,
{
    if !source.contains(keyword) {
        return Ok(Cow::Borrowed(source));
    }
    let Ok(parsed) = rustpython_vm::compiler::parser::parse_module(source) else {
        return Ok(Cow::Borrowed(source));
    };
    for stmt in &parsed.syntax().body {
        pass.visit_stmt(stmt);
    }
    let edits = finish(pass)?;
    if edits.is_empty() {
        return Ok(Cow::Borrowed(source));
    }
    Ok(Cow::Owned(rewritten(source, edits)))
}

/// `source` with each byte range of `edits` replaced by its text; ranges
/// that start at the same offset are replaced once.
fn rewritten(source: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|edit| edit.0);
    edits.dedup_by_key(|edit| edit.0);
    let mut out = String::with_capacity(source.len());
    let mut at = 0;
    for (start, end, text) in edits {
        out.push_str(&source[at..start]);
        out.push_str(&text);
        at = end;
    }
    out.push_str(&source[at..]);
    out
}

/// Walks the module in source order, as the parser meets the names.
#[derive(Default)]
struct Folder {
    consts: HashMap<String, i128>,
    /// Replacements: byte range and new text.
    edits: Vec<Edit>,
    error: Option<usize>,
}

impl Folder {
    /// The name, value expression and byte range of a `NAME = const(expr)`
    /// statement.
    fn const_definition(stmt: &Stmt) -> Option<(&str, &Expr, (usize, usize))> {
        let Stmt::Assign(assign) = stmt else { return None };
        let [Expr::Name(target)] = assign.targets.as_slice() else { return None };
        let Expr::Call(call) = assign.value.as_ref() else { return None };
        let Expr::Name(func) = call.func.as_ref() else { return None };
        match (func.id.as_str(), &*call.arguments.args, call.arguments.keywords.is_empty()) {
            ("const", [value], true) => {
                Some((target.id.as_str(), value, (assign.range.start().to_usize(), assign.range.end().to_usize())))
            }
            _ => None,
        }
    }

    /// The integer `expr` folds to with the constants known so far.
    fn value(&self, expr: &Expr) -> Option<i128> {
        match expr {
            Expr::NumberLiteral(literal) => match &literal.value {
                Number::Int(int) => int.as_u64().map(i128::from),
                _ => None,
            },
            Expr::Name(name) => self.consts.get(name.id.as_str()).copied(),
            Expr::UnaryOp(unary) => {
                let operand = self.value(&unary.operand)?;
                match unary.op {
                    UnaryOp::UAdd => Some(operand),
                    UnaryOp::USub => operand.checked_neg(),
                    UnaryOp::Invert => Some(!operand),
                    UnaryOp::Not => None,
                }
            }
            Expr::BinOp(binary) => {
                let (a, b) = (self.value(&binary.left)?, self.value(&binary.right)?);
                match binary.op {
                    Operator::Add => a.checked_add(b),
                    Operator::Sub => a.checked_sub(b),
                    Operator::Mult => a.checked_mul(b),
                    Operator::FloorDiv => floor_div(a, b),
                    Operator::Mod => floor_mod(a, b),
                    Operator::LShift => u32::try_from(b).ok().and_then(|b| a.checked_shl(b)).filter(|v| v >> b == a),
                    Operator::RShift => u32::try_from(b).ok().map(|b| a >> b.min(127)),
                    Operator::BitAnd => Some(a & b),
                    Operator::BitOr => Some(a | b),
                    Operator::BitXor => Some(a ^ b),
                    Operator::Pow => u32::try_from(b).ok().and_then(|b| a.checked_pow(b)),
                    Operator::Div | Operator::MatMult => None,
                }
            }
            _ => None,
        }
    }
}

/// Python's `a // b`: the quotient rounded down.
fn floor_div(a: i128, b: i128) -> Option<i128> {
    let quotient = a.checked_div(b)?;
    Some(if a % b != 0 && (a < 0) != (b < 0) { quotient - 1 } else { quotient })
}

/// Python's `a % b`: the remainder with the sign of `b`.
fn floor_mod(a: i128, b: i128) -> Option<i128> {
    let remainder = a.checked_rem(b)?;
    Some(if remainder != 0 && (remainder < 0) != (b < 0) { remainder + b } else { remainder })
}

impl<'a> Visitor<'a> for Folder {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if self.error.is_some() {
            return;
        }
        let Some((name, value, (start, end))) = Self::const_definition(stmt) else {
            return walk_stmt(self, stmt);
        };
        // A second definition would assign to the first one's integer.
        let Some(folded) = self.value(value).filter(|_| !self.consts.contains_key(name)) else {
            self.error = Some(start);
            return;
        };
        if name.starts_with('_') {
            self.edits.push((start, end, "pass".to_owned()));
        } else {
            // The value's own uses of earlier constants fold too.
            self.visit_expr(value);
        }
        self.consts.insert(name.to_owned(), folded);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) if name.ctx == ExprContext::Load => {
                if let Some(value) = self.consts.get(name.id.as_str()) {
                    let range = name.range;
                    self.edits.push((range.start().to_usize(), range.end().to_usize(), format!("({value})")));
                }
            }
            _ => walk_expr(self, expr),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{NotAnInteger, fold};

    #[test]
    fn a_constant_is_read_in_later_code_of_any_scope() {
        let source = "class C:\n    X = const(0x10)\ndef f():\n    return X + 1\n";
        assert_eq!(fold(source).unwrap(), "class C:\n    X = const(0x10)\ndef f():\n    return (16) + 1\n");
    }

    #[test]
    fn an_underscore_constant_is_not_stored() {
        assert_eq!(fold("_A = const(2)\n_B = const(_A << 3)\nprint(_B)\n").unwrap(), "pass\npass\nprint((16))\n");
    }

    #[test]
    fn a_name_in_an_elif_test_is_replaced_once() {
        assert_eq!(
            fold("A = const(1)\nif x:\n    pass\nelif y is A:\n    pass\n").unwrap(),
            "A = const(1)\nif x:\n    pass\nelif y is (1):\n    pass\n"
        );
    }

    #[test]
    fn uses_before_the_definition_attributes_and_targets_are_left_alone() {
        let source = "print(X)\nX = const(1)\nobj.X = X\nX = 2\n";
        assert_eq!(fold(source).unwrap(), "print(X)\nX = const(1)\nobj.X = (1)\nX = 2\n");
    }

    #[test]
    fn a_value_that_is_not_an_integer_is_an_error() {
        assert_eq!(fold("a = 1\nX = const(1.5)\n"), Err(NotAnInteger { offset: 6 }));
        assert_eq!(fold("X = const(y)\n"), Err(NotAnInteger { offset: 0 }));
        assert_eq!(fold("A = const(1); A = const(2)\n"), Err(NotAnInteger { offset: 14 }));
        assert_eq!(fold("A = const(1 << -2)\n"), Err(NotAnInteger { offset: 0 }));
    }

    #[test]
    fn constants_may_be_bigger_than_64_bits() {
        assert_eq!(
            fold("A = const(0xFFFFFFFFFFFFFFFF)\nB = const((1 << 100) + A)\nprint(B)\n").unwrap(),
            "A = const(0xFFFFFFFFFFFFFFFF)\nB = const((1 << 100) + (18446744073709551615))\nprint((1267650600246676145570412756991))\n"
        );
    }

    #[test]
    fn source_without_constants_is_not_copied() {
        assert!(matches!(fold("print(1)\n").unwrap(), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn folding_follows_python_integer_semantics() {
        assert_eq!(
            fold("A = const(-7 // 2)\nB = const(-7 % 3)\nC = const(7 % -3)\nprint(A, B, C)\n").unwrap(),
            "A = const(-7 // 2)\nB = const(-7 % 3)\nC = const(7 % -3)\nprint((-4), (2), (-2))\n"
        );
    }
}
