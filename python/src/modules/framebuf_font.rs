//! `_framebuf_font`: the 8x8 glyphs `framebuf.FrameBuffer.text` draws, for
//! the frozen `framebuf` module. The firmware draws MicroPython's own font;
//! this one is the public-domain `font8x8` (IBM PC style), so letters are
//! drawn in the same 8x8 cells, 8 pixels apart, with other shapes.

pub(crate) use framebuf_font::module_def;

/// The glyph of byte `code` as 8 columns, left to right, bit 0 the top
/// pixel. As on the board, bytes outside printable ASCII draw the glyph of 127.
fn columns(code: u8) -> [u8; 8] {
    let code = if (32..=127).contains(&code) { code } else { 127 };
    let rows = font8x8::legacy::BASIC_LEGACY[usize::from(code)];
    std::array::from_fn(|column| {
        rows.iter().enumerate().fold(0u8, |acc, (row, bits)| acc | (((bits >> column) & 1) << row))
    })
}

#[rustpython_vm::pymodule(name = "_framebuf_font")]
mod framebuf_font {
    use rustpython_vm::VirtualMachine;
    use rustpython_vm::builtins::PyBytesRef;

    /// `glyphs(text)`: the columns of each byte of `text`, 8 per byte.
    #[pyfunction]
    fn glyphs(text: PyBytesRef, vm: &VirtualMachine) -> PyBytesRef {
        vm.ctx.new_bytes(text.as_bytes().iter().flat_map(|&code| super::columns(code)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::columns;

    #[test]
    fn a_glyph_is_turned_into_columns_with_the_top_row_in_bit_0() {
        // '|' of font8x8, a broken bar: the two middle columns on rows 0-2 and 4-6.
        assert_eq!(columns(b'|'), [0, 0, 0, 0x77, 0x77, 0, 0, 0]);
        assert_eq!(columns(b' '), [0; 8]);
    }

    #[test]
    fn bytes_outside_printable_ascii_draw_glyph_127() {
        assert_eq!(columns(0), columns(127));
        assert_eq!(columns(200), columns(127));
    }
}
