# uselect (weak link select): waiting for streams to become readable or
# writable. An object takes part when its type answers the polling request
# of MicroPython's stream protocol; here that is a method
# _stream_poll(events) returning the events ready now (sockets will have one).
# As on the board, the console streams (sys.stdin) have none: registering
# them raises OSError. Waits are on the board's clock, in 1 ms steps; with
# a socket registered, each step waits on the host for it (its peer is real)
# through the socket's _host_wait(events, ms), host time counting as device
# time.

import utime

POLLIN = 0x0001
POLLOUT = 0x0004
POLLERR = 0x0008
POLLHUP = 0x0010

_ENOENT = 2
_ONE_SHOT = 1


def _poller(obj):
    poll = getattr(type(obj), '_stream_poll', None)
    if poll is None:
        raise OSError('stream operation not supported')
    return poll


def _timeout(timeout):
    # Milliseconds; None or a negative value waits for ever.
    if timeout is None:
        return -1
    if not isinstance(timeout, int):
        raise TypeError("can't convert %s to int" % type(timeout).__name__)
    return timeout if timeout >= 0 else -1


def _wait(check, timeout_ms, pause):
    waited = 0
    while True:
        found = check()
        if found or (0 <= timeout_ms <= waited):
            return found
        pause()
        waited += 1



class _Poll:
    def __init__(self):
        self._entries = {}

    def register(self, obj, eventmask=POLLIN | POLLOUT):
        entry = self._entries.get(id(obj))
        if entry is None:
            self._entries[id(obj)] = [obj, eventmask, _poller(obj)]
        else:
            entry[1] = eventmask

    def unregister(self, obj):
        self._entries.pop(id(obj), None)

    def modify(self, obj, eventmask):
        entry = self._entries.get(id(obj))
        if entry is None:
            raise OSError(_ENOENT)
        entry[1] = eventmask

    def _scan(self):
        found = []
        for entry in self._entries.values():
            obj, events, poll = entry
            revents = poll(obj, events)
            if revents:
                found.append((obj, revents, entry))
        return found

    def _pause(self):
        # One step of a wait: on the host for the first socket, else 1 ms.
        for obj, events, _ in self._entries.values():
            host_wait = getattr(type(obj), '_host_wait', None)
            if host_wait is not None:
                host_wait(obj, events or POLLIN, 1)
                return
        utime.sleep_ms(1)

    def _ready(self, timeout, flags):
        found = _wait(self._scan, _timeout(timeout), self._pause)
        if flags & _ONE_SHOT:
            # Not polled again until its events are set again.
            for _, _, entry in found:
                entry[1] = 0
        return [(obj, revents) for obj, revents, _ in found]

    def poll(self, timeout=-1, flags=0):
        return self._ready(timeout, flags)

    def ipoll(self, timeout=-1, flags=0):
        return iter(self._ready(timeout, flags))

    def __repr__(self):
        return '<poll object at %x>' % id(self)


_Poll.__name__ = _Poll.__qualname__ = 'poll'


def poll():
    return _Poll()


def select(rlist, wlist, xlist, timeout=None):
    # Seconds, int or float; None or a negative value waits for ever.
    timeout_ms = -1
    if timeout is not None:
        if not isinstance(timeout, (int, float)):
            raise TypeError("can't convert %s to float" % type(timeout).__name__)
        if timeout >= 0:
            timeout_ms = int(timeout * 1000)
    poller = _Poll()
    for objects, events in ((rlist, POLLIN), (wlist, POLLOUT), (xlist, POLLERR | POLLHUP)):
        if not isinstance(objects, (tuple, list)):
            raise TypeError("object '%s' is not a tuple or list" % type(objects).__name__)
        for obj in objects:
            entry = poller._entries.get(id(obj))
            if entry is None:
                poller.register(obj, events)
            else:
                entry[1] |= events
    ready = ([], [], [])
    for obj, revents, _ in _wait(poller._scan, timeout_ms, poller._pause):
        if revents & POLLIN:
            ready[0].append(obj)
        if revents & POLLOUT:
            ready[1].append(obj)
        if revents & ~(POLLIN | POLLOUT):
            ready[2].append(obj)
    return ready
