//! `framebuf`: drawing into a caller's buffer in the firmware's pixel
//! formats. `FrameBuffer.text` draws 8x8 cells as the firmware does, with the
//! glyphs of a public-domain font instead of MicroPython's.

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
            "bytearray(b'\\x00U') True True",
            "ValueError: invalid format",
        ]
    );
}

#[test]
fn text_draws_each_byte_in_an_8_pixel_cell_clipped_to_the_frame() {
    let out = snippet(
        "import framebuf
buf = bytearray(2 * 8)
fb = framebuf.FrameBuffer(buf, 16, 8, framebuf.MONO_HLSB)
fb.text('Hi', 0, 0)
for y in range(8):
    print(''.join('#' if fb.pixel(x, y) else '.' for x in range(16)))
fb.fill(0)
fb.text(b'|\\xff', -3, 2, 1)
print(buf)
show(fb.text, 5, 0, 0)",
    );
    assert_eq!(
        out,
        [
            "##..##....##....",
            "##..##..........",
            "##..##...###....",
            "######....##....",
            "##..##....##....",
            "##..##....##....",
            "##..##...####...",
            "................",
            // The broken bar's two columns land on x = 0 and 1 (rows 2-4, 6-8
            // clipped at 7); byte 0xff draws glyph 127, blank in this font.
            "bytearray(b'\\x00\\x00\\x00\\x00\\xc0\\x00\\xc0\\x00\\xc0\\x00\\x00\\x00\\xc0\\x00\\xc0\\x00')",
            "TypeError: can't convert 'int' object to str implicitly",
        ]
    );
}
