//! `uctypes`: C structures laid over the script's buffers, as MicroPython
//! 1.11 lays them on the 32-bit ESP32 (4-byte pointers, little-endian
//! native layout with natural alignment).

mod common;

use common::snippet;

#[test]
fn fields_bit_fields_arrays_and_nested_structures_read_and_write_the_buffer() {
    let out = snippet(
        "import uctypes
desc = {
    'len': uctypes.UINT16 | 0,
    'flags': uctypes.BFUINT8 | 2 | 4 << uctypes.BF_POS | 3 << uctypes.BF_LEN,
    'sub': (3, {'a': uctypes.INT8 | 0}),
    'data': (uctypes.ARRAY | 4, uctypes.UINT8 | 4),
    'words': (uctypes.ARRAY | 4, uctypes.UINT16 | 2),
    'pairs': (uctypes.ARRAY | 4, 2, {'lo': uctypes.UINT8 | 0, 'hi': uctypes.UINT8 | 1}),
}
buf = bytearray(b'\\x34\\x12\\x70\\xffabcd')
s = uctypes.struct(uctypes.addressof(buf), desc, uctypes.LITTLE_ENDIAN)
print(hex(s.len), s.flags, s.sub.a, s.data, hex(s.words[1]), s.pairs[1].hi)
s.len = 0x10203
s.flags = 5
s.data[0] = 0x41
print(buf, uctypes.sizeof(desc), uctypes.sizeof(desc, uctypes.LITTLE_ENDIAN))
be = uctypes.struct(uctypes.addressof(buf), {'x': uctypes.UINT32 | 0}, uctypes.BIG_ENDIAN)
print(hex(be.x))
show(lambda: s.data[4])
show(lambda: s[0])
show(lambda: s.missing)
show(uctypes.sizeof, uctypes.UINT8)",
    );
    assert_eq!(
        out,
        [
            "0x1234 7 -1 bytearray(b'abcd') 0x6463 100",
            "bytearray(b'\\x03\\x02P\\xffAbcd') 8 8",
            "0x30250ff",
            "IndexError: bytearray index out of range",
            "TypeError: struct: cannot index",
            "KeyError: 'missing'",
            "TypeError: Cannot unambiguously get sizeof scalar",
        ]
    );
}

#[test]
fn pointers_hold_32_bit_addresses_of_other_buffers() {
    let out = snippet(
        "import uctypes
target = b'01'
desc = {'p': (uctypes.PTR | 0, uctypes.UINT8), 'ps': (uctypes.PTR | 0, {'b': uctypes.UINT8 | 1})}
holder = uctypes.addressof(target).to_bytes(4, 'little')
s = uctypes.struct(uctypes.addressof(holder), desc)
print(uctypes.sizeof(desc), int(s.p) == uctypes.addressof(target), s.p[1], s.ps[0].b)
print(uctypes.addressof(target) == uctypes.addressof(target), uctypes.bytes_at(int(s.p), 2))
view = uctypes.bytearray_at(uctypes.addressof(bytearray(3)), 3)
print(view, len(view))
print(uctypes.struct(0, {}), uctypes.struct(0, (uctypes.PTR | 0, uctypes.UINT8)))
show(lambda: uctypes.struct(0x3FF44000, {'r': uctypes.UINT32 | 0}).r)
show(uctypes.addressof, 5)",
    );
    assert_eq!(
        out,
        [
            "4 True 49 49",
            "True b'01'",
            "bytearray(b'\\x00\\x00\\x00') 3",
            "<struct STRUCT 0> <struct PTR 0>",
            "OSError: (14, 'uctypes: no buffer at 0x3ff44000 (4 bytes); the emulator has only those given an address by addressof()')",
            "TypeError: object with buffer protocol required",
        ]
    );
}

#[test]
fn native_layout_aligns_fields_and_rounds_the_size_up() {
    let out = snippet(
        "import uctypes
d = {'a': uctypes.UINT8 | 0, 'b': uctypes.UINT32 | 4, 'c': uctypes.UINT8 | 8}
print(uctypes.sizeof(d), uctypes.sizeof(d, uctypes.LITTLE_ENDIAN))
print(uctypes.sizeof({'arr': (uctypes.ARRAY | 0, 3, {'x': uctypes.UINT32 | 0, 'y': uctypes.UINT8 | 4})}))
buf = bytearray(8)
f = uctypes.struct(uctypes.addressof(buf), {'f': uctypes.FLOAT32 | 0, 'd': uctypes.FLOAT64 | 0})
f.f = 1.5
print(buf[:4], f.f)",
    );
    assert_eq!(out, ["12 9", "24", "bytearray(b'\\x00\\x00\\xc0?') 1.5"]);
}
