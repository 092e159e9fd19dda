//! NVS CSV (`pycom-emu nvs import`).

use std::path::Path;

use clap::ValueEnum;
use pycom_emu::host_input::HostInputError;
use pycom_emu::nvs_csv::{self, Encoding, Row};

/// Longest blob of the Pycom NVS partition, which `nvs import` passes: a
/// 4000-byte chunk on each of its 7 pages but one.
const MAX_BLOB: usize = 6 * 4000;

/// Any bytes as an NVS CSV: parsing never panics, and every value read
/// exports as text that reads back as the same value. A `file` row's file is
/// not read from the host: it holds its own name, repeated to the length the
/// name's first byte gives (or is larger than the limit when that byte is `!`).
pub fn nvs_csv(data: &[u8]) {
    let mut read_file = |name: &str, limit: u64, what: &'static str| {
        let len = name.bytes().next().map_or(0, |b| u64::from(b) * 16);
        if name.starts_with('!') || len > limit {
            return Err(HostInputError::TooLarge { path: name.into(), limit, what });
        }
        Ok(name.bytes().cycle().take(len as usize).collect())
    };
    let Ok(rows) = nvs_csv::parse(data, Path::new("fuzz.csv"), MAX_BLOB, &mut read_file) else { return };
    for row in rows {
        if let Row::Data { key, value } = row {
            let (encoding, text) = nvs_csv::encode_text(&value);
            let back = nvs_csv::decode_text(Encoding::from_str(encoding, true).expect("an encoding's name"), &text);
            assert_eq!(back.ok().as_ref(), Some(&value), "key {key:?} exported as {encoding} {text:?}");
        }
    }
}
