//! `ubinascii` (weak link `binascii`) as the firmware builds it: `hexlify` (with
//! MicroPython's one-character separator), `unhexlify`, `a2b_base64` (skips
//! characters outside the alphabet) and `b2a_base64` (ends with a newline).
//! `crc32` is absent: `MICROPY_PY_UBINASCII_CRC32` is off.

pub(crate) use ubinascii::module_def;

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Lower-case hex digits, `sep` between bytes when given.
fn hexlify(data: &[u8], sep: Option<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() * 3);
    for (i, byte) in data.iter().enumerate() {
        if let (Some(sep), true) = (sep, i > 0) {
            out.push(sep);
        }
        out.extend_from_slice(format!("{byte:02x}").as_bytes());
    }
    out
}

/// Why `unhexlify` refused its input.
#[derive(Debug, thiserror::Error)]
enum HexError {
    #[error("odd-length string")]
    OddLength,
    #[error("non-hex digit found")]
    NonHex,
}

fn unhexlify(data: &[u8]) -> Result<Vec<u8>, HexError> {
    if !data.len().is_multiple_of(2) {
        return Err(HexError::OddLength);
    }
    let digit = |c: u8| char::from(c).to_digit(16).map(|d| d as u8).ok_or(HexError::NonHex);
    data.chunks(2).map(|pair| Ok(digit(pair[0])? << 4 | digit(pair[1])?)).collect()
}

fn sextet(c: u8) -> Option<u32> {
    BASE64.iter().position(|&b| b == c).map(|p| p as u32)
}

/// MicroPython's decoder: characters outside the alphabet are skipped, and
/// decoding stops at padding that completes a group. `None`: incorrect padding.
fn a2b_base64(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 1);
    let (mut shift, mut bits, mut had_pad) = (0u32, 0u32, false);
    for &c in data {
        if c == b'=' {
            if bits == 2 || (bits == 4 && had_pad) {
                bits = 0;
                break;
            }
            had_pad = true;
        }
        let Some(value) = sextet(c) else { continue };
        had_pad = false;
        shift = (shift << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((shift >> bits) as u8);
        }
    }
    (bits == 0).then_some(out)
}

/// Standard base64 with padding and a trailing newline.
fn b2a_base64(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len().div_ceil(3) * 4 + 1);
    for chunk in data.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() { BASE64[(n >> (18 - 6 * i) & 63) as usize] } else { b'=' });
        }
    }
    out.push(b'\n');
    out
}

#[rustpython_vm::pymodule]
mod ubinascii {
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyResult, VirtualMachine};

    use crate::args::{arity, str_or_bytes};
    use crate::buffer::read_bytes;

    /// `hexlify(data[, sep])`: bytes; only the first character of `sep` is used
    /// (an empty one puts a NUL byte between the digits, as on the board).
    #[pyfunction]
    fn hexlify(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        arity(&args, 1, 2, vm)?;
        let data = read_bytes(&args.args[0], vm)?;
        if data.is_empty() {
            return Ok(Vec::new());
        }
        let sep = match args.args.get(1) {
            Some(sep) => Some(str_or_bytes(sep, vm)?.first().copied().unwrap_or(0)),
            None => None,
        };
        Ok(super::hexlify(&data, sep))
    }

    /// `unhexlify(data)`.
    #[pyfunction]
    fn unhexlify(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        arity(&args, 1, 1, vm)?;
        super::unhexlify(&read_bytes(&args.args[0], vm)?).map_err(|e| vm.new_value_error(e.to_string()))
    }

    /// `a2b_base64(data)`.
    #[pyfunction]
    fn a2b_base64(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        arity(&args, 1, 1, vm)?;
        super::a2b_base64(&read_bytes(&args.args[0], vm)?).ok_or_else(|| vm.new_value_error("incorrect padding"))
    }

    /// `b2a_base64(data)`.
    #[pyfunction]
    fn b2a_base64(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        arity(&args, 1, 1, vm)?;
        Ok(super::b2a_base64(&read_bytes(&args.args[0], vm)?))
    }
}
