//! Details of the builtin types where MicroPython 1.11 (firmware v1.20.2)
//! behaves otherwise than the Python runtime under the emulator did:
//! float floor division, `strip`, slices, closures, `str.format`,
//! generators as awaitables and `throw`, the `__main__` module, and
//! `object`'s attribute methods.

mod common;
use common::snippet;

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
        [
            "(-1.0, 0.0) -1.0 0.0",
            "(-7.0, 0.0) -7.0 0.0",
            "(-2.0, -0.0) -1.0 -0.5",
            "ZeroDivisionError: division by zero"
        ]
    );
}

#[test]
fn zero_to_minus_infinity_is_infinity_and_to_a_negative_number_raises() {
    let lines = snippet("print(pow(0.0, float('-inf')), pow(0.0, float('nan')))\nshow(pow, 0.0, -1.0)\n");
    assert_eq!(lines, ["inf nan", "ZeroDivisionError: zero to a negative power"]);
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
