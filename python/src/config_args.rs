//! Conversions and checks of the `pycom` boot-settings functions: the config
//! block's text fields, Sigfox credentials and the UUID helper, with the
//! firmware's error texts.

use pycom_formats::config_block::SigfoxField;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use crate::args::str_or_bytes;

/// The smallest `wdt_on_boot_timeout` the firmware accepts.
pub const WDT_MIN_TIMEOUT_MS: u32 = 5000;

fn hex_value(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// `create_128bit_le_uuid_from_string`: up to 32 hex digits, right-padded with
/// zeros, as 16 bytes in reversed (little-endian) order.
pub fn uuid_from_hex(text: &[u8], vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    if text.len() > 32 {
        return Err(vm.new_value_error("Input string must not be longer than 32 characters!"));
    }
    let mut digits = Vec::with_capacity(32);
    for &c in text {
        digits.push(hex_value(c).ok_or_else(|| vm.new_value_error("UUID must only contain hexadecimal digits!"))?);
    }
    digits.resize(32, 0);
    let mut bytes: Vec<u8> = digits.chunks(2).map(|pair| pair[0] << 4 | pair[1]).collect();
    bytes.reverse();
    Ok(bytes)
}

/// The keyword, display name and error texts of one Sigfox credential.
pub struct SigfoxSpec {
    /// Keyword argument of `sigfox_info`.
    pub keyword: &'static str,
    /// Config block field.
    pub field: SigfoxField,
    name: &'static str,
    length_suffix: &'static str,
    force_name: &'static str,
}

/// The credentials in the order `sigfox_info` processes them.
pub const SIGFOX_FIELDS: [SigfoxSpec; 4] = [
    SigfoxSpec { keyword: "id", field: SigfoxField::Id, name: "ID", length_suffix: "!", force_name: "id" },
    SigfoxSpec { keyword: "pac", field: SigfoxField::Pac, name: "PAC", length_suffix: "!", force_name: "pac" },
    SigfoxSpec {
        keyword: "public_key",
        field: SigfoxField::PublicKey,
        name: "Public Key",
        length_suffix: "!",
        force_name: "public key",
    },
    SigfoxSpec {
        keyword: "private_key",
        field: SigfoxField::PrivateKey,
        name: "Private Key",
        length_suffix: "",
        force_name: "private key",
    },
];

impl SigfoxSpec {
    /// Parses a credential given as hex digits (pairs big-endian), checking its
    /// length and digits; then, if the field is already set, that `force` is on.
    pub fn parse(&self, obj: &PyObjectRef, already_set: bool, force: bool, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let text = str_or_bytes(obj, vm)?;
        let digits = self.field.range().len() * 2;
        if text.len() != digits {
            return Err(vm.new_value_error(format!("{} must have length of {digits}{}", self.name, self.length_suffix)));
        }
        let nibbles: Option<Vec<u8>> = text.iter().map(|&c| hex_value(c)).collect();
        let Some(nibbles) = nibbles else {
            return Err(vm.new_value_error(format!("{} must only contain hexadecimal digits!", self.name)));
        };
        if already_set && !force {
            return Err(vm.new_value_error(format!("Use force option to overwrite existing {}!", self.force_name)));
        }
        Ok(nibbles.chunks(2).map(|pair| pair[0] << 4 | pair[1]).collect())
    }
}
