//! `kind = "pysense"`: Pycom's Pysense shield on I2C P22/P21, driven by a
//! MicroPython driver written from the datasheets: the coprocessor's
//! command protocol and battery ADC, the SI7006-A20 with its conversion time
//! and CRC, the MPL3115A2 in both modes, the LTR-329ALS-01 and the LIS2HH12.

mod common;

use common::{Device, SHIELD_DRIVER, ok};

const PYSENSE: &str = "\
[[device]]
kind = \"pysense\"
temperature = [{ at_ms = 0, value = 21.5 }, { at_ms = 5000, value = 30.0 }]
humidity = 48.0
pressure = 98000.25
altitude = -12.5
light = 500
acceleration = [0.5, -0.25, 0.75]
battery_voltage = 3.7
";

/// What the driver does after `SHIELD_DRIVER`.
const DRIVER: &str = "\
pid, fw = pic([0x12], 2), pic([0x11], 2)
print(hex(pid[0] | pid[1] << 8), fw[0] | fw[1] << 8)
pic([0x01, 0x9D, 0x00, 0x06 << 2 | 0x03], 0)          # ADCON0: AN6, on, GO
print(pic([0x00, 0x9D, 0x00], 1)[0] & 0x02)            # GO cleared: done
code = pic([0x00, 0x9C, 0x00], 1)[0] << 2 | pic([0x00, 0x9B, 0x00], 1)[0] >> 6
print(code, round(code * 3.3 * 280 / 1023 / 180 + 0.01, 2))
print(pic([0x02, 0x0C, 0x00, 0xFF, 0x01, 0x00], 1)[0]) # PORTA | 1: the button bit 3 reads high

def crc8(data):
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc << 1 ^ 0x31) & 0xFF if crc & 0x80 else crc << 1 & 0xFF
    return crc

def si7006(command, conversion_ms):
    i2c.writeto(0x40, bytes([command]))
    try:
        i2c.readfrom(0x40, 3)
        print('no conversion time')
    except OSError as e:
        pass
    time.sleep_ms(conversion_ms)
    data = i2c.readfrom(0x40, 3)
    assert crc8(data[:2]) == data[2], data
    return data[0] << 8 | data[1]

def temperature():
    return round(175.72 * si7006(0xF3, 11) / 65536 - 46.85, 2)

print(temperature(), round(125 * si7006(0xF5, 23) / 65536 - 6, 2))

def mpl(ctrl):
    i2c.writeto_mem(0x60, 0x26, bytes([ctrl]))
    assert i2c.readfrom_mem(0x60, 0x00, 1)[0] & 0x04
    p = i2c.readfrom_mem(0x60, 0x01, 5)
    return p[0] << 16 | p[1] << 8 | p[2], struct.unpack('>h', p[3:5])[0] / 256

raw, t = mpl(0x39)
print(hex(i2c.readfrom_mem(0x60, 0x0C, 1)[0]), raw / 64, t)
raw, t = mpl(0xB9)
print(struct.unpack('>i', bytes([raw >> 16, raw >> 8 & 0xFF, raw & 0xFF, 0]))[0] / 65536 / 16 * 16)

i2c.writeto_mem(0x29, 0x80, b'\\x01')
i2c.writeto_mem(0x29, 0x85, b'\\x03')
ch1, ch0 = struct.unpack('<HH', i2c.readfrom_mem(0x29, 0x88, 4))
print(hex(i2c.readfrom_mem(0x29, 0x86, 1)[0]), ch0, ch1, round((1.7743 * ch0 + 1.1059 * ch1), 1))

print(hex(i2c.readfrom_mem(0x1E, 0x0F, 1)[0]))
i2c.writeto_mem(0x1E, 0x23, b'\\x24')                  # +-4 g
print([v / 8192 for v in struct.unpack('<hhh', i2c.readfrom_mem(0x1E, 0x28, 6))])

time.sleep(5)
print(temperature())
";

#[test]
fn a_driver_written_from_the_datasheets_reads_every_sensor_of_the_shield() {
    let run = ok(Device::new().run_with_board_file(PYSENSE, &format!("{SHIELD_DRIVER}{DRIVER}"), &[]));
    assert_eq!(
        run.lines(),
        [
            "[8, 30, 41, 64, 96]",
            "0xf012 16",
            "0",
            "735 3.7",
            "9",
            "21.5 48.0",
            "0xc4 98000.25 21.5",
            "-12.5",
            "0xa0 244 61 500.4",
            "0x41",
            "[0.5, -0.25, 0.75]",
            "30.0",
        ]
    );
}

#[test]
fn a_version_1_shield_reports_the_first_coprocessor_firmware() {
    let toml = "[[device]]\nkind = \"pysense\"\nversion = 1\n";
    let script = "from machine import I2C\ni2c = I2C(0, pins=('P22', 'P21'))\n\
                  i2c.writeto(8, b'\\x11')\nprint(list(i2c.readfrom(8, 3)))\n\
                  i2c.writeto(8, b'\\x12')\nprint(list(i2c.readfrom(8, 3)))\n";
    let run = ok(Device::new().run_with_board_file(toml, script, &[]));
    assert_eq!(run.lines(), ["[255, 11, 0]", "[255, 18, 240]"]);
}

#[test]
fn the_shields_button_pulls_ra3_low_while_the_board_file_holds_it_pressed() {
    let toml = "[[device]]\nkind = \"pysense\"\nbutton = [{ at_ms = 0, value = 0 }, { at_ms = 1000, value = 1 }, { at_ms = 1500, value = 0 }]\n";
    let script = "from machine import I2C\nimport time\ni2c = I2C(0, pins=('P22', 'P21'))\n\
                  def porta():\n    i2c.writeto(8, bytes([0x00, 0x0C, 0x00]))\n    return i2c.readfrom(8, 2)[1] >> 3 & 1\n\
                  for ms in (0, 1200, 600):\n    time.sleep_ms(ms)\n    print(porta())\n";
    let run = ok(Device::new().run_with_board_file(toml, script, &[]));
    assert_eq!(run.lines(), ["1", "0", "1"]);
}

#[test]
fn out_of_range_shield_values_exit_2_naming_the_file() {
    for (line, message) in [
        ("version = 3", "version must be 1 or 2, not 3"),
        ("humidity = 101", "humidity 101 is out of range (0 to 100)"),
        ("battery_voltage = nan", "battery_voltage: values and times must be numbers, not NaN"),
        ("light = [{ at_ms = -1, value = 5 }]", "light: step times must not be negative"),
        ("acceleration = [0, 0, 9]", "acceleration 9 is out of range (-8 to 8)"),
        ("button = [{ at_ms = 0, value = 3 }]", "button 3 is out of range (0 to 1)"),
        ("colour = 1", "unknown field `colour`"),
    ] {
        Device::new().refuses_board_file(&format!("[[device]]\nkind = \"pysense\"\n{line}\n"), message);
    }
}
