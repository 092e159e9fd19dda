//! `utimeq`: a fixed-size queue of timed entries, earliest first, with the
//! wrap-around of `ticks_ms()` taken into account.

mod common;

use common::snippet;

#[test]
fn entries_come_out_by_time_then_by_push_order() {
    let out = snippet(
        "from utimeq import utimeq
q = utimeq(4)
q.push(30, 'c', 3)
q.push(10, 'a', 1)
q.push(10, 'b', 2)
print(len(q), q.peektime())
out = [0, 0, 0]
while q:
    q.pop(out)
    print(out)
show(q.pop, out)
show(q.peektime)",
    );
    assert_eq!(
        out,
        ["3 10", "[10, 'a', 1]", "[10, 'b', 2]", "[30, 'c', 3]", "IndexError: empty heap", "IndexError: empty heap"]
    );
}

#[test]
fn times_past_the_wrap_come_after_times_before_it() {
    let out = snippet(
        "import utime
from utimeq import utimeq
q = utimeq(2)
late = utime.ticks_add(utime.ticks_max() if hasattr(utime, 'ticks_max') else 2**30 - 1, 5)
q.push(late, 'after wrap', None)
q.push(2**30 - 10, 'before wrap', None)
out = [None] * 3
q.pop(out)
print(out[1], late)
show(q.push, 1, 2, 3)
show(q.push, 1, 2, 3)
show(q.pop, [0, 0])",
    );
    assert_eq!(
        out,
        [
            "before wrap 1073741828",
            "None",
            "IndexError: queue overflow",
            "TypeError: Not a list or length is less than 3!"
        ]
    );
}
