//! `pycom-emu`: a virtual Pycom board on the command line.

mod bus_trace;
mod config_cmd;
mod config_setting;
mod console;
mod device;
mod fleet_cmd;
mod fleet_web;
mod fs_cmd;
mod image_cmd;
mod led_output;
mod nvs_cmd;
mod ota_cmd;
mod pin_trace;
mod run_cmd;
mod size;
mod web_view;

use pycom_emu::{board_file, duration, ftp_server, host_input, nvs_csv, telnet, uart_link};

use std::path::PathBuf;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, Parser, Subcommand};
use pycom_board::BoardModel;

/// Exit status for emulator errors (bad image, unreadable script, ...).
const ERROR_EXIT: u8 = 2;

#[derive(Parser)]
#[command(
    name = "pycom-emu",
    version,
    about = "A virtual Pycom board: run MicroPython for WiPy, LoPy4, SiPy, GPy and FiPy without hardware"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The device to work on.
#[derive(Args, Clone)]
pub struct DeviceArgs {
    /// Flash image of the device; created on first run.
    #[arg(long, env = "PYCOM_EMU_IMAGE", default_value = "pycom-device.bin")]
    pub image: PathBuf,
    /// Board model: lopy4, wipy3, fipy, gpy (8 MB flash, PSRAM) or sipy, wipy2 (4 MB flash).
    #[arg(long, env = "PYCOM_EMU_BOARD", default_value = "lopy4", value_parser = parse_board)]
    pub board: BoardModel,
}

#[derive(Subcommand)]
enum Command {
    /// Power the board on and run SCRIPT as its main.py; after machine.reset(),
    /// machine.soft_reset() or a watchdog reset the board boots again and runs it
    /// again, with flash kept. A safe boot skips it.
    Run(run_cmd::RunArgs),
    /// Power the board on and talk to its REPL on this terminal, as over its
    /// USB serial port: boot.py and main.py run first; Ctrl-D soft-resets,
    /// Ctrl-] leaves.
    Repl(run_cmd::BoardArgs),
    /// Power the board on and expose its UART (the REPL) for tools such as
    /// mpremote: on a pseudo-terminal (`--uart pty`, its path is printed) or a
    /// TCP port (`--uart tcp:127.0.0.1:PORT`, for `socket://`). Runs until killed.
    Serve(run_cmd::ServeArgs),
    /// Run several boards on one virtual clock, as a fleet file describes
    /// them, with the LoRa and Sigfox radio network between them: each
    /// board's console lines are shown after its name.
    Fleet(fleet_cmd::FleetArgs),
    /// Look at or create device images.
    #[command(subcommand)]
    Image(ImageCommand),
    /// Update the device's firmware over the air, as the firmware's updater does.
    #[command(subcommand)]
    Ota(OtaCommand),
    /// Read and write the keys in the device's NVS partition (`pycom.nvs_*` use
    /// namespace PY_NVM), and import or export them as Espressif NVS CSV.
    #[command(subcommand)]
    Nvs(nvs_cmd::NvsCommand),
    /// Show or change the Pycom config block (the `*_on_boot` settings, Wi-Fi
    /// credentials, filesystem type, Sigfox credentials) and show boot_info.
    #[command(subcommand)]
    Config(config_cmd::ConfigCommand),
    /// List, read and write the files of the device's /flash filesystem (paths as
    /// the board sees them: /flash/...), mounted as the board does at boot.
    #[command(subcommand)]
    Fs(fs_cmd::FsCommand),
}

#[derive(Subcommand)]
enum OtaCommand {
    /// Stream FILE (an app image, or a bsdiff patch with --diff-update) into the
    /// device with ota_start/ota_write/ota_finish, reboot it and report what runs.
    Push {
        #[command(flatten)]
        device: DeviceArgs,
        /// Firmware image or patch to push.
        file: PathBuf,
        /// Firmware built with DIFF_UPDATE_ENABLED (accepts bsdiff patches).
        #[arg(long)]
        diff_update: bool,
    },
}

#[derive(Subcommand)]
enum ImageCommand {
    /// Print the partition table of an image.
    Info {
        /// Flash image to read.
        #[arg(long, env = "PYCOM_EMU_IMAGE", default_value = "pycom-device.bin")]
        image: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Create an erased image with the board's Pycom partition table.
    Create {
        #[command(flatten)]
        device: DeviceArgs,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Write a valid ESP32 app image (as for an OTA update) with an app descriptor.
    Build {
        /// App version in the app descriptor.
        #[arg(long)]
        version: String,
        /// Project name in the app descriptor.
        #[arg(long)]
        project: String,
        /// ESP-IDF version in the app descriptor.
        #[arg(long, default_value = "v3.3.1")]
        idf: String,
        /// Total file length (e.g. 1M, 65536; at most an app slot, 1980K); the code segment grows to fill it.
        #[arg(long, value_parser = size::parse_size)]
        size: Option<u64>,
        /// Where to write the image.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Check an ESP32 app image as the bootloader does (header, segments, checksum,
    /// SHA-256); exit status 1 if it is invalid.
    Verify {
        /// App image file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

fn parse_board(id: &str) -> Result<BoardModel, String> {
    BoardModel::from_id(id).ok_or_else(|| {
        let known: Vec<&str> = BoardModel::ALL.iter().map(|m| m.id()).collect();
        format!("unknown board {id:?} (known: {})", known.join(", "))
    })
}

fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Run(args) => run_cmd::run(args),
        Command::Repl(args) => run_cmd::repl(args),
        Command::Serve(args) => run_cmd::serve(args),
        Command::Fleet(args) => fleet_cmd::run(args),
        Command::Image(ImageCommand::Info { image, json }) => image_cmd::info(&image, json).map(|()| 0),
        Command::Image(ImageCommand::Create { device, force }) => {
            image_cmd::create(&device.image, device.board, force).map(|()| 0)
        }
        Command::Image(ImageCommand::Build { version, project, idf, size, output }) => {
            let size = size.map(image_cmd::build_size).transpose()?;
            image_cmd::build(&image_cmd::BuildOptions { version, project, idf, size, output }).map(|()| 0)
        }
        Command::Image(ImageCommand::Verify { file, json }) => image_cmd::verify(&file, json),
        Command::Nvs(command) => nvs_cmd::run(command),
        Command::Ota(OtaCommand::Push { device, file, diff_update }) => ota_cmd::push(&device, &file, diff_update),
        Command::Config(command) => config_cmd::run(command),
        Command::Fs(command) => fs_cmd::run(command),
    }
}

/// Refuses, as a usage error, a command line with an argument that is not
/// UTF-8: the interpreter's `sys` module reads the process arguments as text
/// and cannot start otherwise.
fn require_utf8_arguments() {
    if let Some(arg) = std::env::args_os().find(|arg| arg.to_str().is_none()) {
        let message = format!("argument {} is not valid UTF-8", arg.to_string_lossy());
        Cli::command().error(ErrorKind::InvalidUtf8, message).exit();
    }
}

fn main() -> ExitCode {
    require_utf8_arguments();
    match dispatch(Cli::parse()) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(err) => {
            eprintln!("pycom-emu: {err:#}");
            ExitCode::from(ERROR_EXIT)
        }
    }
}
