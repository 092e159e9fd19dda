//! `uselect` (weak link `select`): `poll` and `select` over objects that
//! answer the stream polling request. On the firmware the console streams
//! (`sys.stdin`) do not, so registering them raises `OSError`, as here.

mod common;

use common::snippet;

/// A stream that is readable once `after` ms have passed.
const TIMED_STREAM: &str = "
import utime, uselect
class Timed:
    def __init__(self, after):
        self.ready_at = utime.ticks_add(utime.ticks_ms(), after)
    def _stream_poll(self, events):
        ready = utime.ticks_diff(utime.ticks_ms(), self.ready_at) >= 0
        return events & uselect.POLLIN if ready else 0
";

#[test]
fn poll_waits_on_the_board_clock() {
    let out = snippet(&format!(
        "{TIMED_STREAM}
print(uselect.POLLIN, uselect.POLLOUT, uselect.POLLERR, uselect.POLLHUP)
made = utime.ticks_ms()
s = Timed(30)
p = uselect.poll()
p.register(s, uselect.POLLIN)
print(p.poll(10))
ready = p.poll()
print(ready[0][0] is s, ready[0][1], utime.ticks_diff(utime.ticks_ms(), made) >= 30)
print([flags for obj, flags in p.ipoll(0)])
print(len(p.poll(0, 1)), p.poll(0))
p.modify(s, uselect.POLLIN)
print(len(p.poll(0)))
p.unregister(s)
print(p.poll(0))
try:
    p.modify(s, 1)
except OSError as e:
    print('OSError', e.args[0])"
    ));
    assert_eq!(out, ["1 4 8 16", "[]", "True 1 True", "[1]", "1 []", "1", "[]", "OSError 2"]);
}

#[test]
fn select_sorts_ready_objects_into_three_lists() {
    let out = snippet(&format!(
        "{TIMED_STREAM}
import select
s = Timed(0)
r, w, x = select.select([s], [s], [], 0)
print(r == [s], w, x)
print(select.select([Timed(1000)], [], [], 0.01))
print(select.select is uselect.select)"
    ));
    assert_eq!(out, ["True [] []", "([], [], [])", "True"]);
}

#[test]
fn the_console_and_plain_objects_cannot_be_polled() {
    let out = snippet(
        "import uselect, sys, uio
p = uselect.poll()
for obj in (sys.stdin, object(), 1):
    show(p.register, obj)
p.register(uio.StringIO())
try:
    p.poll(0)
except OSError as e:
    print('OSError', e.args[0])",
    );
    assert_eq!(
        out,
        [
            "OSError: stream operation not supported",
            "OSError: stream operation not supported",
            "OSError: stream operation not supported",
            "OSError 22",
        ]
    );
}
