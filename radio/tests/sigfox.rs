//! Sigfox uplink durations and the virtual backend's message log and
//! downlinks.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use pycom_radio::sigfox::{
    DOWNLINK_WAIT_US, DOWNLINK_WINDOW_US, PayloadTooLong, SigfoxBackend, frame_duration_us, uplink_duration_us,
};
use serde_json::Value;

/// A log the test can read back.
#[derive(Clone, Default)]
struct SharedLog(Arc<Mutex<Vec<u8>>>);

impl Write for SharedLog {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl SharedLog {
    fn lines(&self) -> Vec<Value> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
    }
}

#[test]
fn a_12_byte_frame_is_208_bits_which_takes_2_08_s_at_100_bps_in_rcz1() {
    assert_eq!(frame_duration_us(12, 1), 2_080_000);
    assert_eq!(frame_duration_us(0, 3), 1_120_000);
}

#[test]
fn an_uplink_is_three_repetitions_half_a_second_apart() {
    assert_eq!(uplink_duration_us(12, 1), 3 * 2_080_000 + 2 * 500_000);
    assert_eq!(uplink_duration_us(12, 3), uplink_duration_us(12, 1));
}

#[test]
fn rcz2_and_rcz4_send_at_600_bps() {
    assert_eq!(frame_duration_us(12, 2), 346_667);
    assert_eq!(uplink_duration_us(12, 4), 3 * 346_667 + 2 * 500_000);
}

#[test]
fn the_downlink_window_opens_20_s_after_the_uplink_and_lasts_25_s() {
    assert_eq!(DOWNLINK_WAIT_US, 20_000_000);
    assert_eq!(DOWNLINK_WINDOW_US, 25_000_000);
}

#[test]
fn the_backend_logs_one_json_line_per_message() {
    let log = SharedLog::default();
    let mut backend = SigfoxBackend::new(Box::new(log.clone()));
    assert_eq!(backend.uplink(0x001D_2F3A, 7, &[0xca, 0xfe], false, 1_500_000).unwrap(), None);
    assert_eq!(backend.uplink(0x001D_2F3A, 8, &[], false, 9_000_000).unwrap(), None);
    let lines = log.lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0],
        serde_json::json!({"time_us": 1_500_000, "device": "001d2f3a", "data": "cafe", "seq": 7, "ack": false})
    );
    assert_eq!(lines[1]["data"], "");
}

#[test]
fn a_downlink_request_gets_the_data_set_for_the_device() {
    let log = SharedLog::default();
    let mut backend = SigfoxBackend::new(Box::new(log.clone()));
    backend.set_downlink(42, *b"8 bytes!");
    assert_eq!(backend.uplink(42, 1, b"hi", true, 0).unwrap(), Some(*b"8 bytes!"));
    assert_eq!(backend.uplink(42, 2, b"again", true, 0).unwrap(), Some(*b"8 bytes!"), "the data stays set");
    let lines = log.lines();
    assert_eq!(lines[0]["ack"], true);
    assert_eq!(lines[0]["downlink"], hex_of(b"8 bytes!"));
}

#[test]
fn a_device_without_downlink_data_gets_its_id_and_sequence_number_back() {
    let mut backend = SigfoxBackend::new(Box::new(io::sink()));
    assert_eq!(backend.uplink(0x0102_0304, 0x0506, b"x", true, 0).unwrap(), Some([1, 2, 3, 4, 5, 6, 0, 0]));
}

#[test]
fn a_payload_longer_than_12_bytes_is_refused_and_not_logged() {
    let log = SharedLog::default();
    let mut backend = SigfoxBackend::new(Box::new(log.clone()));
    let refused = backend.uplink(1, 1, &[0; 13], true, 0).unwrap_err();
    assert_eq!(refused.kind(), io::ErrorKind::InvalidInput);
    let why = refused.get_ref().and_then(|e| e.downcast_ref::<PayloadTooLong>());
    assert_eq!(why, Some(&PayloadTooLong { len: 13 }));
    assert_eq!(refused.to_string(), "a Sigfox payload holds at most 12 bytes, not 13");
    assert!(backend.uplink(1, 2, &[0; 12], false, 0).is_ok());
    assert_eq!(log.lines().len(), 1);
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
