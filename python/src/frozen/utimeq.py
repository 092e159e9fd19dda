# utimeq: a fixed-size priority queue of (time, callback, args) ordered by
# ticks time, with the wrap-around of time.ticks_ms() taken into account:
# `a` comes before `b` when ticks_diff(b, a) is positive. Equal times keep the
# order in which they were pushed.

_PERIOD = 1 << 30
_HALF = _PERIOD // 2
_pushed = 0


def _before(item, other):
    gap = (other[0] - item[0]) % _PERIOD
    if gap == 0:
        return item[1] < other[1]
    return gap < _HALF


class utimeq:
    def __init__(self, size):
        if not isinstance(size, int):
            raise TypeError("can't convert %s to int" % type(size).__name__)
        self._size = size
        self._heap = []

    def push(self, time, callback, args):
        global _pushed
        heap = self._heap
        if len(heap) >= self._size:
            raise IndexError('queue overflow')
        heap.append((time & (_PERIOD - 1) if isinstance(time, int) else time, _pushed, callback, args))
        _pushed += 1
        self._sift_down(0, len(heap) - 1)

    def pop(self, out):
        heap = self._heap
        if not heap:
            raise IndexError('empty heap')
        if type(out) is not list or len(out) < 3:
            raise TypeError('Not a list or length is less than 3!')
        first = heap[0]
        out[0], out[1], out[2] = first[0], first[2], first[3]
        last = heap.pop()
        if heap:
            heap[0] = last
            self._sift_up(0)

    def peektime(self):
        if not self._heap:
            raise IndexError('empty heap')
        return self._heap[0][0]

    def __len__(self):
        return len(self._heap)

    def __bool__(self):
        return bool(self._heap)

    def _sift_down(self, start, at):
        heap = self._heap
        item = heap[at]
        while at > start:
            parent = (at - 1) >> 1
            if not _before(item, heap[parent]):
                break
            heap[at] = heap[parent]
            at = parent
        heap[at] = item

    def _sift_up(self, at):
        heap = self._heap
        start, end, item = at, len(heap), heap[at]
        child = 2 * at + 1
        while child < end:
            if child + 1 < end and not _before(heap[child], heap[child + 1]):
                child += 1
            heap[at] = heap[child]
            at = child
            child = 2 * at + 1
        heap[at] = item
        self._sift_down(start, at)
