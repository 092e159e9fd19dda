//! `ucollections` as the firmware builds it: `namedtuple` and a `deque` with
//! a fixed `maxlen`; no `OrderedDict`, and no `collections` weak link.

mod common;

use common::snippet;

#[test]
fn namedtuple_fields_from_a_list_or_a_string() {
    let out = snippet(
        "from ucollections import namedtuple
Point = namedtuple('Point', 'x y')
p = Point(1, y=2)
print(p, p.x, p[1], p == (1, 2), type(p).__name__, isinstance(p, tuple))
T = namedtuple('T', ['a', 'b', 'c'])
print(T(*'abc'))
show(Point, 1)
show(Point, 1, z=2)
show(Point, 1, x=2)
show(setattr, p, 'x', 5)",
    );
    assert_eq!(
        out,
        [
            "Point(x=1, y=2) 1 2 True Point True",
            "T(a='a', b='b', c='c')",
            "TypeError: function takes 2 positional arguments but 1 were given",
            "TypeError: unexpected keyword argument 'z'",
            "TypeError: function got multiple values for argument 'x'",
            "AttributeError: can't set attribute",
        ]
    );
}

#[test]
fn deque_takes_an_empty_tuple_and_a_maxlen() {
    let out = snippet(
        "import ucollections
d = ucollections.deque((), 2)
print(len(d), bool(d))
for i in range(3):
    d.append(i)
print(len(d), d.popleft(), d.popleft())
show(d.popleft)
show(ucollections.deque, [1], 2)
show(ucollections.deque, (), -1)
strict = ucollections.deque((), 1, 1)
strict.append('a')
show(strict.append, 'b')
print(hasattr(d, 'pop'), hasattr(d, '__iter__'))",
    );
    assert_eq!(
        out,
        ["0 False", "2 1 2", "IndexError: empty", "ValueError: ", "ValueError: ", "IndexError: full", "False False",]
    );
}

#[test]
fn the_board_has_no_ordered_dict_and_no_collections_name() {
    let out = snippet(
        "import ucollections
print(hasattr(ucollections, 'OrderedDict'))
try:
    import collections
except ImportError:
    print('no collections')",
    );
    assert_eq!(out, ["False", "no collections"]);
}
