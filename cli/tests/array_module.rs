//! `array` as the firmware builds it: typed items in a byte buffer, with
//! slice assignment, and the raw bytes available to `bytes()` and to files.

mod common;

use common::snippet;

#[test]
fn typecodes_repr_and_wrapping() {
    let out = snippet(
        "from array import array
a = array('b', [1, 2])
print(a, array('H'), len(a), a[-1])
a.append(-1)
a.append(255)
print(a, bytes(a))
h = array('h', b'\\x01\\x00\\x02\\x00\\x03')
print(h, h[1:], array('I', [-1]), array('l', [2**31]))
print(array('f', [0.5, 2]), array('q', [-2]), array('Q', [-1]))
show(array, 'x')
show(a.append, 1.5)
show(a.__getitem__, 9)",
    );
    assert_eq!(
        out,
        [
            "array('b', [1, 2]) array('H') 2 2",
            "array('b', [1, 2, -1, -1]) b'\\x01\\x02\\xff\\xff'",
            "array('h', [1, 2]) array('h', [2]) array('I', [4294967295]) array('l', [-2147483648])",
            "array('f', [0.5, 2.0]) array('q', [-2]) array('Q', [18446744073709551615])",
            "ValueError: bad typecode",
            "TypeError: can't convert float to int",
            "IndexError: array index out of range",
        ]
    );
}

#[test]
fn extend_concatenate_and_slice_assignment() {
    let out = snippet(
        "from array import array
a = array('B', [1, 2, 3])
a.extend(array('B', [4]))
a += b'\\x05'
print(a, a + bytearray(b'\\x06'), a == array('B', [1, 2, 3, 4, 5]), a == b'\\x01\\x02\\x03\\x04\\x05')
a[1:3] = array('B', [9, 9, 9])
print(a)
a[0:1] = b''
print(a, list(a))
show(a.extend, [1])
show(a.__setitem__, slice(0, 1), [1])
show(array('h', [1]).__setitem__, slice(0, 1), b'\\x00\\x00')
show(a.__getitem__, slice(0, 4, 2))
show(a.__contains__, 9)",
    );
    assert_eq!(
        out,
        [
            "array('B', [1, 2, 3, 4, 5]) array('B', [1, 2, 3, 4, 5, 6]) True True",
            "array('B', [1, 9, 9, 9, 4, 5])",
            "array('B', [9, 9, 9, 4, 5]) [9, 9, 9, 4, 5]",
            "TypeError: object with buffer protocol required",
            "NotImplementedError: array/bytes required on right side",
            "ValueError: lhs and rhs should be compatible",
            "NotImplementedError: only slices with step=1 (aka None) are supported",
            "NotImplementedError: ",
        ]
    );
}

#[test]
fn files_take_the_raw_items() {
    let out = snippet(
        "from array import array
with open('/flash/a.bin', 'wb') as f:
    f.write(array('h', [1, -1]))
print(open('/flash/a.bin', 'rb').read())",
    );
    assert_eq!(out, ["b'\\x01\\x00\\xff\\xff'"]);
}

#[test]
fn a_memoryview_of_an_array_reads_and_writes_its_items() {
    let out = snippet(
        "import array
a = array.array('h', [0x7f00, -0x8000, 5])
m = memoryview(a)
print(len(m), list(m), m[-1])
m[2] = 6
print(a, list(m[1:]))
print(list(memoryview(array.array('b', [127, -128]))), list(memoryview(array.array('L', [2**32 - 1]))))
print(list(memoryview(array.array('B', [255, 1]))))",
    );
    assert_eq!(
        out,
        [
            "3 [32512, -32768, 5] 5",
            "array('h', [32512, -32768, 6]) [-32768, 6]",
            "[127, -128] [4294967295]",
            "[255, 1]"
        ]
    );
}
