# uio as the firmware builds it: StringIO and BytesIO (in-memory streams),
# the file classes that open() returns, and open itself. There is no tell()
# on the in-memory streams in this MicroPython version, and no IOBase.

from _pycom_emu_files import FileIO, Stream as _Stream, TextIOWrapper, open

_EINVAL = 22
_SEEK_CUR = 1
_SEEK_END = 2


class _Memory(_Stream):
    _text = False

    def __init__(self, initial=None):
        self._buf = bytearray()
        self._pos = 0
        if initial is None or isinstance(initial, int):
            return
        if isinstance(initial, str):
            initial = initial.encode()
        self._buf[:] = memoryview(initial).cast('B') if isinstance(initial, memoryview) else initial

    def _open(self):
        if self._buf is None:
            raise ValueError('I/O operation on closed file')
        return self._buf

    def _out(self, data):
        return data.decode() if self._text else bytes(data)

    def _grab(self, count):
        buf = self._open()
        chunk = buf[self._pos:self._pos + count] if count >= 0 else buf[self._pos:]
        self._pos += len(chunk)
        return chunk

    def read(self, size=-1):
        if size is None or size == -1:
            return self._out(self._grab(-1))
        if not self._text:
            return self._out(self._grab(size))
        # `size` counts characters: take whole UTF-8 sequences.
        chunk = bytearray()
        while size > 0:
            piece = self._grab(1)
            if not piece:
                break
            chunk += piece
            lead = piece[0]
            extra = 3 if lead >= 0xF0 else 2 if lead >= 0xE0 else 1 if lead >= 0xC0 else 0
            chunk += self._grab(extra)
            size -= 1
        return self._out(chunk)

    def readinto(self, buf, nbytes=-1):
        view = memoryview(buf)
        count = len(view) if nbytes is None or nbytes < 0 else min(nbytes, len(view))
        chunk = self._grab(count)
        view[:len(chunk)] = chunk
        return len(chunk)

    def readline(self, size=-1):
        buf = self._open()
        end = buf.find(b'\n', self._pos)
        end = len(buf) if end < 0 else end + 1
        if size is not None and size >= 0:
            end = min(end, self._pos + size)
        return self._out(self._grab(max(0, end - self._pos)))

    def write(self, data, *limits):
        buf = self._open()
        if isinstance(data, str):
            data = data.encode()
        data = bytes(data)
        if len(limits) == 1:
            data = data[:limits[0]]
        elif len(limits) == 2:
            data = data[limits[0]:limits[0] + limits[1]]
        elif limits:
            raise TypeError('function expected at most 4 arguments, got %d' % (len(limits) + 2))
        if self._pos > len(buf):
            buf.extend(bytes(self._pos - len(buf)))
        buf[self._pos:self._pos + len(data)] = data
        self._pos += len(data)
        return len(data)

    def seek(self, offset, whence=0):
        buf = self._open()
        if whence == 0 and offset < 0:
            raise OSError(_EINVAL)
        base = self._pos if whence == _SEEK_CUR else len(buf) if whence == _SEEK_END else 0
        self._pos = max(0, base + offset)
        return self._pos

    def flush(self):
        self._open()

    def _stream_poll(self, events):
        # uselect: the in-memory streams refuse the polling request.
        raise OSError(_EINVAL)

    def close(self):
        self._buf = None

    def getvalue(self):
        return self._out(self._open())

    def __repr__(self):
        return '<io.%s 0x%x>' % (type(self).__name__, id(self))


class StringIO(_Memory):
    _text = True


class BytesIO(_Memory):
    pass
