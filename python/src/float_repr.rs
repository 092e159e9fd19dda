//! Floats print as the board prints them. The firmware is built with
//! `MICROPY_FLOAT_IMPL_FLOAT`: a float is an IEEE single, and `float_print`
//! (`py/objfloat.c`) writes it in `%g` style with 7 significant digits,
//! then `.0` when that has neither a point nor an exponent: `1/3` prints as
//! `0.3333333`, `2**24 + 1.0` as `1.677722e+07`, `0.1 + 0.2` as `0.3`. The
//! digits come from MicroPython's own formatter (`py/formatfloat.c`), which
//! scales the value by powers of ten and takes one digit at a time, all in
//! single precision: in about one value in ten its last digit differs from
//! a correctly rounded one (`9999999.0` prints as `9999998.0`), and the
//! board prints that digit, so this module follows the same steps.
//!
//! Every float object already holds a single (the vendored runtime rounds
//! each one to `f32`, see `vendor/README.md`); this module prints it
//! (`repr`, `str`, `print`, `'%s'`, `'{}'` and f-strings without a format).
//! An explicit format (`'%.3f'`, `'{:.2f}'`) writes the single's exact value
//! correctly rounded, where the board's formatter can differ in the last
//! digits (`'%.8f' % 0.53456` is `0.53456002` here, `0.53456001` there).

use num_complex::Complex64;
use rustpython_vm::builtins::{PyComplex, PyFloat, PyStr, PyType};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{Py, PyObject, PyObjectRef, PyRef, PyResult, VirtualMachine};

/// Significant digits of `float_print` in a single-precision build.
const DIGITS: i32 = 7;

/// Powers of ten the formatter scales by, largest first, with their exponents.
const SCALES: [(f32, f32, i32); 6] =
    [(1e32, 1e-32, 32), (1e16, 1e-16, 16), (1e8, 1e-8, 8), (1e4, 1e-4, 4), (1e2, 1e-2, 2), (1e1, 1e-1, 1)];

/// A fraction this close below 1 prints as 1.
const ROUNDS_TO_ONE: f32 = 0.999_999_5;

/// `value` as the board prints it.
pub fn board_float(value: f64) -> String {
    let mut text = format_g(value as f32);
    if !text.contains(['.', 'e', 'n']) {
        text.push_str(".0");
    }
    text
}

/// `%.7g` of `f` by the firmware's steps (see the module doc).
fn format_g(mut f: f32) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(16);
    if f.is_sign_negative() && !f.is_nan() {
        out.push(b'-');
        f = -f;
    }
    if f.is_infinite() {
        return String::from_utf8_lossy(&[&out[..], b"inf"].concat()).into_owned();
    }
    if f.is_nan() {
        return "nan".to_owned();
    }
    let mut precision = DIGITS;
    let mut exponent = 0;
    // The place of the point: after the digit at which it reaches 0.
    let mut point = 0;
    // The exponent's sign, when the number is written with one.
    let mut exponent_sign = None;
    let digits;
    if f.to_bits() == 0 {
        digits = precision;
    } else if f < 1.0 {
        let first = if f >= ROUNDS_TO_ONE { b'1' } else { b'0' };
        for (up, down, step) in SCALES {
            if down > f {
                exponent += step;
                f *= up;
            }
        }
        let mut sign = b'-';
        if (ROUNDS_TO_ONE..1.0).contains(&f) {
            f = 1.0;
            if exponent == 0 {
                sign = b'+';
            }
        } else if f < 1.0 {
            exponent += 1;
            f *= 10.0;
        }
        if exponent <= 4 {
            // 0.000ddddddd: the zeros count towards the digits asked for.
            point = -1;
            out.push(first);
            precision += exponent - 1;
            let mut left = precision;
            if left > 0 {
                out.push(b'.');
                // `while (--e && num_digits)`: with `e` at 0 (a fraction
                // that rounds to 1) the count starts below zero and every
                // digit asked for is a zero (`0.99999994` prints as `1.0`).
                let zeros = if exponent == 0 { left } else { exponent - 1 };
                for _ in 0..zeros {
                    if left == 0 {
                        break;
                    }
                    out.push(b'0');
                    left -= 1;
                }
            }
            digits = left;
        } else {
            exponent_sign = Some(sign);
            digits = precision;
        }
    } else {
        for (up, down, step) in SCALES {
            if up <= f {
                exponent += step;
                f *= down;
            }
        }
        if f as i32 >= 10 {
            exponent += 1;
            f *= 0.1;
        }
        if exponent < precision {
            precision -= exponent + 1;
            point = exponent;
            digits = precision + exponent + 1;
        } else {
            exponent_sign = Some(b'+');
            digits = precision;
        }
    }
    for _ in 0..digits {
        let digit = f as i32;
        out.push(if digit < 0 { b'0' } else { b'0'.wrapping_add(digit as u8) });
        if point == 0 && precision > 0 {
            out.push(b'.');
        }
        f -= digit as f32;
        f *= 10.0;
        point -= 1;
    }
    if f >= 5.0 {
        round_up(&mut out, exponent_sign.is_some(), &mut exponent, &mut exponent_sign);
    }
    if precision > 0 && out.contains(&b'.') {
        while out.last() == Some(&b'0') {
            out.pop();
        }
        if out.last() == Some(&b'.') {
            out.pop();
        }
    }
    if let Some(sign) = exponent_sign {
        out.extend_from_slice(&[b'e', sign, b'0' + (exponent / 10 % 10) as u8, b'0' + (exponent % 10) as u8]);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Adds one to the last digit of `out`, carrying to the left; a carry out
/// of the first digit makes it `1` and, written with an exponent, moves the
/// exponent (`9.999999e+07` becomes `1.000000e+08`).
fn round_up(out: &mut Vec<u8>, scientific: bool, exponent: &mut i32, sign: &mut Option<u8>) {
    let mut at = out.len() - 1;
    loop {
        match out[at] {
            b'.' => {}
            b'0'..=b'8' => {
                out[at] += 1;
                return;
            }
            b'9' => out[at] = b'0',
            _ => {
                at += 1;
                break;
            }
        }
        if at == 0 {
            break;
        }
        at -= 1;
    }
    if out[at] != b'0' {
        return;
    }
    if scientific && out.get(at + 1) == Some(&b'.') {
        out.swap(at, at + 1);
        out.pop();
        if *sign == Some(b'-') {
            *exponent -= 1;
            if *exponent == 0 {
                *sign = Some(b'+');
            }
        } else {
            *exponent += 1;
        }
    }
    out.insert(at, b'1');
}

/// A complex number as `complex_print` writes it: `2j` when the real part is
/// zero, else `(re+imj)`, with a `+` before an imaginary part that is not
/// below zero (so `-0.0` shows as `+-0`, as on the board).
pub fn board_complex(re: f64, im: f64) -> String {
    let (re, im) = (re as f32, im as f32);
    if re == 0.0 {
        return format!("{}j", format_g(im));
    }
    let plus = if im >= 0.0 || im.is_nan() { "+" } else { "" };
    format!("({}{plus}{}j)", format_g(re), format_g(im))
}

fn complex_repr(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    let value = zelf.downcast_ref::<PyComplex>().map_or(Complex64::default(), |c| c.to_complex());
    Ok(vm.ctx.new_str(board_complex(value.re, value.im)))
}

fn float_repr(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    let value = zelf.downcast_ref::<PyFloat>().map_or(0.0, |f| f.to_f64());
    Ok(vm.ctx.new_str(board_float(value)))
}

/// Gives `class` the `repr` slot and `__repr__` method `repr`.
fn set_repr(class: &'static Py<PyType>, repr: ReprFn, vm: &VirtualMachine) {
    class.slots.repr.store(Some(repr));
    let method = vm.new_method("__repr__", class, move |zelf: PyObjectRef, vm: &VirtualMachine| repr(&zelf, vm));
    class.set_attr(vm.ctx.intern_str("__repr__"), method.into());
}

/// A `repr` slot.
type ReprFn = fn(&PyObject, &VirtualMachine) -> PyResult<PyRef<PyStr>>;

/// Prints floats and complex numbers as the board does, from this boot on:
/// the types' `repr` slot and `__repr__`, and a float's `__format__` with an
/// empty format.
pub fn install(vm: &VirtualMachine) {
    set_repr(vm.ctx.types.complex_type, complex_repr, vm);
    let class: &'static Py<PyType> = vm.ctx.types.float_type;
    set_repr(class, float_repr, vm);
    let Some(format) = class.slots.methods.iter().find(|def| def.name == "__format__") else {
        return;
    };
    let method = vm.new_method("__format__", class, move |args: FuncArgs, vm: &VirtualMachine| -> PyResult {
        let empty = args.args.get(1).and_then(|spec| spec.downcast_ref::<PyStr>()).is_some_and(|spec| spec.is_empty());
        match args.args.first() {
            Some(zelf) if empty => Ok(float_repr(zelf, vm)?.into()),
            _ => (format.func)(vm, args),
        }
    });
    class.set_attr(vm.ctx.intern_str("__format__"), method.into());
}

#[cfg(test)]
mod tests {
    use super::board_float;

    #[test]
    fn seven_significant_digits_of_the_single_precision_value() {
        let cases = [
            (1.0 / 3.0, "0.3333333"),
            (2.0 / 3.0, "0.6666667"),
            (0.1 + 0.2, "0.3"),
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (1234567.0, "1234567.0"),
            (12345678.0, "1.234568e+07"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (4.0996057347670245, "4.099606"),
            (1e39, "inf"),
            (f64::NAN, "nan"),
            (-2.5e-10, "-2.5e-10"),
            (9999999.0, "9999998.0"),
            (0.99999994, "1.0"),
            (-0.9999999, "-1.0"),
        ];
        for (value, printed) in cases {
            assert_eq!(board_float(value), printed, "{value}");
        }
    }

    #[test]
    fn complex_numbers_as_complex_print_writes_them() {
        let cases = [
            ((0.0, 1.0), "1j"),
            ((1.0 / 3.0, 2.0), "(0.3333333+2j)"),
            ((1.0, -0.0), "(1+-0j)"),
            ((1.0, -2.5), "(1-2.5j)"),
        ];
        for ((re, im), printed) in cases {
            assert_eq!(super::board_complex(re, im), printed);
        }
    }
}
