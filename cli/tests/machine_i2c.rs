//! `machine.I2C` as firmware 1.20.2 implements it (machine_i2c.c) against
//! `kind = "i2c"` register-map devices of a board file: a driver written
//! from the board file's register description, `scan`, the missing-address
//! error, every argument error, device time, and the `--trace-bus` lines.

mod common;

use common::{Device, SHOW, ok};

/// A datasheet-like sensor at 0x48 on P9/P10, with 2-byte register addresses:
/// - 0x0100-0x0101 TEMP: temperature in 0.1 °C, big-endian, read-only; 21.5 °C
///   until 2 s after power-on, then 23.0 °C;
/// - 0x0102 ID: 0x5A, read-only;
/// - 0x0200 STATUS: flags, write 1 to clear;
/// - 0x0201-0x0203 CONFIG: three read-write bytes.
const SENSOR: &str = "\
[[device]]
kind = \"i2c\"
address = 0x48
register_address_bytes = 2
[[device.register]]
at = 0x0100
value = [{ at_ms = 0, value = 215 }, { at_ms = 2000, value = 230 }]
size = 2
[[device.register]]
at = 0x0102
bytes = [0x5A]
read_only = true
[[device.register]]
at = 0x0200
bytes = [0b1011_0001]
write_one_to_clear = true
[[device.register]]
at = 0x0201
bytes = [1, 2, 3]
";

/// A second device on the same wires, and one on other pins.
const TWO_MORE: &str = "\
[[device]]
kind = \"i2c\"
address = 0x1E
[[device]]
kind = \"i2c\"
sda = \"P23\"
scl = \"P22\"
address = 0x29
";

/// Runs `script` (with `show`) on a board wired as `toml`; returns its stdout lines.
fn wired(toml: &str, script: &str, extra: &[&str]) -> Vec<String> {
    Device::new().run_wired(toml, &format!("{SHOW}\nfrom machine import I2C\nimport time\n{script}"), extra)
}

#[test]
fn a_driver_written_from_the_register_description_reads_and_writes_the_device_exactly() {
    let driver = "\
class Sensor:
    def __init__(self, i2c, addr=0x48):
        self.i2c, self.addr = i2c, addr
    def temperature(self):
        raw = self.i2c.readfrom_mem(self.addr, 0x0100, 2, addrsize=16)
        return (raw[0] << 8 | raw[1]) / 10
    def ident(self):
        return self.i2c.readfrom_mem(self.addr, 0x0102, 1, addrsize=16)[0]
    def status(self):
        return self.i2c.readfrom_mem(self.addr, 0x0200, 1, addrsize=16)[0]
    def clear(self, flags):
        self.i2c.writeto_mem(self.addr, 0x0200, bytes([flags]), addrsize=16)
    def config(self):
        buf = bytearray(3)
        self.i2c.readfrom_mem_into(self.addr, 0x0201, buf, addrsize=16)
        return bytes(buf)

s = Sensor(I2C(0))
print(s.temperature(), hex(s.ident()), bin(s.status()), s.config())
s.i2c.writeto_mem(0x48, 0x0102, b'\\x00', addrsize=16)
s.i2c.writeto_mem(0x48, 0x0100, b'\\x00\\x00', addrsize=16)
print(hex(s.ident()), s.temperature())
s.clear(0b0011_0000)
print(bin(s.status()))
s.i2c.writeto_mem(0x48, 0x0202, b'\\x20\\x30', addrsize=16)
print(s.config())
s.i2c.writeto(0x48, b'\\x01\\x00', stop=False)
print(s.i2c.readfrom(0x48, 4))  # 0x0103 is no register: it reads 0
time.sleep_ms(2000)
print(s.temperature())
buf = bytearray(2)
s.i2c.writeto(0x48, b'\\x02\\x01')
print(s.i2c.readfrom_into(0x48, buf), buf)
";
    assert_eq!(
        wired(SENSOR, driver, &[]),
        [
            "21.5 0x5a 0b10110001 b'\\x01\\x02\\x03'",
            "0x5a 21.5",
            "0b10000001",
            "b'\\x01 0'",
            "b'\\x00\\xd7Z\\x00'",
            "23.0",
            "2 bytearray(b'\\x01 ')",
        ]
    );
}

#[test]
fn scan_lists_exactly_the_devices_on_the_buses_pins() {
    let toml = format!("{SENSOR}{TWO_MORE}");
    assert_eq!(
        wired(
            &toml,
            "print(I2C(0).scan())\nprint(I2C(1, pins=('P23', 'P22')).scan())\n\
             print(I2C(2).scan())\nprint(I2C(0, pins=('P23', 'P10')).scan())",
            &[]
        ),
        ["[30, 72]", "[41]", "[30, 72]", "[]"]
    );
}

#[test]
fn an_address_nobody_answers_is_the_firmwares_i2c_bus_error() {
    assert_eq!(
        wired(
            SENSOR,
            "i2c = I2C(0)\nshow(i2c.readfrom, 0x50, 1)\nshow(i2c.writeto, 0x50, b'x')\n\
             show(i2c.readfrom_mem, 0x50, 0, 2)\nshow(i2c.writeto_mem, 0x50, 0, b'x')\n\
             show(I2C(2).readfrom_into, 0x50, bytearray(1))\n\
             try:\n    i2c.readfrom(0x50, 1)\nexcept OSError as e:\n    print(e.args)",
            &[]
        ),
        [
            "OSError: I2C bus error",
            "OSError: I2C bus error",
            "OSError: I2C bus error",
            "OSError: I2C bus error",
            "OSError: I2C bus error",
            "('I2C bus error',)",
        ]
    );
}

#[test]
fn constructor_and_method_argument_errors_have_the_firmwares_texts() {
    let script = "\
show(I2C, 3)
show(I2C, -1)
show(I2C, 0, 1)
show(I2C, 0, baudrate=0)
show(I2C, 0, baudrate=-5)
show(I2C, 0, pins=('P9',))
show(I2C, 0, pins='P9')
show(I2C, 0, pins=('P9', 'P99'))
show(I2C, 0, I2C.MASTER, 100000)
show(I2C, 0, speed=1)
show(I2C, 'x')
i2c = I2C(0)
show(i2c.readfrom_mem, 0x48, 0, 1, addrsize=12)
show(i2c.writeto_mem, 0x48, 0, b'x', addrsize=0)
show(i2c.readfrom_mem_into, 0x48, 0, bytearray(1), addrsize=32)
show(i2c.readfrom, 0x48)
show(i2c.writeto, 0x48)
show(i2c.readfrom_into, 0x48, b'immutable')
show(i2c.writeto, 0x48, 3.5)
show(i2c.scan, 1)
show(i2c.init, 1)
show(i2c.readfrom_mem, 0x48, 0x100, 2, 16)
print(I2C.MASTER, i2c.readfrom_mem(0x48, 0x100, 0, addrsize=16))
";
    assert_eq!(
        wired(SENSOR, script, &[]),
        [
            "OSError: resource not available",
            "OSError: resource not available",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "ValueError: requested length 2 but object has length 1",
            "TypeError: object 'str' isn't a tuple or list",
            "ValueError: invalid argument(s) value",
            "TypeError: extra positional arguments given",
            "TypeError: extra keyword arguments given",
            "TypeError: can't convert str to int",
            "ValueError: invalid memory address size 12",
            "ValueError: invalid memory address size 0",
            "ValueError: invalid memory address size 32",
            "TypeError: 'nbytes' argument required",
            "TypeError: 'buf' argument required",
            "TypeError: object with buffer protocol required",
            "TypeError: object with buffer protocol required",
            "TypeError: function takes 1 positional arguments but 2 were given",
            "ValueError: invalid argument(s) value",
            "TypeError: extra positional arguments given",
            "0 b''",
        ]
    );
}

#[test]
fn one_object_per_bus_with_the_firmwares_repr_and_deinit() {
    assert_eq!(
        wired(
            SENSOR,
            "a = I2C(0)\nprint(a is I2C(0, baudrate=400000), a)\nprint(I2C(1), I2C(2, baudrate=20000))\n\
             a.deinit()\nprint(a, a.scan())\nshow(a.readfrom, 0x48, 1)\n\
             b = I2C(2)\nb.deinit()\nprint(b, b.scan())\na.init(baudrate=50000)\nprint(a, a.scan())",
            &[]
        ),
        [
            "True I2C(0, I2C.MASTER, baudrate=400000)",
            "I2C(1, I2C.MASTER, baudrate=100000) I2C(2, I2C.MASTER, baudrate=20000)",
            "I2C(0) []",
            "OSError: I2C bus error",
            "I2C(2) [72]",
            "I2C(0, I2C.MASTER, baudrate=50000) [72]",
        ]
    );
}

#[test]
fn a_100_byte_write_at_100_khz_takes_911_bit_times_of_device_time() {
    // START, address, 100 data bytes (9 bits each with the ACK), STOP: 911 bits
    // of 10 µs, plus the few µs the calls themselves cost.
    let script = "\
i2c = I2C(0, baudrate=100000)
data = bytes(100)
t0 = time.ticks_us()
i2c.writeto(0x48, data)
dt = time.ticks_diff(time.ticks_us(), t0)
print(9110 <= dt < 9110 + 20)
";
    assert_eq!(wired(SENSOR, script, &[]), ["True"]);
}

#[test]
fn trace_bus_writes_one_json_line_per_addressed_transfer() {
    let device = Device::new();
    let (file, trace) = (device.path("board.toml"), device.path("bus.jsonl"));
    std::fs::write(&file, SENSOR).unwrap();
    let script = "\
from machine import I2C
i2c = I2C(1, baudrate=100000)
i2c.readfrom_mem(0x48, 0x0100, 3, addrsize=16)
i2c.writeto_mem(0x48, 0x0200, b'\\x01', addrsize=16)
try:
    i2c.writeto(0x50, b'\\x07')
except OSError:
    pass
i2c.readfrom(0x48, 2)
";
    ok(device.run_with(script, &["--board-file", file.to_str().unwrap(), "--trace-bus", trace.to_str().unwrap()]));
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&trace).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let without_time: Vec<String> = lines
        .iter()
        .map(|l| {
            let mut l = l.clone();
            l.as_object_mut().unwrap().remove("time_us");
            l.to_string()
        })
        .collect();
    assert_eq!(
        without_time,
        [
            r#"{"ack":true,"address":72,"bus":"i2c1","bytes":"0100","direction":"write"}"#,
            r#"{"ack":true,"address":72,"bus":"i2c1","bytes":"00d75a","direction":"read"}"#,
            r#"{"ack":true,"address":72,"bus":"i2c1","bytes":"020001","direction":"write"}"#,
            r#"{"ack":false,"address":80,"bus":"i2c1","bytes":"","direction":"write"}"#,
            r#"{"ack":true,"address":72,"bus":"i2c1","bytes":"0102","direction":"read"}"#,
        ]
    );
    let times: Vec<u64> = lines.iter().map(|l| l["time_us"].as_u64().unwrap()).collect();
    // The repeated START comes after START, address and two register bytes: 28 bit times.
    assert_eq!(times[1] - times[0], 280);
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
}

#[test]
fn bad_i2c_devices_in_a_board_file_exit_2_naming_the_file() {
    let cases = [
        ("address = 0x48\nregister_address_bytes = 3\n", "register_address_bytes must be 1 or 2, not 3"),
        ("address = 0x80\n", "address must be a 7-bit address (0 to 0x7f), not 0x80"),
        ("address = 0x48\n[[device.register]]\nat = 0\nbytes = [256]\n", "byte 256 is out of range"),
        ("address = 0x48\n[[device.register]]\nat = 0\nvalue = 300\n", "value 300 does not fit in 1 byte(s)"),
        ("address = 0x48\n[[device.register]]\nat = 0\nvalue = nan\n", "not NaN"),
        (
            "address = 0x48\n[[device.register]]\nat = 0\nvalue = [{ at_ms = -5, value = 1 }]\n",
            "step times must not be negative, not -5",
        ),
        ("address = 0x48\n[[device.register]]\nat = 0x100\nbytes = [1]\n", "does not fit in 1 byte(s)"),
        (
            "address = 0x48\n[[device.register]]\nat = 0\nbytes = [1, 2]\n[[device.register]]\nat = 1\nbytes = [3]\n",
            "registers overlap at 0x1",
        ),
        (
            "address = 0x48\n[[device]]\nkind = \"i2c\"\nsda = \"G16\"\naddress = 0x48\n",
            "I2C address 0x48 on SDA GPIO12/SCL GPIO13 is taken",
        ),
        ("address = 0x48\nsda = \"P99\"\n", "no such pin"),
        ("address = 0x48\ncolour = 1\n", "unknown field `colour`"),
    ];
    for (body, message) in cases {
        Device::new().refuses_board_file(&format!("[[device]]\nkind = \"i2c\"\n{body}"), message);
    }
}
