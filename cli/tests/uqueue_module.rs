//! `uqueue` (weak link `queue`), Pycom's own module: `Queue(maxsize=1)` with
//! `put`, `get`, `empty` and `full`, raising `OSError('Full')` and
//! `OSError('Empty')` when a wait (in ms) gives up.

mod common;

use common::snippet;

#[test]
fn a_bounded_queue_of_objects() {
    let out = snippet(
        "import uqueue, queue, utime
q = queue.Queue(2)
print(type(q).__name__, uqueue.Queue is queue.Queue, q.Full is OSError, q.Empty is OSError)
print(q.empty(), q.full())
q.put('a')
q.put([1])
print(q.full())
start = utime.ticks_ms()
show(q.put, 'c', True, 50)
print(utime.ticks_diff(utime.ticks_ms(), start) >= 50)
show(q.put, 'c', False)
print(q.get(), q.get(), q.empty())
show(q.get, timeout=0)
show(q.get, False)
show(queue.Queue, 0)
print(queue.Queue().full() is False, queue.Queue(maxsize=3) is not None)",
    );
    assert_eq!(
        out,
        [
            "Queue True True True",
            "True False",
            "True",
            "OSError: Full",
            "True",
            "OSError: Full",
            "a [1] True",
            "OSError: Empty",
            "OSError: Empty",
            "ValueError: queue size cannot be infinite",
            "True True",
        ]
    );
}
