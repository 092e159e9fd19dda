# array as the firmware builds it (MicroPython 1.11 with slice assignment):
# typed items packed in a byte buffer, so bytes(a), file writes and other
# buffer users see the raw little-endian items. Items wrap around like C
# integers of their size; float items are single ('f') or double ('d');
# 'P' holds 32-bit addresses and 'O' any objects (kept aside, with a 4-byte
# slot each in the buffer).
# The storage is a bytearray: the class derives from it for the buffer
# protocol and reimplements the sequence behaviour per item.

_SIZES = {'b': 1, 'B': 1, 'h': 2, 'H': 2, 'i': 4, 'I': 4, 'l': 4, 'L': 4,
          'q': 8, 'Q': 8, 'f': 4, 'd': 8, 'P': 4, 'O': 4}
_OBJECT_SLOT = bytes(4)
_raw = bytearray


def _size(typecode):
    size = _SIZES.get(typecode)
    if size is None:
        raise ValueError('bad typecode')
    return size


class array(bytearray):
    def __new__(cls, typecode, *initial):
        if len(initial) > 1:
            raise TypeError('function expected at most 2 arguments, got %d' % (len(initial) + 1))
        if not isinstance(typecode, str):
            raise TypeError("can't convert '%s' object to str implicitly" % type(typecode).__name__)
        code = typecode[:1]
        size = _size(code)
        self = _raw.__new__(cls)
        self._code = code
        self._size = size
        self._objects = [] if code == 'O' else None
        if initial:
            source = initial[0]
            if type(source) in (bytes, bytearray):
                _raw.extend(self, source[:len(source) // size * size])
            else:
                for item in source:
                    self.append(item)
        return self

    def __init__(self, *args):
        pass

    def _pack(self, value):
        code = self._code
        if code in 'fd':
            if not isinstance(value, (int, float)):
                raise TypeError("can't convert %s to float" % type(value).__name__)
            return bytes(_float_bytes(code, float(value)))
        if not isinstance(value, int):
            raise TypeError("can't convert %s to int" % type(value).__name__)
        return (int(value) & ((1 << (8 * self._size)) - 1)).to_bytes(self._size, 'little')

    def _index(self, index):
        count = len(self)
        if not isinstance(index, int):
            raise TypeError('array indices must be integers, not %s' % type(index).__name__)
        at = index + count if index < 0 else index
        if not 0 <= at < count:
            raise IndexError('array index out of range')
        return at

    def _slice(self, index):
        start, stop, step = index.indices(len(self))
        if step != 1:
            raise NotImplementedError('only slices with step=1 (aka None) are supported')
        return start, max(start, stop)

    def __len__(self):
        return _raw.__len__(self) // self._size

    def __bool__(self):
        return _raw.__len__(self) > 0

    def __getitem__(self, index):
        size = self._size
        if isinstance(index, slice):
            start, stop = self._slice(index)
            return array(self._code, _raw.__getitem__(self, slice(start * size, stop * size)))
        at = self._index(index)
        if self._objects is not None:
            return self._objects[at]
        return _value(self._code, _raw.__getitem__(self, slice(at * size, at * size + size)))

    def __setitem__(self, index, value):
        size = self._size
        if isinstance(index, slice):
            start, stop = self._slice(index)
            if isinstance(value, array):
                if value._size != size:
                    raise ValueError('lhs and rhs should be compatible')
            elif type(value) is bytes:
                if size != 1:
                    raise ValueError('lhs and rhs should be compatible')
            elif not isinstance(value, (bytearray, memoryview)):
                raise NotImplementedError('array/bytes required on right side')
            _raw.__setitem__(self, slice(start * size, stop * size), bytes(value))
            return
        at = self._index(index)
        if self._objects is not None:
            self._objects[at] = value
            return
        _raw.__setitem__(self, slice(at * size, at * size + size), self._pack(value))

    def __delitem__(self, index):
        raise TypeError("'array' object doesn't support item deletion")

    def __iter__(self):
        for at in range(len(self)):
            yield self[at]

    def __contains__(self, value):
        if isinstance(value, (int, float)):
            raise NotImplementedError
        return False

    def append(self, value):
        if self._objects is not None:
            self._objects.append(value)
            _raw.extend(self, _OBJECT_SLOT)
            return
        _raw.extend(self, self._pack(value))

    def extend(self, other):
        data = bytes(_buffer(other))
        _raw.extend(self, data[:len(data) // self._size * self._size])

    def __iadd__(self, other):
        self.extend(other)
        return self

    def __add__(self, other):
        result = array(self._code, bytes(self))
        result.extend(other)
        return result

    def __eq__(self, other):
        try:
            return bytes(self) == bytes(_buffer(other))
        except TypeError:
            return False

    def __ne__(self, other):
        return not self == other

    __hash__ = None

    def __repr__(self):
        if not len(self):
            return "array('%s')" % self._code
        return "array('%s', [%s])" % (self._code, ', '.join(repr(item) for item in self))

    __str__ = __repr__


def _buffer(obj):
    if isinstance(obj, str) or not hasattr(obj, '__len__') and not isinstance(obj, memoryview):
        raise TypeError('object with buffer protocol required')
    try:
        return memoryview(obj)
    except TypeError:
        raise TypeError('object with buffer protocol required')


def _float_bytes(code, value):
    store = _raw(_SIZES[code])
    memoryview(store).cast(code)[0] = value
    return store


def _value(code, raw):
    if code in 'fd':
        return memoryview(raw).cast(code)[0]
    return int.from_bytes(raw, 'little', signed=code in 'bhilq')

