//! `pycom-emu nvs ...`: read and write the keys in a device image's NVS
//! partition, and import or export them as Espressif NVS CSV.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use pycom_board::nvs::{Entry, Nvs, NvsError, PYCOM_NAMESPACE, Value};
use pycom_flash::Flash;
use pycom_formats::nvs::ItemType;
use serde::Serialize;

use crate::DeviceArgs;
use crate::nvs_csv::{self, Encoding, KEY_MAX_LEN, Row};

/// Exit status for a key or namespace that is not there.
const NOT_FOUND_EXIT: i32 = 1;
/// `pycom.nvs_set` refuses strings of this many bytes or more.
const PYCOM_STRING_MAX: usize = 1984;

/// The `nvs` subcommands.
#[derive(Subcommand)]
pub enum NvsCommand {
    /// List keys with their type and value (strings quoted, blobs in hex).
    List {
        #[command(flatten)]
        device: DeviceArgs,
        /// Namespace to list.
        #[arg(long, default_value = PYCOM_NAMESPACE, conflicts_with = "all")]
        namespace: String,
        /// List every namespace.
        #[arg(long)]
        all: bool,
        /// Print a JSON array of {namespace, key, type, value} (blobs as hex strings).
        #[arg(long)]
        json: bool,
    },
    /// Print a key's value. Without --type as `pycom.nvs_get` does: the u32 (shown
    /// signed, as the board returns it) if there is one, else the string.
    Get {
        #[command(flatten)]
        device: DeviceArgs,
        /// Key (at most 15 bytes).
        key: String,
        /// Namespace of the key.
        #[arg(long, default_value = PYCOM_NAMESPACE)]
        namespace: String,
        /// Read the key as this type (hex2bin, base64 and binary all mean a blob).
        #[arg(long = "type", value_enum, value_name = "TYPE")]
        item_type: Option<Encoding>,
        /// Print {namespace, key, type, value} as JSON (blobs as hex strings).
        #[arg(long)]
        json: bool,
    },
    /// Store a value. Without --type as `pycom.nvs_set` does: an integer as u32
    /// (modulo 2**32), anything else as a string.
    Set {
        #[command(flatten)]
        device: DeviceArgs,
        /// Key (at most 15 bytes).
        key: String,
        /// Value, in the --type's text form (binary and hex2bin: hex digits).
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// Namespace of the key (created if missing).
        #[arg(long, default_value = PYCOM_NAMESPACE)]
        namespace: String,
        /// Type to store the value as.
        #[arg(long = "type", value_enum, value_name = "TYPE")]
        item_type: Option<Encoding>,
    },
    /// Erase a key, whatever its type.
    Erase {
        #[command(flatten)]
        device: DeviceArgs,
        /// Key.
        key: String,
        /// Namespace of the key.
        #[arg(long, default_value = PYCOM_NAMESPACE)]
        namespace: String,
    },
    /// Erase every key of a namespace.
    EraseAll {
        #[command(flatten)]
        device: DeviceArgs,
        /// Namespace to empty.
        #[arg(long, default_value = PYCOM_NAMESPACE)]
        namespace: String,
    },
    /// Store every row of an Espressif NVS CSV (key,type,encoding,value); nothing is
    /// stored unless every row is valid and fits.
    Import {
        #[command(flatten)]
        device: DeviceArgs,
        /// CSV file; `file` rows name files relative to its directory.
        file: PathBuf,
    },
    /// Write keys as an Espressif NVS CSV (blobs as base64).
    Export {
        #[command(flatten)]
        device: DeviceArgs,
        /// CSV file to write.
        file: PathBuf,
        /// Export only this namespace (default: all).
        #[arg(long)]
        namespace: Option<String>,
    },
}

/// Runs an `nvs` subcommand and returns the exit status.
pub fn run(command: NvsCommand) -> Result<i32> {
    match command {
        NvsCommand::List { device, namespace, all, json } => list(&device, (!all).then_some(namespace.as_str()), json),
        NvsCommand::Get { device, key, namespace, item_type, json } => get(&device, &namespace, &key, item_type, json),
        NvsCommand::Set { device, key, value, namespace, item_type } => {
            set(&device, &namespace, &key, &value, item_type)
        }
        NvsCommand::Erase { device, key, namespace } => erase(&device, &namespace, &key),
        NvsCommand::EraseAll { device, namespace } => erase_all(&device, &namespace),
        NvsCommand::Import { device, file } => import(&device, &file),
        NvsCommand::Export { device, file, namespace } => export(&device, &file, namespace.as_deref()),
    }
}

/// An image with its NVS partition mounted.
/// An open image (locked) and a working copy of its flash with the NVS
/// partition mounted: commands change the copy, and [`Session::save`]
/// replaces the image with it in one atomic step, so a command killed at any
/// point leaves the NVS as it was or as the command left it.
struct Session {
    image: Flash,
    path: std::path::PathBuf,
    flash: Flash,
    nvs: Nvs,
}

impl Session {
    /// Opens the image (creating it first if `create`) and mounts its `nvs` partition.
    fn open(device: &DeviceArgs, create: bool) -> Result<Self> {
        let path = &device.image;
        let image = crate::device::open_image(device, create)?;
        let part = image.table.find("nvs").with_context(|| format!("{} has no nvs partition", path.display()))?;
        let (base, size) = (part.offset, part.size);
        let mut flash = Flash::from_bytes(image.flash.contents().to_vec());
        let nvs = Nvs::mount(&mut flash, base, size)
            .with_context(|| format!("cannot mount the NVS partition at {base:#x} of {}", path.display()))?;
        Ok(Self { image: image.flash, path: path.clone(), flash, nvs })
    }

    /// Replaces the image with the working copy if the command changed it.
    fn save(mut self) -> Result<()> {
        if self.flash.contents() == self.image.contents() {
            return Ok(());
        }
        self.image
            .replace_contents(self.flash.contents().to_vec())
            .with_context(|| format!("cannot write device image {}", self.path.display()))
    }

    /// The index of namespace `name`; `None` for a `PY_NVM` not created yet (the
    /// firmware creates it at boot, so it counts as empty), an error for others.
    fn namespace(&mut self, name: &str) -> Result<Option<u8>> {
        match self.nvs.open_namespace(&mut self.flash, name, false) {
            Ok(index) => Ok(Some(index)),
            Err(NvsError::NotFound) if name == PYCOM_NAMESPACE => Ok(None),
            Err(NvsError::NotFound | NvsError::InvalidName) => {
                let known: Vec<&str> = self.nvs.namespaces().iter().map(|(n, _)| n.as_str()).collect();
                bail!(
                    "no namespace {name:?} (namespaces: {})",
                    if known.is_empty() { "none".into() } else { known.join(", ") }
                )
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The entries of one namespace (or all), sorted by namespace and key.
    fn entries(&mut self, namespace: Option<u8>) -> Result<Vec<Entry>> {
        let mut entries = self.nvs.entries(&mut self.flash, namespace).context("cannot read NVS")?;
        entries.sort_by(|a, b| (&a.namespace, &a.key).cmp(&(&b.namespace, &b.key)));
        Ok(entries)
    }

    /// Stores `value` under `namespace`/`key`, creating the namespace.
    fn store(&mut self, namespace: &str, key: &str, value: &Value) -> Result<()> {
        let ns = self
            .nvs
            .open_namespace(&mut self.flash, namespace, true)
            .with_context(|| format!("cannot create namespace {namespace:?}"))?;
        self.nvs
            .set(&mut self.flash, ns, key.as_bytes(), value)
            .with_context(|| format!("cannot store {namespace}/{key}"))
    }
}

/// One key as `--json` prints it.
#[derive(Serialize)]
struct JsonEntry<'a> {
    namespace: &'a str,
    key: &'a str,
    #[serde(rename = "type")]
    type_name: &'static str,
    value: serde_json::Value,
}

impl<'a> JsonEntry<'a> {
    fn new(entry: &'a Entry) -> Self {
        let value = match &entry.value {
            Value::Blob(bytes) => serde_json::Value::String(hex::encode(bytes)),
            other => serde_json::to_value(other).unwrap_or_default(),
        };
        Self { namespace: &entry.namespace, key: &entry.key, type_name: entry.value.type_name(), value }
    }
}

/// The value column of `nvs list`: numbers in decimal, strings quoted (JSON
/// escapes), blobs in hex.
fn list_value(value: &Value) -> String {
    match value {
        Value::Str(s) => serde_json::to_string(s).unwrap_or_default(),
        other => plain_value(other),
    }
}

/// A value as `nvs get` prints it: strings raw, blobs in hex.
fn plain_value(value: &Value) -> String {
    match value {
        Value::Str(s) => s.clone(),
        Value::Blob(bytes) => hex::encode(bytes),
        other => nvs_csv::encode_text(other).1,
    }
}

fn check_key(key: &str) -> Result<()> {
    if key.len() > KEY_MAX_LEN {
        bail!("key {key:?} is too long ({} bytes, max {KEY_MAX_LEN})", key.len());
    }
    Ok(())
}

/// Writes `text` to stdout; a closed pipe (`| head`) is not an error.
fn print(text: &str) -> Result<()> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("cannot write to stdout"),
        _ => Ok(()),
    }
}

fn not_found(message: String) -> i32 {
    eprintln!("pycom-emu: {message}");
    NOT_FOUND_EXIT
}

fn list(device: &DeviceArgs, namespace: Option<&str>, json: bool) -> Result<i32> {
    let mut session = Session::open(device, false)?;
    let entries = match namespace {
        None => session.entries(None)?,
        Some(name) => match session.namespace(name)? {
            Some(ns) => session.entries(Some(ns))?,
            None => Vec::new(),
        },
    };
    if json {
        let rows: Vec<JsonEntry> = entries.iter().map(JsonEntry::new).collect();
        print(&format!("{}\n", serde_json::to_string_pretty(&rows)?))?;
        return Ok(0);
    }
    let lines: String = entries
        .iter()
        .map(|e| format!("{:<15}  {:<15}  {:<6}  {}\n", e.namespace, e.key, e.value.type_name(), list_value(&e.value)))
        .collect();
    print(&lines)?;
    Ok(0)
}

fn get(device: &DeviceArgs, namespace: &str, key: &str, item_type: Option<Encoding>, json: bool) -> Result<i32> {
    check_key(key)?;
    let mut session = Session::open(device, false)?;
    let Some(ns) = session.namespace(namespace)? else {
        return Ok(not_found(format!("key not found: {key:?} in namespace {namespace}")));
    };
    let found = match item_type {
        Some(encoding) => read_typed(&mut session, ns, key, item_type_of(encoding))?,
        None => read_like_pycom(&mut session, ns, key)?,
    };
    let Some(value) = found else {
        return Ok(not_found(format!("key not found: {key:?} in namespace {namespace}")));
    };
    let entry = Entry { namespace: namespace.to_owned(), key: key.to_owned(), value };
    let text = if json {
        serde_json::to_string_pretty(&JsonEntry::new(&entry))?
    } else if let (None, Value::U32(v)) = (item_type, &entry.value) {
        (*v as i32).to_string()
    } else {
        plain_value(&entry.value)
    };
    print(&format!("{text}\n"))?;
    Ok(0)
}

fn item_type_of(encoding: Encoding) -> ItemType {
    match encoding {
        Encoding::U8 => ItemType::U8,
        Encoding::I8 => ItemType::I8,
        Encoding::U16 => ItemType::U16,
        Encoding::I16 => ItemType::I16,
        Encoding::U32 => ItemType::U32,
        Encoding::I32 => ItemType::I32,
        Encoding::U64 => ItemType::U64,
        Encoding::I64 => ItemType::I64,
        Encoding::String => ItemType::Str,
        Encoding::Hex2bin | Encoding::Base64 | Encoding::Binary => ItemType::BlobIndex,
    }
}

/// The value of `key` stored as `item_type`, `None` if there is none.
fn read_typed(session: &mut Session, ns: u8, key: &str, item_type: ItemType) -> Result<Option<Value>> {
    match session.nvs.get(&mut session.flash, ns, key.as_bytes(), item_type) {
        Ok(value) => Ok(Some(value)),
        Err(NvsError::NotFound | NvsError::TypeMismatch) => Ok(None),
        Err(e) => Err(e).context("cannot read NVS"),
    }
}

/// `pycom.nvs_get`'s lookup (u32, then string), then any other type the key has.
fn read_like_pycom(session: &mut Session, ns: u8, key: &str) -> Result<Option<Value>> {
    for item_type in [ItemType::U32, ItemType::Str] {
        if let Some(value) = read_typed(session, ns, key, item_type)? {
            return Ok(Some(value));
        }
    }
    Ok(session.entries(Some(ns))?.into_iter().find(|e| e.key == key).map(|e| e.value))
}

/// The value `nvs set` stores for `text`: typed as asked, or as `pycom.nvs_set` would.
fn value_to_set(namespace: &str, text: &str, item_type: Option<Encoding>) -> Result<Value> {
    if let Some(encoding) = item_type {
        return Ok(nvs_csv::decode_text(encoding, text)?);
    }
    if let Some(v) = int_mod_2_32(text) {
        return Ok(Value::U32(v));
    }
    if namespace == PYCOM_NAMESPACE && text.len() >= PYCOM_STRING_MAX {
        bail!("value too long (max: {PYCOM_STRING_MAX})");
    }
    Ok(nvs_csv::decode_text(Encoding::String, text)?)
}

/// A decimal integer (optional sign) reduced modulo 2**32, as the firmware's
/// `mp_obj_get_int_truncated` does; `None` if `text` is not one.
fn int_mod_2_32(text: &str) -> Option<u32> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.bytes().fold(0u32, |acc, b| acc.wrapping_mul(10).wrapping_add(u32::from(b - b'0')));
    Some(if negative { magnitude.wrapping_neg() } else { magnitude })
}

fn set(device: &DeviceArgs, namespace: &str, key: &str, text: &str, item_type: Option<Encoding>) -> Result<i32> {
    check_key(key)?;
    let value = value_to_set(namespace, text, item_type)?;
    let mut session = Session::open(device, true)?;
    session.store(namespace, key, &value)?;
    session.save()?;
    Ok(0)
}

fn erase(device: &DeviceArgs, namespace: &str, key: &str) -> Result<i32> {
    check_key(key)?;
    let mut session = Session::open(device, false)?;
    let Some(ns) = session.namespace(namespace)? else {
        return Ok(not_found(format!("key not found: {key:?} in namespace {namespace}")));
    };
    match session.nvs.erase_key(&mut session.flash, ns, key.as_bytes()) {
        Ok(()) => session.save().map(|()| 0),
        Err(NvsError::NotFound) => Ok(not_found(format!("key not found: {key:?} in namespace {namespace}"))),
        Err(e) => Err(e).with_context(|| format!("cannot erase {namespace}/{key}")),
    }
}

fn erase_all(device: &DeviceArgs, namespace: &str) -> Result<i32> {
    let mut session = Session::open(device, false)?;
    if let Some(ns) = session.namespace(namespace)? {
        session
            .nvs
            .erase_namespace(&mut session.flash, ns)
            .with_context(|| format!("cannot erase namespace {namespace}"))?;
    }
    session.save()?;
    Ok(0)
}

fn import(device: &DeviceArgs, file: &Path) -> Result<i32> {
    let mut session = Session::open(device, true)?;
    let rows = nvs_csv::read(file, session.nvs.max_blob_len())?;
    // All rows or none: a CSV that does not fit leaves the image untouched.
    store_rows(&mut session, &rows).with_context(|| format!("nothing imported from {}", file.display()))?;
    session.save()?;
    Ok(0)
}

fn store_rows(session: &mut Session, rows: &[Row]) -> Result<()> {
    let mut namespace = "";
    for row in rows {
        match row {
            Row::Namespace(name) => {
                session
                    .nvs
                    .open_namespace(&mut session.flash, name, true)
                    .with_context(|| format!("cannot create namespace {name:?}"))?;
                namespace = name;
            }
            Row::Data { key, value } => session.store(namespace, key, value)?,
        }
    }
    Ok(())
}

fn export(device: &DeviceArgs, file: &Path, namespace: Option<&str>) -> Result<i32> {
    let mut session = Session::open(device, false)?;
    let mut names: Vec<(String, u8)> = session.nvs.namespaces().to_vec();
    if let Some(name) = namespace {
        let index = session.namespace(name)?;
        names.retain(|(_, i)| Some(*i) == index);
    }
    names.sort_by_key(|(_, index)| *index);
    let entries = session.entries(None)?;
    let groups: Vec<(String, Vec<Entry>)> = names
        .into_iter()
        .map(|(name, _)| {
            let keys = entries.iter().filter(|e| e.namespace == name).cloned().collect();
            (name, keys)
        })
        .collect();
    nvs_csv::write(file, &groups)?;
    Ok(0)
}
