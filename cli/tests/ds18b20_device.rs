//! A board-file `ds18b20` on a 1-Wire pin, read by a script that bit-bangs
//! the bus on a `Pin` as Pycom's `onewire.py` does: presence, ROM, conversion
//! time and the scratchpad with a valid CRC8.

mod common;
use common::{Device, ok};

/// A minimal 1-Wire master in MicroPython (open drain, pull-up, `sleep_us`).
/// Its slots are as long as its pin calls and sleeps take in device time,
/// however fast or loaded the host is.
const MASTER: &str = r#"
import time
from machine import Pin
p = Pin('P10', Pin.OPEN_DRAIN, Pin.PULL_UP)
def reset():
    p(0); time.sleep_us(480); p(1); time.sleep_us(60)
    present = not p(); time.sleep_us(420)
    return present
def write_byte(b):
    for i in range(8):
        p(0); time.sleep_us(1); p(b >> i & 1); time.sleep_us(60); p(1); time.sleep_us(1)
def read_bit():
    p(0); time.sleep_us(1); p(1); time.sleep_us(1)
    v = p(); time.sleep_us(40)
    return v
def read_bytes(n):
    return bytes(sum(read_bit() << i for i in range(8)) for _ in range(n))
def crc8(data):
    crc = 0
    for byte in data:
        for _ in range(8):
            mix = (crc ^ byte) & 1
            crc >>= 1
            if mix:
                crc ^= 0x8C
            byte >>= 1
    return crc
def read_rom():
    reset(); write_byte(0x33)
    return read_bytes(8)
def temperature():
    reset(); write_byte(0xCC); write_byte(0xBE)
    pad = read_bytes(9)
    raw = pad[0] | pad[1] << 8
    return (raw - 0x10000 if raw & 0x8000 else raw) / 16, crc8(pad) == 0
def busy():
    return min(read_bit() for _ in range(3)) == 0
"#;

#[test]
fn a_ds18b20_answers_presence_rom_conversion_and_scratchpad_on_device_time() {
    let device = Device::new();
    let board = "[[device]]\nkind = \"ds18b20\"\npin = \"P10\"\n\
                 temperature = [{ at_ms = 0, value = 21.5 }, { at_ms = 5000, value = -3.25 }]\n";
    let script = format!(
        "{MASTER}\nprint(reset())\nrom = read_rom()\nprint(hex(rom[0]), crc8(rom) == 0)\n\
         print(temperature())\nreset(); write_byte(0xCC); write_byte(0x44)\nprint(busy())\n\
         time.sleep_ms(750)\nprint(busy(), temperature())\ntime.sleep(5)\n\
         reset(); write_byte(0x55); [write_byte(b) for b in rom]; write_byte(0x44)\ntime.sleep(1)\n\
         print(temperature())\nreset(); write_byte(0x55); [write_byte(b ^ 1) for b in rom]; write_byte(0xBE)\n\
         print(read_bytes(2))"
    );
    let run = ok(device.run_with_board_file(board, &script, &[]));
    assert_eq!(
        run.lines(),
        ["True", "0x28 True", "(85.0, True)", "True", "False (21.5, True)", "(-3.25, True)", "b'\\xff\\xff'",]
    );
}

#[test]
fn nothing_on_the_bus_gives_no_presence() {
    let device = Device::new();
    let run = ok(device.run(&format!("{MASTER}\nprint(reset())")));
    assert_eq!(run.lines(), ["False"]);
}
