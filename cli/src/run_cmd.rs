//! `pycom-emu run`, `repl` and `serve`: power the board on and run a script as
//! its `main.py`, or talk to its REPL.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use clap::Args;
use pycom_board::fs::SdCard;
use pycom_board::{Board, Clock, ClockMode, DeviceImage};
use pycom_python::{Console, Outcome, PowerSwitch, RunConfig, Script, StopRequest, UartInput};

use crate::bus_trace::BusTraceFile;
use crate::console::{Tee, TerminalConsole};
use crate::ftp_server::{self, Login};
use crate::led_output::{LedDisplay, LedTraceFile};
use crate::pin_trace::PinTraceFile;
use crate::uart_link::{self, Outputs, UartEndpoint};
use crate::{DeviceArgs, board_file, duration, size, telnet, web_view};

/// The board and what is plugged into it.
#[derive(Args)]
pub struct BoardArgs {
    #[command(flatten)]
    device: DeviceArgs,
    /// Follow the wall clock; by default device time is virtual and every sleep
    /// returns at once with the clock moved on.
    #[arg(long)]
    realtime: bool,
    /// Write every LED change (device time in µs, colour) to FILE: CSV if it ends
    /// in .csv, JSON lines otherwise.
    #[arg(long, value_name = "FILE")]
    trace_led: Option<PathBuf>,
    /// Wire devices to the pins and buses as this TOML file says: DHT11/DHT22
    /// sensors, buttons, waveforms, I2C register maps, SPI loopbacks (see the README).
    #[arg(long, value_name = "FILE")]
    board_file: Option<PathBuf>,
    /// Write every pin change and the LED colour to FILE as a VCD (GTKWave,
    /// PulseView), in µs of device time.
    #[arg(long, value_name = "FILE.vcd")]
    trace_pins: Option<PathBuf>,
    /// Write every I2C and SPI transaction to FILE as JSON lines: device time
    /// in µs, bus, address, direction, bytes in hex, ACK.
    #[arg(long, value_name = "FILE")]
    trace_bus: Option<PathBuf>,
    /// Stop (status 1) once the board has reset this many times.
    #[arg(long, value_name = "N")]
    max_resets: Option<u32>,
    /// Power on with the safe-boot pin P12 held high for HOLD (default 1s): a
    /// safe boot skips boot.py and main.py; held past 3s it boots the previous
    /// image, past 6s the factory image (for this boot only).
    #[arg(long, value_name = "HOLD", num_args = 0..=1, default_missing_value = "1s",
          value_parser = duration::parse_duration_us)]
    safe_boot: Option<u64>,
    /// Put an SD card in the slot: a FAT image file on the host (created if
    /// missing), for `machine.SD()` and `os.mount(sd, '/sd')`.
    #[arg(long, value_name = "IMAGE")]
    sd: Option<PathBuf>,
    /// Size of a new SD card image (e.g. 32M, 1G).
    #[arg(long, value_name = "SIZE", default_value = "32M", value_parser = size::parse_size, requires = "sd")]
    sd_size: u64,
    /// Firmware built with DIFF_UPDATE_ENABLED: ota_* accept bsdiff patches,
    /// applied at the next boot.
    #[arg(long)]
    diff_update: bool,
    /// What the board's network reaches on the host: `local` (the host's
    /// 127.0.0.1 through the gateway 10.0.2.2), `host` (any host the machine
    /// reaches) or `none`.
    #[arg(long, value_name = "none|local|host", default_value = "local")]
    net: pycom_board::net::Policy,
    /// Lead the host's 127.0.0.1:HOSTPORT to the board's socket bound to
    /// BOARDPORT (tcp or udp); may be given more than once.
    #[arg(long, value_name = "PROTO:HOSTPORT:BOARDPORT")]
    forward: Vec<pycom_board::net::Forward>,
}

/// `pycom-emu run`.
#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    board: BoardArgs,
    /// MicroPython script to run as main.py: it replaces /flash/main.py for this
    /// run, after /flash/boot.py (a safe boot skips both).
    script: PathBuf,
    /// Stop after this much device time (e.g. 30s, 500ms, 2m; a bare number is ms).
    #[arg(long, value_parser = duration::parse_duration_us, value_name = "DURATION")]
    timeout: Option<u64>,
    /// Exit status when --timeout ends the run (0 to 255).
    #[arg(long, default_value_t = 42, value_name = "CODE", value_parser = clap::value_parser!(i32).range(0..=255))]
    timeout_exit_code: i32,
    /// Stop with status 0 as soon as the board prints this text.
    #[arg(long, value_name = "TEXT")]
    expect_text: Option<String>,
    /// Stop with status 1 as soon as the board prints this text.
    #[arg(long, value_name = "TEXT")]
    fail_text: Option<String>,
    /// Serve the board's web view on this address (e.g. 127.0.0.1:8080; port 0
    /// picks one): its console shows the output here, and its keys reach the
    /// script's UART (`input()`, Ctrl-C); the run still ends with main.py.
    #[arg(long, value_name = "HOST:PORT")]
    web: Option<SocketAddr>,
}

/// `pycom-emu serve`.
#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    board: BoardArgs,
    /// Where the UART goes: `pty` (a pseudo-terminal; its path is printed) or
    /// `tcp:HOST:PORT` (one client at a time).
    #[arg(long, value_name = "pty|tcp:HOST:PORT", value_parser = uart_link::parse_endpoint)]
    uart: Option<UartEndpoint>,
    /// Address the board's network services listen on (its Wi-Fi interface).
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    listen: IpAddr,
    /// Run the Telnet REPL on this port (0 picks one); it shares the REPL with the UART.
    #[arg(long, value_name = "PORT")]
    telnet_port: Option<u16>,
    /// Run the FTP server on this port (0 picks one), serving /flash; an upload to
    /// /flash/sys/appimg.bin updates the firmware.
    #[arg(long, value_name = "PORT")]
    ftp_port: Option<u16>,
    /// User name of the Telnet and FTP login.
    #[arg(long, default_value = "micro")]
    user: String,
    /// Password of the Telnet and FTP login.
    #[arg(long, default_value = "python")]
    password: String,
    /// Serve the board's web view on this address (e.g. 127.0.0.1:8080; port 0
    /// picks one); its console shares the REPL with the UART and Telnet. On an
    /// address other than loopback the API needs the token printed at start.
    #[arg(long, value_name = "HOST:PORT")]
    web: Option<SocketAddr>,
}

impl BoardArgs {
    /// A fleet's board: its model, image, board file and traces; the rest as
    /// `run`'s defaults.
    pub fn for_fleet(board: &pycom_emu::fleet_file::FleetBoard) -> Self {
        Self {
            device: DeviceArgs { image: board.image.clone(), board: board.model },
            realtime: false,
            trace_led: board.trace_led.clone(),
            board_file: board.board_file.clone(),
            trace_pins: board.trace_pins.clone(),
            trace_bus: board.trace_bus.clone(),
            max_resets: None,
            safe_boot: None,
            sd: None,
            sd_size: 0,
            diff_update: false,
            net: pycom_board::net::Policy::default(),
            forward: Vec::new(),
        }
    }
}

/// Reads the script at `path`, to run as `main.py`.
pub fn read_script(path: &Path) -> Result<Script> {
    let source = crate::host_input::read_text_at_most(path, crate::host_input::SCRIPT_MAX_LEN, "the largest /flash")
        .with_context(|| format!("cannot read script {}", path.display()))?;
    Ok(Script { name: "main.py".into(), source })
}

/// `pycom-emu run`: returns the process exit status.
pub fn run(args: RunArgs) -> Result<i32> {
    let main = read_script(&args.script)?;
    let expecting = args.expect_text.clone();
    // The page's keys reach the script; the run still ends with main.py.
    let input = args.web.map(|_| UartInput::new());
    let config = RunConfig {
        main: Some(main),
        uart: input.clone(),
        repl: false,
        timeout: args.timeout.map(|us| {
            let reason = format!("timeout after {} ms of device time", us / 1000);
            (us, StopRequest { reason, exit_code: args.timeout_exit_code })
        }),
        max_resets: args.board.max_resets,
        power: PowerSwitch::default(),
    };
    let hardware = Hardware::prepare(&args.board)?;
    let terminal = Box::new(TerminalConsole::new(args.expect_text, args.fail_text));
    let outputs = Outputs::default();
    let console: Box<dyn Console> = match args.web {
        Some(_) => Box::new(Tee(terminal, outputs.console())),
        None => terminal,
    };
    let devices = hardware.device_specs();
    let power = config.power.clone();
    let clock = args.web.map(|_| web_view::clock(args.board.realtime));
    let outcome = power_on(&args.board, hardware, console, config, clock, |board| match args.web {
        Some(addr) => web_view::start(addr, board, devices, &outputs, input.map(|i| (i, false)), power),
        None => Ok(()),
    })?;
    Ok(exit_status(outcome, expecting.as_deref()))
}

/// `pycom-emu repl`: the REPL on this terminal until Ctrl-] or end of input.
pub fn repl(args: BoardArgs) -> Result<i32> {
    // Before the terminal goes raw, so that what it prints ends its lines.
    let hardware = Hardware::prepare(&args)?;
    let input = UartInput::new();
    let terminal = uart_link::Terminal::attach(input.clone())?;
    let config = RunConfig {
        main: None,
        uart: Some(input),
        repl: true,
        timeout: None,
        max_resets: args.max_resets,
        power: PowerSwitch::default(),
    };
    let outcome = power_on(&args, hardware, terminal.console(), config, None, |_| Ok(()));
    drop(terminal);
    Ok(exit_status(outcome?, None))
}

/// `pycom-emu serve`: the REPL on a pseudo-terminal or TCP port, Telnet and
/// FTP, until killed. Each service prints where it is on a line of stdout.
pub fn serve(args: ServeArgs) -> Result<i32> {
    if args.uart.is_none() && args.telnet_port.is_none() && args.ftp_port.is_none() && args.web.is_none() {
        anyhow::bail!("serve needs --uart, --telnet-port, --ftp-port or --web");
    }
    let login = Login::new(args.user.clone(), args.password.clone())?;
    // The image is opened (and locked) before the UART's endpoint is
    // announced, so a client that saw it finds the image in use.
    let hardware = Hardware::prepare(&args.board)?;
    let (input, outputs) = (UartInput::new(), Outputs::default());
    if let Some(uart) = &args.uart {
        uart_link::serve(uart, input.clone(), &outputs)?;
    }
    let at = |port: Option<u16>| port.map(|port| SocketAddr::new(args.listen, port));
    let (telnet, ftp) = (at(args.telnet_port), at(args.ftp_port));
    let power = PowerSwitch::default();
    let config = RunConfig {
        main: None,
        uart: Some(input.clone()),
        repl: true,
        timeout: None,
        max_resets: args.board.max_resets,
        power: power.clone(),
    };
    let devices = hardware.device_specs();
    let clock = args.web.map(|_| web_view::clock(args.board.realtime));
    let outcome = power_on(&args.board, hardware, outputs.console(), config, clock, |board| {
        if let Some(addr) = args.web {
            web_view::start(addr, board, devices, &outputs, Some((input.clone(), true)), power)?;
        }
        if let Some(addr) = telnet {
            let server = telnet::Server { login: login.clone(), board: board.clone(), input, outputs: outputs.clone() };
            let addr = telnet::start(addr, server)?;
            uart_link::announce(&format!("telnet:{addr}"));
        }
        if let Some(addr) = ftp {
            let addr = ftp_server::start(addr, login, board.clone())?;
            uart_link::announce(&format!("ftp:{addr}"));
        }
        Ok(())
    })?;
    Ok(exit_status(outcome, None))
}

/// The device image and the devices of the board file, read (and the image
/// created, with a note on stderr) before the board powers on.
pub struct Hardware {
    image: DeviceImage,
    devices: Option<board_file::Devices>,
}

impl Hardware {
    /// Reads the board file and opens (or creates) the image `args` name.
    pub fn prepare(args: &BoardArgs) -> Result<Self> {
        let model = args.device.board;
        let devices = args.board_file.as_deref().map(|path| board_file::load(path, model)).transpose()?;
        let image = DeviceImage::open_or_create(&args.device.image, model)
            .with_context(|| format!("cannot open device image {}", args.device.image.display()))?;
        if image.created {
            eprintln!(
                "[pycom-emu] created {} for a {model} ({} MiB flash)",
                args.device.image.display(),
                model.flash_size() >> 20
            );
        }
        Ok(Self { image, devices })
    }

    /// The board file's devices, in its order (none without a board file).
    pub fn device_specs(&self) -> Vec<pycom_board::pins::DeviceSpec> {
        self.devices.as_ref().map(|d| d.specs().to_vec()).unwrap_or_default()
    }
}

/// Powers on the board `args` describe, with `hardware`, and runs it to the
/// end of `config`, with the traces and the LED display asked for; `ready`
/// gets the board before it boots (to serve it over the network). `clock`
/// is the board's clock when it is not the one `--realtime` says (its place
/// in a fleet, the web view's).
pub fn power_on(
    args: &BoardArgs,
    hardware: Hardware,
    console: Box<dyn Console>,
    config: RunConfig,
    clock: Option<Arc<Clock>>,
    ready: impl FnOnce(&Arc<Mutex<Board>>) -> Result<()>,
) -> Result<Outcome> {
    let model = args.device.board;
    let Hardware { image, devices } = hardware;
    let mode = if args.realtime { ClockMode::Realtime } else { ClockMode::Virtual };
    let clock = clock.unwrap_or_else(|| Arc::new(Clock::new(mode)));
    let mut board = Board::new(model, image, clock);
    if let Some(hold) = args.safe_boot {
        board.hold_safe_boot_pin(hold);
    }
    if args.diff_update {
        board.enable_diff_update();
    }
    board.set_host_net(pycom_board::net::HostNet::new(args.net, args.forward.clone()));
    if let Some(path) = &args.sd {
        let card = SdCard::open_or_create(path, args.sd_size)
            .with_context(|| format!("cannot use {} as an SD card", path.display()))?;
        board.insert_sd_card(card);
    }
    if let Some(devices) = &devices {
        devices.attach(&mut board)?;
    }
    let trace = args.trace_led.as_deref().map(|path| LedTraceFile::attach(path, &mut board)).transpose()?;
    let pin_trace = args.trace_pins.as_deref().map(|path| PinTraceFile::attach(path, &mut board)).transpose()?;
    let bus_trace = args.trace_bus.as_deref().map(|path| BusTraceFile::attach(path, &mut board)).transpose()?;
    let board = Arc::new(Mutex::new(board));
    let display = if args.realtime { LedDisplay::start_on_terminal(board.clone()) } else { None };
    ready(&board)?;

    let outcome = pycom_python::run(board.clone(), console, config).context("the board stopped")?;
    let end_us = board.lock().unwrap_or_else(|p| p.into_inner()).now_us();

    if let Some(display) = display {
        display.stop();
    }
    if let Some(trace) = trace {
        trace.flush()?;
    }
    if let Some(trace) = pin_trace {
        trace.finish(end_us)?;
    }
    if let Some(trace) = bus_trace {
        trace.flush()?;
    }
    Ok(outcome)
}

/// Exit status when the emulator itself fails while running the board.
const INTERNAL_ERROR_EXIT: i32 = 2;

fn exit_status(outcome: Outcome, expecting: Option<&str>) -> i32 {
    match outcome {
        Outcome::Completed => match expecting {
            Some(text) => {
                eprintln!("[pycom-emu] script ended without printing {text:?}");
                1
            }
            None => 0,
        },
        Outcome::Raised => 1,
        Outcome::SystemExit(code) => code,
        Outcome::Stopped(request) => {
            eprintln!("[pycom-emu] {}", request.reason);
            request.exit_code
        }
        Outcome::Overran(request) => {
            eprintln!("[pycom-emu] {}", request.reason);
            let grace = pycom_python::STOP_GRACE.as_secs();
            eprintln!("[pycom-emu] the script did not stop within {grace} s of the timeout; ending the process");
            request.exit_code
        }
        Outcome::InternalError(message) => {
            eprintln!("[pycom-emu] internal error: {message}");
            INTERNAL_ERROR_EXIT
        }
    }
}
