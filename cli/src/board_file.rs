//! Board files: TOML describing what is wired to the board's pins and buses.
//!
//! ```toml
//! [[device]]
//! kind = "dht22"        # dht11, dht22, ds18b20, button, waveform, analog, uart, i2c, spi_loopback, pysense, pytrack, pyscan
//! pin = "P10"           # a P- or G-name
//! temperature = 21.5    # or [{ at_ms = 0, value = 21.5 }, { at_ms = 60000, value = 23.0 }]
//! humidity = 48.0
//!
//! [[device]]
//! kind = "i2c"          # a register map on SDA P9 / SCL P10 unless told
//! address = 0x48
//! [[device.register]]
//! at = 0x00
//! value = [{ at_ms = 0, value = 250 }, { at_ms = 1000, value = 260 }]
//! size = 2
//!
//! [[wifi]]              # an access point in range (see pycom_board::wifi::AccessPointSpec)
//! ssid = "pycom-net"
//! password = "secret123"
//! ```

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use pycom_board::pins::{DeviceSpec, check_devices};
use pycom_board::wifi::AccessPointSpec;
use pycom_board::{Board, BoardModel, Radio};
use serde::Deserialize;

use crate::{uart_bridge, uart_link};

/// Largest board file read: far more than the devices and waveforms the
/// board's pins can carry.
const BOARD_FILE_MAX_LEN: u64 = 16 << 20;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BoardFile {
    #[serde(default)]
    device: Vec<DeviceSpec>,
    #[serde(default)]
    wifi: Vec<AccessPointSpec>,
}

/// The devices and access points of a board file, checked for a `model`
/// board: read before the device image is touched, so a bad file changes
/// nothing.
#[derive(Debug)]
pub struct Devices {
    devices: Vec<DeviceSpec>,
    access_points: Vec<AccessPointSpec>,
}

/// Reads and checks the board file at `path`.
pub fn load(path: &Path, model: BoardModel) -> Result<Devices> {
    let text = crate::host_input::read_text_at_most(path, BOARD_FILE_MAX_LEN, "a board file")
        .with_context(|| format!("cannot read board file {}", path.display()))?;
    parse(&text, model).with_context(|| format!("board file {}", path.display()))
}

/// Checks the text of a board file for a `model` board.
pub fn parse(text: &str, model: BoardModel) -> Result<Devices> {
    let file: BoardFile = toml::from_str(text)?;
    check_devices(model, &file.device).map_err(|e| anyhow!("{e} on a {model}"))?;
    for spec in &file.device {
        if let DeviceSpec::Uart(uart) = spec {
            if uart.uart == 2 && model.has(Radio::Lte) {
                anyhow::bail!("uart device on UART 2: the LTE modem has UART 2 on a {model}");
            }
            if let Some(bridge) = &uart.bridge {
                uart_link::parse_endpoint(bridge)
                    .map_err(|e| anyhow!("uart device on UART {}: bridge {e}", uart.uart))?;
            }
        }
    }
    if let Some(problem) = file.wifi.iter().find_map(AccessPointSpec::problem) {
        anyhow::bail!(problem);
    }
    Ok(Devices { devices: file.device, access_points: file.wifi })
}

impl Devices {
    /// The devices, in the file's order.
    pub fn specs(&self) -> &[DeviceSpec] {
        &self.devices
    }

    /// Wires the devices to `board`, opening the host ends of UART bridges
    /// (each prints where it is, as `serve` does); returns the GPIOs of the
    /// devices on pins.
    pub fn attach(&self, board: &mut Board) -> Result<Vec<u8>> {
        for access_point in &self.access_points {
            board.add_access_point(access_point.clone());
        }
        let mut gpios = Vec::new();
        for spec in &self.devices {
            match spec {
                DeviceSpec::Uart(uart) if uart.bridge.is_some() => {
                    let endpoint = uart_link::parse_endpoint(uart.bridge.as_deref().unwrap_or_default())
                        .map_err(|e| anyhow!(e))?;
                    board.attach_uart_peer(uart.uart, uart_bridge::open(&endpoint)?)?;
                }
                _ => gpios.extend(board.attach_device(spec)?),
            }
        }
        Ok(gpios)
    }
}
