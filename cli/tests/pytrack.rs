//! `kind = "pytrack"`: Pycom's Pytrack shield on I2C P22/P21: the coprocessor
//! with the Pytrack's product ID, the LIS2HH12, and the L76-L GNSS receiver
//! at 0x10 streaming NMEA sentences of the board file's position, read by a
//! MicroPython driver written from Quectel's I2C protocol and NMEA 0183.

mod common;

use common::{Device, SHIELD_DRIVER, ok};

const PYTRACK: &str = "\
[[device]]
kind = \"pytrack\"
time_to_first_fix_ms = 2000
position = [{ at_ms = 0, lat = 51.4416, lon = 5.4697 }, { at_ms = 5000, lat = -33.8688, lon = -151.2093 }]
acceleration = [0.5, 0.0, 0.75]
";

/// What the driver does after `SHIELD_DRIVER`.
const DRIVER: &str = "\
pid = pic([0x12], 2)
print(hex(pid[0] | pid[1] << 8))
i2c.writeto_mem(0x1E, 0x23, b'\\x00')                  # +-2 g
print([v / 16384 for v in struct.unpack('<hhh', i2c.readfrom_mem(0x1E, 0x28, 6))])

def sentences():
    # Everything the receiver has buffered: chunks until one of LF fill only.
    data = b''
    while True:
        chunk = i2c.readfrom(0x10, 64)
        if chunk == b'\\n' * 64:
            break
        data += chunk
    found = {}
    for line in data.split(b'\\r\\n'):
        line = line.lstrip(b'\\n')
        if line.startswith(b'$') and line[-3:-2] == b'*':
            body = line[1:-3]
            checksum = 0
            for c in body:
                checksum ^= c
            assert '%02X' % checksum == line[-2:].decode(), line
            fields = body.decode().split(',')
            found[fields[0]] = fields
    return found

def degrees(text, hemisphere):
    whole, fraction = text.split('.')
    value = int(whole) // 100 + (int(whole) % 100 + int(fraction) / 10000) / 60
    return round(-value if hemisphere in 'SW' else value, 6)

def position():
    found = sentences()
    gll, date = found['GNGLL'], found['GNRMC'][9]
    if gll[6] != 'A':
        return gll[5], date, None
    return gll[5], date, (degrees(gll[1], gll[2]), degrees(gll[3], gll[4]))

print(position())
time.sleep(3)
print(position())
time.sleep(3)
print(position())
";

#[test]
fn a_driver_reads_the_position_of_the_board_file_after_the_time_to_first_fix() {
    let run = ok(Device::new().run_with_board_file(PYTRACK, &format!("{SHIELD_DRIVER}{DRIVER}"), &[]));
    assert_eq!(
        run.lines(),
        [
            "[8, 16, 30]",
            "0xf013",
            "[0.5, 0.0, 0.75]",
            "('000000.000', '010121', None)",
            "('000003.000', '010121', (51.4416, 5.4697))",
            "('000006.000', '010121', (-33.8688, -151.2093))",
        ]
    );
}

#[test]
fn bad_pytrack_descriptions_exit_2_naming_the_file() {
    for (line, message) in [
        ("version = 0", "version must be 1 or 2, not 0"),
        ("position = { lat = 91, lon = 0 }", "position: latitude 91 is out of range (-90 to 90)"),
        ("position = { lat = 0, lon = -181 }", "position: longitude -181 is out of range (-180 to 180)"),
        ("position = []", "position: a track needs at least one point"),
        ("position = [{ at_ms = -5, lat = 0, lon = 0 }]", "position: point times must not be negative, not -5"),
        ("position = { lat = nan, lon = 0 }", "position: values and times must be numbers, not NaN"),
        ("position = { lat = 1 }", "a position { lat = ..., lon = ... }, or a track"),
        ("time_to_first_fix_ms = -1", "time_to_first_fix_ms must be a time (0 or more), not -1"),
        ("button = 2", "button 2 is out of range (0 to 1)"),
        ("temperature = 20", "unknown field `temperature`"),
    ] {
        Device::new().refuses_board_file(&format!("[[device]]\nkind = \"pytrack\"\n{line}\n"), message);
    }
}
