//! Details of the builtin types where MicroPython 1.11 (firmware v1.20.2)
//! behaves otherwise than the Python runtime under the emulator did:
//! float floor division, `strip`, slices, closures, `str.format`,
//! generators as awaitables and `throw`, the `__main__` module, and
//! `object`'s attribute methods. And the fast paths the emulator adds to the
//! runtime (sorting, small-int `%` and `//`, slices without a slice object,
//! slice assignment, calls, instantiation, `%` formatting), which must give
//! what the general paths give.

mod common;
use common::{Device, snippet};

#[test]
fn float_floor_division_and_modulo_agree_with_divmod() {
    // py/objfloat.c mp_obj_float_divmod: fmod, a zero remainder takes the
    // divisor's sign, the quotient is rounded from the exact one.
    let lines = snippet(
        "x = -1.9166666666666667\n\
         print(divmod(x, -x), x // -x, x % -x)\n\
         print(divmod(-3.5, 0.5), -3.5 // 0.5, -3.5 % 0.5)\n\
         print(divmod(1.0, -0.5), 0.5 // -3.0, 7.5 % -2.0)\n\
         show(divmod, 1.0, 0.0)\n",
    );
    assert_eq!(
        lines,
        ["(-1.0, 0.0) -1.0 0.0", "(-7.0, 0.0) -7.0 0.0", "(-2.0, -0.0) -1.0 -0.5", "ZeroDivisionError: divide by zero"]
    );
}

#[test]
fn zero_to_minus_infinity_is_infinity_and_to_a_negative_number_raises() {
    let lines = snippet("print(pow(0.0, float('-inf')), pow(0.0, float('nan')))\nshow(pow, 0.0, -1.0)\n");
    assert_eq!(lines, ["inf nan", "ZeroDivisionError: divide by zero"]);
}

#[test]
fn stripping_nothing_returns_the_same_object() {
    let lines = snippet(
        "s = 'abc'\nb = b'abc'\nprint(s.strip() is s, b.strip() is b, s.strip('x') is s)\nprint(' a '.strip(), b' a '.strip())\n",
    );
    assert_eq!(lines, ["True True True", "a b'a'"]);
}

#[test]
fn slices_are_not_hashable() {
    let lines = snippet(
        "try:\n    {}[:] = {}\nexcept TypeError:\n    print('TypeError')\nshow(hash, slice(1, 2))\nprint([1, 2, 3][1:])\n",
    );
    assert_eq!(lines, ["TypeError", "TypeError: unhashable type: 'slice'", "[2, 3]"]);
}

#[test]
fn deleting_an_unbound_closure_variable_raises_name_error() {
    let lines = snippet(
        "def f():\n    x = 1\n    def h():\n        nonlocal x\n        try:\n            del x\n            print('deleted')\n            del x\n        except NameError:\n            print('NameError')\n    h()\nf()\n",
    );
    assert_eq!(lines, ["deleted", "NameError"]);
}

#[test]
fn str_format_refuses_what_the_firmware_refuses() {
    let lines = snippet(
        "show('{0:=}'.format, 'zzz')\n\
         show('{0:+s}'.format, '1')\n\
         show('abc{!d}'.format, '1')\n\
         show('{!a}'.format, '1')\n\
         show('{}{0}'.format, 1, 2)\n\
         print('{!r:>5}|{:*<4}|{:-^5}'.format('a', 'b', 'c'))\n",
    );
    assert_eq!(
        lines,
        [
            "ValueError: '=' alignment not allowed in string format specifier",
            "ValueError: Sign not allowed in string format specifier",
            "ValueError: bad conversion specifier",
            "ValueError: bad conversion specifier",
            "ValueError: cannot switch from automatic field numbering to manual field specification",
            "  'a'|b***|--c--"
        ]
    );
}

#[test]
fn a_plain_generator_can_be_awaited() {
    let lines = snippet(
        "def wait(value):\n    got = yield value\n    return got * 2\n\
         async def main():\n    print('result', await wait(3))\n\
         coro = main()\nprint('yielded', coro.send(None))\n\
         try:\n    coro.send(21)\nexcept StopIteration:\n    print('done')\n",
    );
    assert_eq!(lines, ["yielded 3", "result 42", "done"]);
}

#[test]
fn throw_hands_any_value_to_a_delegate_with_a_throw_method() {
    let lines = snippet(
        "class Iter:\n    def __iter__(self):\n        return self\n    def __next__(self):\n        return 1\n    def throw(self, x):\n        print('throw', x)\n        return 456\n\
         def gen():\n    yield from Iter()\n\
         g = gen()\nnext(g)\nprint(g.throw(123))\n\
         def plain():\n    yield 1\n\
         p = plain()\nnext(p)\nshow(p.throw, 123)\n",
    );
    assert_eq!(lines, ["throw 123", "456", "TypeError: exceptions must derive from BaseException"]);
}

#[test]
fn main_is_a_module_holding_the_scripts_globals() {
    let lines = snippet("import __main__\nx = 5\nprint(__main__.x, __main__.__name__)\n__main__.y = 6\nprint(y)\n");
    assert_eq!(lines, ["5 __main__", "6"]);
}

#[test]
fn the_encoding_argument_is_ignored_every_text_is_utf8() {
    let lines = snippet(
        "print(b'abc'.decode('latin-1'), 'é'.encode('latin-1'), str(b'\\xc3\\xa9', 'ascii'), bytes('é', 'cp1252'))\n\
         try:\n    b'\\xff'.decode('latin-1')\nexcept UnicodeError:\n    print('UnicodeError')\n",
    );
    assert_eq!(lines, ["abc b'\\xc3\\xa9' é b'\\xc3\\xa9'", "UnicodeError"]);
}

#[test]
fn object_attribute_methods_get_set_and_delete_as_the_instance_slots_do() {
    // The frozen `uctypes` sets its fields through `object.__setattr__`;
    // classes overriding `__setattr__` pass on to it with `super()`.
    let lines = snippet(
        "class A:\n    pass\n\
         a = A()\n\
         object.__setattr__(a, 'y', 2)\n\
         print(object.__getattribute__(a, 'y'), a.y)\n\
         object.__delattr__(a, 'y')\n\
         print(hasattr(a, 'y'))\n\
         class B:\n    def __setattr__(self, name, value):\n        print('set', name)\n        super().__setattr__(name, value)\n\
         b = B()\n\
         b.z = 3\n\
         print(b.z)\n",
    );
    assert_eq!(lines, ["2 2", "False", "set z", "3"]);
}

#[test]
fn sorting_keys_of_one_builtin_type_orders_as_less_than_does() {
    // Lists of exact ints, floats or strings sort without the comparison
    // protocol; the order, stability and errors are those of `<`.
    let lines = snippet(
        "print(sorted([3, -1, 10**30, 2, -10**25, 0]))\n\
         print(sorted([3.5, -1.0, 2.25, float('inf'), 0.5]))\n\
         print(sorted(['b', 'a', 'z', 'ab', '', '\\u20ac', '\\xe9']) == ['', 'a', 'ab', 'b', 'z', '\\xe9', '\\u20ac'])\n\
         pairs = [(1, 'a'), (0, 'b'), (1, 'c'), (0, 'd')]\n\
         print(sorted(pairs, key=lambda p: p[0], reverse=True))\n\
         print(sorted([True, 2, False, 1]))\n\
         print(sorted([0.0, -0.0, 0.0, -0.0]), sorted([1.0, float('nan'), 0.5]))\n\
         l = [5, 1, 4]\n\
         l.sort(reverse=True)\n\
         print(l)\n\
         try:\n    sorted([1, 'a'])\nexcept TypeError:\n    print('TypeError')\n",
    );
    assert_eq!(
        lines,
        [
            "[-10000000000000000000000000, -1, 0, 2, 3, 1000000000000000000000000000000]",
            "[-1.0, 0.5, 2.25, 3.5, inf]",
            "True",
            "[(1, 'a'), (1, 'c'), (0, 'b'), (0, 'd')]",
            "[False, True, 1, 2]",
            "[0.0, -0.0, 0.0, -0.0] [1.0, nan, 0.5]",
            "[5, 4, 1]",
            "TypeError"
        ]
    );
}

#[test]
fn int_remainder_and_floor_division_round_towards_minus_infinity_on_every_path() {
    // The runtime specialises `%`, `//`, `+`, `-` and `*` of two small ints
    // after a few runs of the same instruction; big operands and a zero
    // divisor take the general path. Both give Python's results.
    let lines = snippet(
        "pairs = [(7, 3), (-7, 3), (7, -3), (-7, -3), (-6, 3), (0, 5), (2**29, -7),\n\
         \x20        (-(2**30) + 1, 2**30 - 1), (2**40, 7), (-2**40, 7), (7, 2**40)]\n\
         def arith(pairs):\n\
         \x20   out = []\n\
         \x20   for a, b in pairs:\n\
         \x20       c = a\n\
         \x20       c %= b\n\
         \x20       d = a\n\
         \x20       d //= b\n\
         \x20       out.append((a % b, a // b, c, d, a + b, a - b, a * b))\n\
         \x20   return out\n\
         for _ in range(60):\n\
         \x20   rows = arith(pairs)\n\
         for row in rows:\n\
         \x20   print(row)\n\
         def zero(b):\n\
         \x20   try:\n\
         \x20       return 5 % b\n\
         \x20   except ZeroDivisionError:\n\
         \x20       return 'ZeroDivisionError'\n\
         for _ in range(60):\n\
         \x20   z = zero(0)\n\
         print(z)\n",
    );
    assert_eq!(
        lines,
        [
            "(1, 2, 1, 2, 10, 4, 21)",
            "(2, -3, 2, -3, -4, -10, -21)",
            "(-2, -3, -2, -3, 4, 10, -21)",
            "(-1, 2, -1, 2, -10, -4, 21)",
            "(0, -2, 0, -2, -3, -9, -18)",
            "(0, 0, 0, 0, 5, -5, 0)",
            "(-3, -76695845, -3, -76695845, 536870905, 536870919, -3758096384)",
            "(0, -1, 0, -1, 0, -2147483646, -1152921502459363329)",
            "(2, 157073089682, 2, 157073089682, 1099511627783, 1099511627769, 7696581394432)",
            "(5, -157073089683, 5, -157073089683, -1099511627769, -1099511627783, -7696581394432)",
            "(7, 0, 7, 0, 1099511627783, -1099511627769, 7696581394432)",
            "ZeroDivisionError",
        ]
    );
}

#[test]
fn list_and_tuple_slices_clamp_their_bounds_and_slice_assignment_splices() {
    // `a[i:j]` and `a[i:j] = x` of an exact list or tuple run without a slice
    // object; subclasses and other sequences keep the subscript protocol.
    let lines = snippet(
        "a = list(range(10))\n\
         t = tuple(a)\n\
         for _ in range(60):\n\
         \x20   r = [a[2:5], a[-3:], a[:-8], a[5:2], a[-100:100], a[:], a[3:None], t[1:3], t[-2:], t[:0]]\n\
         print(r)\n\
         b = list(range(6))\n\
         b[1:3] = [7, 8, 9]\n\
         print(b)\n\
         b[4:2] = [0]\n\
         print(b)\n\
         b[:] = b\n\
         print(b)\n\
         b[-2:] = ()\n\
         print(b)\n\
         c = [1, 2, 3]\n\
         c[0:2] = c\n\
         print(c)\n\
         show(lambda: a[1.5:2])\n\
         show(lambda: t[:'x'])\n\
         class L(list):\n\
         \x20   def __getitem__(self, i):\n\
         \x20       return 'subclass'\n\
         print(L([1, 2])[0:1], 'hello'[1:3], b'abc'[-2:])\n",
    );
    assert_eq!(
        lines,
        [
            "[[2, 3, 4], [7, 8, 9], [0, 1], [], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], \
             [3, 4, 5, 6, 7, 8, 9], (1, 2), (8, 9), ()]",
            "[0, 7, 8, 9, 3, 4, 5]",
            "[0, 7, 8, 9, 0, 3, 4, 5]",
            "[0, 7, 8, 9, 0, 3, 4, 5]",
            "[0, 7, 8, 9, 0, 3]",
            "[1, 2, 3, 3]",
            "TypeError: slice indices must be integers or None or have an __index__ method",
            "TypeError: slice indices must be integers or None or have an __index__ method",
            "subclass el b'bc'",
        ]
    );
}

#[test]
fn slice_bounds_past_either_end_clamp_on_every_sequence() {
    // Bounds that fit a machine word, read directly when they are ints.
    let lines = snippet(
        "a = list(range(10))\n\
         for b in [0, 3, -3, 100, -100, 2**40, -2**40, None]:\n\
         \x20   print(a[b:], a[:b], tuple(a[::-1])[b:], a[b::2], 'abcdef'[b:], b'xyz'[:b])\n",
    );
    assert_eq!(
        lines,
        [
            "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9] [] (9, 8, 7, 6, 5, 4, 3, 2, 1, 0) [0, 2, 4, 6, 8] abcdef b''",
            "[3, 4, 5, 6, 7, 8, 9] [0, 1, 2] (6, 5, 4, 3, 2, 1, 0) [3, 5, 7, 9] def b'xyz'",
            "[7, 8, 9] [0, 1, 2, 3, 4, 5, 6] (2, 1, 0) [7, 9] def b''",
            "[] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] () []  b'xyz'",
            "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9] [] (9, 8, 7, 6, 5, 4, 3, 2, 1, 0) [0, 2, 4, 6, 8] abcdef b''",
            "[] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] () []  b'xyz'",
            "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9] [] (9, 8, 7, 6, 5, 4, 3, 2, 1, 0) [0, 2, 4, 6, 8] abcdef b''",
            "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9] [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] (9, 8, 7, 6, 5, 4, 3, 2, 1, 0) [0, 2, 4, 6, 8] abcdef b'xyz'",
        ]
    );
}

#[test]
fn slice_assignment_takes_the_items_of_a_temporary_list_and_copies_a_shared_one() {
    // A list only the assignment holds (`b[k:l]`) gives its items up; one
    // held elsewhere is copied, and stays as it was.
    let lines = snippet(
        "for _ in range(60):\n\
         \x20   perm = [3, 1, 4, 0, 2]\n\
         \x20   k = perm[0]\n\
         \x20   while k:\n\
         \x20       perm[:k + 1] = perm[k::-1]\n\
         \x20       k = perm[0]\n\
         \x20   a = list(range(8))\n\
         \x20   a[1:3] = a[5:8]\n\
         \x20   shared = [10, 11]\n\
         \x20   a[:1] = shared\n\
         \x20   shared.append(12)\n\
         \x20   a[6:] = a[:2]\n\
         print(perm, a, shared)\n\
         b = [0, 1, 2, 3]\n\
         b[1:3] = (x * 2 for x in range(3))\n\
         print(b)\n",
    );
    assert_eq!(lines, ["[0, 4, 1, 3, 2] [10, 11, 5, 6, 7, 3, 10, 11] [10, 11, 12]", "[0, 0, 2, 4, 3]"]);
}

#[test]
fn calls_hand_over_their_arguments_and_leave_the_callers_stack_as_it_was() {
    // Warmed calls of functions and bound methods move the arguments from the
    // caller's stack into the callee; values under the call, a raising
    // callee, recursion and a closure over a finished call's local all see
    // what the general call path gives.
    let lines = snippet(
        "def f(a, b, c):\n\
         \x20   return a * 100 + b * 10 + c\n\
         class C:\n\
         \x20   def m(self, a, b):\n\
         \x20       return (self.v, a, b)\n\
         \x20   def bad(self, a):\n\
         \x20       return 1 // a\n\
         def fib(n):\n\
         \x20   return n if n < 2 else fib(n - 1) + fib(n - 2)\n\
         def make(x):\n\
         \x20   y = x * 2\n\
         \x20   return lambda: y\n\
         o = C()\n\
         o.v = 'v'\n\
         caught = 0\n\
         for i in range(60):\n\
         \x20   r = [7, f(1, 2, i % 3), 8, o.m(i, 'b'), 9]\n\
         \x20   try:\n\
         \x20       r.append((5, o.bad(i % 2)))\n\
         \x20   except ZeroDivisionError:\n\
         \x20       caught += 1\n\
         print(r, caught, fib(15), make(21)())\n",
    );
    assert_eq!(lines, ["[7, 122, 8, ('v', 59, 'b'), 9, (5, 1)] 30 610 42"]);
}

#[test]
fn percent_formatting_refuses_arguments_the_format_does_not_take() {
    let lines = snippet(
        "print('%d-%s' % (5, 'x'), '%(k)s' % {'k': 1}, 'x' % (), 'x' % {'k': 1}, b'%d' % 5, b'x' % {})\n\
         show(lambda: 'x' % 5)\n\
         show(lambda: '%d' % (1, 2))\n\
         show(lambda: '%s %s' % (1,))\n\
         show(lambda: b'x' % 5)\n",
    );
    assert_eq!(
        lines,
        [
            "5-x 1 x x b'5' b'x'",
            "TypeError: not all arguments converted during string formatting",
            "TypeError: not all arguments converted during string formatting",
            "TypeError: not enough arguments for format string",
            "TypeError: not all arguments converted during bytes formatting",
        ]
    );
}

#[test]
fn instances_are_made_and_initialised_as_the_general_call_makes_them() {
    // Warmed instantiation of a class with a plain `__init__` allocates the
    // object and runs `__init__` directly; defaults, subclasses of builtins,
    // a `__new__`, and `__init__` or `__new__` replaced later still apply.
    let lines = snippet(
        "class A:\n\
         \x20   def __init__(self, x):\n\
         \x20       self.x = x\n\
         class B(A):\n\
         \x20   pass\n\
         class C(A):\n\
         \x20   def __init__(self, x, y=2):\n\
         \x20       super().__init__(x)\n\
         \x20       self.y = y\n\
         class R:\n\
         \x20   def __init__(self):\n\
         \x20       return 5\n\
         class E:\n\
         \x20   def __init__(self, a):\n\
         \x20       raise ValueError('bad %d' % a)\n\
         class N:\n\
         \x20   def __new__(cls, v):\n\
         \x20       o = object.__new__(cls)\n\
         \x20       o.v = v * 2\n\
         \x20       return o\n\
         class NN(N):\n\
         \x20   pass\n\
         class MI(int):\n\
         \x20   def __init__(self, v):\n\
         \x20       self.tag = 't'\n\
         class ML(list):\n\
         \x20   pass\n\
         class Err(Exception):\n\
         \x20   def __init__(self, m):\n\
         \x20       super().__init__(m)\n\
         \x20       self.m = m\n\
         for i in range(40):\n\
         \x20   r = [A(i).x, B(i).x, C(i).y, C(i, 5).y, N(i).v, NN(i).v, MI(i) + 1, MI(i).tag, len(ML([i, i])), Err('e%d' % i).m]\n\
         \x20   for bad in (R, lambda: E(i)):\n\
         \x20       try:\n\
         \x20           bad()\n\
         \x20       except (TypeError, ValueError) as e:\n\
         \x20           r.append(str(e))\n\
         print(r)\n\
         print(A(x=9).x)\n\
         A.__init__ = lambda self, x: setattr(self, 'x', -x)\n\
         print(A(3).x, B(4).x)\n\
         A.__new__ = lambda cls, x: 'replaced'\n\
         print(A(3), B(4))\n\
         del A.__new__\n\
         print(A(3).x, type(object.__new__(A)).__name__)\n",
    );
    assert_eq!(
        lines,
        [
            "[39, 39, 2, 5, 78, 78, 40, 't', 2, 'e39', \"__init__() should return None, not 'int'\", 'bad 39']",
            "9",
            "-3 -4",
            "replaced replaced",
            "-3 A",
        ]
    );
}

#[test]
fn an_exception_in_init_is_traced_to_its_line_under_the_call() {
    let run = Device::new()
        .run("class E:\n    def __init__(self, a):\n        self.a = 1 // a\nfor i in range(40, -1, -1):\n    E(i)\n");
    assert_eq!(
        run.lines(),
        [
            "Traceback (most recent call last):",
            "  File \"main.py\", line 5, in <module>",
            "  File \"main.py\", line 3, in __init__",
            "ZeroDivisionError: divide by zero",
        ]
    );
}

#[test]
fn a_percent_format_used_again_formats_as_it_did_the_first_time() {
    // The runtime keeps the last 8 parsed formats: 12 formats in turn, `*`
    // widths taken anew each time, and a format that does not parse.
    let lines = snippet(
        "out = []\n\
         for i in range(3):\n\
         \x20   for w in (4, 1, 6):\n\
         \x20       out.append('%*d|%-*s|' % (w, i, w, 'ab'))\n\
         \x20   for f in ['<%d>', '<%s>', '<%x>', '<%o>', '<%5d>', '<%-3d>', '<%c>', '<%r>', '<%03d>', '<%+d>']:\n\
         \x20       out.append(f % (65 + i))\n\
         \x20   out.append('%(b)s=%(a)d' % {'a': i, 'b': 'k'})\n\
         print(' '.join(out[:14]))\n\
         print(' '.join(out[28:]))\n\
         show(lambda: '%q' % 1)\n\
         show(lambda: '%q' % 1)\n",
    );
    assert_eq!(
        lines,
        [
            "   0|ab  | 0|ab|      0|ab    | <65> <65> <41> <101> <   65> <65 > <A> <65> <065> <+65> k=0",
            "   2|ab  | 2|ab|      2|ab    | <67> <67> <43> <103> <   67> <67 > <C> <67> <067> <+67> k=2",
            "ValueError: unsupported format character 'q' (0x71) at index 1",
            "ValueError: unsupported format character 'q' (0x71) at index 1",
        ]
    );
}

#[test]
fn a_function_reads_each_global_as_stored_deleted_or_shadowing_a_builtin() {
    // The runtime caches where a function finds a global or builtin; a new
    // value for a global keeps the cache, a global added or deleted drops it.
    let lines = snippet(
        "def f():\n\
         \x20   return counter + len('ab')\n\
         counter = 0\n\
         for i in range(100):\n\
         \x20   counter = i\n\
         \x20   last = f()\n\
         print(last)\n\
         def len(x):\n\
         \x20   return 40\n\
         print(f())\n\
         del len\n\
         print(f())\n\
         del counter\n\
         show(f)\n\
         counter = 5\n\
         print(f())\n",
    );
    assert_eq!(lines, ["101", "139", "101", "NameError: name 'counter' isn't defined", "7"]);
}
