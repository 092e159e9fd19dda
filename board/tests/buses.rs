//! The I2C and SPI buses without Python: register-map devices as board files
//! describe them, transaction timing at the bus's baudrate, NACKs, chip
//! selects, and the trace.

use std::sync::{Arc, Mutex};

use pycom_board::BoardModel;
use pycom_board::bus::{
    Ack, BusEvent, Buses, Direction, I2cController, I2cOp, I2cRegistersSpec, I2cTarget, SpiController, SpiDevice,
    SpiWires, WireTraces,
};
use pycom_board::pins::{Built, DeviceSpec};

const SDA: u8 = 12;
const SCL: u8 = 13;
const I2C0: I2cController = I2cController { bus: 0, sda: Some(SDA), scl: Some(SCL), baudrate: 100_000 };

/// Buses with the `kind = "i2c"` device the TOML table body describes.
fn with_device(toml: &str) -> Buses {
    let spec: DeviceSpec = toml::from_str(&format!("kind = \"i2c\"\n{toml}")).unwrap();
    let mut buses = Buses::default();
    match spec.build(BoardModel::Lopy4).unwrap() {
        Built::I2c { sda, scl, targets, .. } => {
            for target in targets {
                buses.attach_i2c(sda, scl, target).unwrap();
            }
        }
        other => panic!("not an I2C device: {other:?}"),
    }
    buses
}

fn read_mem(buses: &mut Buses, pointer: &[u8], n: usize, now_us: u64) -> Vec<u8> {
    let outcome = buses.i2c_transaction(&I2C0, 0x48, &[I2cOp::Write(pointer), I2cOp::Read(n)], true, now_us);
    assert!(outcome.acked);
    outcome.read
}

fn write(buses: &mut Buses, bytes: &[u8]) {
    assert!(buses.i2c_transaction(&I2C0, 0x48, &[I2cOp::Write(bytes)], true, 0).acked);
}

#[test]
fn a_transaction_takes_nine_bit_times_per_byte_plus_start_and_stop() {
    let mut buses = with_device("address = 0x48\n");
    // START, address + 100 bytes, STOP at 10 µs a bit.
    let outcome = buses.i2c_transaction(&I2C0, 0x48, &[I2cOp::Write(&[0; 100])], true, 0);
    assert_eq!(outcome.duration_us, (1 + 9 * 101 + 1) * 10);
    // START, address, register, repeated START, address, 2 bytes, STOP at 400 kHz.
    let fast = I2cController { baudrate: 400_000, ..I2C0 };
    let outcome = buses.i2c_transaction(&fast, 0x48, &[I2cOp::Write(&[0]), I2cOp::Read(2)], true, 0);
    assert_eq!(outcome.duration_us, (2 + 9 * 5 + 1_u64).div_ceil(4) * 10);
    // No STOP: one bit time less.
    let outcome = buses.i2c_transaction(&I2C0, 0x48, &[I2cOp::Write(&[0])], false, 0);
    assert_eq!(outcome.duration_us, (1 + 9 * 2) * 10);
}

#[test]
fn a_missing_address_is_not_acknowledged_and_the_bus_stops_after_the_address() {
    let mut buses = with_device("address = 0x48\n");
    let outcome = buses.i2c_transaction(&I2C0, 0x49, &[I2cOp::Write(&[1, 2, 3])], true, 0);
    assert_eq!((outcome.acked, outcome.duration_us), (false, (1 + 9 + 1) * 10));
    let other_pins = I2cController { sda: Some(SDA + 1), ..I2C0 };
    assert!(!buses.i2c_transaction(&other_pins, 0x48, &[I2cOp::Read(1)], true, 0).acked);
}

#[test]
fn registers_auto_increment_and_undefined_bytes_read_zero() {
    let mut buses =
        with_device("address = 0x48\n[[register]]\nat = 0x10\nbytes = [1, 2]\n[[register]]\nat = 0x13\nvalue = -2\n");
    assert_eq!(read_mem(&mut buses, &[0x10], 4, 0), [1, 2, 0, 0xFE]);
    // A read with no pointer goes on from where the last one stopped.
    assert_eq!(buses.i2c_transaction(&I2C0, 0x48, &[I2cOp::Read(1)], true, 0).read, [0]);
}

#[test]
fn without_auto_increment_the_pointer_stays() {
    let mut buses = with_device("address = 0x48\nauto_increment = false\n[[register]]\nat = 0xFF\nbytes = [9]\n");
    assert_eq!(read_mem(&mut buses, &[0xFF], 3, 0), [9, 9, 9]);
    write(&mut buses, &[0xFF, 1, 2, 3]);
    assert_eq!(read_mem(&mut buses, &[0xFF], 1, 0), [3]);
}

#[test]
fn two_byte_register_addresses_are_sent_most_significant_first() {
    let mut buses =
        with_device("address = 0x48\nregister_address_bytes = 2\n[[register]]\nat = 0x1234\nbytes = [0xAB, 0xCD]\n");
    assert_eq!(read_mem(&mut buses, &[0x12, 0x34], 2, 0), [0xAB, 0xCD]);
    write(&mut buses, &[0x12, 0x35, 0x77]);
    assert_eq!(read_mem(&mut buses, &[0x12, 0x34], 2, 0), [0xAB, 0x77]);
}

#[test]
fn read_only_write_one_to_clear_and_soft_reset_registers() {
    let mut buses = with_device(
        "address = 0x48\nreset = { register = 0x6B, mask = 0x80 }\n\
         [[register]]\nat = 0x00\nbytes = [0x68]\nread_only = true\n\
         [[register]]\nat = 0x01\nbytes = [0xF0]\nwrite_one_to_clear = true\n\
         [[register]]\nat = 0x6B\nbytes = [0x40]\n",
    );
    write(&mut buses, &[0x00, 0x11, 0x30]);
    assert_eq!(read_mem(&mut buses, &[0x00], 2, 0), [0x68, 0xC0]);
    write(&mut buses, &[0x6B, 0x01]);
    assert_eq!(read_mem(&mut buses, &[0x6B], 1, 0), [0x01]);
    write(&mut buses, &[0x6B, 0x81]);
    assert_eq!(read_mem(&mut buses, &[0x00], 2, 0), [0x68, 0xF0]);
    assert_eq!(read_mem(&mut buses, &[0x6B], 1, 0), [0x40]);
}

#[test]
fn a_scheduled_register_changes_at_its_step_and_ignores_writes() {
    let mut buses = with_device(
        "address = 0x48\n[[register]]\nat = 0\nsize = 2\nvalue = [{ at_ms = 0, value = 215 }, { at_ms = 60000, value = 230.4 }]\n",
    );
    assert_eq!(read_mem(&mut buses, &[0], 2, 59_999_999), [0x00, 0xD7]);
    write(&mut buses, &[0, 0xFF, 0xFF]);
    assert_eq!(read_mem(&mut buses, &[0], 2, 60_000_000), [0x00, 0xE6]);
}

#[test]
fn two_devices_cannot_share_an_address_on_the_same_wires() {
    let mut buses = with_device("address = 0x48\n");
    let spec: DeviceSpec = toml::from_str("kind = \"i2c\"\nsda = \"G16\"\naddress = 0x48\n").unwrap();
    let Ok(Built::I2c { sda, scl, mut targets, .. }) = spec.build(BoardModel::Lopy4) else { panic!("an I2C device") };
    let err = buses.attach_i2c(sda, scl, targets.remove(0)).unwrap_err();
    assert_eq!(err.to_string(), "I2C address 0x48 on SDA GPIO12/SCL GPIO13 is taken by another device");
}

#[test]
fn bad_register_descriptions_are_refused() {
    for (toml, problem) in [
        ("address = 0x48\nregister_address_bytes = 0\n", "register_address_bytes must be 1 or 2, not 0"),
        ("address = 0x48\n[[register]]\nat = 0\nvalue = 1\nsize = 5\n", "size must be 1 to 4 bytes, not 5"),
        ("address = 0x48\n[[register]]\nat = 0\nvalue = -129\n", "value -129 does not fit in 1 byte(s)"),
        ("address = 0x48\n[[register]]\nat = 0\n", "give either bytes or value"),
        ("address = 0x48\n[[register]]\nat = 0\nbytes = []\n", "bytes must not be empty"),
        ("address = 0x48\n[[register]]\nat = 0\nvalue = []\n", "a schedule needs at least one step"),
        ("address = 0x48\nreset = { register = 0, mask = 256 }\n", "reset mask must be a byte, not 256"),
    ] {
        let spec: I2cRegistersSpec = toml::from_str(toml).unwrap();
        let err = spec.build().unwrap_err();
        assert!(err.contains(problem), "{toml}: {err}");
    }
}

/// An SPI device that answers each byte with its complement.
#[derive(Debug)]
struct Inverter;

impl SpiDevice for Inverter {
    fn exchange(&mut self, _now_us: u64, mosi: u8) -> u8 {
        !mosi
    }
}

#[test]
fn an_spi_device_answers_only_while_its_chip_select_is_low() {
    let mut buses = Buses::default();
    buses.attach_spi(SpiWires { sck: Some(14), mosi: 15, miso: 16, cs: Some(17), device: Box::new(Inverter) });
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    buses.set_traces(WireTraces { bus: Some(Arc::new(move |e| sink.lock().unwrap().push(e.clone()))), lines: None });
    let spi = SpiController {
        bus: 0,
        sck: Some(14),
        mosi: Some(15),
        miso: Some(16),
        baudrate: 1_000_000,
        lsb_first: false,
        polarity: false,
        phase: false,
    };
    let selected = buses.spi_transfer(&spi, &[0x0F, 0x01], 5, |cs| cs == 17, false);
    assert_eq!((selected.miso, selected.duration_us), (vec![0xF0, 0xFE], 16));
    assert_eq!(buses.spi_transfer(&spi, &[0x0F], 0, |_| false, true).miso, [0xFF]);
    let lsb = SpiController { lsb_first: true, ..spi };
    assert_eq!(buses.spi_transfer(&lsb, &[0x01], 0, |_| true, false).miso, [0xFE]);
    assert_eq!(
        events.lock().unwrap()[0],
        BusEvent::Spi { time_us: 5, bus: 0, mosi: vec![0x0F, 0x01], miso: vec![0xF0, 0xFE] }
    );
}

/// A target that takes two bytes and refuses the third.
#[derive(Debug, Default)]
struct TwoBytes(usize);

impl I2cTarget for TwoBytes {
    fn address(&self) -> u8 {
        0x10
    }
    fn start(&mut self, _now_us: u64, _read: bool) -> Ack {
        self.0 = 0;
        Ack::Ack
    }
    fn write(&mut self, _now_us: u64, _byte: u8) -> Ack {
        self.0 += 1;
        if self.0 > 2 { Ack::Nack } else { Ack::Ack }
    }
    fn read(&mut self, _now_us: u64) -> u8 {
        0
    }
    fn stop(&mut self, _now_us: u64) {}
}

#[test]
fn a_nacked_byte_ends_the_transaction_and_is_traced_with_the_bytes_so_far() {
    let mut buses = Buses::default();
    buses.attach_i2c(SDA, SCL, Box::new(TwoBytes::default())).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    buses.set_traces(WireTraces { bus: Some(Arc::new(move |e| sink.lock().unwrap().push(e.clone()))), lines: None });
    let outcome = buses.i2c_transaction(&I2C0, 0x10, &[I2cOp::Write(&[1, 2, 3, 4]), I2cOp::Read(1)], false, 100);
    assert_eq!((outcome.acked, outcome.duration_us), (false, (1 + 9 * 4 + 1) * 10));
    assert_eq!(
        *events.lock().unwrap(),
        [BusEvent::I2c {
            time_us: 100,
            bus: 0,
            address: 0x10,
            direction: Direction::Write,
            bytes: vec![1, 2, 3],
            ack: false
        }]
    );
}
