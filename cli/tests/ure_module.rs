//! `ure` (and its weak link `re`) as the firmware builds it: MicroPython's
//! small regex engine, with `match.group` only and `split` on compiled
//! patterns; no `sub`, `groups`, `span`, `start` or `end`.

mod common;

use common::snippet;

#[test]
fn match_search_and_groups() {
    let out = snippet(
        "import ure, re
print(re is ure)
m = ure.match(r'(\\w+)@(\\w+)\\.com', 'joe@pycom.com!')
print(m, m.group(0), m.group(1), m.group(2))
print(ure.match('b', 'ab'), ure.search('b+', 'abbc').group(0))
print(ure.search('(a)|(b)', 'b').group(1), ure.search('a*?b', 'aab').group(0))
print(ure.match('[^0-9]+', b'ab1').group(0))
show(m.group, 3)
show(m.group, -1)
print([hasattr(m, n) for n in ('groups', 'span', 'start', 'end')], hasattr(ure, 'sub'))
print(ure.DEBUG)",
    );
    assert_eq!(
        out,
        [
            "True",
            "<match num=3> joe@pycom.com joe pycom",
            "None bb",
            "None aab",
            "b'ab'",
            "IndexError: 3",
            "IndexError: -1",
            "[False, False, False, False] False",
            "4096",
        ]
    );
}

#[test]
fn the_subset_escapes_and_unsupported_syntax() {
    let out = snippet(
        "import ure
print(ure.match(r'\\n', 'n').group(0), ure.match('a{2}', 'a{2}').group(0))
print(ure.match(r'\\d\\D\\s\\S', '1a b').group(0), ure.match('^$', '').group(0) == '')
for bad in ('*', 'a**', '(a', 'a)', '[ab', '(?P<n>a)'):
    show(ure.compile, bad)
# A repeat of an empty match recurses until the firmware's stack check.
show(ure.match, '(a*)*', 'aaa')",
    );
    assert_eq!(
        out,
        [
            "n a{2}",
            "1a b True",
            "ValueError: Error in regex",
            "ValueError: Error in regex",
            "ValueError: Error in regex",
            "ValueError: Error in regex",
            "ValueError: Error in regex",
            "ValueError: Error in regex",
            "RuntimeError: maximum recursion depth exceeded",
        ]
    );
}

#[test]
fn split_on_a_compiled_pattern() {
    let out = snippet(
        "import ure
r = ure.compile('[, ]+')
print(r.split('a, b  c,d'), r.split('a, b, c', 1), r.split(b'x y'))
print(ure.compile('x*').split('abc'))
show(ure.compile('(,)').split, 'a,b')
print(hasattr(ure, 'split'))",
    );
    assert_eq!(
        out,
        [
            "['a', 'b', 'c', 'd'] ['a', 'b, c'] [b'x', b'y']",
            "['abc']",
            "NotImplementedError: Splitting with sub-captures",
            "False",
        ]
    );
}
