//! The pin bank without Python: how a line resolves from its drivers and pulls,
//! DHT sensors, buttons and waveforms on device time, edge interrupts, hold and
//! reset, pin names, and what the RMT receiver behind `pulses_get` records.

use std::sync::{Arc, Mutex};

use pycom_board::pins::{
    Built, ButtonSpec, Device, DeviceError, DeviceSpec, DhtSpec, IDLE_THRESHOLD_US, Level, PinBank, PinEvent, PinIrq,
    PinMode, PinName, Press, Pull, Schedule, Step, TimedPress, Trigger, WaveformSpec, find_pin, pin_names,
    pulled_down_at_boot,
};
use pycom_board::{Board, BoardModel, BootKind, Clock, ClockMode, DeviceImage, ResetCause};

/// GPIO of `P10` / `G17`, where the examples wire their sensors.
const P10: u8 = 13;
/// Device time from a script's last pin operation to the RMT receiver running.
const RMT_START_US: u64 = 10;
/// A `pulses_get` timeout long enough for any frame here (100 ms).
const TIMEOUT_US: u64 = 100_000;

// ---------------------------------------------------------------- helpers

fn dht_spec(temperature: Schedule, humidity: Schedule, pull_up: bool) -> DhtSpec {
    DhtSpec { pin: "P10".into(), temperature, humidity, pull_up }
}

/// The device a description of a one-pin device builds.
fn on_pin(spec: DeviceSpec) -> Box<dyn Device> {
    match spec.build(BoardModel::Lopy4) {
        Ok(Built::Pin { device, .. }) => device,
        other => panic!("not a one-pin device: {other:?}"),
    }
}

fn dht22(temperature: f64, humidity: f64) -> Box<dyn Device> {
    on_pin(DeviceSpec::Dht22(dht_spec(Schedule::Constant(temperature), Schedule::Constant(humidity), true)))
}

fn waveform(start_ms: f64, levels: &[(u8, u64)], repeat: u32) -> Box<dyn Device> {
    on_pin(DeviceSpec::Waveform(WaveformSpec {
        pin: "P10".into(),
        start_ms,
        levels: levels.to_vec(),
        repeat,
        pull: None,
    }))
}

fn button(presses: Vec<Press>, hold_ms: f64, active_level: u8, pull: Option<Pull>) -> Box<dyn Device> {
    on_pin(DeviceSpec::Button(ButtonSpec { pin: "P10".into(), presses, hold_ms, active_level, pull }))
}

/// A bank with `device` on a `P10` input that has `pull`.
fn bank_with(device: Box<dyn Device>, pull: Option<Pull>) -> PinBank {
    let mut bank = PinBank::default();
    bank.configure(P10, PinMode::Input, pull, 0);
    bank.attach(P10, device);
    bank
}

/// The host's start signal on an open-drain pin: low from `at_us` for `low_us`,
/// then released. Returns the device time of the release.
fn start_signal(bank: &mut PinBank, gpio: u8, pull: Option<Pull>, at_us: u64, low_us: u64) -> u64 {
    bank.configure(gpio, PinMode::OpenDrain, pull, at_us);
    bank.write(gpio, false, at_us);
    bank.write(gpio, true, at_us + low_us);
    at_us + low_us
}

/// A start signal and the capture a script runs right after it.
fn read_sensor(bank: &mut PinBank, at_us: u64, low_us: u64) -> (Vec<(u8, u16)>, u64, u64) {
    let released = start_signal(bank, P10, None, at_us, low_us);
    let start = released + RMT_START_US;
    let (pulses, returns_at) = bank.capture_pulses(P10, start, TIMEOUT_US);
    (pulses, returns_at, released)
}

/// Checks the shape of a DHT frame as `pulses_get` returns it.
fn assert_dht_frame(pulses: &[(u8, u16)]) {
    assert_eq!(pulses.len(), 84, "{pulses:?}");
    assert_eq!(pulses[..3], [(0, 80), (1, 80), (0, 50)], "preamble, then the first bit's low");
    for bit in 0..40 {
        let (level, high_us) = pulses[3 + 2 * bit];
        assert_eq!(level, 1);
        assert!(high_us == 26 || high_us == 70, "bit {bit} is high for {high_us} us");
        assert_eq!(pulses[4 + 2 * bit], (0, 50), "the low after bit {bit}");
    }
    assert_eq!(pulses[83], (1, 0), "the receiver's idle marker");
}

/// The 5 bytes of a DHT frame (26 µs high is a 0, 70 µs a 1).
fn decode(pulses: &[(u8, u16)]) -> [u8; 5] {
    let mut bytes = [0u8; 5];
    for bit in 0..40 {
        let (_, high_us) = pulses[3 + 2 * bit];
        bytes[bit / 8] = bytes[bit / 8] << 1 | u8::from(high_us > 48);
    }
    bytes
}

fn checksum_ok(bytes: [u8; 5]) -> bool {
    bytes[..4].iter().fold(0u8, |sum, b| sum.wrapping_add(*b)) == bytes[4]
}

/// (°C, %RH) of a DHT22 reading.
fn dht22_values(bytes: [u8; 5]) -> (f64, f64) {
    let humidity = f64::from(u16::from_be_bytes([bytes[0], bytes[1]])) / 10.0;
    let magnitude = f64::from(u16::from_be_bytes([bytes[2] & 0x7F, bytes[3]])) / 10.0;
    (if bytes[2] & 0x80 != 0 { -magnitude } else { magnitude }, humidity)
}

/// Device time of a DHT frame's last edge, from the host's release.
fn dht_frame_end(released_us: u64, pulses: &[(u8, u16)]) -> u64 {
    released_us + 30 + pulses.iter().map(|&(_, d)| u64::from(d)).sum::<u64>()
}

fn traced(bank: &mut PinBank) -> Arc<Mutex<Vec<PinEvent>>> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    bank.add_trace(Box::new(move |e| sink.lock().unwrap().push(e)));
    events
}

fn events_of(events: &Mutex<Vec<PinEvent>>, gpio: u8) -> Vec<(u64, Level)> {
    events.lock().unwrap().iter().filter(|e| e.gpio == gpio).map(|e| (e.time_us, e.level)).collect()
}

fn irq_times(irqs: &[PinIrq], gpio: u8) -> Vec<u64> {
    irqs.iter().filter(|irq| irq.gpio == gpio).map(|irq| irq.time_us).collect()
}

// ---------------------------------------------------------------- the line

#[test]
fn an_open_drain_pin_released_with_a_pull_up_reads_high_and_driven_low_reads_low() {
    let mut bank = PinBank::default();
    bank.configure(P10, PinMode::OpenDrain, Some(Pull::Up), 0);
    assert_eq!(bank.level(P10, 0), Level::Low, "the latch starts at 0, so the pin drives low");
    bank.write(P10, true, 10);
    assert_eq!(bank.level(P10, 10), Level::High, "released: the pull-up wins");
    bank.write(P10, false, 20);
    assert_eq!(bank.level(P10, 20), Level::Low);
    bank.configure(P10, PinMode::OpenDrain, None, 30);
    bank.write(P10, true, 30);
    assert_eq!(bank.level(P10, 30), Level::Floating, "released with nothing to pull it up");
}

#[test]
fn an_input_with_nothing_on_its_line_floats_and_a_floating_line_reads_0() {
    let mut bank = PinBank::default();
    assert_eq!(bank.level(4, 0), Level::Floating, "every pin starts as an input without pull");
    bank.configure(4, PinMode::Input, None, 0);
    assert_eq!(bank.level(4, 5), Level::Floating);
    assert!(!Level::Floating.read());
    bank.configure(4, PinMode::Input, Some(Pull::Down), 10);
    assert_eq!(bank.level(4, 10), Level::Low);
    bank.configure(4, PinMode::Input, Some(Pull::Up), 20);
    assert_eq!(bank.level(4, 20), Level::High);
}

#[test]
fn a_push_pull_output_drives_its_latch_over_any_pull() {
    let mut bank = PinBank::default();
    bank.configure(4, PinMode::Output, Some(Pull::Up), 0);
    assert_eq!(bank.level(4, 0), Level::Low);
    bank.configure(4, PinMode::Output, Some(Pull::Down), 10);
    bank.write(4, true, 10);
    assert_eq!(bank.level(4, 10), Level::High);
    assert!(bank.latch(4));
    assert!(bank.take_notes().is_empty());
}

#[test]
fn a_device_pull_up_wins_over_the_chips_pull_down() {
    let mut bank = bank_with(dht22(21.5, 48.0), Some(Pull::Down));
    assert_eq!(bank.level(P10, 0), Level::High);
}

#[test]
fn an_output_driving_high_against_a_device_pulling_low_reads_low_and_is_noted_once() {
    let mut bank = PinBank::default();
    bank.configure(P10, PinMode::Output, None, 0);
    bank.write(P10, true, 0);
    // Low 1..2 ms, high 2..3 ms, low again 3..4 ms.
    bank.attach(P10, waveform(1.0, &[(0, 1_000), (1, 1_000), (0, 1_000)], 1));
    assert_eq!(bank.level(P10, 500), Level::High);
    assert_eq!(bank.level(P10, 1_500), Level::Low, "the low side wins a fight");
    let notes = bank.take_notes();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("GPIO13") && notes[0].contains("1000 us"), "{}", notes[0]);
    assert_eq!(bank.level(P10, 2_500), Level::High);
    assert_eq!(bank.level(P10, 3_500), Level::Low);
    assert!(bank.take_notes().is_empty(), "the same pin fighting again is not noted again");
    assert_eq!(bank.level(P10, 4_500), Level::High, "the waveform let go");
}

// ---------------------------------------------------------------- DHT sensors

#[test]
fn a_dht22_answers_a_1_ms_start_pulse_30_us_after_the_release() {
    let mut bank = bank_with(dht22(21.5, 48.0), None);
    let released = start_signal(&mut bank, P10, None, 1_000, 1_000);
    assert_eq!(bank.level(P10, released), Level::High, "released: the sensor's pull-up");
    assert_eq!(bank.level(P10, released + 29), Level::High);
    assert_eq!(bank.level(P10, released + 30), Level::Low, "80 us low");
    assert_eq!(bank.level(P10, released + 109), Level::Low);
    assert_eq!(bank.level(P10, released + 110), Level::High, "80 us high");
    assert_eq!(bank.level(P10, released + 190), Level::Low, "the first bit's 50 us low");
}

#[test]
fn a_dht22_frame_is_a_preamble_40_bits_a_final_low_and_the_idle_marker() {
    let mut bank = bank_with(dht22(21.5, 48.0), None);
    let (pulses, returns_at, released) = read_sensor(&mut bank, 1_000, 1_000);
    assert_dht_frame(&pulses);
    assert_eq!(pulses[82], (0, 50), "the sensor's final low before it lets go");
    assert_eq!(returns_at, dht_frame_end(released, &pulses) + IDLE_THRESHOLD_US);
    assert_eq!(IDLE_THRESHOLD_US, 65_535);
    assert_eq!(bank.now_us(), returns_at, "the bank was simulated up to the return");
}

#[test]
fn a_dht22_frame_decodes_to_its_readings_with_a_valid_checksum() {
    let mut bank = bank_with(dht22(21.5, 48.0), None);
    let (pulses, ..) = read_sensor(&mut bank, 1_000, 1_000);
    let bytes = decode(&pulses);
    assert_eq!(bytes, [0x01, 0xE0, 0x00, 0xD7, 0xB8]);
    assert!(checksum_ok(bytes));
    assert_eq!(dht22_values(bytes), (21.5, 48.0));
}

#[test]
fn a_negative_temperature_sets_bit_7_of_byte_2() {
    let mut bank = bank_with(dht22(-10.1, 65.2), None);
    let (pulses, ..) = read_sensor(&mut bank, 1_000, 1_000);
    let bytes = decode(&pulses);
    assert_eq!(bytes[2..4], [0x80, 0x65]);
    assert!(checksum_ok(bytes));
    assert_eq!(dht22_values(bytes), (-10.1, 65.2));
}

#[test]
fn a_dht22_reads_again_after_its_frame() {
    let mut bank = bank_with(dht22(30.0, 70.5), None);
    let (_, returns_at, _) = read_sensor(&mut bank, 1_000, 1_000);
    let (pulses, ..) = read_sensor(&mut bank, returns_at + 2_000_000, 1_000);
    assert_dht_frame(&pulses);
    assert_eq!(dht22_values(decode(&pulses)), (30.0, 70.5));
}

#[test]
fn a_reading_set_by_hand_is_what_the_next_dht22_frame_carries() {
    let mut bank = bank_with(dht22(21.5, 48.0), None);
    assert_eq!(
        bank.readings(P10, 0).iter().map(|r| (r.quantity, r.value)).collect::<Vec<_>>(),
        [("temperature", 21.5), ("humidity", 48.0)]
    );
    let (_, returns_at, _) = read_sensor(&mut bank, 1_000, 1_000);
    assert!(bank.set_reading(P10, "temperature", -3.5, returns_at));
    assert!(!bank.set_reading(P10, "pressure", 1.0, returns_at), "a DHT22 measures no pressure");
    let (pulses, ..) = read_sensor(&mut bank, returns_at + 2_000_000, 1_000);
    assert_eq!(dht22_values(decode(&pulses)), (-3.5, 48.0));
}

#[test]
fn a_dht22_ignores_a_start_pulse_shorter_than_1_ms() {
    let mut bank = bank_with(dht22(21.5, 48.0), None);
    let released = start_signal(&mut bank, P10, None, 1_000, 999);
    let start = released + RMT_START_US;
    assert_eq!(bank.capture_pulses(P10, start, TIMEOUT_US), (vec![], start + TIMEOUT_US));
    assert_eq!(bank.next_event_us(), None, "the sensor queued nothing");
}

#[test]
fn a_dht11_needs_an_18_ms_start_pulse() {
    let spec = dht_spec(Schedule::Constant(23.0), Schedule::Constant(40.0), true);
    let mut bank = bank_with(on_pin(DeviceSpec::Dht11(spec)), None);
    let released = start_signal(&mut bank, P10, None, 1_000, 10_000);
    let start = released + RMT_START_US;
    assert_eq!(bank.capture_pulses(P10, start, TIMEOUT_US), (vec![], start + TIMEOUT_US), "10 ms is too short");

    let (pulses, ..) = read_sensor(&mut bank, 1_000_000, 18_000);
    assert_dht_frame(&pulses);
    let bytes = decode(&pulses);
    assert_eq!(bytes, [40, 0, 23, 0, 63], "humidity, 0, whole degrees, tenths, checksum");
}

#[test]
fn a_dht_with_no_pull_up_on_the_line_answers_but_the_receiver_sees_no_edge() {
    // The sensor still sees the host let go and answers, but between its low
    // pulses nothing pulls the line up: it floats, a floating input reads 0,
    // so low and "high" read the same and the receiver never sees an edge.
    let spec = dht_spec(Schedule::Constant(21.5), Schedule::Constant(48.0), false);
    let mut bank = bank_with(on_pin(DeviceSpec::Dht22(spec)), None);
    assert_eq!(bank.level(P10, 0), Level::Floating);
    let released = start_signal(&mut bank, P10, None, 1_000, 1_000);
    assert_eq!(bank.level(P10, released), Level::Floating);
    assert!(bank.next_event_us().is_some(), "the sensor answers");
    assert_eq!(bank.level(P10, released + 30), Level::Low, "its low pulses reach the line");
    assert_eq!(bank.level(P10, released + 110), Level::Floating, "and in between the line floats");

    let released = start_signal(&mut bank, P10, None, 1_000_000, 1_000);
    let start = released + RMT_START_US;
    assert_eq!(bank.capture_pulses(P10, start, TIMEOUT_US), (vec![], start + TIMEOUT_US));
}

#[test]
fn a_dht_without_its_own_pull_up_reads_on_a_pin_the_chip_pulls_up() {
    let spec = dht_spec(Schedule::Constant(21.5), Schedule::Constant(48.0), false);
    let mut bank = bank_with(on_pin(DeviceSpec::Dht22(spec)), None);
    let released = start_signal(&mut bank, P10, Some(Pull::Up), 1_000, 1_000);
    let (pulses, _) = bank.capture_pulses(P10, released + RMT_START_US, TIMEOUT_US);
    assert_dht_frame(&pulses);
    assert_eq!(dht22_values(decode(&pulses)), (21.5, 48.0));
}

#[test]
fn a_scheduled_reading_steps_at_its_time() {
    let temperature = Schedule::Steps(vec![Step { at_ms: 0.0, value: 20.0 }, Step { at_ms: 50.0, value: 25.0 }]);
    let humidity = Schedule::Steps(vec![Step { at_ms: 50.0, value: 60.0 }]);
    let read_released_at = |released_us: u64| {
        let spec = dht_spec(temperature.clone(), humidity.clone(), true);
        let mut bank = bank_with(on_pin(DeviceSpec::Dht22(spec)), None);
        let (pulses, ..) = read_sensor(&mut bank, released_us - 1_000, 1_000);
        dht22_values(decode(&pulses))
    };
    assert_eq!(read_released_at(49_999), (20.0, 60.0), "the first step also holds before its time");
    assert_eq!(read_released_at(50_000), (25.0, 60.0), "the value is taken when the host lets go");
    assert_eq!(read_released_at(10_000_000), (25.0, 60.0));
}

// ---------------------------------------------------------------- the receiver

#[test]
fn a_capture_without_edges_returns_nothing_at_the_timeout() {
    let mut bank = PinBank::default();
    bank.configure(P10, PinMode::Input, Some(Pull::Up), 0);
    assert_eq!(bank.capture_pulses(P10, 500, 20_000), (vec![], 20_500));
    assert_eq!(bank.now_us(), 20_500);
}

#[test]
fn a_timeout_shorter_than_the_frame_and_its_idle_time_returns_nothing() {
    let mut full = bank_with(dht22(21.5, 48.0), None);
    let (pulses, returns_at, released) = read_sensor(&mut full, 1_000, 1_000);
    assert_dht_frame(&pulses);
    let start = released + RMT_START_US;
    let needed = returns_at - start;

    let mut short = bank_with(dht22(21.5, 48.0), None);
    let released = start_signal(&mut short, P10, None, 1_000, 1_000);
    assert_eq!(released + RMT_START_US, start);
    assert_eq!(short.capture_pulses(P10, start, needed - 1), (vec![], returns_at - 1));

    let mut exact = bank_with(dht22(21.5, 48.0), None);
    start_signal(&mut exact, P10, None, 1_000, 1_000);
    assert_eq!(exact.capture_pulses(P10, start, needed), (pulses, returns_at), "a frame ending at the timeout counts");
}

#[test]
fn a_frame_of_more_than_128_levels_is_cut_at_one_memory_block_without_a_marker() {
    let levels: Vec<(u8, u64)> = (0..200).map(|i| ((i % 2) as u8, 10)).collect();
    let mut bank = bank_with(waveform(1.0, &levels, 1), Some(Pull::Up));
    let (pulses, returns_at) = bank.capture_pulses(P10, 0, TIMEOUT_US);
    assert_eq!(pulses.len(), 128);
    let expected: Vec<(u8, u16)> = (0..128).map(|i| ((i % 2) as u8, 10)).collect();
    assert_eq!(pulses, expected);
    assert_eq!(returns_at, 1_000 + 199 * 10 + IDLE_THRESHOLD_US, "the frame still ends at its last edge");
}

#[test]
fn an_odd_number_of_pulses_ends_with_the_idle_marker_and_an_even_number_does_not() {
    // Low 1..6 ms, a 100 us high, a 100 us low, then released to the pull-up.
    let levels = [(0, 5_000), (1, 100), (0, 100)];

    let mut from_idle = bank_with(waveform(1.0, &levels, 1), Some(Pull::Up));
    let (pulses, returns_at) = from_idle.capture_pulses(P10, 0, TIMEOUT_US);
    assert_eq!(pulses, [(0, 5_000), (1, 100), (0, 100), (1, 0)]);
    assert_eq!(returns_at, 6_200 + IDLE_THRESHOLD_US);

    let mut from_low = bank_with(waveform(1.0, &levels, 1), Some(Pull::Up));
    let (pulses, returns_at) = from_low.capture_pulses(P10, 2_000, TIMEOUT_US);
    assert_eq!(pulses, [(1, 100), (0, 100)], "two pulses fill one item: no marker");
    assert_eq!(returns_at, 6_200 + IDLE_THRESHOLD_US);
}

#[test]
fn recording_starts_at_the_first_edge_after_the_capture_starts() {
    // Pulses at 1, 3 and 5 ms; the capture starts at 2 ms, between the first two.
    let levels = [(0, 100), (1, 1_900), (0, 100), (1, 1_900), (0, 100)];
    let mut bank = bank_with(waveform(1.0, &levels, 1), Some(Pull::Up));
    let (pulses, returns_at) = bank.capture_pulses(P10, 2_000, TIMEOUT_US);
    assert_eq!(pulses, [(0, 100), (1, 1_900), (0, 100), (1, 0)]);
    assert_eq!(returns_at, 5_100 + IDLE_THRESHOLD_US);
}

#[test]
fn an_edge_at_the_capture_start_is_already_past() {
    let mut bank = bank_with(waveform(1.0, &[(0, 100)], 1), Some(Pull::Up));
    // The low at 1000 came before the receiver ran: it sees one edge, the
    // release, and a frame of one level whose duration the idle cut to 0.
    let expected: (Vec<(u8, u16)>, u64) = (vec![], 1_100 + IDLE_THRESHOLD_US);
    assert_eq!(bank.capture_pulses(P10, 1_000, TIMEOUT_US), expected);
}

#[test]
fn a_level_longer_than_32767_us_reports_its_duration_modulo_32768() {
    let mut long = bank_with(waveform(1.0, &[(0, 40_000)], 1), Some(Pull::Up));
    let (pulses, returns_at) = long.capture_pulses(P10, 0, 200_000);
    assert_eq!(pulses, [(0, 40_000 - 32_768), (1, 0)]);
    assert_eq!(returns_at, 41_000 + IDLE_THRESHOLD_US);

    let mut longest = bank_with(waveform(1.0, &[(0, 32_767)], 1), Some(Pull::Up));
    assert_eq!(longest.capture_pulses(P10, 0, 200_000).0, [(0, 32_767), (1, 0)]);
}

#[test]
fn a_1_us_glitch_is_filtered_and_a_2_us_pulse_is_not() {
    let mut glitch = bank_with(waveform(1.0, &[(0, 1_000), (1, 1), (0, 1_000)], 1), Some(Pull::Up));
    assert_eq!(glitch.capture_pulses(P10, 0, TIMEOUT_US).0, [(0, 2_001), (1, 0)]);

    let mut pulse = bank_with(waveform(1.0, &[(0, 1_000), (1, 2), (0, 1_000)], 1), Some(Pull::Up));
    assert_eq!(pulse.capture_pulses(P10, 0, TIMEOUT_US).0, [(0, 1_000), (1, 2), (0, 1_000), (1, 0)]);
}

#[test]
fn a_frame_that_is_only_a_glitch_never_ends() {
    let mut bank = bank_with(waveform(1.0, &[(0, 1)], 1), Some(Pull::Up));
    assert_eq!(bank.capture_pulses(P10, 0, TIMEOUT_US), (vec![], TIMEOUT_US));
}

#[test]
fn the_capture_releases_the_pin_until_it_is_configured_again() {
    let mut bank = PinBank::default();
    bank.configure(P10, PinMode::OpenDrain, Some(Pull::Up), 0);
    bank.write(P10, false, 0);
    assert_eq!(bank.level(P10, 0), Level::Low);
    assert_eq!(bank.capture_pulses(P10, 100, 1_000), (vec![], 1_100), "letting go before it runs is no edge");
    assert_eq!(bank.level(P10, 1_100), Level::High, "the receiver turned the pin into an input");
    assert_eq!(bank.mode(P10), (PinMode::Input, Some(Pull::Up)), "the pull stays");
    bank.write(P10, false, 1_200);
    assert_eq!(bank.level(P10, 1_200), Level::High, "writing sets the latch but drives nothing");
    assert!(!bank.latch(P10));
    bank.configure(P10, PinMode::OpenDrain, Some(Pull::Up), 1_300);
    assert_eq!(bank.level(P10, 1_300), Level::Low, "configured again, the latch drives the line");
}

// ---------------------------------------------------------------- interrupts

#[test]
fn edge_triggers_fire_on_their_edges_at_the_device_time_of_the_edge() {
    let mut bank = PinBank::default();
    for (gpio, trigger) in
        [(4, Trigger::Rising), (5, Trigger::Falling), (12, Trigger::AnyEdge), (15, Trigger::Disabled)]
    {
        bank.configure(gpio, PinMode::Input, Some(Pull::Up), 0);
        // Low at 1.0 ms, high at 1.1 ms, low at 1.3 ms, released at 1.4 ms.
        bank.attach(gpio, waveform(1.0, &[(0, 100), (1, 200), (0, 100)], 1));
        bank.set_trigger(gpio, trigger, 0);
    }
    assert!(bank.take_irqs().is_empty());
    bank.advance(10_000);
    let irqs = bank.take_irqs();
    assert_eq!(irq_times(&irqs, 4), [1_100, 1_400]);
    assert_eq!(irq_times(&irqs, 5), [1_000, 1_300]);
    assert_eq!(irq_times(&irqs, 12), [1_000, 1_100, 1_300, 1_400]);
    assert_eq!(irq_times(&irqs, 15), [0u64; 0]);
    assert!(irqs.windows(2).all(|pair| pair[0].time_us <= pair[1].time_us), "oldest first");
    assert!(bank.take_irqs().is_empty(), "taken once");
}

#[test]
fn level_triggers_fire_on_entering_the_level_and_at_once_when_armed_at_it() {
    let mut bank = PinBank::default();
    for gpio in [4, 5] {
        bank.configure(gpio, PinMode::Input, Some(Pull::Up), 0);
        bank.attach(gpio, waveform(1.0, &[(0, 100)], 1));
    }
    bank.set_trigger(4, Trigger::HighLevel, 50);
    bank.set_trigger(5, Trigger::LowLevel, 50);
    assert_eq!(bank.take_irqs(), [PinIrq { gpio: 4, time_us: 50 }], "the line is high already");
    bank.advance(5_000);
    let irqs = bank.take_irqs();
    assert_eq!(irq_times(&irqs, 4), [1_100]);
    assert_eq!(irq_times(&irqs, 5), [1_000]);

    bank.configure(14, PinMode::Input, None, 6_000);
    bank.set_trigger(14, Trigger::LowLevel, 6_000);
    assert_eq!(bank.take_irqs(), [PinIrq { gpio: 14, time_us: 6_000 }], "a floating line reads low");
}

#[test]
fn trigger_values_are_those_of_gpio_int_type_t() {
    assert_eq!(Trigger::from_bits(1), Some(Trigger::Rising));
    assert_eq!(Trigger::from_bits(2), Some(Trigger::Falling));
    assert_eq!(Trigger::from_bits(3), Some(Trigger::AnyEdge));
    assert_eq!(Trigger::from_bits(4), Some(Trigger::LowLevel));
    assert_eq!(Trigger::from_bits(5), Some(Trigger::HighLevel));
    assert_eq!(Trigger::from_bits(0), Some(Trigger::Disabled));
    assert_eq!(Trigger::from_bits(6), None);
}

#[test]
fn a_button_pulls_a_pulled_up_input_low_for_each_press() {
    let presses = vec![Press::At(100.0), Press::At(300.0)];
    let mut bank = bank_with(button(presses, 50.0, 0, None), Some(Pull::Up));
    bank.set_trigger(P10, Trigger::Falling, 0);
    assert_eq!(bank.level(P10, 99_999), Level::High);
    assert_eq!(bank.level(P10, 100_000), Level::Low);
    assert_eq!(bank.level(P10, 149_999), Level::Low);
    assert_eq!(bank.level(P10, 150_000), Level::High);
    bank.advance(1_000_000);
    assert_eq!(irq_times(&bank.take_irqs(), P10), [100_000, 300_000]);
}

#[test]
fn overlapping_presses_merge_into_one() {
    let presses = vec![Press::At(100.0), Press::Timed(TimedPress { at_ms: 120.0, hold_ms: 100.0 })];
    let mut bank = bank_with(button(presses, 50.0, 0, None), Some(Pull::Up));
    bank.set_trigger(P10, Trigger::AnyEdge, 0);
    bank.advance(1_000_000);
    assert_eq!(irq_times(&bank.take_irqs(), P10), [100_000, 220_000]);
}

#[test]
fn an_active_high_button_with_its_own_pull_down_raises_the_line_while_pressed() {
    let presses = vec![Press::Timed(TimedPress { at_ms: 10.0, hold_ms: 5.0 })];
    let mut bank = bank_with(button(presses, 100.0, 1, Some(Pull::Down)), None);
    bank.set_trigger(P10, Trigger::Rising, 0);
    assert_eq!(bank.level(P10, 0), Level::Low);
    assert_eq!(bank.level(P10, 12_000), Level::High);
    assert_eq!(bank.level(P10, 15_000), Level::Low);
    assert_eq!(bank.take_irqs(), [PinIrq { gpio: P10, time_us: 10_000 }]);
}

#[test]
fn a_hand_holds_a_button_down_from_its_press_until_it_lets_go() {
    let mut bank = bank_with(button(vec![], 100.0, 0, None), Some(Pull::Up));
    bank.set_trigger(P10, Trigger::AnyEdge, 0);
    assert!(bank.press(P10, true, 5_000));
    assert_eq!(bank.level(P10, 900_000), Level::Low);
    assert!(bank.press(P10, false, 1_000_000));
    assert_eq!(bank.level(P10, 1_000_000), Level::High);
    assert_eq!(irq_times(&bank.take_irqs(), P10), [5_000, 1_000_000]);
}

#[test]
fn only_buttons_can_be_pressed_by_hand() {
    let mut bank = bank_with(waveform(0.0, &[(1, 10)], 1), Some(Pull::Up));
    assert!(!bank.press(P10, true, 1_000));
    assert!(!bank.press(4, true, 1_000), "nothing is wired to GPIO4");
}

#[test]
fn device_descriptions_with_levels_other_than_0_or_1_are_refused() {
    let spec = DeviceSpec::Button(ButtonSpec {
        pin: "P10".into(),
        presses: vec![],
        hold_ms: 100.0,
        active_level: 2,
        pull: None,
    });
    assert!(matches!(spec.build(BoardModel::Lopy4), Err(DeviceError::Invalid { pin, .. }) if pin == "P10"));
    let spec = DeviceSpec::Waveform(WaveformSpec {
        pin: "G17".into(),
        start_ms: 0.0,
        levels: vec![(1, 10), (2, 10)],
        repeat: 1,
        pull: None,
    });
    assert_eq!(spec.pin(), Some("G17"));
    assert!(matches!(spec.build(BoardModel::Lopy4), Err(DeviceError::Invalid { .. })));
}

// ---------------------------------------------------------------- waveforms

#[test]
fn a_waveform_with_repeat_plays_its_levels_n_times_and_then_releases_the_line() {
    let mut bank = PinBank::default();
    let events = traced(&mut bank);
    bank.attach(P10, waveform(1.0, &[(0, 100), (1, 100)], 3));
    bank.advance(1_000_000);
    use Level::*;
    assert_eq!(
        events_of(&events, P10),
        [
            (0, Floating),
            (1_000, Low),
            (1_100, High),
            (1_200, Low),
            (1_300, High),
            (1_400, Low),
            (1_500, High),
            (1_600, Floating),
        ]
    );
    assert_eq!(bank.next_event_us(), None, "nothing more to play");
}

#[test]
fn a_waveform_played_zero_times_never_drives_the_line() {
    let mut bank = PinBank::default();
    bank.attach(P10, waveform(0.0, &[(0, 100)], 0));
    assert_eq!(bank.next_event_us(), None);
    assert_eq!(bank.level(P10, 1_000), Level::Floating);
}

// ---------------------------------------------------------------- hold and reset

#[test]
fn a_held_output_keeps_driving_its_level_through_writes_and_resets() {
    let mut bank = PinBank::default();
    bank.configure(4, PinMode::Output, None, 0);
    bank.write(4, true, 0);
    bank.set_hold(4, true, 10);
    assert!(bank.hold(4));
    bank.write(4, false, 20);
    assert_eq!(bank.level(4, 20), Level::High);
    assert!(!bank.latch(4), "the latch follows the write");
    bank.reset(30, pulled_down_at_boot(BoardModel::Lopy4));
    assert_eq!(bank.level(4, 30), Level::High, "a reset leaves a held pad alone");
    assert!(bank.hold(4));
    assert_eq!(bank.mode(4), (PinMode::Output, None));
    bank.set_hold(4, false, 40);
    assert_eq!(bank.level(4, 40), Level::Low, "unheld, the pad applies the latch written while held");
}

#[test]
fn unholding_applies_the_latest_configuration() {
    let mut bank = PinBank::default();
    bank.configure(4, PinMode::Output, None, 0);
    bank.write(4, true, 0);
    bank.set_hold(4, true, 10);
    bank.configure(4, PinMode::Input, Some(Pull::Down), 20);
    assert_eq!(bank.level(4, 20), Level::High, "the held pad ignores the new mode and pull");
    assert_eq!(bank.mode(4), (PinMode::Input, Some(Pull::Down)), "but the configuration is kept");
    bank.set_hold(4, false, 30);
    assert!(!bank.hold(4));
    assert_eq!(bank.level(4, 30), Level::Low);
}

#[test]
fn a_reset_makes_pins_not_held_pulled_down_inputs_and_clears_interrupts() {
    let mut bank = PinBank::default();
    bank.configure(P10, PinMode::Output, None, 0);
    bank.write(P10, true, 0);
    bank.set_trigger(P10, Trigger::Falling, 0);
    bank.configure(1, PinMode::Output, None, 0);
    bank.write(1, true, 0);
    // An edge before the reset (pending) and one after it.
    bank.configure(5, PinMode::Input, Some(Pull::Down), 0);
    bank.attach(5, waveform(1.0, &[(1, 100), (0, 1_900), (1, 100)], 1));
    bank.set_trigger(5, Trigger::AnyEdge, 0);

    bank.reset(2_000, pulled_down_at_boot(BoardModel::Lopy4));
    assert!(bank.take_irqs().is_empty(), "pending interrupts are dropped and the reset itself fires none");
    assert_eq!(bank.mode(P10), (PinMode::Input, Some(Pull::Down)));
    assert!(!bank.latch(P10));
    assert_eq!(bank.level(P10, 2_000), Level::Low);
    assert_eq!(bank.mode(1), (PinMode::Input, None), "P1 (UART TX) is not pulled down");
    assert_eq!(bank.level(1, 2_000), Level::Floating);
    assert_eq!(bank.level(5, 3_050), Level::High, "devices keep playing through a reset");
    bank.advance(10_000);
    assert!(bank.take_irqs().is_empty(), "triggers are off after a reset");
}

// ---------------------------------------------------------------- pin names

#[test]
fn a_pin_is_found_by_its_expansion_board_name_and_by_its_module_name() {
    let p20 = PinName { module: "P20", expansion: "G7", gpio: 33 };
    assert_eq!(find_pin(BoardModel::Lopy4, "G7"), Some(p20));
    assert_eq!(find_pin(BoardModel::Lopy4, "P20"), Some(p20));
    assert_eq!(find_pin(BoardModel::Lopy4, "G17").map(|p| p.gpio), Some(P10));
    for model in BoardModel::ALL {
        for name in pin_names(model) {
            assert_eq!(find_pin(model, name.expansion), Some(*name));
            assert_eq!(find_pin(model, name.module), Some(*name));
        }
    }
    assert_eq!(find_pin(BoardModel::Lopy4, "p10"), None, "names are case-sensitive");
    assert_eq!(find_pin(BoardModel::Lopy4, "GPIO13"), None);
    assert_eq!(find_pin(BoardModel::Lopy4, "P24"), None);
}

#[test]
fn only_the_gpy_names_its_lte_uart_lines_p98_and_p99() {
    assert_eq!(find_pin(BoardModel::Gpy, "P98").map(|p| p.gpio), Some(23));
    assert_eq!(find_pin(BoardModel::Gpy, "G99").map(|p| p.gpio), Some(18));
    for model in [BoardModel::Lopy4, BoardModel::Wipy3, BoardModel::Fipy, BoardModel::Sipy, BoardModel::Wipy2] {
        assert_eq!(pin_names(model).len(), 24);
        for name in ["P98", "P99", "G98", "G99"] {
            assert_eq!(find_pin(model, name), None, "{model:?} {name}");
        }
    }
    assert_eq!(pin_names(BoardModel::Gpy).len(), 26);
}

#[test]
fn boot_pull_downs_skip_the_uart_tx_the_led_and_the_tables_last_entry() {
    let gpio = |model, name| find_pin(model, name).unwrap().gpio;
    for model in BoardModel::ALL {
        let pulled: Vec<u8> = pulled_down_at_boot(model).collect();
        assert!(!pulled.contains(&gpio(model, "P1")), "{model:?}: UART TX");
        assert!(!pulled.contains(&gpio(model, "P2")), "{model:?}: RGB LED");
        let last = pin_names(model).last().unwrap();
        assert!(!pulled.contains(&last.gpio), "{model:?}: {} is the last entry", last.module);
        assert!(pulled.contains(&gpio(model, "P10")), "{model:?}");
    }
    let sipy: Vec<u8> = pulled_down_at_boot(BoardModel::Sipy).collect();
    assert_eq!(sipy.len(), 21);
    assert!(sipy.contains(&21), "P12 on a first-generation board");
    assert_eq!(pulled_down_at_boot(BoardModel::Wipy2).count(), 21);
    // The GPy's table ends with P99, so P23 is pulled down there.
    assert!(pulled_down_at_boot(BoardModel::Gpy).any(|g| g == 14));
    assert!(!pulled_down_at_boot(BoardModel::Lopy4).any(|g| g == 14));
}

#[test]
fn second_generation_boards_skip_the_antenna_switch_and_lte_boards_their_modem_lines() {
    for model in [BoardModel::Lopy4, BoardModel::Wipy3, BoardModel::Fipy, BoardModel::Gpy] {
        assert!(!pulled_down_at_boot(model).any(|g| g == 21), "{model:?}: P12");
    }
    assert_eq!(pulled_down_at_boot(BoardModel::Lopy4).count(), 20);
    let fipy: Vec<u8> = pulled_down_at_boot(BoardModel::Fipy).collect();
    for name in ["P17", "P18", "P19", "P20"] {
        assert!(!fipy.contains(&find_pin(BoardModel::Fipy, name).unwrap().gpio), "FiPy {name}");
    }
    assert_eq!(fipy.len(), 16);
    let gpy: Vec<u8> = pulled_down_at_boot(BoardModel::Gpy).collect();
    for name in ["P5", "P6", "P7"] {
        assert!(!gpy.contains(&find_pin(BoardModel::Gpy, name).unwrap().gpio), "GPy {name}");
    }
    assert_eq!(gpy.len(), 19);
}

// ---------------------------------------------------------------- on the board

#[test]
fn pulses_get_on_a_virtual_board_reads_a_dht22_wired_by_its_expansion_name() {
    let model = BoardModel::Lopy4;
    let mut b = Board::new(model, DeviceImage::in_memory(model).unwrap(), Arc::new(Clock::new(ClockMode::Virtual)));
    b.boot(BootKind::Hard(ResetCause::PowerOn)).unwrap();
    let spec = DeviceSpec::Dht22(DhtSpec {
        pin: "G17".into(),
        temperature: Schedule::Constant(21.5),
        humidity: Schedule::Constant(48.0),
        pull_up: true,
    });
    assert_eq!(b.attach_device(&spec), Ok(Some(P10)));
    b.pin_configure(P10, PinMode::OpenDrain, None);
    b.pin_write(P10, false);
    b.wait_us(1_000);
    // Device time includes the host's running time, so the release is only
    // known to lie between these two readings of the clock.
    let before = b.now_us();
    b.pin_write(P10, true);
    let after = b.now_us();
    let (pulses, returns_at) = b.pulses_get(P10, 100);
    assert_dht_frame(&pulses);
    assert_eq!(dht22_values(decode(&pulses)), (21.5, 48.0));
    let released = returns_at - IDLE_THRESHOLD_US - dht_frame_end(0, &pulses);
    assert!((before..=after).contains(&released), "{before} <= {released} <= {after}");

    let unknown = DeviceSpec::Dht22(DhtSpec {
        pin: "P98".into(),
        ..dht_spec(Schedule::Constant(0.0), Schedule::Constant(0.0), true)
    });
    assert_eq!(b.attach_device(&unknown), Err(DeviceError::UnknownPin { pin: "P98".into() }));
}

#[test]
fn the_next_irq_event_handle_follows_a_devices_answer_while_an_interrupt_is_armed() {
    let mut bank = bank_with(dht22(21.5, 48.0), None);
    let released = start_signal(&mut bank, P10, None, 1_000, 1_000);
    let handle = bank.next_irq_event_handle();
    let published = || handle.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(bank.next_event_us(), Some(released + 30));
    assert_eq!(published(), u64::MAX, "no interrupt armed: nothing to raise");
    bank.set_trigger(P10, Trigger::Falling, released);
    assert_eq!(published(), released + 30, "the watcher sees the answer coming");
    bank.set_trigger(P10, Trigger::Disabled, released);
    assert_eq!(published(), u64::MAX);
}

#[test]
fn an_edge_exactly_at_the_frame_end_belongs_to_no_frame() {
    let mut bank = PinBank::default();
    bank.configure(P10, PinMode::Input, Some(Pull::Up), 0);
    bank.attach(P10, waveform(1.0, &[(0, 100)], 1)); // edges at 1000 and 1100 µs
    bank.attach(P10, waveform(66.635, &[(0, 100)], 1)); // an edge at 1100 + 65535 µs
    let (pulses, returns_at) = bank.capture_pulses(P10, 0, 1_000_000);
    assert_eq!((pulses, returns_at), (vec![(0, 100), (1, 0)], 1_100 + IDLE_THRESHOLD_US));
}

#[test]
fn a_pulse_of_exactly_32768_us_reads_as_0_and_ends_the_frame_there() {
    let mut bank = PinBank::default();
    bank.configure(P10, PinMode::Input, Some(Pull::Up), 0);
    bank.attach(P10, waveform(1.0, &[(0, 100), (1, 32_768), (0, 100)], 1));
    let (pulses, _) = bank.capture_pulses(P10, 0, 1_000_000);
    assert_eq!(pulses, [(0, 100), (1, 0)], "the driver keeps items up to the first zero duration");
}

// ---------------------------------------------------------------- many devices

/// A device that counts how often the bank asks it anything: it changes once,
/// at `at_us`, from driving nothing to pulling down.
#[derive(Debug)]
struct Counted {
    at_us: Option<u64>,
    asked: Arc<std::sync::atomic::AtomicU64>,
}

impl Counted {
    fn ask(&self) {
        self.asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Device for Counted {
    fn drive(&self) -> pycom_board::pins::Drive {
        self.ask();
        pycom_board::pins::Drive::Released
    }
    fn pull(&self) -> Option<Pull> {
        self.ask();
        self.at_us.is_none().then_some(Pull::Down)
    }
    fn next_change_us(&self) -> Option<u64> {
        self.ask();
        self.at_us
    }
    fn step(&mut self, _now_us: u64) {
        self.ask();
        self.at_us = None;
    }
    fn line_changed(&mut self, _now_us: u64, _level: Level) {
        self.ask();
    }
}

#[test]
fn wiring_and_running_many_devices_asks_each_a_bounded_number_of_times() {
    const DEVICES: u64 = 100_000;
    let asked = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut bank = PinBank::default();
    for i in 0..DEVICES {
        let device = Counted { at_us: Some(1_000 + i), asked: asked.clone() };
        bank.attach((i % 4) as u8 + 12, Box::new(device));
    }
    assert_eq!(bank.next_event_us(), Some(1_000));
    bank.advance(1_000 + DEVICES);
    assert_eq!(bank.next_event_us(), None);
    // About 3 questions when wired, 4 when it changes, and 4 when its line
    // goes low (once per line, at the first change on it): linear, where
    // asking every device on a line at each change would be 10^9 and more.
    let asked = asked.load(std::sync::atomic::Ordering::Relaxed);
    assert!(asked <= 12 * DEVICES, "{asked} questions for {DEVICES} devices");
}

#[test]
fn a_board_takes_a_hundred_thousand_waveforms_and_buttons_in_seconds() {
    let model = BoardModel::Lopy4;
    let clock = Arc::new(Clock::new(ClockMode::Virtual));
    let mut board = Board::new(model, DeviceImage::in_memory(model).unwrap(), clock);
    let started = std::time::Instant::now();
    for i in 0..100_000u32 {
        let pin = ["P9", "P10", "P11", "P19", "P20"][i as usize % 5].to_owned();
        let spec = if i % 2 == 0 {
            DeviceSpec::Waveform(WaveformSpec {
                pin,
                start_ms: f64::from(i),
                levels: vec![(1, 100), (0, 100)],
                repeat: 1,
                pull: None,
            })
        } else {
            DeviceSpec::Button(ButtonSpec {
                pin,
                presses: vec![Press::At(f64::from(i))],
                hold_ms: 0.5,
                active_level: 0,
                pull: Some(Pull::Up),
            })
        };
        board.attach_device(&spec).unwrap();
    }
    // A loose guard against quadratic blow-up (it takes well under a second).
    assert!(started.elapsed().as_secs() < 20, "wiring took {:?}", started.elapsed());
}
