# framebuf as the firmware builds it: drawing into a caller's buffer in the
# pixel formats of small displays. FrameBuffer.text draws 8x8 cells as the
# firmware does, with the glyphs of a public-domain font (_framebuf_font), not
# MicroPython's own.

from _framebuf_font import glyphs as _glyphs

MONO_VLSB = MVLSB = 0
RGB565 = 1
GS4_HMSB = 2
MONO_HLSB = 3
MONO_HMSB = 4
GS2_HMSB = 5
GS8 = 6

# Formats whose stride is rounded up to whole bytes: pixels per byte.
_PER_BYTE = {MONO_HLSB: 8, MONO_HMSB: 8, GS2_HMSB: 4, GS4_HMSB: 2}


def _int(value):
    if not isinstance(value, int):
        raise TypeError("can't convert %s to int" % type(value).__name__)
    return int(value)


class FrameBuffer:
    def __init__(self, buffer, width, height, format, stride=None):
        self._buf = memoryview(buffer).cast('B') if isinstance(buffer, memoryview) else memoryview(buffer)
        if self._buf.readonly:
            raise TypeError('object with buffer protocol required')
        self.width = _int(width)
        self.height = _int(height)
        self._format = _int(format)
        stride = self.width if stride is None else _int(stride)
        if self._format not in (MONO_VLSB, RGB565, GS4_HMSB, MONO_HLSB, MONO_HMSB, GS2_HMSB, GS8):
            raise ValueError('invalid format')
        per_byte = _PER_BYTE.get(self._format)
        if per_byte:
            stride = (stride + per_byte - 1) // per_byte * per_byte
        self._stride = stride

    # One pixel, inside the frame.
    def _set(self, x, y, col):
        buf, fmt, at = self._buf, self._format, x + y * self._stride
        if fmt == MONO_VLSB:
            at, bit = (y >> 3) * self._stride + x, y & 7
        elif fmt in (MONO_HLSB, MONO_HMSB):
            at, bit = at >> 3, (x & 7) if fmt == MONO_HMSB else 7 - (x & 7)
        elif fmt == RGB565:
            buf[2 * at] = col & 0xff
            buf[2 * at + 1] = (col >> 8) & 0xff
            return
        elif fmt == GS8:
            buf[at] = col & 0xff
            return
        elif fmt == GS4_HMSB:
            shift = 0 if x & 1 else 4
            buf[at >> 1] = (buf[at >> 1] & (0xf0 >> shift)) | ((col & 0x0f) << shift)
            return
        else:
            shift = (x & 3) << 1
            buf[at >> 2] = (buf[at >> 2] & ~(3 << shift) & 0xff) | ((col & 3) << shift)
            return
        buf[at] = (buf[at] & ~(1 << bit) & 0xff) | ((col != 0) << bit)

    def _get(self, x, y):
        buf, fmt, at = self._buf, self._format, x + y * self._stride
        if fmt == MONO_VLSB:
            return (buf[(y >> 3) * self._stride + x] >> (y & 7)) & 1
        if fmt in (MONO_HLSB, MONO_HMSB):
            return (buf[at >> 3] >> ((x & 7) if fmt == MONO_HMSB else 7 - (x & 7))) & 1
        if fmt == RGB565:
            return buf[2 * at] | (buf[2 * at + 1] << 8)
        if fmt == GS8:
            return buf[at]
        if fmt == GS4_HMSB:
            return buf[at >> 1] & 0x0f if x & 1 else buf[at >> 1] >> 4
        return (buf[at >> 2] >> ((x & 3) << 1)) & 3

    def _fill_rect(self, x, y, w, h, col):
        if h < 1 or w < 1 or x + w <= 0 or y + h <= 0 or y >= self.height or x >= self.width:
            return
        x_end, y_end = min(self.width, x + w), min(self.height, y + h)
        x, y = max(x, 0), max(y, 0)
        for yy in range(y, y_end):
            for xx in range(x, x_end):
                self._set(xx, yy, col)

    def fill(self, col):
        self._fill_rect(0, 0, self.width, self.height, _int(col))

    def fill_rect(self, x, y, w, h, col):
        self._fill_rect(_int(x), _int(y), _int(w), _int(h), _int(col))

    def pixel(self, x, y, *col):
        x, y = _int(x), _int(y)
        if 0 <= x < self.width and 0 <= y < self.height:
            if not col:
                return self._get(x, y)
            self._set(x, y, _int(col[0]))

    def hline(self, x, y, w, col):
        self._fill_rect(_int(x), _int(y), _int(w), 1, _int(col))

    def vline(self, x, y, h, col):
        self._fill_rect(_int(x), _int(y), 1, _int(h), _int(col))

    def rect(self, x, y, w, h, col):
        x, y, w, h, col = _int(x), _int(y), _int(w), _int(h), _int(col)
        self._fill_rect(x, y, w, 1, col)
        self._fill_rect(x, y + h - 1, w, 1, col)
        self._fill_rect(x, y, 1, h, col)
        self._fill_rect(x + w - 1, y, 1, h, col)

    def line(self, x1, y1, x2, y2, col):
        # Bresenham from (x1, y1), stepping along the longer axis; the end
        # point is always drawn.
        x1, y1, x2, y2, col = _int(x1), _int(y1), _int(x2), _int(y2), _int(col)
        dx, sx = (x2 - x1, 1) if x2 > x1 else (x1 - x2, -1)
        dy, sy = (y2 - y1, 1) if y2 > y1 else (y1 - y2, -1)
        steep = dy > dx
        if steep:
            x1, y1, dx, dy, sx, sy = y1, x1, dy, dx, sy, sx
        err = 2 * dy - dx
        for _ in range(dx):
            px, py = (y1, x1) if steep else (x1, y1)
            if 0 <= px < self.width and 0 <= py < self.height:
                self._set(px, py, col)
            while err >= 0:
                y1 += sy
                err -= 2 * dx
            x1 += sx
            err += 2 * dy
        if 0 <= x2 < self.width and 0 <= y2 < self.height:
            self._set(x2, y2, col)

    def text(self, s, x, y, col=1):
        # Each byte of the text is a cell 8 pixels wide; only the glyph's set
        # pixels are drawn, those inside the frame.
        if isinstance(s, str):
            s = s.encode()
        elif not isinstance(s, (bytes, bytearray)):
            raise TypeError("can't convert '%s' object to str implicitly" % type(s).__name__)
        x, y, col = _int(x), _int(y), _int(col)
        for column in _glyphs(bytes(s)):
            if 0 <= x < self.width:
                py = y
                while column:
                    if column & 1 and 0 <= py < self.height:
                        self._set(x, py, col)
                    column >>= 1
                    py += 1
            x += 1

    def blit(self, source, x, y, key=-1):
        x, y, key = _int(x), _int(y), _int(key)
        if x >= self.width or y >= self.height or -x >= source.width or -y >= source.height:
            return
        src_y = max(0, -y)
        for yy in range(max(0, y), min(self.height, y + source.height)):
            src_x = max(0, -x)
            for xx in range(max(0, x), min(self.width, x + source.width)):
                col = source._get(src_x, src_y)
                if col != key & 0xffffffff:
                    self._set(xx, yy, col)
                src_x += 1
            src_y += 1

    def scroll(self, xstep, ystep):
        xstep, ystep = _int(xstep), _int(ystep)
        xs = range(0, self.width + xstep) if xstep < 0 else range(self.width - 1, xstep - 1, -1)
        ys = range(0, self.height + ystep) if ystep < 0 else range(self.height - 1, ystep - 1, -1)
        for y in ys:
            for x in xs:
                self._set(x, y, self._get(x - xstep, y - ystep))


def FrameBuffer1(buffer, width, height, stride=None):
    return FrameBuffer(buffer, width, height, MONO_VLSB, width if stride is None else stride)
