//! Espressif's NVS CSV format (what `nvs_partition_gen` reads): typed values from
//! text, reading a CSV into rows, and writing stored entries back out.
//!
//! Header `key,type,encoding,value`; lines starting with `#` are comments. A
//! `namespace` row (empty encoding and value) switches to a namespace; `data`
//! rows carry a value in the row, `file` rows the path of a file (relative to
//! the CSV's directory) holding it.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use clap::ValueEnum;
use pycom_board::nvs::{Entry, Value};

use crate::host_input::{HostInputError, read_at_most};

/// Longest key (and namespace name) in bytes.
pub const KEY_MAX_LEN: usize = 15;
/// Most bytes a stored string takes, its terminating NUL included.
const STRING_MAX_STORED: usize = 4000;
/// Largest CSV an import reads: far more than the text of everything an NVS
/// partition holds (28 KiB on Pycom boards, 64 KiB at most here written as hex).
const CSV_MAX_LEN: u64 = 1 << 20;

/// How a value is written as text: a CSV `encoding`, and the `--type` of `nvs set` / `nvs get`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Encoding {
    /// Unsigned 8-bit integer.
    U8,
    /// Signed 8-bit integer.
    I8,
    /// Unsigned 16-bit integer.
    U16,
    /// Signed 16-bit integer.
    I16,
    /// Unsigned 32-bit integer.
    U32,
    /// Signed 32-bit integer.
    I32,
    /// Unsigned 64-bit integer.
    U64,
    /// Signed 64-bit integer.
    I64,
    /// A UTF-8 string.
    String,
    /// A blob written as hex digits.
    Hex2bin,
    /// A blob written as base64.
    Base64,
    /// A blob: raw bytes in a CSV `file` row, hex digits on the command line.
    Binary,
}

/// A value that does not fit its encoding.
#[derive(Debug, thiserror::Error)]
pub enum ValueError {
    /// Not a decimal integer.
    #[error("{text:?} is not a decimal integer ({encoding})")]
    NotAnInteger {
        /// The text given.
        text: String,
        /// The encoding asked for.
        encoding: &'static str,
    },
    /// An integer outside the type's range.
    #[error("{text} is out of range for {encoding}")]
    OutOfRange {
        /// The text given.
        text: String,
        /// The encoding asked for.
        encoding: &'static str,
    },
    /// A string longer than NVS stores.
    #[error("string of {0} bytes is too long (max {max} bytes)", max = STRING_MAX_STORED - 1)]
    StringTooLong(usize),
    /// Bad hex digits.
    #[error("invalid hex data: {0}")]
    Hex(hex::FromHexError),
    /// Bad base64.
    #[error("invalid base64 data: {0}")]
    Base64(base64::DecodeError),
    /// File contents that should be text are not UTF-8.
    #[error("file contents are not UTF-8 text")]
    NotUtf8,
}

/// The value `text` stands for in `encoding` (`binary` meaning hex digits).
pub fn decode_text(encoding: Encoding, text: &str) -> Result<Value, ValueError> {
    match encoding {
        Encoding::U8 => int(text, "u8", Value::U8),
        Encoding::I8 => int(text, "i8", Value::I8),
        Encoding::U16 => int(text, "u16", Value::U16),
        Encoding::I16 => int(text, "i16", Value::I16),
        Encoding::U32 => int(text, "u32", Value::U32),
        Encoding::I32 => int(text, "i32", Value::I32),
        Encoding::U64 => int(text, "u64", Value::U64),
        Encoding::I64 => int(text, "i64", Value::I64),
        Encoding::String if text.len() >= STRING_MAX_STORED => Err(ValueError::StringTooLong(text.len())),
        Encoding::String => Ok(Value::Str(text.to_owned())),
        Encoding::Hex2bin | Encoding::Binary => Ok(Value::Blob(hex::decode(text.trim()).map_err(ValueError::Hex)?)),
        Encoding::Base64 => {
            let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            Ok(Value::Blob(BASE64.decode(compact).map_err(ValueError::Base64)?))
        }
    }
}

/// The largest file a `file` row in `encoding` can name, and what that is: a
/// blob of `max_blob` bytes raw, a string, or the text of the largest blob
/// (hex takes two characters a byte; room is left for line breaks).
fn file_limit(encoding: Encoding, max_blob: usize) -> (u64, &'static str) {
    match encoding {
        Encoding::Binary => (max_blob as u64, "the largest NVS blob"),
        Encoding::String => (STRING_MAX_STORED as u64 - 1, "the longest NVS string"),
        _ => (4 * max_blob as u64, "the text of the largest NVS blob"),
    }
}

/// The value a `file` row's file holds: raw bytes for `binary`, else its text decoded.
fn decode_file(encoding: Encoding, bytes: Vec<u8>) -> Result<Value, ValueError> {
    if encoding == Encoding::Binary {
        return Ok(Value::Blob(bytes));
    }
    decode_text(encoding, std::str::from_utf8(&bytes).map_err(|_| ValueError::NotUtf8)?)
}

fn int<T: TryFrom<i128>>(text: &str, encoding: &'static str, wrap: fn(T) -> Value) -> Result<Value, ValueError> {
    let out_of_range = || ValueError::OutOfRange { text: text.trim().to_owned(), encoding };
    let n: i128 = text.trim().parse().map_err(|e: std::num::ParseIntError| match e.kind() {
        std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => out_of_range(),
        _ => ValueError::NotAnInteger { text: text.to_owned(), encoding },
    })?;
    T::try_from(n).map(wrap).map_err(|_| out_of_range())
}

/// The encoding and text a value is exported as (blobs in base64).
pub fn encode_text(value: &Value) -> (&'static str, String) {
    match value {
        Value::Str(s) => ("string", s.clone()),
        Value::Blob(bytes) => ("base64", BASE64.encode(bytes)),
        Value::U8(v) => ("u8", v.to_string()),
        Value::I8(v) => ("i8", v.to_string()),
        Value::U16(v) => ("u16", v.to_string()),
        Value::I16(v) => ("i16", v.to_string()),
        Value::U32(v) => ("u32", v.to_string()),
        Value::I32(v) => ("i32", v.to_string()),
        Value::U64(v) => ("u64", v.to_string()),
        Value::I64(v) => ("i64", v.to_string()),
    }
}

/// One meaningful row of an NVS CSV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// Switch to (creating if needed) a namespace.
    Namespace(String),
    /// A key of the namespace switched to last.
    Data {
        /// Key.
        key: String,
        /// Value.
        value: Value,
    },
}

/// What is wrong with one row (or the header) of a CSV.
#[derive(Debug, thiserror::Error)]
pub enum RowError {
    /// The header lacks a column.
    #[error("header has no {0:?} column (expected key,type,encoding,value)")]
    MissingColumn(&'static str),
    /// Not CSV.
    #[error("{0}")]
    Syntax(String),
    /// A `type` other than namespace, data and file.
    #[error("unknown row type {0:?} (expected namespace, data or file)")]
    UnknownType(String),
    /// An unknown `encoding`.
    #[error(
        "unknown encoding {0:?} (expected u8, i8, u16, i16, u32, i32, u64, i64, string, hex2bin, base64 or binary)"
    )]
    UnknownEncoding(String),
    /// `binary` in a `data` row.
    #[error("encoding binary is only for file rows")]
    BinaryData,
    /// A key or value before the first namespace row.
    #[error("{0:?} comes before any namespace row")]
    NoNamespace(String),
    /// A key or namespace name of more than 15 bytes, or an empty namespace name.
    #[error("{0:?} is not a valid key or namespace name (1 to 15 bytes for namespaces, at most 15 for keys)")]
    BadName(String),
    /// A `file` row whose file cannot be read, or holds more than NVS can.
    #[error(transparent)]
    File(#[from] HostInputError),
    /// A value that does not fit its encoding.
    #[error("key {key:?}: {error}")]
    Value {
        /// The key.
        key: String,
        /// Why.
        error: ValueError,
    },
}

/// A CSV that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The CSV cannot be read in (or is larger than an import can be).
    #[error(transparent)]
    Input(#[from] HostInputError),
    /// The file cannot be written.
    #[error("{path}: {error}")]
    Io {
        /// The CSV file.
        path: PathBuf,
        /// Why.
        error: csv::Error,
    },
    /// A bad row.
    #[error("{path}:{line}: {error}")]
    Row {
        /// The CSV file.
        path: PathBuf,
        /// Line number (1-based) where the row starts.
        line: u64,
        /// What is wrong.
        error: RowError,
    },
}

/// Column indexes of `key,type,encoding,value`.
struct Columns([usize; 4]);

impl Columns {
    fn find(header: &csv::StringRecord) -> Result<Self, RowError> {
        let names = ["key", "type", "encoding", "value"];
        let mut indexes = [0; 4];
        for (slot, name) in indexes.iter_mut().zip(names) {
            *slot = header.iter().position(|h| h.trim() == name).ok_or(RowError::MissingColumn(name))?;
        }
        Ok(Self(indexes))
    }

    /// The row's key, type, encoding and value (missing trailing fields are empty).
    fn fields<'r>(&self, record: &'r csv::StringRecord) -> [&'r str; 4] {
        self.0.map(|i| record.get(i).unwrap_or(""))
    }
}

/// Reads every row of the CSV at `path`, checking names and decoding values
/// (and reading `file` rows' files, relative to the CSV's directory and none
/// larger than a value of `max_blob` bytes can be) without storing anything.
pub fn read(path: &Path, max_blob: usize) -> Result<Vec<Row>, CsvError> {
    let text = read_at_most(path, CSV_MAX_LEN, "an NVS import CSV")?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse(&text, path, max_blob, &mut |name, limit, what| read_at_most(&dir.join(name), limit, what))
}

/// Reads a `file` row's file: its name as the row gives it, the most bytes it
/// may hold and what that limit is.
pub type FileReader<'a> = dyn FnMut(&str, u64, &'static str) -> Result<Vec<u8>, HostInputError> + 'a;

/// The rows of `text`, the CSV at `path` (named in errors), as [`read`]
/// finds them; `file` rows' files come from `read_file`.
pub fn parse(text: &[u8], path: &Path, max_blob: usize, read_file: &mut FileReader<'_>) -> Result<Vec<Row>, CsvError> {
    let at = |line: u64| move |error| CsvError::Row { path: path.to_owned(), line, error };
    let mut reader = csv::ReaderBuilder::new().comment(Some(b'#')).flexible(true).has_headers(true).from_reader(text);
    let header = reader.headers().map_err(|e| at(1)(RowError::Syntax(e.to_string())))?.clone();
    let columns = Columns::find(&header).map_err(at(1))?;
    let mut rows = Vec::new();
    let mut in_namespace = false;
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            at(line)(RowError::Syntax(e.to_string()))
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let row = parse_row(columns.fields(&record), read_file, in_namespace, max_blob).map_err(at(line))?;
        in_namespace |= matches!(row, Row::Namespace(_));
        rows.push(row);
    }
    Ok(rows)
}

fn parse_row(
    [key, kind, encoding, value]: [&str; 4],
    read_file: &mut FileReader<'_>,
    in_namespace: bool,
    max_blob: usize,
) -> Result<Row, RowError> {
    if kind == "namespace" {
        return match key.len() {
            1..=KEY_MAX_LEN => Ok(Row::Namespace(key.to_owned())),
            _ => Err(RowError::BadName(key.to_owned())),
        };
    }
    if kind != "data" && kind != "file" {
        return Err(RowError::UnknownType(kind.to_owned()));
    }
    if key.len() > KEY_MAX_LEN {
        return Err(RowError::BadName(key.to_owned()));
    }
    if !in_namespace {
        return Err(RowError::NoNamespace(key.to_owned()));
    }
    let encoding =
        Encoding::from_str(encoding.trim(), true).map_err(|_| RowError::UnknownEncoding(encoding.to_owned()))?;
    let value = if kind == "file" {
        let (limit, what) = file_limit(encoding, max_blob);
        decode_file(encoding, read_file(value, limit, what)?)
    } else if encoding == Encoding::Binary {
        return Err(RowError::BinaryData);
    } else {
        decode_text(encoding, value)
    };
    let value = value.map_err(|error| RowError::Value { key: key.to_owned(), error })?;
    Ok(Row::Data { key: key.to_owned(), value })
}

/// Writes `namespaces`, each with its entries, as a CSV that `nvs import` and
/// `nvs_partition_gen` read back (blobs as base64).
pub fn write(path: &Path, namespaces: &[(String, Vec<Entry>)]) -> Result<(), CsvError> {
    let io = |error| CsvError::Io { path: path.to_owned(), error };
    let mut writer = csv::Writer::from_path(path).map_err(io)?;
    writer.write_record(["key", "type", "encoding", "value"]).map_err(io)?;
    for (namespace, entries) in namespaces {
        writer.write_record([namespace.as_str(), "namespace", "", ""]).map_err(io)?;
        for entry in entries {
            let (encoding, text) = encode_text(&entry.value);
            writer.write_record([entry.key.as_str(), "data", encoding, &text]).map_err(io)?;
        }
    }
    writer.flush().map_err(|e| io(e.into()))
}
