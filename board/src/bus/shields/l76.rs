//! Quectel L76-L GNSS receiver on I2C (address 0x10), as Pycom's `L76GNSS`
//! library reads it: a read returns the next bytes of the NMEA stream, and
//! LF (0x0A) bytes once the stream has been read out; writes (PMTK commands)
//! are taken and ignored. At the start of every second of device time the
//! receiver adds that second's RMC, GGA and GLL sentences to its buffer (1 KB:
//! when full, the oldest bytes go); until the time to first fix they have no
//! position.

use std::collections::VecDeque;

use serde::Deserialize;

use super::knobs::Hand;
use super::nmea::{self, Fix};
use crate::bus::{Ack, I2cTarget};

/// The receiver's address.
pub(super) const ADDRESS: u8 = 0x10;
/// The UTC time the receiver reports at device time 0 (2021-01-01 00:00:00).
const UTC_AT_POWER_ON_S: u64 = 1_609_459_200;
/// Bytes the receiver buffers.
const BUFFER: usize = 1024;
/// What a read gets when nothing is buffered.
const IDLE: u8 = b'\n';

/// Where the receiver is: one place, or a track of places over device time.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(
    untagged,
    expecting = "a position { lat = ..., lon = ... }, or a track [{ at_ms = ..., lat = ..., lon = ... }, ...]"
)]
pub enum Position {
    /// Always here.
    Fixed(Place),
    /// Each point from its time until the next one's (the first also before its time).
    Track(Vec<TrackPoint>),
}

/// A place in degrees: latitude -90 to 90 (north positive), longitude -180
/// to 180 (east positive).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// A point of a track.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackPoint {
    /// When the receiver gets there, in ms of device time since power-on.
    pub at_ms: f64,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

impl Position {
    /// Says what is wrong with the position, if anything.
    pub(super) fn problem(&self) -> Option<String> {
        let points: Vec<TrackPoint> = match self {
            Self::Fixed(p) => vec![TrackPoint { at_ms: 0.0, lat: p.lat, lon: p.lon }],
            Self::Track(points) => points.clone(),
        };
        if points.is_empty() {
            return Some("position: a track needs at least one point".to_owned());
        }
        points.iter().find_map(|p| {
            if [p.at_ms, p.lat, p.lon].iter().any(|v| v.is_nan()) {
                Some("position: values and times must be numbers, not NaN".to_owned())
            } else if p.at_ms < 0.0 {
                Some(format!("position: point times must not be negative, not {}", p.at_ms))
            } else if !(-90.0..=90.0).contains(&p.lat) {
                Some(format!("position: latitude {} is out of range (-90 to 90)", p.lat))
            } else if !(-180.0..=180.0).contains(&p.lon) {
                Some(format!("position: longitude {} is out of range (-180 to 180)", p.lon))
            } else {
                None
            }
        })
    }

    /// Where the receiver is at `now_us`, as the board file says.
    pub(super) fn at(&self, now_us: u64) -> Fix {
        match self {
            Self::Fixed(p) => Fix { lat: p.lat, lon: p.lon },
            Self::Track(points) => {
                let now_ms = now_us as f64 / 1000.0;
                let first = points.first().map_or(Fix { lat: 0.0, lon: 0.0 }, |p| Fix { lat: p.lat, lon: p.lon });
                points.iter().filter(|p| p.at_ms <= now_ms).fold(first, |_, p| Fix { lat: p.lat, lon: p.lon })
            }
        }
    }
}

#[derive(Debug)]
pub(super) struct L76 {
    position: Position,
    /// Hands on the latitude and longitude (the web view's).
    place: [Hand; 2],
    first_fix_us: u64,
    buffer: VecDeque<u8>,
    /// The second of device time whose sentences come next.
    next_second: u64,
}

impl L76 {
    /// A receiver at `position` (unless the hands on its latitude and
    /// longitude `place` say otherwise), with a fix from `first_fix_us` of
    /// device time on.
    pub(super) fn new(position: Position, first_fix_us: u64, place: [Hand; 2]) -> Self {
        Self { position, place, first_fix_us, buffer: VecDeque::new(), next_second: 0 }
    }

    /// Where the receiver is at `now_us`.
    fn fix_at(&self, now_us: u64) -> Fix {
        let file = self.position.at(now_us);
        let [lat, lon] = self.place.each_ref().map(Hand::get);
        Fix { lat: lat.unwrap_or(file.lat), lon: lon.unwrap_or(file.lon) }
    }

    /// Buffers the sentences of every second begun since the last ones
    /// (those of a second start at its beginning).
    fn print_due(&mut self, now_us: u64) {
        let second = now_us / 1_000_000;
        // Older seconds would not fit in the buffer.
        let first = self.next_second.max(second.saturating_sub(BUFFER as u64 / 100));
        for s in first..=second {
            let start_us = s * 1_000_000;
            let fix = (start_us >= self.first_fix_us).then(|| self.fix_at(start_us));
            self.buffer.extend(nmea::burst(UTC_AT_POWER_ON_S + s, fix).bytes());
        }
        let excess = self.buffer.len().saturating_sub(BUFFER);
        self.buffer.drain(..excess);
        self.next_second = self.next_second.max(second + 1);
    }
}

impl I2cTarget for L76 {
    fn address(&self) -> u8 {
        ADDRESS
    }

    fn start(&mut self, _now_us: u64, _read: bool) -> Ack {
        Ack::Ack
    }

    fn write(&mut self, _now_us: u64, _byte: u8) -> Ack {
        Ack::Ack
    }

    fn read(&mut self, now_us: u64) -> u8 {
        self.print_due(now_us);
        self.buffer.pop_front().unwrap_or(IDLE)
    }

    fn stop(&mut self, _now_us: u64) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_out(gnss: &mut L76, now_us: u64) -> String {
        gnss.print_due(now_us);
        let bytes: Vec<u8> = (0..gnss.buffer.len()).map(|_| gnss.read(now_us)).collect();
        String::from_utf8(bytes).expect("ASCII")
    }

    #[test]
    fn sentences_have_no_position_before_the_first_fix_and_the_tracks_after() {
        let track = Position::Track(vec![
            TrackPoint { at_ms: 0.0, lat: 51.5, lon: -0.125 },
            TrackPoint { at_ms: 5000.0, lat: -33.75, lon: 151.25 },
        ]);
        let mut gnss = L76::new(track, 2_000_000, Default::default());
        assert!(read_out(&mut gnss, 1_500_000).contains("$GNGLL,,,,,000001.000,V,N*"));
        assert!(read_out(&mut gnss, 3_000_000).contains("$GNGLL,5130.0000,N,00007.5000,W,000003.000,A,A*"));
        assert!(read_out(&mut gnss, 6_000_000).contains("$GNGLL,3345.0000,S,15115.0000,E,000006.000,A,A*"));
        assert_eq!(gnss.read(6_000_000), IDLE);
    }

    #[test]
    fn a_place_set_by_hand_is_where_the_next_seconds_fix_is() {
        let place = [Hand::default(), Hand::default()];
        let mut values = super::super::ShieldValues::default();
        values.other("latitude", "°", -90.0..=90.0, &place[0], std::sync::Arc::new(|_| 51.5));
        values.other("longitude", "°", -180.0..=180.0, &place[1], std::sync::Arc::new(|_| -0.125));
        let mut gnss = L76::new(Position::Fixed(Place { lat: 51.5, lon: -0.125 }), 0, place);
        assert!(read_out(&mut gnss, 1_000_000).contains("$GNGLL,5130.0000,N,00007.5000,W,000001.000,A,A*"));
        values.set("latitude", -33.75).unwrap();
        values.set("longitude", 151.25).unwrap();
        assert!(values.set("longitude", 181.0).is_err());
        assert!(read_out(&mut gnss, 2_000_000).contains("$GNGLL,3345.0000,S,15115.0000,E,000002.000,A,A*"));
    }

    #[test]
    fn the_buffer_keeps_the_newest_kilobyte() {
        let mut gnss = L76::new(Position::Fixed(Place { lat: 1.0, lon: 2.0 }), 0, Default::default());
        gnss.print_due(19_000_000);
        assert_eq!(gnss.buffer.len(), BUFFER);
        let last = nmea::sentence("GNGLL,0100.0000,N,00200.0000,E,000019.000,A,A");
        assert!(read_out(&mut gnss, 19_000_000).ends_with(&last));
    }
}
