//! `uio` as the firmware builds it: in-memory `StringIO`/`BytesIO` streams,
//! and the file classes and `open` of the filesystem.

mod common;

use common::snippet;

#[test]
fn stringio_reads_writes_and_seeks() {
    let out = snippet(
        "import uio
s = uio.StringIO('héllo\\nworld\\n')
print(repr(s.read(2)), repr(s.readline()), repr(s.read()))
print(s.seek(1), s.write('EY'), repr(s.getvalue()))
s.seek(0, 2)
s.write('!')
print(repr(s.getvalue()))
print(list(uio.StringIO('a\\nb')))
try:
    s.seek(-1)
except OSError as e:
    print('OSError', e.args[0])
print(hasattr(s, 'tell'))
s.close()
show(s.read)
show(s.getvalue)",
    );
    assert_eq!(
        out,
        [
            "'hé' 'llo\\n' 'world\\n'",
            "1 2 'hEYllo\\nworld\\n'",
            "'hEYllo\\nworld\\n!'",
            "['a\\n', 'b']",
            "OSError 22",
            "False",
            "ValueError: I/O operation on closed file",
            "ValueError: I/O operation on closed file",
        ]
    );
}

#[test]
fn bytesio_with_a_size_or_initial_bytes() {
    let out = snippet(
        "import uio
b = uio.BytesIO(10)
print(b.getvalue(), b.write(b'ab'), b.write(bytearray(b'c')), b.getvalue())
b = uio.BytesIO(b'12345')
print(b.read(2), b.seek(7), b.write(b'X'), b.getvalue())
buf = bytearray(3)
b.seek(0)
print(b.readinto(buf), buf)
with uio.BytesIO(b'x') as f:
    print(f.read())",
    );
    assert_eq!(out, ["b'' 2 1 b'abc'", "b'12' 7 1 b'12345\\x00\\x00X'", "3 bytearray(b'123')", "b'x'",]);
}

#[test]
fn files_are_uio_classes() {
    let out = snippet(
        "import uio
with uio.open('/flash/t.txt', 'w') as f:
    f.write('hi')
print(type(open('/flash/t.txt')) is uio.TextIOWrapper, type(open('/flash/t.txt', 'rb')) is uio.FileIO)
print(hasattr(uio, 'IOBase'))
try:
    import io
except ImportError:
    print('no io')",
    );
    assert_eq!(out, ["True True", "False", "no io"]);
}
