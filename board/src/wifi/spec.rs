//! Board-file `[[wifi]]` entries: the access points around the board.

use serde::Deserialize;

/// An access point the board can see and join.
///
/// ```toml
/// [[wifi]]
/// ssid = "pycom-net"
/// password = "secret123"     # none: an open network
/// security = "wpa2"          # open, wep, wpa, wpa2 (the default with a password), wpa_wpa2, wpa2_ent
/// rssi = -60                 # dBm, as scan() reports it
/// channel = 6
/// away = [{ from_ms = 60000, until_ms = 90000 }]   # out of range (until_ms left out: for good)
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessPointSpec {
    /// The network's name, 1 to 32 bytes.
    pub ssid: String,
    /// The WPA passphrase (8 to 63 characters) or WEP key; none for an open network.
    #[serde(default)]
    pub password: Option<String>,
    /// Its security; WPA2 with a password, open without.
    #[serde(default)]
    pub security: Option<Security>,
    /// Signal strength in dBm.
    #[serde(default = "default_rssi")]
    pub rssi: i32,
    /// Channel, 1 to 13.
    #[serde(default = "default_channel")]
    pub channel: u8,
    /// BSSID as `aa:bb:cc:dd:ee:ff`; made up from the SSID if left out.
    #[serde(default)]
    pub bssid: Option<String>,
    /// Whether it hides its SSID (scan shows it only with `show_hidden`).
    #[serde(default)]
    pub hidden: bool,
    /// Device times when it is out of range.
    #[serde(default)]
    pub away: Vec<Away>,
}

/// A stretch of device time when an access point cannot be reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Away {
    /// When it goes out of range, ms since power-on.
    pub from_ms: u64,
    /// When it is back; never if left out.
    #[serde(default)]
    pub until_ms: Option<u64>,
}

/// The security of an access point, with ESP-IDF's `wifi_auth_mode_t` values
/// (`WLAN.WEP` = 1, `WLAN.WPA` = 2, `WLAN.WPA2` = 3, `WLAN.WPA2_ENT` = 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    /// No password.
    Open,
    /// WEP.
    Wep,
    /// WPA-PSK.
    Wpa,
    /// WPA2-PSK.
    Wpa2,
    /// WPA/WPA2-PSK.
    WpaWpa2,
    /// WPA2-Enterprise.
    Wpa2Ent,
}

impl Security {
    /// Its `wifi_auth_mode_t` value, as `scan()` reports it.
    pub fn auth(self) -> u8 {
        match self {
            Security::Open => 0,
            Security::Wep => 1,
            Security::Wpa => 2,
            Security::Wpa2 => 3,
            Security::WpaWpa2 => 4,
            Security::Wpa2Ent => 5,
        }
    }
}

fn default_rssi() -> i32 {
    -60
}

fn default_channel() -> u8 {
    6
}

impl AccessPointSpec {
    /// Its security, with the default filled in.
    pub fn security(&self) -> Security {
        self.security.unwrap_or(if self.password.is_some() { Security::Wpa2 } else { Security::Open })
    }

    /// Its BSSID: the one given, or a locally administered address made from the SSID.
    pub fn bssid_bytes(&self) -> Result<[u8; 6], String> {
        match &self.bssid {
            Some(text) => parse_mac(text).ok_or_else(|| format!("bssid {text:?} is not like aa:bb:cc:dd:ee:ff")),
            None => {
                let hash = self
                    .ssid
                    .bytes()
                    .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
                let b = hash.to_be_bytes();
                Ok([0x02, b[1], b[2], b[3], b[4], b[5]])
            }
        }
    }

    /// Whether it is in range at `now_ms`.
    pub fn present_at(&self, now_ms: u64) -> bool {
        !self.away.iter().any(|a| now_ms >= a.from_ms && a.until_ms.is_none_or(|until| now_ms < until))
    }

    /// The first time at or after `from_ms` when it is in range, if ever.
    pub fn next_present(&self, from_ms: u64) -> Option<u64> {
        let mut t = from_ms;
        // Each step leaves one stretch away; there are only so many.
        for _ in 0..=self.away.len() {
            if self.present_at(t) {
                return Some(t);
            }
            let leaving = self.away.iter().filter(|a| t >= a.from_ms && a.until_ms.is_none_or(|u| t < u));
            t = leaving.map(|a| a.until_ms).max()??;
        }
        None
    }

    /// The first time after `from_ms` when it goes out of range, if ever.
    pub fn next_away(&self, from_ms: u64) -> Option<u64> {
        self.away.iter().map(|a| a.from_ms).filter(|&at| at > from_ms).min()
    }

    /// What is wrong with the entry, if anything.
    pub fn problem(&self) -> Option<String> {
        let security = self.security();
        if self.ssid.is_empty() || self.ssid.len() > 32 {
            return Some(format!("wifi ssid {:?} must be 1 to 32 bytes", self.ssid));
        }
        if !(1..=13).contains(&self.channel) {
            return Some(format!("wifi {:?}: channel {} is not 1 to 13", self.ssid, self.channel));
        }
        match (&self.password, security) {
            (Some(_), Security::Open) => return Some(format!("wifi {:?}: an open network has no password", self.ssid)),
            (None, s) if s != Security::Open => {
                return Some(format!("wifi {:?}: a secured network needs a password", self.ssid));
            }
            (Some(p), Security::Wpa | Security::Wpa2 | Security::WpaWpa2) if !(8..=63).contains(&p.len()) => {
                return Some(format!("wifi {:?}: a WPA passphrase has 8 to 63 characters", self.ssid));
            }
            _ => {}
        }
        if let Err(e) = self.bssid_bytes() {
            return Some(format!("wifi {:?}: {e}", self.ssid));
        }
        self.away.iter().find(|a| a.until_ms.is_some_and(|u| u <= a.from_ms)).map(|a| {
            format!(
                "wifi {:?}: away until_ms {} is not after from_ms {}",
                self.ssid,
                a.until_ms.unwrap_or(0),
                a.from_ms
            )
        })
    }
}

/// `aa:bb:cc:dd:ee:ff` as bytes.
fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let parts: Vec<u8> = text.split(':').map(|p| u8::from_str_radix(p, 16).ok()).collect::<Option<_>>()?;
    parts.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(away: Vec<Away>) -> AccessPointSpec {
        toml::from_str::<AccessPointSpec>("ssid = \"net\"").map(|s| AccessPointSpec { away, ..s }).unwrap()
    }

    #[test]
    fn an_access_point_is_away_only_inside_its_stretches() {
        let ap = spec(vec![Away { from_ms: 100, until_ms: Some(200) }, Away { from_ms: 500, until_ms: None }]);
        assert!(ap.present_at(99) && !ap.present_at(100) && !ap.present_at(199) && ap.present_at(200));
        assert_eq!(ap.next_present(150), Some(200));
        assert_eq!(ap.next_present(600), None);
        assert_eq!(ap.next_away(200), Some(500));
    }

    #[test]
    fn defaults_are_an_open_network_on_channel_6_at_minus_60_dbm() {
        let ap = spec(Vec::new());
        assert_eq!((ap.security(), ap.channel, ap.rssi), (Security::Open, 6, -60));
        assert_eq!(ap.bssid_bytes().unwrap()[0], 0x02);
        assert_eq!(ap.problem(), None);
    }
}
