//! `kind = "pyscan"`: Pycom's Pyscan shield on I2C P22/P21: the coprocessor
//! with the Pyscan's product ID, the LTR-329ALS-01, the LIS2HH12 and the
//! MFRC630 NFC reader with the board file's cards, read by a MicroPython
//! driver written from the MFRC630 datasheet and ISO 14443-3 (REQA,
//! anticollision and select over the cascade levels) and NXP's MIFARE
//! Classic datasheet (LOADKEY, MFAUTHENT, READ, WRITE, HLTA).

mod common;

use common::{Device, SHIELD_DRIVER, ok};

const PYSCAN: &str = "\
[[device]]
kind = \"pyscan\"
light = 120

[[device.card]]
uid = [0x43, 0x95, 0xDD, 0xF8]
from_ms = 1000
until_ms = 2000

[[device.card]]
uid = [0x04, 0x5A, 0xEB, 0x7D, 0x8A, 0x08, 0x04]
from_ms = 3000
";

/// The driver's functions, after `SHIELD_DRIVER`.
const FUNCTIONS: &str = "\
def wr(reg, *data):
    i2c.writeto_mem(0x28, reg, bytes(data))

def rd(reg, n=1):
    return i2c.readfrom_mem(0x28, reg, n)

def transceive(frame, last_bits=0):
    wr(0x00, 0x00)                        # idle
    wr(0x02, 0x10)                        # flush the FIFO
    wr(0x06, 0x7F)                        # clear IRQ0 and IRQ1
    wr(0x07, 0x7F)
    wr(0x08, 0x06, 0x01)                  # RX and error IRQs, timer 0
    wr(0x0F, 0x11, 0x03, 0xFF)            # timer 0: 211.875 kHz from the end of TX, 1024 ticks
    wr(0x2E, 0x08 | last_bits)
    wr(0x05, *frame)                      # the FIFO takes every byte
    wr(0x00, 0x07)                        # transceive
    while not rd(0x07)[0] & 0x41:         # global IRQ or timer 0
        pass
    wr(0x00, 0x00)
    if not rd(0x06)[0] & 0x04:
        return None
    return list(rd(0x05, rd(0x04)[0]))

def select():
    atqa = transceive([0x26], 7)          # REQA: 7 bits
    if atqa is None:
        return None
    uid = []
    for cascade in (0x93, 0x95, 0x97):
        part = transceive([cascade, 0x20])
        assert part[4] == part[0] ^ part[1] ^ part[2] ^ part[3]
        sak = transceive([cascade, 0x70] + part)[0]
        if not sak & 0x04:
            return atqa, ' '.join('%02X' % b for b in uid + part[:4]), sak
        uid += part[1:4]
";

/// What the first test does with them.
const DRIVER: &str = "\
pid = pic([0x12], 2)
print(hex(pid[0] | pid[1] << 8))
print(hex(rd(0x7F)[0]))
start = time.ticks_ms()
print(select(), time.ticks_ms() - start >= 4)
time.sleep_ms(1500)
print(select())
print(select())                           # a selected card answers no REQA
wr(0x00, 0x1F)                            # soft reset: the field goes off
time.sleep_ms(1000)
print(select())
time.sleep_ms(1000)
print(select())
";

#[test]
fn a_driver_reads_the_uid_of_each_card_while_it_is_held_to_the_reader() {
    let run = ok(Device::new().run_with_board_file(PYSCAN, &format!("{SHIELD_DRIVER}{FUNCTIONS}{DRIVER}"), &[]));
    assert_eq!(
        run.lines(),
        [
            "[8, 30, 40, 41]",
            "0xef38",
            "0x18",
            "None True",
            "([4, 0], '43 95 DD F8', 8)",
            "None",
            "None",
            "([68, 0], '04 5A EB 7D 8A 08 04', 0)",
        ]
    );
}

#[test]
fn bad_cards_exit_2_naming_the_file() {
    for (card, message) in [
        ("uid = [1, 2, 3]", "a card uid has 4, 7 or 10 bytes, not 3"),
        ("uid = [1, 2, 3, 256]", "card uid byte 256 is out of range (0 to 255)"),
        ("uid = [1, 2, 3, 4]\nsak = 0x04", "card sak must be a byte without the cascade bit 0x04, not 0x4"),
        ("uid = [1, 2, 3, 4]\nfrom_ms = -1", "card from_ms must be a time (0 or more), not -1"),
        ("uid = [1, 2, 3, 4]\nuntil_ms = nan", "card until_ms must be a time (0 or more), not NaN"),
        ("uid = [1, 2, 3, 4]\ncolour = 1", "unknown field `colour`"),
        ("uid = [1, 2, 3, 4]\nblocks = { 64 = \"00\" }", "card block \"64\" is not a block number (1 to 63"),
        ("uid = [1, 2, 3, 4]\nblocks = { 0 = \"00\" }", "0 is the manufacturer's"),
        ("uid = [1, 2, 3, 4]\nblocks = { 4 = \"0011\" }", "card block 4: a block is 16 bytes (32 hex digits), not 4"),
        (
            "uid = [1, 2, 3, 4]\nblocks = { 4 = \"zz112233445566778899AABBCCDDEEFF\" }",
            "card block 4: 'z' is not a hex digit",
        ),
        ("uid = [1, 2, 3, 4]\nsak = 0x20\nblocks = { 4 = \"00\" }", "card blocks are for a MIFARE Classic 1K"),
        ("uid = [1, 2, 3, 4, 5, 6, 7]\nblocks = { 4 = \"00\" }", "card blocks are for a MIFARE Classic 1K"),
    ] {
        Device::new().refuses_board_file(&format!("[[device]]\nkind = \"pyscan\"\n[[device.card]]\n{card}\n"), message);
    }
}

/// A MIFARE Classic 1K with data in block 4, held to the reader from 0 to 3 s.
const CLASSIC: &str = "\
[[device]]
kind = \"pyscan\"

[[device.card]]
uid = [0x43, 0x95, 0xDD, 0xF8]
until_ms = 3000
blocks = { 4 = \"00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF\" }
";

/// Authentication and block access after the driver's functions.
const MIFARE: &str = "\
UID = [0x43, 0x95, 0xDD, 0xF8]
BLANK = [0xFF] * 6

def auth(key, block, key_type=0x60):
    wr(0x00, 0x00)
    wr(0x02, 0x10)
    wr(0x05, *key)
    wr(0x00, 0x02)                        # load the key
    wr(0x06, 0x7F)
    wr(0x07, 0x7F)
    wr(0x08, 0x12, 0x01)                  # IDLE and error IRQs, timer 0
    wr(0x0F, 0x11, 0x07, 0xFF)            # timer 0: about 10 ms from the end of TX
    wr(0x05, key_type, block, *UID)
    wr(0x00, 0x03)                        # MFAUTHENT
    while not rd(0x07)[0] & 0x41:
        pass
    return bool(rd(0x0B)[0] & 0x20)       # Crypto1On

def hexed(data):
    return None if data is None else ' '.join('%02X' % b for b in data)

print(select())
print(hexed(transceive([0x30, 4])))       # not authenticated: NAK, the card idles
print(select())
print(auth(BLANK, 4), hexed(transceive([0x30, 4])))
print(hexed(transceive([0x30, 7])))       # the trailer: key A reads as zeros
print(hexed(transceive([0x30, 8])))       # another sector: NAK
print(rd(0x0B)[0] & 0x20)
select()
print(auth([0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5], 4), hexed(transceive([0x30, 4])))
select()
print(auth(BLANK, 7, 0x61))               # key B can be read, so it cannot authenticate
select()
print(auth(BLANK, 5))
print(hexed(transceive([0xA0, 5])), hexed(transceive(list(range(16)))), hexed(transceive([0x30, 5])))
wr(0x0B, 0x00)                            # Crypto1 off
print(rd(0x0B)[0] & 0x20, hexed(transceive([0x30, 5])))
select()
print(auth(BLANK, 5), transceive([0x50, 0x00]), rd(0x0B)[0] & 0x20, select())
print(transceive([0x52], 7))              # WUPA wakes the halted card
wr(0x00, 0x1F)                            # soft reset: the field goes off
select()
print(auth(BLANK, 5), hexed(transceive([0x30, 5])))
time.sleep_ms(3000)
print(rd(0x0B)[0] & 0x20, select())       # the card left: no authentication
";

#[test]
fn a_mifare_classic_answers_its_blocks_after_authentication_with_the_sectors_key() {
    let script = format!("{SHIELD_DRIVER}{FUNCTIONS}{MIFARE}");
    let run = ok(Device::new().run_with_board_file(CLASSIC, &script, &[]));
    assert_eq!(
        run.lines(),
        [
            "[8, 30, 40, 41]",
            "([4, 0], '43 95 DD F8', 8)",
            "04",
            "([4, 0], '43 95 DD F8', 8)",
            "True 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF",
            "00 00 00 00 00 00 FF 07 80 69 FF FF FF FF FF FF",
            "04",
            "0",
            "False None",
            "False",
            "True",
            "0A 0A 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F",
            "0 04",
            "True None 0 None",
            "[4, 0]",
            "True 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F",
            "0 None",
        ]
    );
}
