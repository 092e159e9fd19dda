//! `network.WLAN` (modwlan.c): the board's Wi-Fi radio, joining the board
//! file's access points on device time or running an access point of its own.

use std::net::Ipv4Addr;

use pycom_board::net::{Link, NETMASK};
use pycom_board::wifi::{self, OwnAccessPoint, ScanFilter, Setup, Target};
use rustpython_vm::builtins::{PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Constructor;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

use crate::args::{get_array, get_array_fixed, get_int, method_arity, parse_args, str_or_bytes, text_arg, truthy};
use crate::state::{board, lock};

const INVALID: &str = "invalid argument(s) value";
const NOT_POSSIBLE: &str = "the requested operation is not possible";
const NOT_AVAILABLE: &str = "resource not available";
/// Longest SSID (`MODWLAN_SSID_LEN_MAX`).
const SSID_MAX: usize = 32;
/// Channels 1 to 13.
const CHANNEL_MAX: i32 = 13;
/// `WIFI_AUTH_OPEN` .. `WIFI_AUTH_WPA2_ENTERPRISE`.
const AUTH_OPEN: u8 = 0;
const AUTH_WPA2_ENT: u8 = 5;
/// `WLAN.INT_ANT`, `WLAN.EXT_ANT`, `WLAN.MAN_ANT`.
const ANTENNA_INTERNAL: u8 = 0;
const ANTENNA_MANUAL: u8 = 2;
/// `WLAN.HT20`, `WLAN.HT40`.
const HT20: i32 = 1;
const HT40: i32 = 2;
/// `WLAN`'s constants: modes, auth modes (ESP-IDF's `wifi_auth_mode_t`),
/// antennas, bandwidths, PHY modes, scan types, country policies and
/// secondary channels.
const CONSTANTS: &[(&str, u8)] = &[
    ("STA", wifi::MODE_STA),
    ("AP", wifi::MODE_AP),
    ("STA_AP", wifi::MODE_STA_AP),
    ("WEP", 1),
    ("WPA", 2),
    ("WPA2", 3),
    ("WPA2_ENT", AUTH_WPA2_ENT),
    ("INT_ANT", ANTENNA_INTERNAL),
    ("EXT_ANT", 1),
    ("MAN_ANT", ANTENNA_MANUAL),
    ("HT20", 1),
    ("HT40", 2),
    ("PHY_11_B", 1),
    ("PHY_11_G", 2),
    ("PHY_11_N", 3),
    ("PHY_LOW_RATE", 4),
    ("SCAN_ACTIVE", 0),
    ("SCAN_PASSIVE", 1),
    ("COUNTRY_POL_AUTO", 0),
    ("COUNTRY_POL_MAN", 1),
    ("SECONDARY_CHN_NONE", 0),
    ("SECONDARY_CHN_ABOVE", 1),
    ("SECONDARY_CHN_BELOW", 2),
];
/// The keyword arguments of the constructor and `init()`.
const INIT_KEYWORDS: &[&str] =
    &["mode", "ssid", "auth", "channel", "antenna", "power_save", "hidden", "bandwidth", "max_tx_pwr", "country"];

fn value_error(vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_value_error(INVALID)
}

/// The Wi-Fi radio (the firmware has one `WLAN` object).
#[pyclass(module = "network", name = "WLAN")]
#[derive(Debug, PyPayload)]
pub(crate) struct Wlan {}

impl Constructor for Wlan {
    type Args = FuncArgs;

    /// `WLAN(id=0, *, mode=WLAN.STA, ssid=None, auth=None, channel=1, antenna=None,
    /// power_save=False, hidden=False, bandwidth=WLAN.HT40, max_tx_pwr=0, country=None)`:
    /// sets the radio up when keywords are given or it is not running yet.
    fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        let keywords = !args.kwargs.is_empty();
        let mut parsed = parse_args(args, &["id"], INIT_KEYWORDS, vm)?;
        let started = lock(&board()).wifi().started();
        if keywords || !started {
            if parsed.remove("id").map(|id| get_int(&id, vm)).transpose()?.unwrap_or(0) != 0 {
                return Err(vm.new_os_error(NOT_AVAILABLE.to_owned()));
            }
            init(parsed, vm)?;
        }
        Ok(Self {})
    }
}

/// `wlan_init_helper`: validates the settings and starts the radio.
fn init(mut args: std::collections::HashMap<String, PyObjectRef>, vm: &VirtualMachine) -> PyResult<()> {
    let mut take = |name: &str| args.remove(name).filter(|v| !vm.is_none(v));
    let mode = take("mode").map(|m| get_int(&m, vm)).transpose()?.unwrap_or(i32::from(wifi::MODE_STA));
    if !(i32::from(wifi::MODE_STA)..=i32::from(wifi::MODE_STA_AP)).contains(&mode) {
        return Err(value_error(vm));
    }
    let ssid = take("ssid").map(|s| ssid_arg(&s, vm)).transpose()?;
    let (auth, key) = match take("auth") {
        None => (AUTH_OPEN, None),
        Some(auth) => {
            let [kind, key] = get_array_fixed::<2>(&auth, vm)?;
            let kind = get_int(&kind, vm)?;
            let key = text_arg(&key, vm)?;
            if !(8..=32).contains(&key.len()) {
                return Err(vm.new_value_error("invalid key length"));
            }
            (u8::try_from(kind).unwrap_or(AUTH_OPEN), Some(key))
        }
    };
    let channel = take("channel").map(|c| get_int(&c, vm)).transpose()?.unwrap_or(1);
    if !(1..=CHANNEL_MAX).contains(&channel) {
        return Err(value_error(vm));
    }
    let antenna = match args.remove("antenna") {
        None => default_antenna(),
        Some(a) if vm.is_none(&a) => ANTENNA_MANUAL,
        Some(a) => antenna_arg(&a, vm)?,
    };
    let mut take = |name: &str| args.remove(name).filter(|v| !vm.is_none(v));
    let hidden = take("hidden").map(|h| truthy(h, vm)).transpose()?.unwrap_or(false);
    take("power_save").map(|p| truthy(p, vm)).transpose()?;
    let mode = u8::try_from(mode).unwrap_or(wifi::MODE_STA);
    if mode != wifi::MODE_STA {
        if ssid.is_none() {
            return Err(vm.new_value_error("AP SSID not given"));
        }
        if auth == AUTH_WPA2_ENT {
            return Err(vm.new_value_error("WPA2_ENT not supported in AP mode"));
        }
    }
    let bandwidth = take("bandwidth").map(|b| get_int(&b, vm)).transpose()?.unwrap_or(HT40);
    if !(HT20..=HT40).contains(&bandwidth) {
        return Err(value_error(vm));
    }
    take("max_tx_pwr").map(|p| get_int(&p, vm)).transpose()?;
    if let Some(country) = take("country") {
        get_array(&country, vm)?;
    }
    let channel = u8::try_from(channel).unwrap_or(1);
    let access_point = ssid.clone().filter(|_| mode != wifi::MODE_STA).map(|ssid| OwnAccessPoint {
        ssid,
        auth,
        key: key.clone(),
        channel,
        hidden,
    });
    // The firmware's setup joins the given SSID at once in the station modes.
    let join = ssid.filter(|_| mode != wifi::MODE_AP).map(|ssid| Target { ssid, bssid: None, auth: Some(auth), key });
    let setup = Setup { mode, access_point, join, antenna, bandwidth: u8::try_from(bandwidth).unwrap_or(2) };
    with_wifi(|wifi, now| wifi.init(setup, now));
    Ok(())
}

/// The antenna when none is given: the internal one on first-generation
/// modules (4 MB flash), the manual switch on the others.
fn default_antenna() -> u8 {
    let model = lock(&board()).model();
    if model.flash_size() > 4 << 20 { ANTENNA_MANUAL } else { ANTENNA_INTERNAL }
}

fn antenna_arg(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<u8> {
    let antenna = get_int(obj, vm)?;
    u8::try_from(antenna).ok().filter(|a| *a <= ANTENNA_MANUAL).ok_or_else(|| value_error(vm))
}

fn ssid_arg(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<String> {
    let ssid = text_arg(obj, vm)?;
    if ssid.len() > SSID_MAX {
        return Err(value_error(vm));
    }
    Ok(ssid)
}

/// Runs `f` on the radio with the device time now.
fn with_wifi<R>(f: impl FnOnce(&mut pycom_board::wifi::Wifi, u64) -> R) -> R {
    let board = board();
    let mut b = lock(&board);
    let now = b.now_us();
    f(b.wifi(), now)
}

/// A hostname: 1 to 32 bytes.
fn hostname_arg(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<String> {
    let name = str_or_bytes(obj, vm)?;
    if name.is_empty() || name.len() > 32 {
        return Err(value_error(vm));
    }
    Ok(String::from_utf8_lossy(&name).into_owned())
}

fn mode_now() -> u8 {
    lock(&board()).wifi().mode()
}

fn refuse_in_ap_mode(vm: &VirtualMachine) -> PyResult<()> {
    if mode_now() == wifi::MODE_AP { Err(vm.new_os_error(NOT_POSSIBLE.to_owned())) } else { Ok(()) }
}

fn int(vm: &VirtualMachine, value: impl Into<i64>) -> PyObjectRef {
    vm.ctx.new_int(value.into()).into()
}

fn ip_tuple(link: Option<Link>, vm: &VirtualMachine) -> PyObjectRef {
    let none = Ipv4Addr::UNSPECIFIED;
    let link = link.unwrap_or(Link { ip: none, netmask: none, gateway: none, dns: none });
    let fields = [link.ip, link.netmask, link.gateway, link.dns].map(|a| vm.ctx.new_str(a.to_string()).into());
    vm.ctx.new_tuple(fields.to_vec()).into()
}

fn parse_ip(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Ipv4Addr> {
    let text = text_arg(obj, vm)?;
    text.parse().map_err(|_| value_error(vm))
}

/// The MAC addresses: the station's is the base MAC, the access point's the next.
fn macs() -> ([u8; 6], [u8; 6]) {
    let sta = lock(&board()).base_mac();
    let mut ap = sta;
    ap[5] = ap[5].wrapping_add(1);
    (sta, ap)
}

#[pyclass(with(Constructor))]
impl Wlan {
    /// The class constants.
    #[extend_class]
    fn add_constants(ctx: &rustpython_vm::Context, class: &'static Py<PyType>) {
        crate::class_constants::add(ctx, class, CONSTANTS);
    }

    /// `init(*, mode, ssid, auth, channel, antenna, power_save, hidden, bandwidth, max_tx_pwr, country)`.
    #[pymethod]
    fn init(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let parsed = parse_args(args, &[], INIT_KEYWORDS, vm)?;
        init(parsed, vm)
    }

    /// `deinit()`: the radio stops; the interfaces go down.
    #[pymethod]
    fn deinit(&self) {
        lock(&board()).wifi().deinit();
    }

    /// `scan(*, ssid, bssid, channel, show_hidden, type, scantime)`: the
    /// networks in range, strongest first, as `(ssid, bssid, sec, channel, rssi)`
    /// named tuples; blocks for the scan's time (13 channels × 120 ms active,
    /// 360 ms passive, the default while connected).
    #[pymethod]
    fn scan(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let mut args = parse_args(args, &[], &["ssid", "bssid", "channel", "show_hidden", "type", "scantime"], vm)?;
        let mut take = |name: &str| args.remove(name).filter(|v| !vm.is_none(v));
        let ssid = take("ssid").map(|s| text_arg(&s, vm)).transpose()?;
        let mut filter = ScanFilter { ssid, ..ScanFilter::default() };
        if let Some(bssid) = take("bssid") {
            let bytes = bssid.downcast_ref::<rustpython_vm::builtins::PyBytes>().map(|b| b.as_bytes().to_vec());
            let bytes = bytes.ok_or_else(|| vm.new_value_error("invalid bssid"))?;
            filter.bssid = bytes.get(..6).and_then(|b| b.try_into().ok());
        }
        filter.channel = take("channel").map(|c| get_int(&c, vm)).transpose()?.map(|c| c.clamp(0, 255) as u8);
        filter.show_hidden = take("show_hidden").map(|h| get_int(&h, vm)).transpose()?.is_some_and(|h| h >= 1);
        filter.passive = take("type").map(|t| get_int(&t, vm)).transpose()?.map(|t| t == 1);
        let passive = filter.passive.unwrap_or(lock(&board()).interfaces().station.is_some());
        if let Some(time) = take("scantime") {
            filter.channel_us = Some(scan_time(&time, passive, vm)?);
        }
        refuse_in_ap_mode(vm)?;
        filter.passive = Some(passive);
        let (found, took_us) = with_wifi(|wifi, now| wifi.scan(&filter, now));
        crate::modules::time::device_sleep(took_us, vm)?;
        let entries = found
            .into_iter()
            .map(|e| {
                crate::prelude::attrtuple(
                    vec![
                        ("ssid", vm.ctx.new_str(e.ssid).into()),
                        ("bssid", vm.ctx.new_bytes(e.bssid.to_vec()).into()),
                        ("sec", int(vm, e.auth)),
                        ("channel", int(vm, e.channel)),
                        ("rssi", int(vm, e.rssi)),
                    ],
                    vm,
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(vm.ctx.new_list(entries).into())
    }

    /// `connect(ssid, auth=None, *, bssid, timeout, ca_certs, keyfile, certfile,
    /// identity, hostname, channel)`: starts joining and returns at once.
    #[pymethod]
    fn connect(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        refuse_in_ap_mode(vm)?;
        let keywords = ["bssid", "timeout", "ca_certs", "keyfile", "certfile", "identity", "hostname", "channel"];
        let mut args = parse_args(args, &["ssid", "auth"], &keywords, vm)?;
        let ssid = args.remove("ssid").ok_or_else(|| vm.new_type_error("'ssid' argument required"))?;
        let ssid = ssid_arg(&ssid, vm)?;
        let mut take = |name: &str| args.remove(name).filter(|v| !vm.is_none(v));
        let (auth, key) = match take("auth") {
            None => (None, None),
            Some(auth) => auth_tuple(&auth, vm)?,
        };
        let bssid = take("bssid").map(|b| str_or_bytes(&b, vm)).transpose()?.and_then(|b| b.get(..6)?.try_into().ok());
        let timeout_ms = take("timeout").map(|t| get_int(&t, vm)).transpose()?.filter(|t| *t > 0);
        let hostname = take("hostname").map(|h| hostname_arg(&h, vm)).transpose()?;
        take("channel").map(|c| get_int(&c, vm)).transpose()?;
        let timeout_us = timeout_ms.map(|ms| u64::from(ms.unsigned_abs()) * 1000);
        with_wifi(|wifi, now| {
            if let Some(name) = hostname {
                wifi.set_hostname(name);
            }
            wifi.connect(Target { ssid, bssid, auth, key }, timeout_us, now);
        });
        Ok(())
    }

    /// `disconnect()`: leaves the network and stops trying.
    #[pymethod]
    fn disconnect(&self, vm: &VirtualMachine) -> PyResult<()> {
        refuse_in_ap_mode(vm)?;
        lock(&board()).wifi().disconnect();
        Ok(())
    }

    /// `isconnected()`: whether the station holds a DHCP lease. Once after a
    /// connection timeout passed: `TimeoutError: Connection to AP Timeout!`.
    #[pymethod]
    fn isconnected(&self, vm: &VirtualMachine) -> PyResult<bool> {
        with_wifi(|wifi, now| wifi.is_connected(now)).map_err(|_| {
            vm.new_exception_msg(vm.ctx.exceptions.timeout_error.to_owned(), "Connection to AP Timeout!".into())
        })
    }

    /// `ifconfig(id=0, config)`: `(ip, netmask, gateway, dns)` of the station
    /// (id 0) or the access point (id 1); sets a static address or `'dhcp'`.
    #[pymethod]
    fn ifconfig(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let mut args = parse_args(args, &["id", "config"], &[], vm)?;
        let id = args.remove("id").map(|i| get_int(&i, vm)).transpose()?.unwrap_or(0);
        if id > 1 {
            return Err(vm.new_os_error(NOT_AVAILABLE.to_owned()));
        }
        let Some(config) = args.remove("config") else {
            let interfaces = lock(&board()).interfaces();
            let link = if id == 0 { interfaces.station } else { interfaces.access_point };
            return Ok(ip_tuple(link, vm));
        };
        if config.downcast_ref::<rustpython_vm::builtins::PyTuple>().is_some() {
            let [ip, netmask, gateway, dns] = get_array_fixed::<4>(&config, vm)?;
            let link = Link {
                ip: parse_ip(&ip, vm)?,
                netmask: parse_ip(&netmask, vm).unwrap_or(NETMASK),
                gateway: parse_ip(&gateway, vm)?,
                dns: parse_ip(&dns, vm)?,
            };
            if id == 0 {
                lock(&board()).wifi().set_static_station(Some(link));
            }
        } else {
            let mode = text_arg(&config, vm)?;
            if mode != "dhcp" && mode != "auto" {
                return Err(value_error(vm));
            }
            if id == 0 {
                lock(&board()).wifi().set_static_station(None);
            }
        }
        Ok(vm.ctx.none())
    }

    /// `mode([mode])`.
    #[pymethod]
    fn mode(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let Some(mode) = args.args.first() else { return Ok(int(vm, mode_now())) };
        let mode = get_int(mode, vm)?;
        if !(i32::from(wifi::MODE_STA)..=i32::from(wifi::MODE_STA_AP)).contains(&mode) {
            return Err(value_error(vm));
        }
        lock(&board()).wifi().set_mode(mode as u8);
        Ok(vm.ctx.none())
    }

    /// `bandwidth([bandwidth])`: the setter answers whether it was applied.
    #[pymethod]
    fn bandwidth(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let Some(bandwidth) = args.args.first() else { return Ok(int(vm, lock(&board()).wifi().bandwidth())) };
        let bandwidth = get_int(bandwidth, vm)?;
        if !(HT20..=HT40).contains(&bandwidth) {
            return Err(value_error(vm));
        }
        lock(&board()).wifi().set_bandwidth(bandwidth as u8);
        Ok(vm.ctx.new_bool(true).into())
    }

    /// `ssid([ssid])`: the joined network's in STA mode, the board's own in AP
    /// mode, both in STA_AP; the setter renames the board's access point.
    #[pymethod]
    fn ssid(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let board = board();
        let mut b = lock(&board);
        let now = b.now_us();
        let wifi = b.wifi();
        if let Some(ssid) = args.args.first() {
            let ssid = ssid_arg(ssid, vm)?;
            if let Some(own) = wifi.own_access_point_mut() {
                own.ssid = ssid;
            }
            return Ok(vm.ctx.none());
        }
        let joined = wifi.joined(now).map(|ap| ap.ssid.clone());
        let own = wifi.own_access_point().map(|ap| ap.ssid.clone());
        let text = |s: Option<String>| s.map_or_else(|| vm.ctx.none(), |s| vm.ctx.new_str(s).into());
        Ok(match wifi.mode() {
            wifi::MODE_STA => text(joined),
            wifi::MODE_AP => text(own),
            _ => vm.ctx.new_tuple(vec![text(joined), text(own)]).into(),
        })
    }

    /// `bssid()`: the joined access point's BSSID (zeros before any).
    #[pymethod]
    fn bssid(&self, vm: &VirtualMachine) -> PyObjectRef {
        let bssid = with_wifi(|wifi, now| wifi.joined(now).and_then(|ap| ap.bssid_bytes().ok())).unwrap_or([0; 6]);
        vm.ctx.new_bytes(bssid.to_vec()).into()
    }

    /// `auth([auth])`: `(auth, key)` in use, `None` for an open network; the
    /// setter secures the board's access point.
    #[pymethod]
    fn auth(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let board = board();
        let mut b = lock(&board);
        let now = b.now_us();
        let wifi = b.wifi();
        if let Some(auth) = args.args.first() {
            let (kind, key) = if vm.is_none(auth) {
                (AUTH_OPEN, None)
            } else {
                let [kind, key] = get_array_fixed::<2>(auth, vm)?;
                (get_int(&kind, vm)?.clamp(0, 255) as u8, Some(text_arg(&key, vm)?))
            };
            if let Some(own) = wifi.own_access_point_mut() {
                own.auth = kind;
                own.key = key;
            }
            return Ok(vm.ctx.none());
        }
        let joined = wifi.joined(now).map(|ap| (ap.security().auth(), ap.password.clone()));
        let own = wifi.own_access_point().map(|ap| (ap.auth, ap.key.clone()));
        Ok(match joined.or(own) {
            Some((auth, Some(key))) if auth != AUTH_OPEN => {
                vm.ctx.new_tuple(vec![int(vm, auth), vm.ctx.new_str(key).into()]).into()
            }
            _ => vm.ctx.none(),
        })
    }

    /// `hostname([name])`.
    #[pymethod]
    fn hostname(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let board = board();
        let mut b = lock(&board);
        let model = b.model();
        let wifi = b.wifi();
        if let Some(name) = args.args.first() {
            wifi.set_hostname(hostname_arg(name, vm)?);
            return Ok(vm.ctx.none());
        }
        Ok(vm.ctx.new_str(wifi.hostname().map_or_else(|| model.to_string(), str::to_owned)).into())
    }

    /// `channel([channel])`: the joined network's, or the board's access point's.
    #[pymethod]
    fn channel(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 2, vm)?;
        let board = board();
        let mut b = lock(&board);
        let now = b.now_us();
        let wifi = b.wifi();
        if let Some(channel) = args.args.first() {
            let channel = get_int(channel, vm)?;
            match wifi.mode() {
                wifi::MODE_AP => {
                    if !(1..=CHANNEL_MAX).contains(&channel) {
                        return Err(value_error(vm));
                    }
                    if let Some(own) = wifi.own_access_point_mut() {
                        own.channel = channel as u8;
                    }
                }
                wifi::MODE_STA => return Err(vm.new_os_error("Wifi is not in promiscuous mode!".to_owned())),
                _ => {}
            }
            return Ok(vm.ctx.none());
        }
        let joined = wifi.joined(now).map(|ap| ap.channel);
        let own = wifi.own_access_point().map(|ap| ap.channel);
        Ok(int(vm, joined.or(own).unwrap_or(1)))
    }

    /// `antenna([antenna])`.
    #[pymethod]
    fn antenna(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 1, vm)?;
        let Some(antenna) = args.args.first() else { return Ok(int(vm, lock(&board()).wifi().antenna())) };
        let antenna = antenna_arg(antenna, vm)?;
        lock(&board()).wifi().set_antenna(antenna);
        Ok(vm.ctx.none())
    }

    /// `mac()`: `(sta_mac, ap_mac)` as a named tuple of bytes.
    #[pymethod]
    fn mac(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        method_arity(&args, 0, 0, vm)?;
        let (sta, ap) = macs();
        crate::prelude::attrtuple(
            vec![("sta_mac", vm.ctx.new_bytes(sta.to_vec()).into()), ("ap_mac", vm.ctx.new_bytes(ap.to_vec()).into())],
            vm,
        )
    }

    /// `ap_sta_list()`: the stations on the board's access point (none join a
    /// virtual board's).
    #[pymethod]
    fn ap_sta_list(&self, vm: &VirtualMachine) -> PyResult {
        if mode_now() == wifi::MODE_STA {
            return Err(vm.new_os_error(NOT_POSSIBLE.to_owned()));
        }
        Ok(vm.ctx.new_list(Vec::new()).into())
    }

    /// `joined_ap_info()`: `(bssid, ssid, primary_chn, rssi, auth, standard)` of
    /// the joined access point.
    #[pymethod]
    fn joined_ap_info(&self, vm: &VirtualMachine) -> PyResult {
        let ap =
            with_wifi(|wifi, now| wifi.joined(now).cloned()).ok_or_else(|| vm.new_os_error(NOT_POSSIBLE.to_owned()))?;
        crate::prelude::attrtuple(
            vec![
                ("bssid", vm.ctx.new_bytes(ap.bssid_bytes().unwrap_or([0; 6]).to_vec()).into()),
                ("ssid", vm.ctx.new_str(ap.ssid.clone()).into()),
                ("primary_chn", int(vm, ap.channel)),
                ("rssi", int(vm, ap.rssi)),
                ("auth", int(vm, ap.security().auth())),
                ("standard", vm.ctx.new_str("11n").into()),
            ],
            vm,
        )
    }
}

/// `connect`'s `auth`: `(auth, key)`, `(None, key)`, `(WPA2_ENT,)` or
/// `(WPA2_ENT, user, password)`.
fn auth_tuple(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<(Option<u8>, Option<String>)> {
    let error = || vm.new_value_error("invalid authentication tuple");
    let items = get_array(obj, vm)?;
    let text = |o: &PyObjectRef| -> PyResult<Option<String>> {
        if vm.is_none(o) { Ok(None) } else { Ok(Some(text_arg(o, vm)?)) }
    };
    let kind = |o: &PyObjectRef| get_int(o, vm).map(|k| k.clamp(0, 255) as u8);
    match items.as_slice() {
        [auth] => {
            let auth = kind(auth)?;
            if auth != AUTH_WPA2_ENT {
                return Err(error());
            }
            Ok((Some(auth), None))
        }
        [auth, key] => {
            let auth = if vm.is_none(auth) { None } else { Some(kind(auth)?) };
            if auth == Some(AUTH_WPA2_ENT) {
                return Err(error());
            }
            Ok((auth, text(key)?))
        }
        [auth, _user, key] => {
            let auth = kind(auth)?;
            if auth != AUTH_WPA2_ENT {
                return Err(error());
            }
            Ok((Some(auth), text(key)?))
        }
        _ => Err(error()),
    }
}

/// `scan(scantime=)`: `(min, max)` ms for an active scan, ms for a passive one.
fn scan_time(obj: &PyObjectRef, passive: bool, vm: &VirtualMachine) -> PyResult<u64> {
    let error = || vm.new_value_error("invalid scan timings");
    let is_tuple = obj.downcast_ref::<rustpython_vm::builtins::PyTuple>().is_some();
    match (is_tuple, passive) {
        (true, false) => {
            let items = get_array(obj, vm)?;
            let [_, max] = items.as_slice() else { return Err(error()) };
            Ok(u64::from(get_int(max, vm)?.unsigned_abs()) * 1000)
        }
        (false, true) if obj.downcast_ref::<rustpython_vm::builtins::PyInt>().is_some() => {
            Ok(u64::from(get_int(obj, vm)?.unsigned_abs()) * 1000)
        }
        _ => Err(error()),
    }
}

/// The `network.WLAN` class.
pub(crate) fn class() -> PyTypeRef {
    Wlan::make_static_type()
}
