//! `cmath` as the firmware builds it: `phase`, `polar`, `rect`, `exp`, `log`,
//! `sqrt`, `cos`, `sin`, `e` and `pi` (no `log10`: the special functions are
//! off), computed with MicroPython's formulas.

pub(crate) use cmath::module_def;

use num_complex::Complex64;
use rustpython_vm::builtins::{PyComplex, PyFloat, PyInt};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use crate::args::arity;

/// `mp_obj_get_complex`: a complex, float, int or bool.
fn get_complex(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Complex64> {
    if let Some(c) = obj.downcast_ref::<PyComplex>() {
        return Ok(c.to_complex());
    }
    if obj.downcast_ref::<PyFloat>().is_some() || obj.downcast_ref::<PyInt>().is_some() {
        return Ok(Complex64::new(crate::args::get_float(obj, vm)?, 0.0));
    }
    Err(vm.new_type_error(format!("can't convert {} to complex", obj.class().name())))
}

/// The single complex argument of a one-argument function.
fn arg(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Complex64> {
    arity(&args, 1, 1, vm)?;
    get_complex(&args.args[0], vm)
}

fn complex(re: f64, im: f64, vm: &VirtualMachine) -> PyObjectRef {
    vm.ctx.new_complex(Complex64::new(re, im)).into()
}

#[rustpython_vm::pymodule]
mod cmath {
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

    use super::{arg, complex};
    use crate::args::{arity, get_float};

    /// Euler's number.
    #[pyattr(name = "e")]
    const E: f64 = std::f64::consts::E;
    /// π.
    #[pyattr(name = "pi")]
    const PI: f64 = std::f64::consts::PI;

    /// `phase(z)`: the argument in (-π, π].
    #[pyfunction]
    fn phase(args: FuncArgs, vm: &VirtualMachine) -> PyResult<f64> {
        let z = arg(args, vm)?;
        Ok(z.im.atan2(z.re))
    }

    /// `polar(z)`: `(modulus, phase)`.
    #[pyfunction]
    fn polar(args: FuncArgs, vm: &VirtualMachine) -> PyResult<(f64, f64)> {
        let z = arg(args, vm)?;
        Ok(((z.re * z.re + z.im * z.im).sqrt(), z.im.atan2(z.re)))
    }

    /// `rect(r, phi)`.
    #[pyfunction]
    fn rect(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        arity(&args, 2, 2, vm)?;
        let r = get_float(&args.args[0], vm)?;
        let phi = get_float(&args.args[1], vm)?;
        Ok(complex(r * phi.cos(), r * phi.sin(), vm))
    }

    /// `exp(z)`.
    #[pyfunction]
    fn exp(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let z = arg(args, vm)?;
        let m = z.re.exp();
        Ok(complex(m * z.im.cos(), m * z.im.sin(), vm))
    }

    /// `log(z)`: natural logarithm, branch cut along the negative real axis.
    #[pyfunction]
    fn log(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let z = arg(args, vm)?;
        Ok(complex(0.5 * (z.re * z.re + z.im * z.im).ln(), z.im.atan2(z.re), vm))
    }

    /// `sqrt(z)`.
    #[pyfunction]
    fn sqrt(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let z = arg(args, vm)?;
        let modulus = (z.re * z.re + z.im * z.im).powf(0.25);
        let theta = 0.5 * z.im.atan2(z.re);
        Ok(complex(modulus * theta.cos(), modulus * theta.sin(), vm))
    }

    /// `cos(z)`.
    #[pyfunction]
    fn cos(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let z = arg(args, vm)?;
        Ok(complex(z.re.cos() * z.im.cosh(), -z.re.sin() * z.im.sinh(), vm))
    }

    /// `sin(z)`.
    #[pyfunction]
    fn sin(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let z = arg(args, vm)?;
        Ok(complex(z.re.sin() * z.im.cosh(), z.re.cos() * z.im.sinh(), vm))
    }
}
