//! `ujson` (weak link `json`) as MicroPython 1.11 has it: `dumps`/`dump` print
//! with MicroPython's JSON printer (`{"a": 1}`, `[1, 2]`, tuples as lists,
//! anything else as its `repr`; no `indent` or `separators`), and `loads`/`load`
//! use its one-pass parser, which takes commas and colons as whitespace and
//! raises `ValueError: syntax error in JSON` for what it cannot read.

pub(crate) use ujson::module_def;

use rustpython_vm::builtins::{PyBytes, PyDict, PyList, PyStr, PyTuple};
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// `mp_str_print_json`: quotes, escapes `"`, `\`, `\n`, `\r`, `\t` and other
/// control bytes as `\u00XX`; everything else as is.
fn write_string(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', b]),
            32.. => out.push(b),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
        }
    }
    out.push(b'"');
}

fn write_items<'a>(
    open: u8,
    items: impl Iterator<Item = &'a PyObjectRef>,
    close: u8,
    out: &mut Vec<u8>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    out.push(open);
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        write_value(item, out, vm)?;
    }
    out.push(close);
    Ok(())
}

/// `mp_obj_print_helper(..., PRINT_JSON)`.
fn write_value(obj: &PyObjectRef, out: &mut Vec<u8>, vm: &VirtualMachine) -> PyResult<()> {
    vm.with_recursion("while encoding a JSON object", || {
        if vm.is_none(obj) {
            out.extend_from_slice(b"null");
        } else if obj.is(&vm.ctx.true_value) {
            out.extend_from_slice(b"true");
        } else if obj.is(&vm.ctx.false_value) {
            out.extend_from_slice(b"false");
        } else if let Some(s) = obj.downcast_ref::<PyStr>() {
            write_string(s.as_bytes(), out);
        } else if let Some(b) = obj.downcast_ref::<PyBytes>() {
            write_string(b.as_bytes(), out);
        } else if let Some(list) = obj.downcast_ref::<PyList>() {
            let items = list.borrow_vec().to_vec();
            write_items(b'[', items.iter(), b']', out, vm)?;
        } else if let Some(tuple) = obj.downcast_ref::<PyTuple>() {
            write_items(b'[', tuple.as_slice().iter(), b']', out, vm)?;
        } else if let Some(dict) = obj.downcast_ref::<PyDict>() {
            out.push(b'{');
            for (i, (key, value)) in dict.items_vec().iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                write_value(key, out, vm)?;
                out.extend_from_slice(b": ");
                write_value(value, out, vm)?;
            }
            out.push(b'}');
        } else {
            out.extend_from_slice(obj.repr(vm)?.as_bytes());
        }
        Ok(())
    })
}

/// `dumps(obj)` as text.
fn dumps(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<String> {
    let mut out = Vec::new();
    write_value(obj, &mut out, vm)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Where a parse failed: `ValueError` with the firmware's text.
enum Fail {
    Syntax,
    Integer,
    Number,
}

/// The input as MicroPython's parser reads it: a NUL byte ends it.
struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Input<'_> {
    fn cur(&self) -> u8 {
        self.data.get(self.pos).copied().unwrap_or(0)
    }

    fn next(&mut self) -> u8 {
        if self.cur() != 0 {
            self.pos += 1;
        }
        self.cur()
    }

    /// Consumes `word` (after its first letter, already taken).
    fn expect(&mut self, rest: &[u8]) -> Result<(), Fail> {
        for &c in rest {
            if self.cur() != c {
                return Err(Fail::Syntax);
            }
            self.next();
        }
        Ok(())
    }

    /// A string body after the opening quote.
    fn string(&mut self) -> Result<Vec<u8>, Fail> {
        let mut out = Vec::new();
        while self.cur() != 0 && self.cur() != b'"' {
            let mut c = self.cur();
            if c == b'\\' {
                c = self.next();
                match c {
                    b'b' => c = 0x08,
                    b'f' => c = 0x0c,
                    b'n' => c = 0x0a,
                    b'r' => c = 0x0d,
                    b't' => c = 0x09,
                    b'u' => {
                        // Four digits, unchecked, as the firmware reads them.
                        let mut num = 0u32;
                        for _ in 0..4 {
                            let mut d = (self.next() | 0x20).wrapping_sub(b'0');
                            if d > 9 {
                                d = d.wrapping_sub(b'a' - (b'9' + 1));
                            }
                            num = (num << 4) | u32::from(d);
                        }
                        let ch = char::from_u32(num).unwrap_or(char::REPLACEMENT_CHARACTER);
                        out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                        self.next();
                        continue;
                    }
                    _ => {}
                }
            }
            out.push(c);
            self.next();
        }
        if self.cur() == 0 {
            return Err(Fail::Syntax);
        }
        self.next();
        Ok(out)
    }

    /// A number starting with `first` (already taken).
    fn number(&mut self, first: u8, vm: &VirtualMachine) -> Result<PyObjectRef, Fail> {
        let mut text = String::from(char::from(first));
        let mut float = false;
        loop {
            let c = self.cur();
            match c {
                b'.' | b'e' | b'E' => float = true,
                b'+' | b'-' | b'0'..=b'9' => {}
                _ => break,
            }
            text.push(char::from(c));
            self.next();
        }
        if float {
            // MicroPython takes an exponent without digits as zero.
            let trimmed = text.trim_end_matches(['+', '-']).trim_end_matches(['e', 'E']);
            let value: f64 = trimmed.parse().map_err(|_| Fail::Number)?;
            return Ok(vm.ctx.new_float(value).into());
        }
        let digits = text.strip_prefix('-').unwrap_or(&text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Fail::Integer);
        }
        let text_obj: PyObjectRef = vm.ctx.new_str(text.as_str()).into();
        vm.ctx.types.int_type.as_object().call((text_obj,), vm).map_err(|_| Fail::Integer)
    }
}

/// `mod_ujson_load`: MicroPython's non-recursive parser.
fn parse(data: &[u8], vm: &VirtualMachine) -> Result<PyObjectRef, Fail> {
    let mut input = Input { data, pos: 0 };
    let mut stack: Vec<PyObjectRef> = Vec::new();
    let mut top: Option<PyObjectRef> = None;
    let mut key: Option<PyObjectRef> = None;
    loop {
        let cur = input.cur();
        if cur == 0 {
            break;
        }
        input.next();
        let (value, enter): (PyObjectRef, bool) = match cur {
            b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' => continue,
            b'n' => {
                input.expect(b"ull")?;
                (vm.ctx.none(), false)
            }
            b'f' => {
                input.expect(b"alse")?;
                (vm.ctx.new_bool(false).into(), false)
            }
            b't' => {
                input.expect(b"rue")?;
                (vm.ctx.new_bool(true).into(), false)
            }
            b'"' => {
                let bytes = input.string()?;
                (vm.ctx.new_str(String::from_utf8_lossy(&bytes).into_owned()).into(), false)
            }
            b'-' | b'0'..=b'9' => (input.number(cur, vm)?, false),
            b'[' => (vm.ctx.new_list(Vec::new()).into(), true),
            b'{' => (vm.ctx.new_dict().into(), true),
            b']' | b'}' => {
                if top.is_none() {
                    return Err(Fail::Syntax);
                }
                match stack.pop() {
                    Some(parent) => {
                        top = Some(parent);
                        continue;
                    }
                    None => break,
                }
            }
            _ => return Err(Fail::Syntax),
        };
        let Some(container) = &top else {
            top = Some(value);
            if enter {
                continue;
            }
            break;
        };
        if let Some(list) = container.downcast_ref::<PyList>() {
            list.borrow_vec_mut().push(value.clone());
        } else if let Some(dict) = container.downcast_ref::<PyDict>() {
            match key.take() {
                None if enter => return Err(Fail::Syntax),
                None => key = Some(value.clone()),
                Some(k) => dict.set_item(&*k, value.clone(), vm).map_err(|_| Fail::Syntax)?,
            }
        }
        if enter {
            stack.push(container.clone());
            top = Some(value);
        }
    }
    while input.cur().is_ascii_whitespace() || input.cur() == 0x0b {
        input.next();
    }
    if input.cur() != 0 || !stack.is_empty() {
        return Err(Fail::Syntax);
    }
    top.ok_or(Fail::Syntax)
}

fn loads(data: &[u8], vm: &VirtualMachine) -> PyResult {
    parse(data, vm).map_err(|fail| {
        vm.new_value_error(match fail {
            Fail::Syntax => "syntax error in JSON",
            Fail::Integer => "invalid syntax for integer with base 10",
            Fail::Number => "invalid syntax for number",
        })
    })
}

/// A stream's method, or `OSError: stream operation not supported`.
fn stream_method(stream: &PyObjectRef, name: &'static str, vm: &VirtualMachine) -> PyResult {
    stream.get_attr(name, vm).map_err(|_| vm.new_os_error("stream operation not supported".to_owned()))
}

#[rustpython_vm::pymodule]
mod ujson {
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

    use super::stream_method;
    use crate::args::{arity, str_or_bytes};

    /// `dumps(obj)`: a str.
    #[pyfunction]
    fn dumps(args: FuncArgs, vm: &VirtualMachine) -> PyResult<String> {
        arity(&args, 1, 1, vm)?;
        super::dumps(&args.args[0], vm)
    }

    /// `dump(obj, stream)`: writes `dumps(obj)` to the stream.
    #[pyfunction]
    fn dump(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 2, 2, vm)?;
        let write = stream_method(&args.args[1], "write", vm)?;
        write.call((super::dumps(&args.args[0], vm)?,), vm)?;
        Ok(())
    }

    /// `loads(str_or_bytes)`.
    #[pyfunction]
    fn loads(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 1, 1, vm)?;
        super::loads(&str_or_bytes(&args.args[0], vm)?, vm)
    }

    /// `load(stream)`: parses what the stream reads to its end.
    #[pyfunction]
    fn load(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 1, 1, vm)?;
        let read = stream_method(&args.args[0], "read", vm)?;
        let data: PyObjectRef = read.call((), vm)?;
        super::loads(&str_or_bytes(&data, vm)?, vm)
    }
}
