//! The firmware's view of NVS: the partition mounted at hard boot (erased and
//! re-initialised when it has no free page, as `app_main` does) and the
//! `PY_NVM` namespace opened at every boot, behind the `pycom.nvs_*` calls.

use pycom_flash::Flash;
use pycom_formats::nvs::ItemType;

use super::{Nvs, NvsError, Value};

/// The namespace `pycom.nvs_*` keys live in.
pub const PYCOM_NAMESPACE: &str = "PY_NVM";

/// What `pycom.nvs_get` finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PycomValue {
    /// A `u32`, read back as a signed 32-bit int.
    Int(i32),
    /// The bytes of a string, as stored (not necessarily UTF-8).
    Str(Vec<u8>),
}

/// NVS as the firmware holds it between boots.
#[derive(Clone, Debug)]
pub struct PycomNvs {
    base: u32,
    size: u32,
    nvs: Option<Nvs>,
    handle: Option<u8>,
}

impl PycomNvs {
    /// NVS on the partition at `base` of `size` bytes, not mounted yet.
    pub fn new(base: u32, size: u32) -> Self {
        Self { base, size, nvs: None, handle: None }
    }

    /// Hard boot (`nvs_flash_init` in `app_main`): mounts the partition; if it has
    /// no free page or a newer format, erases it and mounts again, as the firmware
    /// does. Returns a note for the diagnostic output when data was erased.
    pub fn mount(&mut self, flash: &mut Flash) -> Result<Option<String>, NvsError> {
        self.handle = None;
        match Nvs::mount(flash, self.base, self.size) {
            Ok(nvs) => {
                self.nvs = Some(nvs);
                Ok(None)
            }
            Err(error @ (NvsError::NoFreePages | NvsError::NewVersionFound)) => {
                Nvs::erase_partition(flash, self.base, self.size)?;
                self.nvs = Some(Nvs::mount(flash, self.base, self.size)?);
                Ok(Some(format!(
                    "NVS partition at {:#x} could not be mounted ({error}); the firmware erased it, every stored key is gone",
                    self.base
                )))
            }
            Err(error) => Err(error),
        }
    }

    /// Every boot (`modpycom_init0`): opens (creating if needed) `PY_NVM`.
    /// When that fails the handle stays invalid and every `nvs_*` call fails
    /// with `ESP_ERR_NVS_INVALID_HANDLE`, as on the board; the note says why.
    pub fn open_namespace(&mut self, flash: &mut Flash) -> Result<Option<String>, NvsError> {
        let Some(nvs) = &mut self.nvs else { return Ok(None) };
        match nvs.open_namespace(flash, PYCOM_NAMESPACE, true) {
            Ok(index) => {
                self.handle = Some(index);
                Ok(None)
            }
            Err(e @ NvsError::Flash(_)) => Err(e),
            Err(e) => {
                self.handle = None;
                Ok(Some(format!("nvs_open(\"{PYCOM_NAMESPACE}\") failed ({e}); every pycom.nvs_* call will fail")))
            }
        }
    }

    fn open(&mut self) -> Result<(&mut Nvs, u8), NvsError> {
        match (&mut self.nvs, self.handle) {
            (Some(nvs), Some(ns)) => Ok((nvs, ns)),
            _ => Err(NvsError::InvalidHandle),
        }
    }

    /// `pycom.nvs_set(key, int)`: stores the value as `u32`.
    pub fn set_u32(&mut self, flash: &mut Flash, key: &[u8], value: u32) -> Result<(), NvsError> {
        let (nvs, ns) = self.open()?;
        nvs.set(flash, ns, key, &Value::U32(value))
    }

    /// `pycom.nvs_set(key, str or bytes)`: stores the bytes up to the first
    /// NUL as they are (the firmware passes them to `nvs_set_str` as a C string).
    pub fn set_str(&mut self, flash: &mut Flash, key: &[u8], value: &[u8]) -> Result<(), NvsError> {
        let (nvs, ns) = self.open()?;
        let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
        nvs.set_str_bytes(flash, ns, key, &value[..end])
    }

    /// `pycom.nvs_get(key)`: the `u32` if there is one, else the string.
    pub fn get(&mut self, flash: &mut Flash, key: &[u8]) -> Result<PycomValue, NvsError> {
        let (nvs, ns) = self.open()?;
        match nvs.get(flash, ns, key, ItemType::U32) {
            Ok(Value::U32(v)) => return Ok(PycomValue::Int(v as i32)),
            Ok(_) | Err(NvsError::NotFound | NvsError::TypeMismatch) => {}
            Err(e) => return Err(e),
        }
        nvs.get_str_bytes(flash, ns, key).map(PycomValue::Str)
    }

    /// `pycom.nvs_erase(key)`.
    pub fn erase(&mut self, flash: &mut Flash, key: &[u8]) -> Result<(), NvsError> {
        let (nvs, ns) = self.open()?;
        nvs.erase_key(flash, ns, key)
    }

    /// `pycom.nvs_erase_all()`.
    pub fn erase_all(&mut self, flash: &mut Flash) -> Result<(), NvsError> {
        let (nvs, ns) = self.open()?;
        nvs.erase_namespace(flash, ns)
    }

    /// Every key of `PY_NVM` with its value, as stored.
    pub fn entries(&mut self, flash: &mut Flash) -> Result<Vec<super::Entry>, NvsError> {
        let (nvs, ns) = self.open()?;
        nvs.entries(flash, Some(ns))
    }

    /// The mounted partition, for listings and statistics.
    pub fn storage(&mut self) -> Option<&mut Nvs> {
        self.nvs.as_mut()
    }
}
