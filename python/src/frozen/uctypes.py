# uctypes as the firmware builds it (MicroPython 1.11, 32-bit ESP32):
# C-like structures described by dicts and tuples, laid over memory.
#
# The board's memory is the board's; the emulator has only the script's
# buffers. addressof() gives each buffer (bytes, bytearray, array,
# memoryview) a 32-bit address of its own, from 0x3FFB0000 up, and a
# structure, pointer or bytearray_at() view reaches memory only through
# those addresses: an access outside every buffer raises
# OSError(EFAULT) where the board would read stray memory or crash.
# The last 256 buffers given an address keep it.
#
# Descriptor words as the firmware packs them: a value type in the 4 top
# bits of 31 (2 for aggregates: STRUCT 0, PTR 1, ARRAY 2), a bit field's
# length and position at bits 22 and 17, the offset below.

import ustruct as _ustruct

_raw_bytearray = bytearray

NATIVE = 2
LITTLE_ENDIAN = 0
BIG_ENDIAN = 1

_STRUCT, _PTR, _ARRAY = 0, 1, 2
_FLOAT32, _FLOAT64 = 14, 15
_BF_FIRST, _BF_LAST = 8, 13
# struct codes of the scalar types, by type number
_CODES = 'BbHhIiQq------fd'
_POINTER_SIZE = 4
_EFAULT = 14
_KEEP = 256


def _word(kind, bits):
    # the firmware's TYPE2SMALLINT: the type in the top bits of a 31-bit int
    value = (kind << (32 - bits)) & 0xFFFFFFFF
    if value & 0x80000000:
        value -= 1 << 32
    return value >> 1


VOID = UINT8 = _word(0, 4)
INT8 = _word(1, 4)
UINT16 = _word(2, 4)
INT16 = SHORT = _word(3, 4)
USHORT = UINT16
UINT32 = UINT = ULONG = _word(4, 4)
INT32 = INT = LONG = _word(5, 4)
UINT64 = ULONGLONG = _word(6, 4)
INT64 = LONGLONG = _word(7, 4)
BFUINT8 = _word(8, 4)
BFINT8 = _word(9, 4)
BFUINT16 = _word(10, 4)
BFINT16 = _word(11, 4)
BFUINT32 = _word(12, 4)
BFINT32 = _word(13, 4)
FLOAT32 = _word(_FLOAT32, 4)
FLOAT64 = _word(_FLOAT64, 4)
BF_POS = 17
BF_LEN = 22
PTR = _word(_PTR, 2)
ARRAY = _word(_ARRAY, 2)


def _kind(word, bits):
    return (word >> (31 - bits)) & ((1 << bits) - 1)


def _value(word, bits):
    return word & (0x7FFFFFFF >> bits)


def _scalar_size(kind):
    return 4 if kind == _FLOAT32 else 1 << ((kind & 7) >> 1)


def _stride(kind, layout):
    # an array item's size: the firmware takes 1 << (type >> 1) bytes, so a
    # FLOAT32 or FLOAT64 item counts 128 bytes, except when a NATIVE array
    # is indexed
    if layout == NATIVE:
        return _scalar_size(kind)
    return 1 << (kind >> 1)


def _syntax_error():
    raise TypeError('syntax error in uctypes descriptor')


# -- memory: the script's buffers at addresses of their own --

_regions = []  # [address, object], by address
_next = [0x3FFB0000]


def _buffer(obj):
    try:
        return memoryview(obj)
    except TypeError:
        raise TypeError('object with buffer protocol required') from None


def addressof(obj):
    if isinstance(obj, (struct, _ByteView)):
        return obj._addr
    size = len(_buffer(obj))
    for region in _regions:
        if region[1] is obj:
            return region[0]
    address = _next[0]
    _next[0] = (address + size + 16) & ~7
    _regions.append([address, obj])
    if len(_regions) > _KEEP:
        del _regions[0]
    return address


def _memory(address, size):
    # the registered memory [address, address + size) as a memoryview
    address &= 0xFFFFFFFF
    for start, obj in reversed(_regions):
        if start <= address:
            view = _buffer(obj)
            offset = address - start
            if offset + size <= len(view):
                return view[offset:offset + size]
            break
    raise OSError(_EFAULT, 'uctypes: no buffer at 0x%x (%d bytes); the emulator has '
                  'only those given an address by addressof()' % (address, size))


def _order(layout):
    return '<' if layout == LITTLE_ENDIAN or layout == NATIVE else '>'


def _load(kind, address, layout):
    code = _order(layout) + _CODES[kind]
    return _ustruct.unpack(code, _memory(address, _ustruct.calcsize(code)))[0]


def _store(kind, address, layout, value):
    code = _order(layout) + _CODES[kind]
    if kind == _FLOAT32 or kind == _FLOAT64:
        value = float(value)
    _ustruct.pack_into(code, _memory(address, _ustruct.calcsize(code)), 0, value)


# -- sizes --

def _is_fields(desc):
    return isinstance(desc, dict)


def _size(desc, layout, widest):
    # (size, widest field) of a descriptor, as the firmware measures it
    if not _is_fields(desc):
        if isinstance(desc, tuple):
            return _aggregate_size(desc, layout, widest)
        if isinstance(desc, int):
            raise TypeError('Cannot unambiguously get sizeof scalar')
        _syntax_error()
    total = 0
    for field in desc.values():
        if isinstance(field, int):
            kind = _kind(field, 4)
            offset = _value(field, 4)
            if _BF_FIRST <= kind <= _BF_LAST:
                offset &= (1 << 17) - 1
            size = _scalar_size(kind)
            widest = max(widest, size)
        elif isinstance(field, tuple):
            offset = _value(field[0], 2)
            size, widest = _aggregate_size(field, layout, widest)
        else:
            _syntax_error()
        total = max(total, offset + size)
    if layout == NATIVE and widest:
        total = (total + widest - 1) & ~(widest - 1)
    return total, widest


def _aggregate_kind(desc):
    # the aggregate type of a descriptor tuple, which must be well formed
    if not desc or not isinstance(desc[0], int):
        _syntax_error()
    kind = _kind(desc[0], 2)
    if len(desc) != 2 and not (kind == _ARRAY and len(desc) == 3) or kind > _ARRAY:
        _syntax_error()
    return kind


def _aggregate_size(desc, layout, widest):
    kind = _aggregate_kind(desc)
    if kind == _STRUCT:
        return _size(desc[1], layout, widest)
    if kind == _PTR:
        return _POINTER_SIZE, max(widest, _POINTER_SIZE)
    count = _value(desc[1], 4)
    if len(desc) == 2:
        item = _stride(_kind(desc[1], 4), None)
        widest = max(widest, item)
    else:
        item, widest = _size(desc[2], layout, widest)
    return item * count, widest


def sizeof(obj, layout=None):
    if isinstance(obj, (_raw_bytearray, _ByteView)):
        return len(obj)
    if isinstance(obj, struct):
        if layout is not None:
            raise TypeError
        return _size(obj._desc, obj._layout, 0)[0]
    return _size(obj, NATIVE if layout is None else layout, 0)[0]


def bytes_at(address, size):
    return bytes(_memory(address, size))


def bytearray_at(address, size):
    return _ByteView(address & 0xFFFFFFFF, size)


def _pointer(address):
    return _load(4, address, NATIVE)


class bytearray:
    # A bytearray over memory, by reference: what an array of UINT8 and
    # bytearray_at() give on the board.
    def __init__(self, address, size):
        object.__setattr__(self, '_addr', address)
        object.__setattr__(self, '_size', size)

    def _view(self):
        return _memory(self._addr, self._size)

    def __len__(self):
        return self._size

    def __getitem__(self, index):
        try:
            return self._view()[index]
        except IndexError:
            raise IndexError('bytearray index out of range') from None

    def __setitem__(self, index, value):
        try:
            self._view()[index] = value
        except IndexError:
            raise IndexError('bytearray index out of range') from None

    def __iter__(self):
        return iter(bytes(self._view()))

    def __eq__(self, other):
        return bytes(self._view()) == other

    def __repr__(self):
        return 'bytearray(%r)' % bytes(self._view())


class struct:
    __hash__ = None

    def __init__(self, address, desc, layout=NATIVE):
        if not isinstance(address, int):
            raise TypeError("can't convert %s to int" % type(address).__name__)
        object.__setattr__(self, '_addr', address & 0xFFFFFFFF)
        object.__setattr__(self, '_desc', desc)
        object.__setattr__(self, '_layout', layout)

    def __repr__(self):
        desc = self._desc
        if _is_fields(desc):
            name = 'STRUCT'
        elif isinstance(desc, tuple):
            name = {_PTR: 'PTR', _ARRAY: 'ARRAY'}.get(_kind(desc[0], 2), 'unk')
        else:
            name = 'ERROR'
        return '<struct %s %x>' % (name, self._addr)

    def _field(self, name):
        if not _is_fields(self._desc):
            raise TypeError('struct: no fields')
        return self._desc[name]

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        field = self._field(name)
        if isinstance(field, int):
            kind = _kind(field, 4)
            offset = _value(field, 4)
            if _BF_FIRST <= kind <= _BF_LAST:
                return self._bits(kind, offset)
            return _load(kind, self._addr + offset, self._layout)
        if not isinstance(field, tuple):
            _syntax_error()
        kind = _aggregate_kind(field)
        address = self._addr + _value(field[0], 2)
        if kind == _STRUCT:
            return struct(address, field[1], self._layout)
        if kind == _ARRAY and len(field) == 2 and _kind(field[1], 4) == 0:
            return _ByteView(address, _value(field[1], 4))
        return struct(address, field, self._layout)

    def __setattr__(self, name, value):
        field = self._field(name)
        if not isinstance(field, int):
            _syntax_error()
        kind = _kind(field, 4)
        offset = _value(field, 4)
        if _BF_FIRST <= kind <= _BF_LAST:
            self._bits(kind, offset, value)
        else:
            _store(kind, self._addr + offset, self._layout, value)

    def _bits(self, kind, offset, value=None):
        # a bit field: read it, or write value into it
        position = (offset >> 17) & 31
        length = (offset >> 22) & 31
        base = kind & 6
        address = self._addr + (offset & ((1 << 17) - 1))
        word = _load(base, address, self._layout)
        mask = (1 << length) - 1
        if value is None:
            return (word >> position) & mask
        word = (word & ~(mask << position)) | ((int(value) & mask) << position)
        _store(base, address, self._layout, word)

    def _item(self, index):
        # item `index`: (scalar type, address, layout), or for an aggregate
        # (None, address, its descriptor)
        desc = self._desc
        if not isinstance(desc, tuple):
            raise TypeError('struct: cannot index')
        kind = _aggregate_kind(desc)
        if kind == _ARRAY:
            count = _value(desc[1], 4)
            if index >= count:
                raise IndexError('struct: index out of range')
            if len(desc) == 2:
                scalar = _kind(desc[1], 4)
                return scalar, self._addr + _stride(scalar, self._layout) * index, self._layout
            size = _size(desc[2], self._layout, 0)[0]
            return None, self._addr + size * index, desc[2]
        if kind == _PTR:
            target = _pointer(self._addr)
            if isinstance(desc[1], int):
                scalar = _kind(desc[1], 4)
                return scalar, target + _scalar_size(scalar) * index, NATIVE
            size = _size(desc[1], self._layout, 0)[0]
            return None, target + size * index, desc[1]
        raise TypeError('struct: cannot index')

    def __getitem__(self, index):
        kind, address, how = self._item(index)
        if kind is None:
            return struct(address, how, self._layout)
        return _load(kind, address, how)

    def __setitem__(self, index, value):
        kind, address, layout = self._item(index)
        if kind is None:
            raise TypeError("'struct' object doesn't support item assignment")
        if _kind(self._desc[0], 2) == _ARRAY:
            _store(kind, address, layout, value)

    def __delitem__(self, index):
        raise TypeError("'struct' object doesn't support item deletion")

    def __int__(self):
        desc = self._desc
        if isinstance(desc, tuple) and _kind(desc[0], 2) == _PTR:
            return _pointer(self._addr)
        raise TypeError("can't convert struct to int")

    def __iter__(self):
        # bytearray(s) and bytes(s): the structure's bytes
        return iter(bytes_at(self._addr, sizeof(self)))


_ByteView = bytearray
del bytearray
