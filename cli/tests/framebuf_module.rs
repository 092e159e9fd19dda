//! `framebuf`: drawing into a caller's buffer in the firmware's pixel
//! formats. `FrameBuffer.text` is not provided (it needs MicroPython's font).

mod common;

use common::snippet;

#[test]
fn drawing_in_the_mono_and_colour_formats() {
    let out = snippet(
        "import framebuf
buf = bytearray(10)
fb = framebuf.FrameBuffer(buf, 10, 8, framebuf.MONO_VLSB)
fb.pixel(0, 0, 1)
fb.hline(2, 2, 3, 1)
fb.vline(9, 0, 8, 1)
print(buf, fb.pixel(0, 0), fb.pixel(1, 0), fb.pixel(20, 0))
fb.fill(0)
fb.line(1, 1, 4, 3, 1)
print(buf)
h = bytearray(2)
framebuf.FrameBuffer(h, 10, 1, framebuf.MONO_HLSB).rect(0, 0, 9, 1, 1)
m = bytearray(2)
framebuf.FrameBuffer(m, 10, 1, framebuf.MONO_HMSB).fill_rect(0, 0, 3, 1, 1)
print(h, m)
c = bytearray(8)
fc = framebuf.FrameBuffer(c, 2, 2, framebuf.RGB565)
fc.fill(0x1234)
fc.pixel(1, 1, 0xabcd)
print(c, hex(fc.pixel(1, 1)))
g = bytearray(2)
fg = framebuf.FrameBuffer(g, 4, 1, framebuf.GS4_HMSB)
fg.pixel(0, 0, 0xa)
fg.pixel(3, 0, 0x5)
fg.scroll(-1, 0)
print(g, framebuf.MONO_VLSB == framebuf.MVLSB, hasattr(fb, 'text'))
show(framebuf.FrameBuffer, buf, 1, 1, 9)",
    );
    assert_eq!(
        out,
        [
            "bytearray(b'\\x01\\x00\\x04\\x04\\x04\\x00\\x00\\x00\\x00\\xff') 1 0 None",
            "bytearray(b'\\x00\\x02\\x04\\x04\\x08\\x00\\x00\\x00\\x00\\x00')",
            "bytearray(b'\\xff\\x80') bytearray(b'\\x07\\x00')",
            "bytearray(b'4\\x124\\x124\\x12\\xcd\\xab') 0xabcd",
            "bytearray(b'\\x00U') True False",
            "ValueError: invalid format",
        ]
    );
}
