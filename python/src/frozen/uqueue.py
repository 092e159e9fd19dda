# uqueue, Pycom's own module (esp32/mods/moduqueue.c): a FreeRTOS queue of
# objects. Queue(maxsize=1) makes one; put and get block (timeout in ms, None
# for ever) and raise OSError('Full') / OSError('Empty') when they give up.

import utime

Full = OSError
Empty = OSError


class _Queue:
    Full = OSError
    Empty = OSError

    def __init__(self, maxsize):
        self._items = []
        self._maxsize = maxsize

    def put(self, item, block=True, timeout=None):
        if not self._wait(lambda: len(self._items) < self._maxsize, block, timeout):
            raise OSError('Full')
        self._items.append(item)

    def get(self, block=True, timeout=None):
        if not self._wait(lambda: self._items, block, timeout):
            raise OSError('Empty')
        return self._items.pop(0)

    def empty(self):
        return not self._items

    def full(self):
        return len(self._items) >= self._maxsize

    @staticmethod
    def _wait(ready, block, timeout):
        # Another thread may make room or put an item while this one sleeps.
        waited = 0
        while not ready():
            if not block or (timeout is not None and waited >= timeout):
                return False
            utime.sleep_ms(1)
            waited += 1
        return True

    def __repr__(self):
        return '<Queue object at %x>' % id(self)


_Queue.__name__ = 'Queue'
_Queue.__qualname__ = 'Queue'


def Queue(maxsize=1):
    if not isinstance(maxsize, int):
        raise TypeError("can't convert %s to int" % type(maxsize).__name__)
    if maxsize <= 0:
        raise ValueError('queue size cannot be infinite')
    return _Queue(maxsize)
