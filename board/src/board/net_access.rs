//! The board's Wi-Fi radio and the IP interfaces it brings up.

use std::sync::Arc;

use pycom_formats::config_block::{StoredWifiMode, WIFI_PWD_AP, WIFI_PWD_STA, WIFI_SSID_AP, WIFI_SSID_STA};

use super::Board;
use crate::net::servers::Servers;
use crate::net::{HostNet, Interfaces};
use crate::wifi::{self, AccessPointSpec, OwnAccessPoint, Setup, Target, Wifi};

/// `WLAN.INT_ANT`.
const INTERNAL_ANTENNA: u8 = 0;
/// `WLAN.EXT_ANT`.
const EXTERNAL_ANTENNA: u8 = 1;
/// `WLAN.HT40`, the bandwidth at boot.
const HT40: u8 = 2;
/// The channel of the access point the firmware starts at boot.
const DEFAULT_AP_CHANNEL: u8 = 6;
/// Its password when the config block names no SSID.
const DEFAULT_AP_PASSWORD: &str = "www.pycom.io";
/// `WIFI_AUTH_OPEN`.
const AUTH_OPEN: u8 = 0;

impl Board {
    /// The interfaces that are up now.
    pub fn interfaces(&mut self) -> Interfaces {
        let now = self.clock.now_us();
        self.wifi.interfaces(now)
    }

    /// The Wi-Fi radio (pass it [`Board::now_us`] where it asks for the time).
    pub fn wifi(&mut self) -> &mut Wifi {
        &mut self.wifi
    }

    /// The Telnet and FTP servers' settings.
    pub fn servers(&self) -> &Servers {
        &self.servers
    }

    /// The servers' settings, for `network.Server`.
    pub fn servers_mut(&mut self) -> &mut Servers {
        &mut self.servers
    }

    /// Puts a board file's access point within reach.
    pub fn add_access_point(&mut self, spec: AccessPointSpec) {
        self.wifi.add_access_point(spec);
    }

    /// The SSID the board's access point gets at boot: `NAME` with the last two
    /// bytes of the station MAC appended as `-xxxx`, as `wlan_set_ssid_internal`
    /// does for the config block's settings.
    fn boot_ssid(&self, name: &str) -> String {
        let mac = self.base_mac;
        format!("{name}-{:02x}{:02x}", mac[4], mac[5])
    }

    /// Hard boot with Wi-Fi on boot: starts the radio from the config block as
    /// `mptask_config_wifi` does (AP `MODEL-wlan-xxxx` / `www.pycom.io` when
    /// no SSID is stored; a stored station SSID is joined with a 30 s timeout).
    pub(super) fn start_wifi_from_config(&mut self) {
        let block = self.config.block().clone();
        let text = |field| block.text(field).map(|b: &[u8]| String::from_utf8_lossy(b).into_owned());
        let antenna = if block.wifi_antenna_internal() { INTERNAL_ANTENNA } else { EXTERNAL_ANTENNA };
        let auth = block.wifi_auth();
        let now = self.clock.now_us();
        let setup = match block.wifi_mode() {
            StoredWifiMode::Ap | StoredWifiMode::None => {
                let (ssid, key, auth) = match (text(WIFI_SSID_AP), text(WIFI_PWD_AP)) {
                    (None, _) => (format!("{}-wlan", self.model), Some(DEFAULT_AP_PASSWORD.to_owned()), auth),
                    (Some(ssid), Some(key)) if !key.is_empty() => (ssid, Some(key), auth),
                    (Some(ssid), _) => (ssid, None, AUTH_OPEN),
                };
                let ssid = self.boot_ssid(&ssid);
                let own = OwnAccessPoint { ssid, auth, key, channel: DEFAULT_AP_CHANNEL, hidden: false };
                Setup { mode: wifi::MODE_AP, access_point: Some(own), join: None, antenna, bandwidth: HT40 }
            }
            mode @ (StoredWifiMode::Sta | StoredWifiMode::ApSta) => {
                let (ssid_sta, ssid_ap) = (text(WIFI_SSID_STA), text(WIFI_SSID_AP));
                if ssid_sta.is_none() && ssid_ap.is_none() {
                    return;
                }
                let join = ssid_sta.map(|ssid| Target { ssid, bssid: None, auth: Some(auth), key: text(WIFI_PWD_STA) });
                let both = mode == StoredWifiMode::ApSta;
                let own = ssid_ap.filter(|_| both).map(|ssid| OwnAccessPoint {
                    ssid: self.boot_ssid(&ssid),
                    auth,
                    key: text(WIFI_PWD_AP),
                    channel: 0,
                    hidden: false,
                });
                let mode = if both { wifi::MODE_STA_AP } else { wifi::MODE_STA };
                Setup { mode, access_point: own, join, antenna, bandwidth: HT40 }
            }
        };
        self.wifi.init(setup, now);
    }

    /// How the board's sockets reach the host (policy, forwarded ports).
    pub fn host_net(&self) -> &Arc<HostNet> {
        &self.host_net
    }

    /// Sets how the board's sockets reach the host; before it boots.
    pub fn set_host_net(&mut self, net: HostNet) {
        self.host_net = Arc::new(net);
    }
}
