//! `uzlib` as MicroPython 1.11 has it (no weak link `zlib` on the board):
//! `decompress(data, wbits=0)` returns a `bytearray` (zlib format, or raw
//! DEFLATE for a negative `wbits`) and raises `ValueError(code)` with uzlib's
//! code (-3 bad data, -4 bad checksum); `DecompIO(stream, wbits=0)` reads a
//! zlib (`wbits` 0..15), gzip (`wbits` >= 16) or raw (`wbits` < 0) stream,
//! taking the source one byte at a time as the firmware does.

pub(crate) use uzlib::module_def;

use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

/// uzlib's `TINF_DATA_ERROR`.
const DATA_ERROR: i32 = -3;
/// uzlib's `TINF_CHKSUM_ERROR`.
const CHKSUM_ERROR: i32 = -4;
/// gzip header flags: extra field, name, comment, header CRC.
const FEXTRA: u8 = 4;
const FNAME: u8 = 8;
const FCOMMENT: u8 = 16;
const FHCRC: u8 = 2;

/// The framing around the DEFLATE data.
#[derive(Clone, Copy)]
enum Wrapper {
    Zlib,
    Gzip,
    Raw,
}

/// `uzlib_zlib_parse_header` on two bytes: `Err` for a bad header.
fn zlib_header(cmf: u8, flg: u8) -> Result<(), i32> {
    let bad = (256 * u32::from(cmf) + u32::from(flg)) % 31 != 0 || cmf & 0x0f != 8 || cmf >> 4 > 7 || flg & 0x20 != 0;
    if bad { Err(DATA_ERROR) } else { Ok(()) }
}

/// `uzlib_gzip_parse_header`, reading bytes with `next`.
fn gzip_header<E>(mut next: impl FnMut() -> Result<u8, E>, bad: impl Fn() -> E) -> Result<(), E> {
    if next()? != 0x1f || next()? != 0x8b || next()? != 8 {
        return Err(bad());
    }
    let flags = next()?;
    if flags & 0xe0 != 0 {
        return Err(bad());
    }
    // Modification time, extra flags, OS.
    for _ in 0..6 {
        next()?;
    }
    if flags & FEXTRA != 0 {
        let len = u16::from_le_bytes([next()?, next()?]);
        for _ in 0..len {
            next()?;
        }
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            while next()? != 0 {}
        }
    }
    if flags & FHCRC != 0 {
        next()?;
        next()?;
    }
    Ok(())
}

/// The running checksum of the output.
enum Checksum {
    Adler(u32, u32),
    Crc(crc::Digest<'static, u32>),
    None,
}

const CRC32: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

impl Checksum {
    fn new(wrapper: Wrapper) -> Self {
        match wrapper {
            Wrapper::Zlib => Self::Adler(1, 0),
            Wrapper::Gzip => Self::Crc(CRC32.digest()),
            Wrapper::Raw => Self::None,
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Self::Adler(a, b) => {
                for &byte in data {
                    *a = (*a + u32::from(byte)) % 65521;
                    *b = (*b + *a) % 65521;
                }
            }
            Self::Crc(digest) => digest.update(data),
            Self::None => {}
        }
    }

    /// The trailer bytes to read after the DEFLATE data.
    fn trailer_len(&self) -> usize {
        match self {
            Self::Adler(..) => 4,
            Self::Crc(_) => 8,
            Self::None => 0,
        }
    }

    /// Whether `trailer` matches (gzip's length field is not checked, as in uzlib).
    fn matches(self, trailer: &[u8]) -> bool {
        match self {
            Self::Adler(a, b) => trailer.get(..4) == Some(&((b << 16) | a).to_be_bytes()[..]),
            Self::Crc(digest) => trailer.get(..4) == Some(&digest.finalize().to_le_bytes()[..]),
            Self::None => true,
        }
    }
}

/// Raw DEFLATE decoding fed in pieces, with the checksum of what it produced.
struct Inflater {
    state: Box<InflateState>,
    checksum: Checksum,
}

/// What one [`Inflater::step`] did.
struct Step {
    consumed: usize,
    written: usize,
    done: bool,
}

impl Inflater {
    fn new(wrapper: Wrapper) -> Self {
        Self { state: InflateState::new_boxed(DataFormat::Raw), checksum: Checksum::new(wrapper) }
    }

    /// Decodes from `input` into `output`; `Err` for corrupt data.
    fn step(&mut self, input: &[u8], output: &mut [u8]) -> Result<Step, i32> {
        let result = inflate(&mut self.state, input, output, MZFlush::None);
        self.checksum.update(&output[..result.bytes_written]);
        let done = match result.status {
            Ok(MZStatus::StreamEnd) => true,
            Ok(_) | Err(MZError::Buf) => false,
            Err(_) => return Err(DATA_ERROR),
        };
        Ok(Step { consumed: result.bytes_consumed, written: result.bytes_written, done })
    }
}

/// `decompress`: the whole of `data`; missing bytes read as zero, as uzlib's do.
fn decompress(data: &[u8], wrapper: Wrapper, limit: usize) -> Result<Vec<u8>, DecompressError> {
    let byte = |i: usize| data.get(i).copied().unwrap_or(0);
    let mut pos = 0;
    if let Wrapper::Zlib = wrapper {
        zlib_header(byte(0), byte(1)).map_err(DecompressError::Code)?;
        pos = 2;
    }
    let mut inflater = Inflater::new(wrapper);
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 4096];
    loop {
        let input = data.get(pos..).unwrap_or_default();
        let step = inflater.step(input, &mut chunk).map_err(DecompressError::Code)?;
        pos += step.consumed;
        out.extend_from_slice(&chunk[..step.written]);
        if out.len() > limit {
            return Err(DecompressError::Memory(out.len()));
        }
        if step.done {
            break;
        }
        if step.consumed == 0 && step.written == 0 {
            // The data ended inside the stream.
            return Err(DecompressError::Code(DATA_ERROR));
        }
    }
    let trailer: Vec<u8> = (pos..pos + inflater.checksum.trailer_len()).map(byte).collect();
    if !inflater.checksum.matches(&trailer) {
        return Err(DecompressError::Code(CHKSUM_ERROR));
    }
    Ok(out)
}

/// Why `decompress` failed.
enum DecompressError {
    /// uzlib's negative status.
    Code(i32),
    /// The output outgrew the board's heap.
    Memory(usize),
}

#[rustpython_vm::pymodule]
mod uzlib {
    use rustpython_vm::builtins::{PyBytes, PyType};
    use rustpython_vm::common::lock::PyMutex;
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::types::Constructor;
    use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

    use super::{DecompressError, Inflater, Wrapper, gzip_header, zlib_header};
    use crate::args::{arity, get_int, method_arity};
    use crate::buffer::{check_alloc, read_bytes, with_writable};

    /// `EINVAL`: corrupt data in a `DecompIO` stream.
    const EINVAL: i32 = 22;

    /// `decompress(data, wbits=0, bufsize=0)`: a bytearray.
    #[pyfunction]
    fn decompress(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 1, 3, vm)?;
        let data = read_bytes(&args.args[0], vm)?;
        let raw = match args.args.get(1) {
            Some(wbits) => get_int(wbits, vm)? < 0,
            None => false,
        };
        let wrapper = if raw { Wrapper::Raw } else { Wrapper::Zlib };
        let limit = crate::state::heap_usage().1;
        match super::decompress(&data, wrapper, limit) {
            Ok(out) => Ok(vm.ctx.new_bytearray(out).into()),
            Err(DecompressError::Code(code)) => Err(vm.new_exception(
                vm.ctx.exceptions.value_error.to_owned(),
                vec![vm.ctx.new_int(code).into()],
            )),
            Err(DecompressError::Memory(n)) => check_alloc(n, vm).map(|()| vm.ctx.none()),
        }
    }

    /// The state of a `DecompIO` stream.
    struct Stream {
        source: PyObjectRef,
        inflater: Inflater,
        /// The source byte not yet taken by the inflater.
        pending: Option<u8>,
        eof: bool,
    }

    /// `DecompIO(stream, wbits=0)`: a stream of the decompressed data.
    #[pyattr]
    #[pyclass(module = "uzlib", name = "DecompIO")]
    #[derive(PyPayload)]
    struct DecompIo {
        stream: PyMutex<Stream>,
    }

    impl std::fmt::Debug for DecompIo {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("DecompIO")
        }
    }

    /// One byte of the source stream; `EOFError` at its end.
    fn source_byte(source: &PyObjectRef, vm: &VirtualMachine) -> PyResult<u8> {
        let data = vm.call_method(source, "read", (1,))?;
        let bytes = read_bytes(&data, vm)?;
        bytes.first().copied().ok_or_else(|| vm.new_exception_empty(vm.ctx.exceptions.eof_error.to_owned()))
    }

    impl Constructor for DecompIo {
        type Args = FuncArgs;

        fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
            arity(&args, 1, 2, vm)?;
            let source = args.args[0].clone();
            if source.get_attr("read", vm).is_err() {
                return Err(vm.new_os_error("stream operation not supported".to_owned()));
            }
            let wbits = match args.args.get(1) {
                Some(wbits) => get_int(wbits, vm)?,
                None => 0,
            };
            let header_error = || vm.new_value_error("compression header");
            let wrapper = if wbits >= 16 {
                gzip_header(|| source_byte(&source, vm), header_error)?;
                Wrapper::Gzip
            } else if wbits >= 0 {
                let (cmf, flg) = (source_byte(&source, vm)?, source_byte(&source, vm)?);
                zlib_header(cmf, flg).map_err(|_| header_error())?;
                Wrapper::Zlib
            } else {
                Wrapper::Raw
            };
            let stream = Stream { source, inflater: Inflater::new(wrapper), pending: None, eof: false };
            Ok(Self { stream: PyMutex::new(stream) })
        }
    }

    impl DecompIo {
        /// Up to `size` decompressed bytes (`None`: to the end), fewer only at
        /// the end of the data.
        fn read_up_to(&self, size: Option<usize>, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
            let mut s = self.stream.lock();
            let mut out = Vec::new();
            let mut chunk = [0u8; 256];
            while !s.eof && size.is_none_or(|size| out.len() < size) {
                let room = size.map_or(chunk.len(), |size| (size - out.len()).min(chunk.len()));
                let input: Vec<u8> = s.pending.into_iter().collect();
                let step = s.inflater.step(&input, &mut chunk[..room]).map_err(|_| crate::vfs::os_error(EINVAL, vm))?;
                if step.consumed > 0 {
                    s.pending = None;
                }
                out.extend_from_slice(&chunk[..step.written]);
                check_alloc(out.len(), vm)?;
                if step.done {
                    s.eof = true;
                    let trailer = (0..s.inflater.checksum.trailer_len())
                        .map(|_| source_byte(&s.source, vm))
                        .collect::<PyResult<Vec<u8>>>()?;
                    let checksum = std::mem::replace(&mut s.inflater.checksum, super::Checksum::None);
                    if !checksum.matches(&trailer) {
                        return Err(crate::vfs::os_error(EINVAL, vm));
                    }
                } else if step.written == 0 && s.pending.is_none() {
                    s.pending = Some(source_byte(&s.source, vm)?);
                }
            }
            Ok(out)
        }
    }

    #[pyclass(with(Constructor))]
    impl DecompIo {
        /// `read([size])`.
        #[pymethod]
        fn read(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
            method_arity(&args, 0, 1, vm)?;
            let size = match args.args.first() {
                Some(size) if !vm.is_none(size) => usize::try_from(get_int(size, vm)?).ok(),
                _ => None,
            };
            self.read_up_to(size, vm)
        }

        /// `readinto(buf[, nbytes])`: the count of bytes read.
        #[pymethod]
        fn readinto(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
            method_arity(&args, 1, 2, vm)?;
            let len = with_writable(&args.args[0], vm, |buf| buf.len())?;
            let len = match args.args.get(1) {
                Some(n) => len.min(usize::try_from(get_int(n, vm)?).unwrap_or(0)),
                None => len,
            };
            let data = self.read_up_to(Some(len), vm)?;
            with_writable(&args.args[0], vm, |buf| buf[..data.len()].copy_from_slice(&data))?;
            Ok(data.len())
        }

        /// `readline()`: up to and including the next newline.
        #[pymethod]
        fn readline(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
            method_arity(&args, 0, 1, vm)?;
            let limit = match args.args.first() {
                Some(n) if !vm.is_none(n) => usize::try_from(get_int(n, vm)?).ok(),
                _ => None,
            };
            let mut line = Vec::new();
            while limit.is_none_or(|limit| line.len() < limit) {
                let byte = self.read_up_to(Some(1), vm)?;
                line.extend_from_slice(&byte);
                if byte.is_empty() || byte == b"\n" {
                    break;
                }
            }
            Ok(PyBytes::from(line).into_ref(&vm.ctx).into())
        }
    }
}
