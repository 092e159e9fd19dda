# ucollections as the firmware (MicroPython 1.11, esp32 port) builds it:
# namedtuple and deque; OrderedDict is not enabled on the board.


def namedtuple(name, fields):
    if isinstance(fields, str):
        fields = fields.split()
    elif not isinstance(fields, (tuple, list)):
        raise TypeError("object '%s' is not a tuple or list" % type(fields).__name__)
    fields = tuple(fields)
    count = len(fields)

    def __new__(cls, *args, **kwargs):
        if len(args) + len(kwargs) != count:
            raise TypeError('function takes %d positional arguments but %d were given'
                            % (count, len(args) + len(kwargs)))
        items = list(args) + [_UNSET] * len(kwargs)
        for key, value in kwargs.items():
            if key not in fields:
                raise TypeError("unexpected keyword argument '%s'" % key)
            at = fields.index(key)
            if items[at] is not _UNSET:
                raise TypeError("function got multiple values for argument '%s'" % key)
            items[at] = value
        return tuple.__new__(cls, items)

    def __repr__(self):
        return name + '(' + ', '.join('%s=%r' % pair for pair in zip(fields, self)) + ')'

    def __setattr__(self, attr, value):
        raise AttributeError("can't set attribute")

    namespace = {'__slots__': (), '__new__': __new__, '__repr__': __repr__,
                 '__str__': __repr__, '__setattr__': __setattr__}
    for at, field in enumerate(fields):
        namespace[field] = property(lambda self, at=at: tuple.__getitem__(self, at))
    return type(name, (tuple,), namespace)


_UNSET = object()

# deque(iterable, maxlen[, flags]): flag 1 makes append on a full deque raise
# IndexError('full') instead of dropping the oldest item.
_CHECK_OVERFLOW = 1


class deque:
    def __init__(self, *args):
        if len(args) not in (2, 3):
            raise TypeError('function expected 2 to 3 arguments, got %d' % len(args))
        if args[0] != () or type(args[0]) is not tuple:
            raise ValueError
        maxlen = _int(args[1])
        if maxlen < 0:
            raise ValueError
        self._items = []
        self._maxlen = maxlen
        self._flags = _int(args[2]) if len(args) == 3 else 0

    def append(self, item):
        items = self._items
        if len(items) >= self._maxlen:
            if self._flags & _CHECK_OVERFLOW:
                raise IndexError('full')
            if not items:
                return
            del items[0]
        items.append(item)

    def popleft(self):
        if not self._items:
            raise IndexError('empty')
        return self._items.pop(0)

    def __len__(self):
        return len(self._items)

    def __bool__(self):
        return bool(self._items)

    def __repr__(self):
        return '<deque object at %x>' % id(self)


def _int(value):
    if not isinstance(value, int):
        raise TypeError("can't convert %s to int" % type(value).__name__)
    return int(value)

