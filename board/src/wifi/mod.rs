//! The board's Wi-Fi radio as `network.WLAN` drives it: the station joining the
//! board file's access points on device time, and the board's own access point.
//!
//! A `connect()` returns at once, as ESP-IDF's does. The station associates
//! [`JOIN_US`] after the access point is in range (at once if it is) and holds
//! a DHCP lease [`DHCP_US`] later: only then is it connected. A wrong
//! password never joins. When the access point goes out of range the
//! connection drops and the station keeps trying, as the firmware's event
//! handler does, until it is back. A connection timeout that passes before
//! the lease makes `isconnected()` raise once.

pub mod spec;

use crate::net::{Interfaces, Link};
pub use spec::{AccessPointSpec, Away, Security};

/// Device time from a try to join a reachable access point to association.
pub const JOIN_US: u64 = 500_000;
/// Device time from association to the DHCP lease.
pub const DHCP_US: u64 = 1_000_000;
/// Active scan time per channel (ESP-IDF's default).
pub const ACTIVE_SCAN_CHANNEL_US: u64 = 120_000;
/// Passive scan time per channel (ESP-IDF's default).
pub const PASSIVE_SCAN_CHANNEL_US: u64 = 360_000;
/// Channels a scan covers.
pub const CHANNELS: u64 = 13;

/// `WLAN.STA`.
pub const MODE_STA: u8 = 1;
/// `WLAN.AP`.
pub const MODE_AP: u8 = 2;
/// `WLAN.STA_AP`.
pub const MODE_STA_AP: u8 = 3;

/// What the station is to join.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The network's name.
    pub ssid: String,
    /// Only this access point, if given.
    pub bssid: Option<[u8; 6]>,
    /// The `auth` mode given (`WLAN.WPA2`...), if any.
    pub auth: Option<u8>,
    /// The key given, if any.
    pub key: Option<String>,
}

/// The board's own access point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnAccessPoint {
    /// Its SSID.
    pub ssid: String,
    /// Its `wifi_auth_mode_t`.
    pub auth: u8,
    /// Its key, if secured.
    pub key: Option<String>,
    /// Its channel.
    pub channel: u8,
    /// Whether it hides its SSID.
    pub hidden: bool,
}

/// How `WLAN.init()` (or the config block at boot) sets the radio up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// `WLAN.STA`, `WLAN.AP` or `WLAN.STA_AP`.
    pub mode: u8,
    /// The board's own access point, in AP modes.
    pub access_point: Option<OwnAccessPoint>,
    /// A network to join at once (the config block's station SSID).
    pub join: Option<Target>,
    /// `WLAN.INT_ANT`, `EXT_ANT` or `MAN_ANT`.
    pub antenna: u8,
    /// `WLAN.HT20` or `WLAN.HT40`.
    pub bandwidth: u8,
}

/// One network a scan found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanEntry {
    /// Its SSID (empty if hidden).
    pub ssid: String,
    /// Its BSSID.
    pub bssid: [u8; 6],
    /// Its `wifi_auth_mode_t`.
    pub auth: u8,
    /// Its channel.
    pub channel: u8,
    /// Its signal, dBm.
    pub rssi: i32,
}

/// What a scan looks for and how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanFilter {
    /// Only this SSID.
    pub ssid: Option<String>,
    /// Only this BSSID.
    pub bssid: Option<[u8; 6]>,
    /// Only this channel.
    pub channel: Option<u8>,
    /// Hidden networks too.
    pub show_hidden: bool,
    /// Listen only (the default while connected).
    pub passive: Option<bool>,
    /// Per-channel time, µs (`scantime`).
    pub channel_us: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Station {
    Idle,
    Joining { target: Target, since_us: u64, timeout_at: Option<u64> },
    Joined { target: Target, ap: usize, at_us: u64 },
    TimedOut,
}

/// The Wi-Fi radio.
#[derive(Clone, Debug)]
pub struct Wifi {
    access_points: Vec<AccessPointSpec>,
    started: bool,
    mode: u8,
    antenna: u8,
    bandwidth: u8,
    own: Option<OwnAccessPoint>,
    station: Station,
    static_station: Option<Link>,
    hostname: Option<String>,
}

impl Default for Wifi {
    fn default() -> Self {
        Self {
            access_points: Vec::new(),
            started: false,
            mode: MODE_STA,
            antenna: 0,
            bandwidth: 2,
            own: None,
            station: Station::Idle,
            static_station: None,
            hostname: None,
        }
    }
}

/// The connection timeout passed before the station got a lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectTimedOut;

impl Wifi {
    /// Puts an access point within the board's reach.
    pub fn add_access_point(&mut self, spec: AccessPointSpec) {
        self.access_points.retain(|ap| ap.ssid != spec.ssid || ap.bssid_bytes() != spec.bssid_bytes());
        self.access_points.push(spec);
    }

    /// The chip restarted: the radio is off (the access points stay around).
    pub fn power_off(&mut self) {
        *self = Self { access_points: std::mem::take(&mut self.access_points), ..Self::default() };
    }

    /// Whether `WLAN` was set up and not deinitialised.
    pub fn started(&self) -> bool {
        self.started
    }

    /// Starts the radio as `setup` says, at device time `now_us`.
    pub fn init(&mut self, setup: Setup, now_us: u64) {
        self.started = true;
        self.mode = setup.mode;
        self.antenna = setup.antenna;
        self.bandwidth = setup.bandwidth;
        self.own = if setup.mode == MODE_STA { None } else { setup.access_point };
        self.station = match setup.join {
            Some(target) if setup.mode != MODE_AP => {
                // The firmware joins the stored network with a 30 s timeout.
                Station::Joining { target, since_us: now_us, timeout_at: Some(now_us + 30_000_000) }
            }
            _ => Station::Idle,
        };
    }

    /// `WLAN.deinit()`: the radio stops.
    pub fn deinit(&mut self) {
        self.power_off();
    }

    /// The mode (`WLAN.STA`...).
    pub fn mode(&self) -> u8 {
        self.mode
    }

    /// Changes the mode: the board's access point stops outside AP modes.
    pub fn set_mode(&mut self, mode: u8) {
        self.mode = mode;
        if mode == MODE_STA {
            self.own = None;
        }
        if mode == MODE_AP {
            self.station = Station::Idle;
        }
    }

    /// The antenna setting.
    pub fn antenna(&self) -> u8 {
        self.antenna
    }

    /// Selects the antenna.
    pub fn set_antenna(&mut self, antenna: u8) {
        self.antenna = antenna;
    }

    /// The bandwidth setting.
    pub fn bandwidth(&self) -> u8 {
        self.bandwidth
    }

    /// Sets the bandwidth.
    pub fn set_bandwidth(&mut self, bandwidth: u8) {
        self.bandwidth = bandwidth;
    }

    /// The board's own access point, if it runs one.
    pub fn own_access_point(&self) -> Option<&OwnAccessPoint> {
        self.own.as_ref()
    }

    /// Changes the board's own access point (`ssid()`, `auth()`, `channel()` setters).
    pub fn own_access_point_mut(&mut self) -> Option<&mut OwnAccessPoint> {
        self.own.as_mut()
    }

    /// The hostname set with `connect(hostname=)`, if any.
    pub fn hostname(&self) -> Option<&str> {
        self.hostname.as_deref()
    }

    /// Sets the hostname.
    pub fn set_hostname(&mut self, hostname: String) {
        self.hostname = Some(hostname);
    }

    /// `WLAN.connect()`: starts joining `target` at `now_us`, giving up at
    /// `timeout_us` after it if given.
    pub fn connect(&mut self, target: Target, timeout_us: Option<u64>, now_us: u64) {
        let timeout_at = timeout_us.map(|t| now_us + t);
        self.station = Station::Joining { target, since_us: now_us, timeout_at };
    }

    /// `WLAN.disconnect()`: leaves the network and stops trying.
    pub fn disconnect(&mut self) {
        self.station = Station::Idle;
    }

    /// `WLAN.isconnected()` at `now_us`: the station holds a lease. A
    /// connection timeout that passed is reported once.
    pub fn is_connected(&mut self, now_us: u64) -> Result<bool, ConnectTimedOut> {
        let leased = self.leased(now_us);
        if self.station == Station::TimedOut {
            self.station = Station::Idle;
            return Err(ConnectTimedOut);
        }
        Ok(leased)
    }

    /// The access point the station is associated with at `now_us`.
    pub fn joined(&mut self, now_us: u64) -> Option<&AccessPointSpec> {
        self.advance(now_us);
        match &self.station {
            Station::Joined { ap, .. } => self.access_points.get(*ap),
            _ => None,
        }
    }

    /// Sets (or with `None`, clears back to DHCP) a static station address.
    pub fn set_static_station(&mut self, link: Option<Link>) {
        self.static_station = link;
    }

    /// The interfaces that are up at `now_us`.
    pub fn interfaces(&mut self, now_us: u64) -> Interfaces {
        let leased = self.leased(now_us);
        Interfaces {
            station: leased.then(|| self.static_station.unwrap_or(Link::station())),
            access_point: self.own.as_ref().filter(|_| self.started).map(|_| Link::access_point()),
        }
    }

    /// Whether the station holds its DHCP lease at `now_us`.
    fn leased(&mut self, now_us: u64) -> bool {
        self.advance(now_us);
        matches!(self.station, Station::Joined { at_us, .. } if now_us >= at_us + DHCP_US)
    }

    /// `WLAN.scan()` at `now_us`: the networks in range and how long the scan takes.
    pub fn scan(&mut self, filter: &ScanFilter, now_us: u64) -> (Vec<ScanEntry>, u64) {
        let connected = self.leased(now_us);
        let passive = filter.passive.unwrap_or(connected);
        let per_channel =
            filter.channel_us.unwrap_or(if passive { PASSIVE_SCAN_CHANNEL_US } else { ACTIVE_SCAN_CHANNEL_US });
        let channels = if filter.channel.is_some() { 1 } else { CHANNELS };
        let now_ms = now_us / 1000;
        let mut found: Vec<ScanEntry> = self
            .access_points
            .iter()
            .filter(|ap| ap.present_at(now_ms))
            .filter(|ap| filter.show_hidden || !ap.hidden)
            .filter(|ap| filter.ssid.as_ref().is_none_or(|s| *s == ap.ssid))
            .filter(|ap| filter.channel.is_none_or(|c| c == ap.channel))
            .filter_map(|ap| {
                let bssid = ap.bssid_bytes().ok()?;
                filter.bssid.is_none_or(|b| b == bssid).then(|| ScanEntry {
                    ssid: if ap.hidden { String::new() } else { ap.ssid.clone() },
                    bssid,
                    auth: ap.security().auth(),
                    channel: ap.channel,
                    rssi: ap.rssi,
                })
            })
            .collect();
        found.sort_by_key(|e| std::cmp::Reverse(e.rssi));
        (found, per_channel * channels)
    }

    /// Brings the station's state up to `now_us`.
    fn advance(&mut self, now_us: u64) {
        loop {
            let next = match &self.station {
                Station::Joining { target, since_us, timeout_at } => {
                    let join = self.earliest_join(target, *since_us);
                    match (join, *timeout_at) {
                        (join, Some(timeout))
                            if join.is_none_or(|(_, at)| at + DHCP_US > timeout) && now_us >= timeout =>
                        {
                            Station::TimedOut
                        }
                        (Some((ap, at)), _) if at <= now_us => {
                            Station::Joined { target: target.clone(), ap, at_us: at }
                        }
                        _ => return,
                    }
                }
                Station::Joined { target, ap, at_us } => {
                    match self.access_points[*ap].next_away(*at_us / 1000).map(|ms| ms * 1000) {
                        Some(gone) if gone <= now_us => {
                            Station::Joining { target: target.clone(), since_us: gone, timeout_at: None }
                        }
                        _ => return,
                    }
                }
                Station::Idle | Station::TimedOut => return,
            };
            self.station = next;
        }
    }

    /// The access point `target` can join first from `since_us`, and when it associates.
    fn earliest_join(&self, target: &Target, since_us: u64) -> Option<(usize, u64)> {
        self.access_points
            .iter()
            .enumerate()
            .filter(|(_, ap)| ap.ssid == target.ssid && accepts(ap, target))
            .filter(|(_, ap)| target.bssid.is_none_or(|b| ap.bssid_bytes() == Ok(b)))
            .filter_map(|(i, ap)| {
                let in_range_ms = ap.next_present(since_us / 1000)?;
                Some((i, (in_range_ms * 1000).max(since_us) + JOIN_US))
            })
            .min_by_key(|&(_, at)| at)
    }
}

/// Whether `ap` lets `target` in: an open network anyone, a secured one the
/// right key (WPA2-Enterprise only when asked for).
fn accepts(ap: &AccessPointSpec, target: &Target) -> bool {
    match ap.security() {
        Security::Open => true,
        Security::Wpa2Ent => target.auth == Some(Security::Wpa2Ent.auth()) && target.key == ap.password,
        _ => target.key.is_some() && target.key == ap.password,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wifi_with(toml_text: &str) -> Wifi {
        let mut wifi = Wifi::default();
        wifi.add_access_point(toml::from_str(toml_text).unwrap());
        wifi.init(Setup { mode: MODE_STA, access_point: None, join: None, antenna: 0, bandwidth: 2 }, 0);
        wifi
    }

    fn target(key: &str) -> Target {
        Target { ssid: "net".into(), bssid: None, auth: Some(3), key: Some(key.into()) }
    }

    #[test]
    fn the_right_key_gets_a_lease_after_association_and_dhcp() {
        let mut wifi = wifi_with("ssid = \"net\"\npassword = \"secret123\"");
        wifi.connect(target("secret123"), None, 1_000);
        assert_eq!(wifi.is_connected(1_000 + JOIN_US + DHCP_US - 1), Ok(false));
        assert_eq!(wifi.is_connected(1_000 + JOIN_US + DHCP_US), Ok(true));
        assert!(wifi.interfaces(1_000 + JOIN_US + DHCP_US).station.is_some());
    }

    #[test]
    fn a_wrong_key_never_joins_and_the_timeout_is_reported_once() {
        let mut wifi = wifi_with("ssid = \"net\"\npassword = \"secret123\"");
        wifi.connect(target("wrong-key"), Some(5_000_000), 0);
        assert_eq!(wifi.is_connected(4_999_999), Ok(false));
        assert_eq!(wifi.is_connected(5_000_000), Err(ConnectTimedOut));
        assert_eq!(wifi.is_connected(6_000_000), Ok(false));
    }

    #[test]
    fn the_connection_drops_while_the_access_point_is_away_and_comes_back_after() {
        let mut wifi = wifi_with("ssid = \"net\"\naway = [{ from_ms = 10000, until_ms = 20000 }]");
        wifi.connect(Target { ssid: "net".into(), bssid: None, auth: None, key: None }, None, 0);
        assert_eq!(wifi.is_connected(9_999_000), Ok(true));
        assert_eq!(wifi.is_connected(10_000_000), Ok(false));
        assert!(wifi.interfaces(15_000_000).station.is_none());
        assert_eq!(wifi.is_connected(20_000_000 + JOIN_US + DHCP_US), Ok(true));
    }

    #[test]
    fn a_scan_lists_what_is_in_range_strongest_first() {
        let mut wifi = wifi_with("ssid = \"weak\"\nrssi = -80");
        wifi.add_access_point(toml::from_str("ssid = \"strong\"\nrssi = -40\nchannel = 11").unwrap());
        wifi.add_access_point(toml::from_str("ssid = \"gone\"\naway = [{ from_ms = 0 }]").unwrap());
        let (found, took) = wifi.scan(&ScanFilter::default(), 0);
        let names: Vec<&str> = found.iter().map(|e| e.ssid.as_str()).collect();
        assert_eq!(names, ["strong", "weak"]);
        assert_eq!(took, CHANNELS * ACTIVE_SCAN_CHANNEL_US);
    }
}
