//! `pycom-emu fleet`: several boards in one process on one virtual clock.
//!
//! Every board runs on a thread of its own, but only one runs at a time: the
//! one whose device time is earliest ([`pycom_board::Timeline`]). So device
//! time moves on only when every board waits, a fleet that mostly sleeps
//! runs an hour in moments, and two runs of one fleet print the same lines
//! in the same order.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use clap::Args;
use pycom_board::lora::air::Air;
use pycom_board::lora::network::{Gateway, LoraNetwork};
use pycom_board::lora::udp_server::UdpNetworkServer;
use pycom_board::sigfox::SharedBackend;
use pycom_board::{Clock, Speed, Timeline};
use pycom_emu::fleet_file::{self, Fleet};
use pycom_emu::fleet_file::{DownlinkTarget, KnownDevice};
use pycom_lorawan::{DevAddr, DeviceRef, Eui, Key, NetworkServer, Region};
use pycom_python::{Console, Outcome, PowerSwitch, RunConfig, StopRequest};
use pycom_radio::sigfox::SigfoxBackend;
use pycom_radio::{LinkModel, Position};

use crate::console::{FAIL_TEXT_EXIT, TextWatch};
use crate::duration;
use crate::fleet_web::FleetWeb;
use crate::run_cmd::{self, BoardArgs, Hardware};

/// `pycom-emu fleet`.
#[derive(Args)]
pub struct FleetArgs {
    /// The fleet file (TOML): its boards, gateways and network server.
    fleet: PathBuf,
    /// Stop every board after this much device time (e.g. 30s, 10m, 24h).
    #[arg(long, value_parser = duration::parse_duration_us, value_name = "DURATION")]
    timeout: Option<u64>,
    /// Exit status when --timeout ends the run (0 to 255).
    #[arg(long, default_value_t = 42, value_name = "CODE", value_parser = clap::value_parser!(i32).range(0..=255))]
    timeout_exit_code: i32,
    /// Stop with status 0 once board NAME has printed TEXT (and every other
    /// --expect-text has been seen); may be given more than once.
    #[arg(long, value_name = "NAME:TEXT")]
    expect_text: Vec<String>,
    /// Stop with status 1 as soon as board NAME prints TEXT (any board for a
    /// TEXT without NAME:); may be given more than once.
    #[arg(long, value_name = "[NAME:]TEXT")]
    fail_text: Vec<String>,
    /// Serve the fleet's web view on this address (e.g. 127.0.0.1:8080; port
    /// 0 picks one): an index of the boards and each board's view. On an
    /// address other than loopback the API needs the token printed at start.
    #[arg(long, value_name = "HOST:PORT")]
    web: Option<SocketAddr>,
    /// Pace the fleet's one clock at real time (device time follows the wall
    /// clock); by default it runs as fast as the boards let it. The web
    /// view's speed control changes it.
    #[arg(long)]
    realtime: bool,
}

/// What the boards' consoles have seen, shared by them.
struct Verdict {
    /// Expected texts by board, and whether each was seen.
    expected: Vec<(String, String, bool)>,
    /// Why the fleet stopped early, once it has.
    stopped: Option<StopRequest>,
}

/// One board's console in a fleet: its lines, prefixed with its name, on
/// stdout; its expected and failure texts watched.
struct FleetConsole {
    name: String,
    line: String,
    /// Each watch, with the index in [`Verdict::expected`] of the text it
    /// expects (`None` for a failure text).
    watches: Vec<(TextWatch, Option<usize>)>,
    verdict: Arc<Mutex<Verdict>>,
    timeline: Arc<Timeline>,
}

impl FleetConsole {
    fn print_line(&self, line: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "[{}] {}", self.name, line.trim_end_matches('\r'));
        let _ = out.flush();
    }

    /// Notes what watch `expected` (a failure text for `None`) saw; returns
    /// the stop for this board, if any.
    fn judge(&self, stop: StopRequest, expected: Option<usize>) -> Option<StopRequest> {
        let mut verdict = self.verdict.lock().unwrap_or_else(|p| p.into_inner());
        if stop.exit_code == FAIL_TEXT_EXIT {
            verdict.stopped.get_or_insert(stop.clone());
            self.timeline.halt();
            return Some(stop);
        }
        if let Some((_, _, seen)) = expected.and_then(|i| verdict.expected.get_mut(i)) {
            *seen = true;
        }
        if verdict.expected.iter().all(|(_, _, seen)| *seen) {
            let reason = "every expected text seen".to_owned();
            verdict.stopped.get_or_insert(StopRequest { reason, exit_code: 0 });
            self.timeline.halt();
            return Some(stop);
        }
        None
    }
}

impl Console for FleetConsole {
    fn write(&mut self, text: &str) -> Option<StopRequest> {
        if self.timeline.halted() {
            return None;
        }
        self.line.push_str(text);
        while let Some(end) = self.line.find('\n') {
            let line: String = self.line.drain(..=end).collect();
            self.print_line(&line[..end]);
        }
        let stops: Vec<(StopRequest, Option<usize>)> =
            self.watches.iter_mut().filter_map(|(w, expected)| w.check(text).map(|stop| (stop, *expected))).collect();
        stops.into_iter().find_map(|(stop, expected)| self.judge(stop, expected))
    }
}

impl Drop for FleetConsole {
    fn drop(&mut self) {
        if !self.line.is_empty() {
            self.print_line(&self.line);
        }
    }
}

/// Splits `NAME:TEXT`; `None` for a name when `any` allows a bare TEXT.
fn split_watch(given: &str, fleet: &Fleet, any: bool) -> Result<(Option<String>, String)> {
    if let Some((name, text)) = given.split_once(':')
        && fleet.boards.iter().any(|b| b.name == name)
    {
        return Ok((Some(name.to_owned()), text.to_owned()));
    }
    if any {
        return Ok((None, given.to_owned()));
    }
    let names: Vec<&str> = fleet.boards.iter().map(|b| b.name.as_str()).collect();
    bail!("{given:?} does not start with a board's name and ':' (the boards: {})", names.join(", "))
}

/// `pycom-emu fleet`: returns the process exit status.
pub fn run(args: FleetArgs) -> Result<i32> {
    let fleet = fleet_file::load(&args.fleet)?;
    let expected = args
        .expect_text
        .iter()
        .map(|given| split_watch(given, &fleet, false).map(|(name, text)| (name.unwrap_or_default(), text, false)))
        .collect::<Result<Vec<_>>>()?;
    let fails = args.fail_text.iter().map(|given| split_watch(given, &fleet, true)).collect::<Result<Vec<_>>>()?;
    let mut prepared = Vec::new();
    for board in &fleet.boards {
        let script = board.script.as_deref().map(run_cmd::read_script).transpose()?;
        let board_args = BoardArgs::for_fleet(board);
        let hardware = Hardware::prepare(&board_args).with_context(|| format!("board {:?}", board.name))?;
        prepared.push((board, board_args, hardware, script));
    }

    let timeline = Timeline::new();
    if args.realtime {
        timeline.control().set_speed(0, Speed::Realtime);
    }
    let mut link = LinkModel::default();
    if let Some(n) = fleet.path_loss.0 {
        link.path_loss_exponent = n;
    }
    if let Some(loss) = fleet.path_loss.1 {
        link.reference_loss_db = loss;
    }
    let air = Air::shared(link, Some(timeline.clone()));
    let sigfox = fleet.sigfox.as_ref().map(sigfox_backend).transpose()?;
    let verdict = Arc::new(Mutex::new(Verdict { expected, stopped: None }));
    let timeout = args.timeout.map(|us| {
        let reason = format!("timeout after {} ms of device time", us / 1000);
        (us, StopRequest { reason, exit_code: args.timeout_exit_code })
    });
    // The boards come first on the timeline: on a tie they run before the network.
    let paces: Vec<_> = prepared.iter().map(|_| timeline.join()).collect();
    let region = fleet.network_server.as_ref().map_or(Region::Eu868, |ns| ns.region);
    let server = fleet.network_server.as_ref().map(|ns| network_server(ns, region)).transpose()?;
    let server = server.map(|s| Arc::new(Mutex::new(s)));
    let udp = udp_server(&fleet, server.as_ref(), &timeline)?;
    let network = lora_network(&fleet, region, &air, &timeline, server)?;
    let mut web = args.web.map(FleetWeb::new);
    let (outcomes, served) = std::thread::scope(|scope| {
        if let Some(network) = network {
            scope.spawn(move || network.run());
        }
        if let Some(udp) = &udp {
            scope.spawn(|| udp.run());
        }
        let runs: Vec<_> = prepared
            .into_iter()
            .zip(paces)
            .map(|((board, board_args, hardware, script), pace)| {
                let participant = pace.index();
                let clock = Arc::new(Clock::paced(pace));
                let [x, y, z] = board.position;
                let air = air.clone();
                let sigfox = sigfox.clone();
                let udp_link = udp.as_ref().map(|udp| udp.for_board(clock.clone()));
                let watches = watches_of(&board.name, &verdict, &fails);
                let console: Box<dyn Console> = Box::new(FleetConsole {
                    name: board.name.clone(),
                    line: String::new(),
                    watches,
                    verdict: verdict.clone(),
                    timeline: timeline.clone(),
                });
                let power = PowerSwitch::default();
                let hook = web.as_mut().map(|web| web.add(&board.name, hardware.device_specs(), power.clone()));
                let console = match &hook {
                    Some(hook) => hook.console(console),
                    None => console,
                };
                let config = RunConfig {
                    main: script,
                    uart: None,
                    repl: false,
                    timeout: timeout.clone(),
                    max_resets: None,
                    power,
                };
                let name = board.name.clone();
                let run = scope.spawn(move || {
                    run_cmd::power_on(&board_args, hardware, console, config, Some(clock), |made| {
                        let mut b = made.lock().unwrap_or_else(|p| p.into_inner());
                        b.attach_air(air, Position::new(x, y, z), Some(participant));
                        if let Some(backend) = sigfox {
                            b.attach_sigfox_backend(backend);
                        }
                        if let Some(link) = udp_link {
                            b.host_net().add_service(link);
                        }
                        drop(b);
                        hook.map_or(Ok(()), |hook| hook.ready(made))
                    })
                });
                (name, run)
            })
            .collect();
        // Once served, each board boots; if the view cannot start, none does.
        let served = web.take().map_or(Ok(()), FleetWeb::start);
        let outcomes: Vec<(String, Result<Outcome>)> = runs
            .into_iter()
            .map(|(name, run)| {
                let outcome = run.join().unwrap_or_else(|_| Ok(Outcome::InternalError("the board panicked".into())));
                (name, outcome)
            })
            .collect();
        timeline.halt();
        (outcomes, served)
    });
    served?;
    let verdict = verdict.lock().unwrap_or_else(|p| p.into_inner());
    exit_status(&outcomes, &verdict, args.timeout_exit_code)
}

/// The network server's UDP port for packet forwarders, if the fleet file
/// gives one (its address printed on stderr).
fn udp_server(
    fleet: &Fleet,
    server: Option<&Arc<Mutex<NetworkServer>>>,
    timeline: &Arc<Timeline>,
) -> Result<Option<Arc<UdpNetworkServer>>> {
    let (Some(server), Some(addr)) = (server, fleet.network_server.as_ref().and_then(|ns| ns.udp)) else {
        return Ok(None);
    };
    let udp = UdpNetworkServer::bind(addr, server.clone(), timeline.clone())
        .with_context(|| format!("[network_server] cannot listen on UDP {addr}"))?;
    eprintln!("[pycom-emu] network server: Semtech UDP on {}", udp.address());
    Ok(Some(udp))
}

/// The gateways of `fleet` in the air, with `server` behind them, if it has
/// gateways.
fn lora_network(
    fleet: &Fleet,
    region: Region,
    air: &Arc<Air>,
    timeline: &Arc<Timeline>,
    server: Option<Arc<Mutex<NetworkServer>>>,
) -> Result<Option<LoraNetwork>> {
    if fleet.gateways.is_empty() {
        return Ok(None);
    }
    let gateways = fleet
        .gateways
        .iter()
        .map(|g| Gateway {
            name: g.name.clone(),
            position: Position::new(g.position[0], g.position[1], g.position[2]),
            forward: g.forward,
        })
        .collect();
    let bandwidth = |dr| region.data_rate(dr).map_or(125_000, |rate| rate.bandwidth_hz);
    let channels = region.default_channels().iter().map(|c| (c.frequency_hz, bandwidth(c.max_dr))).collect();
    let network = LoraNetwork::new(air.clone(), timeline.join(), gateways, channels, server)
        .context("cannot open the gateways' UDP sockets")?;
    Ok(Some(network))
}

/// A JSON-lines log written line by line to `path` (created anew), or nowhere.
fn log_file(path: Option<&std::path::Path>) -> Result<Box<dyn Write + Send>> {
    Ok(match path {
        Some(path) => Box::new(std::io::LineWriter::new(
            std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::sink()),
    })
}

/// The virtual Sigfox backend as the fleet file sets it up.
fn sigfox_backend(spec: &fleet_file::Sigfox) -> Result<SharedBackend> {
    let log = log_file(spec.log.as_deref())?;
    let mut backend = SigfoxBackend::new(log);
    for (device, data) in &spec.downlinks {
        backend.set_downlink(*device, *data);
    }
    Ok(Arc::new(Mutex::new(backend)))
}

/// The built-in network server as the fleet file sets it up.
fn network_server(ns: &fleet_file::NetworkServer, region: Region) -> Result<NetworkServer> {
    let log = log_file(ns.log.as_deref())?;
    let mut server = NetworkServer::new(region, ns.net_id, 0x5EED, log);
    for (device, class_c) in &ns.devices {
        let reference = match device {
            KnownDevice::Otaa { dev_eui, app_eui, app_key } => {
                server.add_otaa(Eui(*dev_eui), Eui(*app_eui), Key(*app_key));
                DeviceRef::DevEui(Eui(*dev_eui))
            }
            KnownDevice::Abp { dev_addr, nwk_skey, app_skey } => {
                server.add_abp(DevAddr(*dev_addr), Key(*nwk_skey), Key(*app_skey), None);
                DeviceRef::DevAddr(DevAddr(*dev_addr))
            }
        };
        if *class_c {
            server.set_class_c(reference);
        }
    }
    for downlink in &ns.downlinks {
        let device = match downlink.target {
            DownlinkTarget::DevEui(eui) => DeviceRef::DevEui(Eui(eui)),
            DownlinkTarget::DevAddr(addr) => DeviceRef::DevAddr(DevAddr(addr)),
        };
        server.queue_downlink_at(device, downlink.port, downlink.data.clone(), downlink.confirmed, downlink.at_us);
    }
    Ok(server)
}

/// The watches of board `name`: its expected texts and the failure texts
/// meant for it or for any board.
fn watches_of(
    name: &str,
    verdict: &Mutex<Verdict>,
    fails: &[(Option<String>, String)],
) -> Vec<(TextWatch, Option<usize>)> {
    let verdict = verdict.lock().unwrap_or_else(|p| p.into_inner());
    let expects = verdict
        .expected
        .iter()
        .enumerate()
        .filter(|(_, (n, _, _))| n == name)
        .map(|(i, (_, text, _))| (TextWatch::new(Some(text.clone()), None), Some(i)));
    let fails = fails
        .iter()
        .filter(|(n, _)| n.as_deref().is_none_or(|n| n == name))
        .map(|(_, text)| (TextWatch::new(None, Some(text.clone())), None));
    expects.chain(fails).collect()
}

/// The fleet's exit status: the early stop's if there was one, else the
/// worst of the boards' ends.
fn exit_status(outcomes: &[(String, Result<Outcome>)], verdict: &Verdict, timeout_exit: i32) -> Result<i32> {
    if let Some(stop) = &verdict.stopped {
        eprintln!("[pycom-emu] {}", stop.reason);
        return Ok(stop.exit_code);
    }
    let mut status = 0;
    for (name, outcome) in outcomes {
        let code = match outcome {
            Err(e) => {
                eprintln!("[pycom-emu] board {name:?}: {e:#}");
                2
            }
            Ok(Outcome::Completed) => 0,
            Ok(Outcome::Raised) => 1,
            Ok(Outcome::SystemExit(code)) => *code,
            Ok(Outcome::Stopped(stop) | Outcome::Overran(stop)) => stop.exit_code,
            Ok(Outcome::InternalError(message)) => {
                eprintln!("[pycom-emu] board {name:?}: internal error: {message}");
                2
            }
        };
        if code != 0 && status == 0 {
            status = code;
        }
    }
    let missing: Vec<String> =
        verdict.expected.iter().filter(|(_, _, seen)| !seen).map(|(name, text, _)| format!("{name}:{text}")).collect();
    if !missing.is_empty() {
        eprintln!("[pycom-emu] not seen: {}", missing.join(", "));
        if status == 0 {
            status = 1;
        }
    }
    if status == timeout_exit {
        eprintln!("[pycom-emu] timeout");
    }
    Ok(status)
}
