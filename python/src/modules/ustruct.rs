//! `ustruct` (weak link `struct`) as MicroPython 1.11 has it: `calcsize`, `pack`,
//! `pack_into`, `unpack`, `unpack_from`; byte orders `@` (native, aligned,
//! little-endian on the ESP32), `<`, `>`, `!`; codes `bBhHiIlLqQfdsP` (`l` is
//! 4 bytes on the ESP32). There is no `Struct` class and no `x` or `?`, and
//! `=` sizes nothing ("bad typecode"). Like the firmware, `pack` does not check
//! the number of values (missing ones stay zero, extra ones are ignored),
//! integers are truncated to the field, and `unpack` only needs a buffer that is
//! big enough.

pub(crate) use ustruct::module_def;

use rustpython_vm::builtins::PyInt;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use crate::args::get_float;

/// How values are laid out: the prefix of the format.
#[derive(Clone, Copy, PartialEq)]
enum Order {
    /// `@` or none: native sizes and alignment, little-endian.
    Native,
    /// `<`.
    Little,
    /// `>` or `!`.
    Big,
    /// `=`: MicroPython knows no sizes for it.
    Standard,
}

/// A parsed format: the order and `(count, code)` items.
struct Format {
    order: Order,
    items: Vec<(usize, u8)>,
}

/// `ValueError: bad typecode`.
fn bad_typecode(vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_value_error("bad typecode")
}

/// `ValueError: buffer too small`.
fn too_small(vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_value_error("buffer too small")
}

impl Format {
    fn parse(fmt: &[u8]) -> Self {
        let (order, rest) = match fmt.first() {
            Some(b'@') => (Order::Native, &fmt[1..]),
            Some(b'<') => (Order::Little, &fmt[1..]),
            Some(b'>' | b'!') => (Order::Big, &fmt[1..]),
            Some(b'=') => (Order::Standard, &fmt[1..]),
            _ => (Order::Native, fmt),
        };
        let mut items = Vec::new();
        let mut i = 0;
        while i < rest.len() {
            let mut count = 1usize;
            if rest[i].is_ascii_digit() {
                count = 0;
                while i < rest.len() && rest[i].is_ascii_digit() {
                    count = count.saturating_mul(10).saturating_add(usize::from(rest[i] - b'0'));
                    i += 1;
                }
            }
            // A count at the very end stands before the terminating NUL.
            items.push((count, rest.get(i).copied().unwrap_or(0)));
            i += 1;
        }
        Self { order, items }
    }

    /// `(size, alignment)` of one value of `code`.
    fn field(&self, code: u8, vm: &VirtualMachine) -> PyResult<(usize, usize)> {
        let size = match code {
            b'b' | b'B' => 1,
            b'h' | b'H' => 2,
            b'i' | b'I' | b'l' | b'L' | b'P' | b'O' | b'S' | b'f' => 4,
            b'q' | b'Q' | b'd' => 8,
            _ => return Err(bad_typecode(vm)),
        };
        match self.order {
            Order::Native => Ok((size, size)),
            Order::Little | Order::Big => Ok((size, 1)),
            Order::Standard => Err(bad_typecode(vm)),
        }
    }

    /// `calc_size_items`: the number of values and the bytes they take.
    fn size(&self, vm: &VirtualMachine) -> PyResult<(usize, usize)> {
        let (mut values, mut size) = (0usize, 0usize);
        for &(count, code) in &self.items {
            if code == b's' {
                values += 1;
                size = size.saturating_add(count);
                continue;
            }
            let (field, align) = self.field(code, vm)?;
            values = values.saturating_add(count);
            if count > 0 {
                size = size.next_multiple_of(align).saturating_add(field.saturating_mul(count));
            }
        }
        Ok((values, size))
    }

    /// One value of `code` read at `*pos` (aligned first for `@`).
    fn get(&self, code: u8, data: &[u8], pos: &mut usize, vm: &VirtualMachine) -> PyResult {
        let (size, align) = self.field(code, vm)?;
        let start = pos.next_multiple_of(align);
        let bytes = data.get(start..start + size).ok_or_else(|| too_small(vm))?;
        *pos = start + size;
        let mut word = [0u8; 8];
        if self.order == Order::Big {
            bytes.iter().rev().zip(word.iter_mut()).for_each(|(b, w)| *w = *b);
        } else {
            word[..size].copy_from_slice(bytes);
        }
        let raw = u64::from_le_bytes(word);
        let shift = 64 - 8 * size as u32;
        Ok(match code {
            b'f' => vm.ctx.new_float(f64::from(f32::from_bits(raw as u32))).into(),
            b'd' => vm.ctx.new_float(f64::from_bits(raw)).into(),
            b'O' | b'S' => return Err(pointer_codes(vm)),
            // Lower-case codes are signed.
            c if c.is_ascii_lowercase() => vm.ctx.new_int(((raw << shift) as i64) >> shift).into(),
            _ => vm.ctx.new_int(raw).into(),
        })
    }

    /// One value of `code` written at `*pos` (aligned first for `@`).
    fn put(&self, code: u8, value: &PyObjectRef, out: &mut [u8], pos: &mut usize, vm: &VirtualMachine) -> PyResult<()> {
        let (size, align) = self.field(code, vm)?;
        let start = pos.next_multiple_of(align);
        let le: Vec<u8> = match code {
            b'f' => (get_float(value, vm)? as f32).to_le_bytes().to_vec(),
            b'd' => get_float(value, vm)?.to_le_bytes().to_vec(),
            b'O' | b'S' => return Err(pointer_codes(vm)),
            _ => int_bytes(value, size, vm)?,
        };
        let field = out.get_mut(start..start + size).ok_or_else(|| too_small(vm))?;
        if self.order == Order::Big {
            field.iter_mut().zip(le.iter().rev()).for_each(|(f, b)| *f = *b);
        } else {
            field.copy_from_slice(&le);
        }
        *pos = start + size;
        Ok(())
    }
}

/// The `size` low bytes, little-endian, of an integer in two's complement.
fn int_bytes(value: &PyObjectRef, size: usize, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    let Some(int) = value.downcast_ref::<PyInt>() else {
        return Err(vm.new_type_error(format!("can't convert {} to int", value.class().name())));
    };
    let bigint = int.as_bigint();
    let mut bytes = bigint.to_signed_bytes_le();
    let fill = if bytes.last().is_some_and(|b| b & 0x80 != 0) { 0xff } else { 0 };
    bytes.resize(size.max(bytes.len()), fill);
    bytes.truncate(size);
    Ok(bytes)
}

/// `O` and `S` hold raw pointers on the board; the emulator has none to give.
fn pointer_codes(vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_exception_msg(
        vm.ctx.exceptions.not_implemented_error.to_owned(),
        "struct codes 'O' and 'S' (object and string pointers) are not emulated".into(),
    )
}

/// `struct_pack_into_internal`: writes `values` from `start` of `out`.
fn pack_values(fmt: &Format, values: &[PyObjectRef], out: &mut [u8], start: usize, vm: &VirtualMachine) -> PyResult<()> {
    let mut pos = start;
    let mut values = values.iter();
    for &(count, code) in &fmt.items {
        if values.len() == 0 {
            break;
        }
        if code == b's' {
            let data = crate::buffer::read_bytes(values.next().expect("checked above"), vm)?;
            let n = count.min(data.len());
            let field = out.get_mut(pos..pos + count).ok_or_else(|| too_small(vm))?;
            field[..n].copy_from_slice(&data[..n]);
            field[n..].fill(0);
            pos += count;
            continue;
        }
        for value in values.by_ref().take(count) {
            fmt.put(code, value, out, &mut pos, vm)?;
        }
    }
    Ok(())
}

#[rustpython_vm::pymodule]
mod ustruct {
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

    use super::{Format, pack_values, too_small};
    use crate::args::{arity, get_int, str_or_bytes};

    fn format(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Format> {
        Ok(Format::parse(&str_or_bytes(obj, vm)?))
    }

    /// A buffer offset: negative counts from the end.
    fn offset(obj: &PyObjectRef, len: usize, vm: &VirtualMachine) -> PyResult<usize> {
        let offset = i64::from(get_int(obj, vm)?);
        let offset = if offset < 0 { offset + len as i64 } else { offset };
        usize::try_from(offset).map_err(|_| too_small(vm))
    }

    /// `calcsize(fmt)`.
    #[pyfunction]
    fn calcsize(args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        arity(&args, 1, 1, vm)?;
        Ok(format(&args.args[0], vm)?.size(vm)?.1)
    }

    /// `pack(fmt, v1, v2, ...)`: bytes.
    #[pyfunction]
    fn pack(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        arity(&args, 1, usize::MAX, vm)?;
        let fmt = format(&args.args[0], vm)?;
        let size = fmt.size(vm)?.1;
        crate::buffer::check_alloc(size, vm)?;
        let mut out = vec![0u8; size];
        pack_values(&fmt, &args.args[1..], &mut out, 0, vm)?;
        Ok(out)
    }

    /// `pack_into(fmt, buffer, offset, v1, v2, ...)`.
    #[pyfunction]
    fn pack_into(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 3, usize::MAX, vm)?;
        let fmt = format(&args.args[0], vm)?;
        crate::buffer::with_writable(&args.args[1], vm, |out| {
            let start = offset(&args.args[2], out.len(), vm)?;
            if start.saturating_add(fmt.size(vm)?.1) > out.len() {
                return Err(too_small(vm));
            }
            pack_values(&fmt, &args.args[3..], out, start, vm)
        })?
    }

    /// `unpack(fmt, data)`: the buffer must be at least `calcsize(fmt)` long.
    #[pyfunction]
    fn unpack(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        unpack_from(args, vm)
    }

    /// `unpack_from(fmt, data, offset=0)`.
    #[pyfunction]
    fn unpack_from(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        arity(&args, 2, 3, vm)?;
        let fmt = format(&args.args[0], vm)?;
        let (count, size) = fmt.size(vm)?;
        let data = crate::buffer::read_bytes(&args.args[1], vm)?;
        let mut pos = match args.args.get(2) {
            Some(obj) => offset(obj, data.len(), vm)?,
            None => 0,
        };
        if pos.saturating_add(size) > data.len() {
            return Err(too_small(vm));
        }
        let mut values = Vec::with_capacity(count.min(data.len() + 1));
        for &(n, code) in &fmt.items {
            if code == b's' {
                let bytes = data.get(pos..pos + n).ok_or_else(|| too_small(vm))?;
                values.push(vm.ctx.new_bytes(bytes.to_vec()).into());
                pos += n;
                continue;
            }
            for _ in 0..n {
                values.push(fmt.get(code, &data, &mut pos, vm)?);
            }
        }
        Ok(vm.ctx.new_tuple(values).into())
    }
}
