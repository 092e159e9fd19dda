//! `--web ADDR` of `run` and `serve`: the board's web view (the
//! `pycom-web` crate) beside the running board, sharing its UART.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use clap::ValueEnum;
use pycom_board::pins::DeviceSpec;
use pycom_board::{Board, Clock, ClockMode, Speed};
use pycom_formats::ConfigBlock;
use pycom_python::{PowerSwitch, UartInput};
use pycom_web::{Access, SettingRefused, Settings, WebBoard, WebServer};
use serde_json::Value;

use crate::config_cmd::{board_boot_info_json, settings_json};
use crate::config_setting::{Setting, apply, erased_value, parse_value};
use crate::uart_link::{self, Outputs};

/// The settings as `pycom-emu config` shows and changes them.
pub struct ConfigSettings;

impl Settings for ConfigSettings {
    fn show(&self, block: &ConfigBlock) -> Value {
        settings_json(block)
    }

    fn boot_info(&self, board: &mut Board) -> Value {
        board_boot_info_json(board)
    }

    fn names(&self) -> Vec<&'static str> {
        Setting::ALL.iter().map(|s| s.name()).collect()
    }

    fn set(&self, block: &mut ConfigBlock, name: &str, value: Option<&str>) -> Result<(), SettingRefused> {
        let setting = Setting::from_str(name, false).map_err(|_| SettingRefused::Unknown(name.to_owned()))?;
        let change = match value {
            Some(text) => parse_value(setting, text),
            None => erased_value(setting),
        }
        .map_err(|e| SettingRefused::Invalid(format!("{e:#}")))?;
        apply(setting, &change, block);
        Ok(())
    }
}

/// The clock of a board with a web view: virtual, so that the page can
/// pause, step and pace it; with `--realtime` paced at real time from the
/// start.
pub fn clock(realtime: bool) -> Arc<Clock> {
    let clock = Clock::new(ClockMode::Virtual);
    if realtime {
        clock.control().set_speed(0, Speed::Realtime);
    }
    Arc::new(clock)
}

/// Serves `board`'s web view on `addr`, with the board's output from
/// `outputs`, if given its UART input (and whether the REPL reads it after
/// `main.py`), and its power switch; prints where it is (with the token a
/// non-loopback address needs).
pub fn start(
    addr: SocketAddr,
    board: &Arc<Mutex<Board>>,
    devices: Vec<DeviceSpec>,
    outputs: &Outputs,
    input: Option<(UartInput, bool)>,
    power: PowerSwitch,
) -> Result<()> {
    let access = Access::for_address(addr).context("cannot make the web view's token")?;
    let (_, output) = outputs.add();
    let (input, repl) = input.map_or((None, false), |(input, repl)| (Some(input), repl));
    let settings = Arc::new(ConfigSettings);
    let web = WebBoard { board: board.clone(), devices, output, input, repl, settings, power };
    announce(&pycom_web::start(addr, web, access)?);
    Ok(())
}

/// Prints where `server` is (with the token a non-loopback address needs).
pub fn announce(server: &WebServer) {
    uart_link::announce(&format!("web:{}", server.url()));
    if let Access::Token(token) = &server.access {
        eprintln!("[pycom-emu] the web view listens beyond this host: the API needs the token {token}");
    }
}
