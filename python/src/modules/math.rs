//! `math` as the firmware builds it: MicroPython's core set without the special
//! functions (`MICROPY_PY_MATH_SPECIAL_FUNCTIONS` is off: no `log10`, `sinh`,
//! `gamma`, ...), no `factorial`, no `inf`/`nan`. A result that overflows or
//! is not a number for a finite argument raises `ValueError: math domain error`;
//! results are singles, as the board's floats, so overflow is past `f32`'s range.

pub(crate) use math::module_def;

use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

use crate::args::{arity, get_float};

/// `ValueError: math domain error`.
pub(crate) fn domain_error(vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_value_error("math domain error")
}

/// `math_generic_1`: `f(x)`, refusing a NaN or infinite result the argument did
/// not have.
fn unary(args: FuncArgs, f: fn(f64) -> f64, vm: &VirtualMachine) -> PyResult<f64> {
    arity(&args, 1, 1, vm)?;
    let x = get_float(&args.args[0], vm)?;
    let y = single(f(x));
    if (y.is_nan() && !x.is_nan()) || (y.is_infinite() && !x.is_infinite()) {
        return Err(domain_error(vm));
    }
    Ok(y)
}

/// `math_generic_2`: `f(x, y)`, refusing a NaN result from numbers or an infinite
/// one from a finite `x`.
fn binary(args: FuncArgs, f: fn(f64, f64) -> f64, vm: &VirtualMachine) -> PyResult<f64> {
    arity(&args, 2, 2, vm)?;
    let x = get_float(&args.args[0], vm)?;
    let y = get_float(&args.args[1], vm)?;
    let r = single(f(x, y));
    if (r.is_nan() && !x.is_nan() && !y.is_nan()) || (r.is_infinite() && !x.is_infinite()) {
        return Err(domain_error(vm));
    }
    Ok(r)
}

/// `x` rounded to the board's single precision (infinite past its range).
fn single(x: f64) -> f64 {
    f64::from(x as f32)
}

/// `mp_obj_new_int_from_float`: the integer of a rounded float.
fn float_to_int(x: f64, vm: &VirtualMachine) -> PyResult {
    if x.is_infinite() {
        return Err(vm.new_overflow_error("can't convert inf to int"));
    }
    if x.is_nan() {
        return Err(vm.new_value_error("can't convert NaN to int"));
    }
    let float: PyObjectRef = vm.ctx.new_float(x).into();
    vm.ctx.types.int_type.as_object().call((float,), vm)
}

fn rounded(args: FuncArgs, f: fn(f64) -> f64, vm: &VirtualMachine) -> PyResult {
    arity(&args, 1, 1, vm)?;
    float_to_int(f(get_float(&args.args[0], vm)?), vm)
}

fn predicate(args: FuncArgs, f: fn(f64) -> bool, vm: &VirtualMachine) -> PyResult<bool> {
    arity(&args, 1, 1, vm)?;
    Ok(f(get_float(&args.args[0], vm)?))
}

/// C's `frexp`: `x = m * 2**e` with `0.5 <= |m| < 1`; zero, infinities and NaN
/// come back unchanged with exponent 0.
pub(crate) fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    // Subnormals: scale into the normal range first.
    let (x, bias) = if x.abs() < f64::MIN_POSITIVE { (x * 2f64.powi(64), -64) } else { (x, 0) };
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32 - 1022;
    let mantissa = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (mantissa, exponent + bias)
}

/// C's `ldexp`: `x * 2**e` without intermediate overflow.
pub(crate) fn ldexp(x: f64, e: i64) -> f64 {
    let mut e = e.clamp(-2200, 2200);
    let mut x = x;
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e as i32)
}

#[rustpython_vm::pymodule]
mod math {
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyResult, VirtualMachine};

    use super::{binary, domain_error, predicate, rounded, single, unary};
    use crate::args::{arity, get_float, get_int};

    /// Euler's number.
    #[pyattr(name = "e")]
    const E: f64 = std::f64::consts::E;
    /// π.
    #[pyattr(name = "pi")]
    const PI: f64 = std::f64::consts::PI;

    /// `sqrt(x)`.
    #[pyfunction]
    fn sqrt(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        unary(args, f64::sqrt, vm)
    }

    /// `pow(x, y)`, always a float.
    #[pyfunction]
    fn pow(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        binary(args, f64::powf, vm)
    }

    /// `exp(x)`.
    #[pyfunction]
    fn exp(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        unary(args, f64::exp, vm)
    }

    /// `log(x[, base])`.
    #[pyfunction]
    fn log(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        arity(&args, 1, 2, vm)?;
        let x = get_float(&args.args[0], vm)?;
        if x <= 0.0 {
            return Err(domain_error(vm));
        }
        let Some(base) = args.args.get(1) else { return Ok(x.ln()) };
        let base = get_float(base, vm)?;
        if base <= 0.0 {
            return Err(domain_error(vm));
        }
        if base == 1.0 {
            return Err(vm.new_zero_division_error("divide by zero"));
        }
        // Two single-precision logarithms, divided, as `logf(x) / logf(base)`.
        Ok(single(x.ln()) / single(base.ln()))
    }

    /// `cos(x)`.
    #[pyfunction]
    fn cos(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        unary(args, f64::cos, vm)
    }

    /// `sin(x)`.
    #[pyfunction]
    fn sin(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        unary(args, f64::sin, vm)
    }

    /// `tan(x)`.
    #[pyfunction]
    fn tan(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        unary(args, f64::tan, vm)
    }

    /// `acos(x)`.
    #[pyfunction]
    fn acos(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        unary(args, f64::acos, vm)
    }

    /// `asin(x)`.
    #[pyfunction]
    fn asin(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        unary(args, f64::asin, vm)
    }

    /// `atan(x)`.
    #[pyfunction]
    fn atan(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        unary(args, f64::atan, vm)
    }

    /// `atan2(y, x)`.
    #[pyfunction]
    fn atan2(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        binary(args, f64::atan2, vm)
    }

    /// `ceil(x)`: an int.
    #[pyfunction]
    fn ceil(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        rounded(args, f64::ceil, vm)
    }

    /// `floor(x)`: an int.
    #[pyfunction]
    fn floor(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        rounded(args, f64::floor, vm)
    }

    /// `trunc(x)`: an int.
    #[pyfunction]
    fn trunc(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        rounded(args, f64::trunc, vm)
    }

    /// `copysign(x, y)`.
    #[pyfunction]
    fn copysign(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        binary(args, f64::copysign, vm)
    }

    /// `fabs(x)`.
    #[pyfunction]
    fn fabs(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        unary(args, f64::abs, vm)
    }

    /// `fmod(x, y)`: C's remainder, with the sign of `x`.
    #[pyfunction]
    fn fmod(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        binary(args, |x, y| x % y, vm)
    }

    /// `frexp(x)`: `(mantissa, exponent)`.
    #[pyfunction]
    fn frexp(args: FuncArgs, vm: &VirtualMachine) -> PyResult<(f64, i32)> {
        arity(&args, 1, 1, vm)?;
        Ok(super::frexp(get_float(&args.args[0], vm)?))
    }

    /// `ldexp(x, exp)`: `exp` must be an int.
    #[pyfunction]
    fn ldexp(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        arity(&args, 2, 2, vm)?;
        let x = get_float(&args.args[0], vm)?;
        Ok(super::ldexp(x, i64::from(get_int(&args.args[1], vm)?)))
    }

    /// `modf(x)`: `(fractional part, integer part)`, both floats.
    #[pyfunction]
    fn modf(args: FuncArgs, vm: &VirtualMachine) -> PyResult<(f64, f64)> {
        arity(&args, 1, 1, vm)?;
        let x = get_float(&args.args[0], vm)?;
        if x.is_infinite() {
            return Ok((0f64.copysign(x), x));
        }
        let int = x.trunc();
        Ok(((x - int).copysign(x), int))
    }

    /// `isfinite(x)`.
    #[pyfunction]
    fn isfinite(args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
        predicate(args, f64::is_finite, vm)
    }

    /// `isinf(x)`.
    #[pyfunction]
    fn isinf(args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
        predicate(args, f64::is_infinite, vm)
    }

    /// `isnan(x)`.
    #[pyfunction]
    fn isnan(args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
        predicate(args, f64::is_nan, vm)
    }

    /// `radians(x)`.
    #[pyfunction]
    fn radians(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        arity(&args, 1, 1, vm)?;
        Ok(get_float(&args.args[0], vm)? * (PI / 180.0))
    }

    /// `degrees(x)`.
    #[pyfunction]
    fn degrees(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        arity(&args, 1, 1, vm)?;
        Ok(get_float(&args.args[0], vm)? * (180.0 / PI))
    }
}
