//! Fleet files: TOML describing several boards on one virtual clock, where
//! they stand, and the radio network around them.
//!
//! ```toml
//! [[board]]
//! name = "node"              # shown before each line the board prints
//! model = "lopy4"            # default lopy4
//! script = "node.py"         # run as main.py; default: the image's own /flash/main.py
//! image = "node.bin"         # default NAME.bin beside the fleet file; created if missing
//! board_file = "node.toml"   # devices on its pins, as `run --board-file`
//! position = [0.0, 0.0]      # metres: [x, y] or [x, y, z]
//! trace_led = "node-led.csv" # as `run --trace-led`; also trace_pins, trace_bus
//!
//! [[gateway]]                # a LoRaWAN gateway in the air
//! name = "gw"
//! position = [2000.0, 0.0, 15.0]
//! forward = "127.0.0.1:1700" # Semtech UDP to a network server on the host instead of the built-in one
//!
//! [network_server]           # the built-in LoRaWAN network server behind the gateways
//! region = "EU868"
//! udp = "127.0.0.1:1700"     # also takes Semtech UDP from gateways (nano-gateway boards at 10.0.2.2:1700); port 0: any
//! log = "network.jsonl"      # every join, uplink and rejection as a JSON line
//! [[network_server.device]]  # OTAA: dev_eui, app_eui, app_key; ABP: dev_addr, nwk_skey, app_skey
//! dev_eui = "70B3D5499F0C1A2B"
//! app_eui = "70B3D57ED0000001"
//! app_key = "2B7E151628AED2A6ABF7158809CF4F3C"
//! class = "C"                # optional: "A" (default) or "C" (downlinks go without an uplink)
//! [[network_server.downlink]]
//! dev_eui = "70B3D5499F0C1A2B"
//! port = 1
//! data = "0102"              # hex
//! at = "30s"                 # optional: queued at this device time (default: from the start)
//!
//! [sigfox]                   # the virtual Sigfox backend
//! log = "sigfox.jsonl"
//! ```
//!
//! Relative paths are relative to the fleet file's folder.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use pycom_board::BoardModel;
use serde::Deserialize;

/// Largest fleet file read.
const FLEET_FILE_MAX_LEN: u64 = 16 << 20;

/// The whole file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    #[serde(default)]
    board: Vec<BoardEntry>,
    #[serde(default)]
    gateway: Vec<GatewayEntry>,
    network_server: Option<NetworkServerEntry>,
    sigfox: Option<SigfoxEntry>,
    radio: Option<RadioEntry>,
}

/// One board of the fleet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BoardEntry {
    name: String,
    #[serde(default)]
    model: Option<String>,
    script: Option<PathBuf>,
    image: Option<PathBuf>,
    board_file: Option<PathBuf>,
    #[serde(default)]
    position: Option<Vec<f64>>,
    trace_led: Option<PathBuf>,
    trace_pins: Option<PathBuf>,
    trace_bus: Option<PathBuf>,
}

/// A gateway.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GatewayEntry {
    name: String,
    #[serde(default)]
    position: Option<Vec<f64>>,
    forward: Option<String>,
}

/// The network server.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NetworkServerEntry {
    #[serde(default = "default_region")]
    region: String,
    log: Option<PathBuf>,
    udp: Option<String>,
    #[serde(default)]
    net_id: u32,
    #[serde(default)]
    device: Vec<DeviceEntry>,
    #[serde(default)]
    downlink: Vec<DownlinkEntry>,
}

fn default_region() -> String {
    "EU868".into()
}

/// A device the network server knows.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceEntry {
    dev_eui: Option<String>,
    app_eui: Option<String>,
    app_key: Option<String>,
    dev_addr: Option<String>,
    nwk_skey: Option<String>,
    app_skey: Option<String>,
    class: Option<String>,
}

/// A downlink queued on the network server.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DownlinkEntry {
    dev_eui: Option<String>,
    dev_addr: Option<String>,
    port: u8,
    data: String,
    #[serde(default)]
    confirmed: bool,
    at: Option<String>,
}

/// The Sigfox backend.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SigfoxEntry {
    log: Option<PathBuf>,
    #[serde(default)]
    downlink: Vec<SigfoxDownlinkEntry>,
}

/// A Sigfox downlink answer for one device.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SigfoxDownlinkEntry {
    device: String,
    data: String,
}

/// How radio signals fade with distance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RadioEntry {
    path_loss_exponent: Option<f64>,
    reference_loss_db: Option<f64>,
}

/// A checked fleet, paths resolved.
#[derive(Debug)]
pub struct Fleet {
    /// The boards, in the file's order (their order on the timeline).
    pub boards: Vec<FleetBoard>,
    /// The gateways.
    pub gateways: Vec<FleetGateway>,
    /// The built-in network server, if any.
    pub network_server: Option<NetworkServer>,
    /// The Sigfox backend, if any.
    pub sigfox: Option<Sigfox>,
    /// Path-loss exponent and loss at 1 m, when the file sets them.
    pub path_loss: (Option<f64>, Option<f64>),
}

/// A board of a checked fleet.
#[derive(Debug)]
pub struct FleetBoard {
    /// Its name.
    pub name: String,
    /// Its model.
    pub model: BoardModel,
    /// The script run as `main.py`, if any.
    pub script: Option<PathBuf>,
    /// Its flash image.
    pub image: PathBuf,
    /// Its board file.
    pub board_file: Option<PathBuf>,
    /// Where it stands, in metres.
    pub position: [f64; 3],
    /// LED, pin and bus traces.
    pub trace_led: Option<PathBuf>,
    /// Pin trace (VCD).
    pub trace_pins: Option<PathBuf>,
    /// Bus trace.
    pub trace_bus: Option<PathBuf>,
}

/// A gateway of a checked fleet.
#[derive(Debug)]
pub struct FleetGateway {
    /// Its name.
    pub name: String,
    /// Where it stands, in metres.
    pub position: [f64; 3],
    /// A network server on the host it forwards to over Semtech UDP.
    pub forward: Option<std::net::SocketAddr>,
}

/// The built-in network server of a checked fleet.
#[derive(Debug)]
pub struct NetworkServer {
    /// Its LoRaWAN region.
    pub region: pycom_lorawan::Region,
    /// Where its JSON lines go.
    pub log: Option<PathBuf>,
    /// The host UDP address where it takes Semtech packet forwarder traffic.
    pub udp: Option<std::net::SocketAddr>,
    /// Its NetID.
    pub net_id: u32,
    /// The devices it knows, each with whether it is of class C.
    pub devices: Vec<(KnownDevice, bool)>,
    /// Downlinks queued from the start.
    pub downlinks: Vec<QueuedDownlink>,
}

/// A device the network server knows.
#[derive(Debug)]
pub enum KnownDevice {
    /// Over-the-air activation.
    Otaa {
        /// DevEUI.
        dev_eui: [u8; 8],
        /// AppEUI (JoinEUI).
        app_eui: [u8; 8],
        /// AppKey.
        app_key: [u8; 16],
    },
    /// Activation by personalisation.
    Abp {
        /// DevAddr.
        dev_addr: u32,
        /// Network session key.
        nwk_skey: [u8; 16],
        /// Application session key.
        app_skey: [u8; 16],
    },
}

/// Which device a downlink is for.
#[derive(Debug)]
pub enum DownlinkTarget {
    /// By DevEUI (OTAA devices).
    DevEui([u8; 8]),
    /// By DevAddr.
    DevAddr(u32),
}

/// A downlink queued on the network server.
#[derive(Debug)]
pub struct QueuedDownlink {
    /// For which device.
    pub target: DownlinkTarget,
    /// FPort.
    pub port: u8,
    /// Payload.
    pub data: Vec<u8>,
    /// Confirmed downlink.
    pub confirmed: bool,
    /// Device time it is queued at, in µs.
    pub at_us: u64,
}

/// The Sigfox backend of a checked fleet.
#[derive(Debug)]
pub struct Sigfox {
    /// Where its JSON lines go.
    pub log: Option<PathBuf>,
    /// Downlink answers by device id.
    pub downlinks: Vec<(u32, [u8; 8])>,
}

/// Reads and checks the fleet file at `path`.
pub fn load(path: &Path) -> Result<Fleet> {
    let text = crate::host_input::read_text_at_most(path, FLEET_FILE_MAX_LEN, "a fleet file")
        .with_context(|| format!("cannot read fleet file {}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&text, base).with_context(|| format!("fleet file {}", path.display()))
}

/// Checks the text of a fleet file whose relative paths start at `base`.
pub fn parse(text: &str, base: &Path) -> Result<Fleet> {
    let file: FleetFile = toml::from_str(text)?;
    if file.board.is_empty() {
        bail!("a fleet needs at least one [[board]]");
    }
    let mut names = HashSet::new();
    let in_base = |p: &Option<PathBuf>| p.as_ref().map(|p| base.join(p));
    let mut boards = Vec::new();
    for entry in file.board {
        check_name(&entry.name, &mut names)?;
        let model = match entry.model.as_deref() {
            None => BoardModel::Lopy4,
            Some(id) => {
                BoardModel::from_id(id).with_context(|| format!("board {:?}: unknown model {id:?}", entry.name))?
            }
        };
        let position = position(entry.position.as_deref()).with_context(|| format!("board {:?}", entry.name))?;
        boards.push(FleetBoard {
            image: base.join(entry.image.clone().unwrap_or_else(|| format!("{}.bin", entry.name).into())),
            script: in_base(&entry.script),
            board_file: in_base(&entry.board_file),
            trace_led: in_base(&entry.trace_led),
            trace_pins: in_base(&entry.trace_pins),
            trace_bus: in_base(&entry.trace_bus),
            name: entry.name,
            model,
            position,
        });
    }
    let mut images = HashSet::new();
    if let Some(board) = boards.iter().find(|b| !images.insert(b.image.clone())) {
        bail!("board {:?}: image {} is another board's too", board.name, board.image.display());
    }
    let mut gateways = Vec::new();
    for entry in file.gateway {
        check_name(&entry.name, &mut names)?;
        let position = position(entry.position.as_deref()).with_context(|| format!("gateway {:?}", entry.name))?;
        let forward = entry
            .forward
            .as_deref()
            .map(|addr| {
                addr.parse().with_context(|| format!("gateway {:?}: forward {addr:?} is not IP:PORT", entry.name))
            })
            .transpose()?;
        gateways.push(FleetGateway { name: entry.name, position, forward });
    }
    let network_server = file.network_server.map(|ns| network_server(ns, base)).transpose()?;
    if network_server.as_ref().is_some_and(|ns| ns.udp.is_none()) && gateways.is_empty() {
        bail!("[network_server] hears nothing without a [[gateway]] or a udp address");
    }
    let sigfox = file.sigfox.map(|s| sigfox(s, base)).transpose()?;
    let path_loss = file.radio.map_or((None, None), |r| (r.path_loss_exponent, r.reference_loss_db));
    Ok(Fleet { boards, gateways, network_server, sigfox, path_loss })
}

fn check_name(name: &str, names: &mut HashSet<String>) -> Result<()> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        bail!("name {name:?}: use letters, digits, '-' and '_'");
    }
    if !names.insert(name.to_owned()) {
        bail!("name {name:?} is used twice");
    }
    Ok(())
}

fn position(given: Option<&[f64]>) -> Result<[f64; 3]> {
    match given {
        None => Ok([0.0; 3]),
        Some(p) if !p.iter().all(|v| v.is_finite()) => bail!("position {p:?} is not a finite point"),
        Some(&[x, y]) => Ok([x, y, 0.0]),
        Some(&[x, y, z]) => Ok([x, y, z]),
        Some(p) => bail!("position {p:?}: give [x, y] or [x, y, z] in metres"),
    }
}

fn network_server(entry: NetworkServerEntry, base: &Path) -> Result<NetworkServer> {
    let devices = entry
        .device
        .into_iter()
        .enumerate()
        .map(|(i, d)| known_device(d).with_context(|| format!("[[network_server.device]] {}", i + 1)))
        .collect::<Result<_>>()?;
    let downlinks = entry
        .downlink
        .into_iter()
        .enumerate()
        .map(|(i, d)| queued_downlink(d).with_context(|| format!("[[network_server.downlink]] {}", i + 1)))
        .collect::<Result<_>>()?;
    let region = entry.region.parse().map_err(|e| anyhow::anyhow!("[network_server] {e}"))?;
    let udp = entry
        .udp
        .as_deref()
        .map(|addr| addr.parse().with_context(|| format!("[network_server] udp {addr:?} is not IP:PORT")))
        .transpose()?;
    let log = entry.log.map(|p| base.join(p));
    Ok(NetworkServer { region, log, udp, net_id: entry.net_id, devices, downlinks })
}

fn known_device(d: DeviceEntry) -> Result<(KnownDevice, bool)> {
    let class_c = match d.class.as_deref() {
        None | Some("A") => false,
        Some("C") => true,
        Some(other) => bail!("class {other:?}: give \"A\" or \"C\""),
    };
    let device = match (d.dev_eui, d.app_eui, d.app_key, d.dev_addr, d.nwk_skey, d.app_skey) {
        (Some(dev_eui), Some(app_eui), Some(app_key), None, None, None) => KnownDevice::Otaa {
            dev_eui: hex_array(&dev_eui, "dev_eui")?,
            app_eui: hex_array(&app_eui, "app_eui")?,
            app_key: hex_array(&app_key, "app_key")?,
        },
        (None, None, None, Some(dev_addr), Some(nwk_skey), Some(app_skey)) => KnownDevice::Abp {
            dev_addr: u32::from_be_bytes(hex_array(&dev_addr, "dev_addr")?),
            nwk_skey: hex_array(&nwk_skey, "nwk_skey")?,
            app_skey: hex_array(&app_skey, "app_skey")?,
        },
        _ => bail!("give dev_eui, app_eui and app_key (OTAA) or dev_addr, nwk_skey and app_skey (ABP)"),
    };
    Ok((device, class_c))
}

fn queued_downlink(d: DownlinkEntry) -> Result<QueuedDownlink> {
    let target = match (d.dev_eui, d.dev_addr) {
        (Some(eui), None) => DownlinkTarget::DevEui(hex_array(&eui, "dev_eui")?),
        (None, Some(addr)) => DownlinkTarget::DevAddr(u32::from_be_bytes(hex_array(&addr, "dev_addr")?)),
        _ => bail!("give dev_eui or dev_addr"),
    };
    if !(1..=223).contains(&d.port) {
        bail!("port {} is not an application port (1 to 223)", d.port);
    }
    let data = hex::decode(&d.data).with_context(|| format!("data {:?} is not hex", d.data))?;
    let at_us = d.at.as_deref().map(crate::duration::parse_duration_us).transpose().map_err(anyhow::Error::msg)?;
    Ok(QueuedDownlink { target, port: d.port, data, confirmed: d.confirmed, at_us: at_us.unwrap_or(0) })
}

fn sigfox(entry: SigfoxEntry, base: &Path) -> Result<Sigfox> {
    let downlinks = entry
        .downlink
        .into_iter()
        .map(|d| Ok((u32::from_be_bytes(hex_array(&d.device, "device")?), hex_array(&d.data, "data")?)))
        .collect::<Result<_>>()?;
    Ok(Sigfox { log: entry.log.map(|p| base.join(p)), downlinks })
}

/// `N` bytes written as hex.
fn hex_array<const N: usize>(text: &str, what: &str) -> Result<[u8; N]> {
    let bytes = hex::decode(text).with_context(|| format!("{what} {text:?} is not hex"))?;
    bytes.try_into().map_err(|b: Vec<u8>| anyhow::anyhow!("{what} {text:?} has {} bytes, not {N}", b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_fleet_names_its_images_after_its_boards() {
        let fleet =
            parse("[[board]]\nname = \"a\"\n[[board]]\nname = \"b\"\nposition = [3, 4]\n", Path::new("/f")).unwrap();
        assert_eq!(fleet.boards[0].image, Path::new("/f/a.bin"));
        assert_eq!(fleet.boards[1].position, [3.0, 4.0, 0.0]);
        assert_eq!(fleet.boards[0].model, BoardModel::Lopy4);
    }

    #[test]
    fn mistakes_are_named() {
        let err = |text: &str| format!("{:#}", parse(text, Path::new(".")).unwrap_err());
        assert!(err("").contains("at least one [[board]]"));
        assert!(err("[[board]]\nname = \"a\"\n[[board]]\nname = \"a\"\n").contains("used twice"));
        assert!(err("[[board]]\nname = \"a\"\nmodel = \"esp8266\"\n").contains("unknown model"));
        assert!(err("[[board]]\nname = \"a\"\nposition = [1]\n").contains("[x, y] or [x, y, z]"));
        assert!(err("[[board]]\nname = \"a\"\ncolour = 1\n").contains("unknown field"));
        let ns = "[[board]]\nname = \"a\"\n[[gateway]]\nname = \"g\"\n[network_server]\n[[network_server.device]]\ndev_eui = \"0011\"\napp_eui = \"0011223344556677\"\napp_key = \"00112233445566778899aabbccddeeff\"\n";
        assert!(err(ns).contains("dev_eui \"0011\" has 2 bytes, not 8"));
        let otaa = ns.replace("\"0011\"", "\"0011223344556677\"");
        assert!(err(&format!("{otaa}class = \"B\"\n")).contains("device]] 1: class \"B\": give \"A\" or \"C\""));
        let downlink =
            "[[network_server.downlink]]\ndev_eui = \"0011223344556677\"\nport = 1\ndata = \"00\"\nat = \"soon\"\n";
        assert!(err(&format!("{otaa}{downlink}")).contains("downlink]] 1: \"soon\" is not a duration"));
    }
}
