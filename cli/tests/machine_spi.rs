//! `machine.SPI` as firmware 1.20.2 implements it (machspi.c): defaults and
//! constants, full-duplex transfers against a `kind = "spi_loopback"` wire
//! (the rig the firmware's own test assumes), device time, the trace, and
//! the argument errors.

mod common;

use common::{Device, SHOW, ok};

/// MOSI (P11) wired to MISO (P14), bus 0's default pins.
const LOOPBACK: &str = "[[device]]\nkind = \"spi_loopback\"\nmosi = \"P11\"\nmiso = \"P14\"\n";

fn wired(toml: &str, script: &str, extra: &[&str]) -> Vec<String> {
    Device::new().run_wired(toml, &format!("{SHOW}\nfrom machine import SPI\nimport time\n{script}"), extra)
}

#[test]
fn write_readinto_through_a_loopback_wire_reads_back_what_went_out() {
    let script = "\
spi = SPI(0, SPI.MASTER, baudrate=2000000)
r = bytearray(5)
print(spi.write_readinto(b'\\x01\\x02\\x03\\xfe\\xff', r), r)
print(spi.read(3, write=0xA5), spi.readinto(r, write=0x3C), r)
spi.init(bits=16, firstbit=SPI.LSB)
b = bytearray(b'\\x10\\x20\\x30\\x40')
print(spi.write_readinto(b, b), b, spi.read(3, write=0x1234))
spi.init(pins=('P10', 'P11', 'P23'))
print(spi.read(2, write=0xFF))
";
    assert_eq!(
        wired(LOOPBACK, script, &[]),
        [
            "5 bytearray(b'\\x01\\x02\\x03\\xfe\\xff')",
            "b'\\xa5\\xa5\\xa5' 5 bytearray(b'<<<<<')",
            "4 bytearray(b'\\x10 0@') b'4\\x124'",
            "b'\\x00\\x00'",
        ]
    );
}

#[test]
fn defaults_constants_and_repr_are_the_firmwares() {
    let script = "\
print(SPI.MASTER, SPI.MSB, SPI.LSB)
s = SPI()
print(s, s is SPI(0))
print(SPI(0, SPI.MASTER, baudrate=5000000, bits=32, polarity=1, phase=1, firstbit=SPI.LSB))
s.deinit()
print(s)
show(s.read, 1)
show(s.write, b'x')
";
    assert_eq!(
        wired(LOOPBACK, script, &[]),
        [
            "0 0 1",
            "SPI(0, SPI.MASTER, baudrate=1000000, bits=8, polarity=0, phase=0, firstbit=SPI.MSB) True",
            "SPI(0, SPI.MASTER, baudrate=5000000, bits=32, polarity=1, phase=1, firstbit=SPI.MSB)",
            "SPI(0)",
            "OSError: the requested operation is not possible",
            "OSError: the requested operation is not possible",
        ]
    );
}

#[test]
fn argument_errors_have_the_firmwares_texts() {
    let script = "\
show(SPI, 1)
show(SPI, 0, 10)
show(SPI, 0, bits=9)
show(SPI, 0, polarity=2)
show(SPI, 0, phase=2)
show(SPI, 0, firstbit=10)
show(SPI, 0, baudrate=0)
show(SPI, 0, pins=('P10', 'P11'))
show(SPI, 0, pins=('P10', 'P11', 'GP1'))
show(SPI, 0, 0, 1000000)
s = SPI(0)
show(s.write_readinto, b'abc', bytearray(2))
show(s.write_readinto, b'abc', b'xyz')
show(s.write, 1, 2)
show(s.read)
show(s.readinto, 4.5)
";
    assert_eq!(
        wired(LOOPBACK, script, &[]),
        [
            "OSError: resource not available",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "ValueError: requested length 3 but object has length 2",
            "ValueError: invalid argument(s) value",
            "TypeError: extra positional arguments given",
            "ValueError: invalid argument(s) value",
            "TypeError: object with buffer protocol required",
            "TypeError: function takes 2 positional arguments but 3 were given",
            "TypeError: 'nbytes' argument required",
            "TypeError: object with buffer protocol required",
        ]
    );
}

#[test]
fn a_wipy_has_a_second_bus_on_p19_p20_p21() {
    let toml = "[[device]]\nkind = \"spi_loopback\"\nmosi = \"P20\"\nmiso = \"P21\"\n";
    assert_eq!(
        wired(toml, "s = SPI(1)\nprint(s, s.read(2, write=7))\nshow(SPI, 2)", &["--board", "wipy3"]),
        [
            "SPI(1, SPI.MASTER, baudrate=1000000, bits=8, polarity=0, phase=0, firstbit=SPI.MSB) b'\\x07\\x07'",
            "OSError: resource not available",
        ]
    );
}

#[test]
fn a_transfer_takes_8_bit_times_per_byte_and_is_traced() {
    let device = Device::new();
    let (file, trace) = (device.path("board.toml"), device.path("bus.jsonl"));
    std::fs::write(&file, LOOPBACK).unwrap();
    let script = "\
from machine import SPI
import time
spi = SPI(0, baudrate=100000)
best = None
for _ in range(3):
    t0 = time.ticks_us()
    spi.write(bytes(100))
    dt = time.ticks_diff(time.ticks_us(), t0)
    best = dt if best is None else min(best, dt)
print(8000 <= best < 8500)
spi.init(baudrate=1000000, firstbit=SPI.LSB)
spi.read(2, write=0x01)
";
    let args = ["--board-file", file.to_str().unwrap(), "--trace-bus", trace.to_str().unwrap()];
    assert_eq!(ok(device.run_with(script, &args)).stdout, "True\n");
    let last: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&trace).unwrap().lines().last().unwrap()).unwrap();
    assert_eq!(
        (&last["bus"], &last["direction"], &last["mosi"], &last["miso"]),
        (&"spi0".into(), &"exchange".into(), &"8080".into(), &"8080".into())
    );
}
