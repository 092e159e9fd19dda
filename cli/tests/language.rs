//! The language as MicroPython 1.11 (firmware v1.20.2) reads it: indentation
//! with tabs measured as py/lexer.c does, syntax errors with their file and
//! line, exception texts as py/objexcept.c prints them, `const()`.

mod common;
use common::{Device, ok, snippet};

/// Indentation in columns with a tab advancing to the next multiple of 8:
/// 8 spaces, a tab, 4 spaces and a tab all reach column 8.
const MIXED_INDENTATION: &str =
    "def f():\n        a = 1\n\tb = 2\n    \tif a:\n\t\ts = '''\n\tkept'''\n\t\treturn a + b, s\n\treturn 0\n";

#[test]
fn indentation_mixing_tabs_and_spaces_is_read_with_tabs_to_multiples_of_8() {
    let run = Device::new().run(&format!("{MIXED_INDENTATION}print(f())\n"));
    assert_eq!(run.lines(), ["(3, '\\n\\tkept')"], "{}", run.stderr);
}

#[test]
fn a_module_on_flash_mixing_tabs_and_spaces_imports() {
    let device = Device::new();
    ok(device.run(&format!("open('/flash/lib/mixed.py', 'w').write({MIXED_INDENTATION:?})\n")));
    let run = device.run("import mixed\nprint(mixed.f()[0])\n");
    assert_eq!(run.lines(), ["3"], "{}", run.stderr);
}

#[test]
fn a_deeper_tab_indentation_is_still_an_unexpected_indent() {
    // Three tabs reach column 24, past the block's 12 spaces.
    let run = Device::new().run("if True:\n            a = 1\n\t\t\tb = 2\n");
    assert_eq!(
        run.lines(),
        ["Traceback (most recent call last):", "  File \"main.py\", line 3", "IndentationError: unexpected indent"]
    );
}

#[test]
fn a_syntax_error_in_main_names_the_file_and_line() {
    let run = Device::new().run("print('not run')\nx = = 2\n");
    assert_eq!(run.code, 1);
    assert_eq!(
        run.lines(),
        ["Traceback (most recent call last):", "  File \"main.py\", line 2", "SyntaxError: invalid syntax"]
    );
}

#[test]
fn an_unindent_matching_no_block_reads_as_micropythons() {
    let run = Device::new().run("if True:\n        a = 1\n    b = 2\n");
    assert_eq!(run.lines()[2], "IndentationError: unindent doesn't match any outer indent level");
}

#[test]
fn a_syntax_error_in_an_imported_module_names_its_file_and_line() {
    let device = Device::new();
    ok(device.run("open('/flash/lib/broken.py', 'w').write('x = 1\\ndef f(:\\n    pass\\n')\n"));
    let run = device.run("import broken\n");
    assert_eq!(
        run.lines(),
        [
            "Traceback (most recent call last):",
            "  File \"main.py\", line 1, in <module>",
            "  File \"/flash/lib/broken.py\", line 2",
            "SyntaxError: invalid syntax"
        ]
    );
}

#[test]
fn a_syntax_error_caught_by_the_script_is_a_syntax_error() {
    assert_eq!(
        snippet("try:\n    exec('a b')\nexcept SyntaxError as e:\n    print(type(e).__name__, e.args)"),
        ["SyntaxError ('invalid syntax',)"]
    );
}

#[test]
fn os_error_texts_are_micropythons() {
    assert_eq!(
        snippet(
            "print(str(OSError(2)))\nprint(str(OSError(12)))\nprint(str(OSError(2, 'x')))\nprint(repr(str(OSError())))\n\
             print(str(OSError('no way')))\nprint(OSError(2).args)"
        ),
        ["[Errno 2] ENOENT", "[Errno 12] ENOMEM", "(2, 'x')", "''", "no way", "(2,)"]
    );
}

#[test]
fn exception_args_are_the_constructor_arguments() {
    assert_eq!(
        snippet(
            "print(ValueError().args, ValueError('a').args, ValueError('a', 1).args, KeyError(3).args)\nprint(str(ValueError('a', 1)))"
        ),
        ["() ('a',) ('a', 1) (3,)", "('a', 1)"]
    );
}

#[test]
fn const_values_work_in_scripts_and_modules() {
    let device = Device::new();
    ok(device.run(
        "open('/flash/lib/consts.py', 'w').write('from micropython import const\\nSIZE = const(4)\\n_HIDDEN = const(2)\\n\
         def area():\\n    return SIZE * _HIDDEN\\n')\n",
    ));
    let run = device
        .run("from micropython import const\nX = const(5)\nimport consts\nprint(X * 2, consts.SIZE, consts.area())\n");
    assert_eq!(run.lines(), ["10 4 8"], "{}", run.stderr);
}

#[test]
fn a_str_is_read_as_its_utf8_bytes_where_the_firmware_reads_a_buffer() {
    // Pycom's nano-gateway config adds "FFFE" to hexlify's bytes.
    assert_eq!(
        snippet(
            "import ubinascii\nmac = ubinascii.hexlify(b'\\x30\\xae\\xa4')\nshow(lambda: mac[:4] + 'FFFE')\n\
             show(lambda: 'OK' in b'\\r\\nOK\\r\\n')\nshow(lambda: 'é' in bytearray('café'))\n\
             show(lambda: bytearray(b'ab') + 'c')\nba = bytearray(b'a')\nba += 'xy'\nshow(lambda: ba)\n\
             ba.extend('z')\nshow(lambda: ba)\nshow(lambda: b'abc'.startswith('a'))\n\
             show(lambda: b'abc'.endswith('bc'))\nshow(lambda: 'abc'.startswith(b'ab'))\n\
             show(lambda: memoryview('ab')[1])\nshow(lambda: memoryview(b'ab'))\nshow(lambda: b'%s-%d' % ('x', 1))"
        ),
        [
            "b'30aeFFFE'",
            "True",
            "True",
            "bytearray(b'abc')",
            "bytearray(b'axy')",
            "bytearray(b'axyz')",
            "True",
            "True",
            "True",
            "98",
            "<memoryview>",
            "b'x-1'",
        ]
    );
}

#[test]
fn where_the_firmware_refuses_the_other_string_type_it_says_it_cannot_convert() {
    assert_eq!(
        snippet(
            "show(lambda: 'ab' + b'cd')\nshow(lambda: 'a' + 1)\nshow(lambda: b'a' in 'abc')\n\
             show(lambda: b'abc'.find('b'))\nshow(lambda: b'a,b'.split(','))\nshow(lambda: bytes('abc'))"
        ),
        [
            "TypeError: can't convert 'bytes' object to str implicitly",
            "TypeError: can't convert 'int' object to str implicitly",
            "TypeError: can't convert 'bytes' object to str implicitly",
            "TypeError: can't convert 'str' object to bytes implicitly",
            "TypeError: can't convert 'str' object to bytes implicitly",
            "TypeError: wrong number of arguments",
        ]
    );
}

#[test]
fn a_bytearray_added_to_itself_reads_a_copy() {
    assert_eq!(
        snippet("b = bytearray(b'123')\nb += b\nb += b\nshow(lambda: b)\nb.extend(b)\nshow(lambda: len(b))"),
        ["bytearray(b'123123123123')", "24"]
    );
}

#[test]
fn cr_lf_and_lone_cr_line_ends_are_read_as_lf_in_strings_too() {
    let run = Device::new().run("s = '''a\r\nb\rc'''\r\nprint(repr(s))\r");
    assert_eq!(run.lines(), ["'a\\nb\\nc'"], "{}", run.stderr);
}

#[test]
fn the_board_prints_no_warnings() {
    let run = Device::new().run("print('\\z', b'\\u1234')\ndef g():\n    yield 1\nx = g()\nnext(x)\ntry:\n    x.throw(ValueError, ValueError(1), None)\nexcept ValueError as e:\n    print(repr(e))\n");
    assert_eq!(run.lines(), ["\\z b'\\\\u1234'", "ValueError(1,)"], "{}", run.stderr);
    assert!(!run.stderr.contains("Warning"), "{}", run.stderr);
}

#[test]
fn an_undefined_name_is_the_firmwares_name_error() {
    let run = Device::new().run(
        "try:\n    nope\nexcept NameError as e:\n    print(e)\nprint(NameError('kept is not defined'))\nalso_nope\n",
    );
    assert_eq!(
        run.lines(),
        [
            "name 'nope' isn't defined",
            "kept is not defined",
            "Traceback (most recent call last):",
            "  File \"main.py\", line 6, in <module>",
            "NameError: name 'also_nope' isn't defined",
        ]
    );
}

#[test]
fn raising_a_non_exception_and_calling_a_non_callable_are_the_firmwares_type_errors() {
    let run = Device::new().run(
        "try:\n    raise 1\nexcept TypeError as e:\n    print(e)\nprint(TypeError('kept is not callable'))\nimport socket\nsocket()\n",
    );
    assert_eq!(
        run.lines(),
        [
            "exceptions must derive from BaseException",
            "kept is not callable",
            "Traceback (most recent call last):",
            "  File \"main.py\", line 7, in <module>",
            "TypeError: 'module' object isn't callable",
        ]
    );
}

#[test]
fn const_names_are_compile_time_constants_of_the_whole_file() {
    // As Pycom's pycoproc library uses them: set in a class body, read in
    // module code; `_` names are not stored.
    let run = Device::new().run(
        "from micropython import const\nclass Coproc:\n    CMD_PEEK = const(0x0)\n    CMD_POKE = const(CMD_PEEK + 1)\n\
         _SECRET = const(1 << 4)\nprint(CMD_POKE, _SECRET, Coproc.CMD_POKE)\nprint('_SECRET' in globals(), hasattr(Coproc, 'CMD_PEEK'))\n",
    );
    assert_eq!(run.lines(), ["1 16 1", "False True"], "{}", run.stderr);
}

#[test]
fn a_const_that_is_not_an_integer_is_the_boards_syntax_error() {
    let run = Device::new().run("from micropython import const\nprint('not run')\nX = const(1.5)\n");
    assert_eq!(
        run.lines(),
        [
            "Traceback (most recent call last):",
            "  File \"main.py\", line 3",
            "SyntaxError: constant must be an integer"
        ]
    );
}

#[test]
fn a_module_prints_as_micropythons() {
    let device = Device::new();
    ok(device.run("open('/flash/lib/mod1.py', 'w').write('x = 1\\n')\n"));
    let run = device.run("import sys, mod1\nprint(sys, mod1)\n");
    assert_eq!(run.lines(), ["<module 'sys'> <module 'mod1' from '/flash/lib/mod1.py'>"], "{}", run.stderr);
}

#[test]
fn classes_print_their_bare_name_as_micropython_does() {
    let run =
        ok(Device::new()
            .run("from machine import Pin\nclass A:\n    pass\nprint(A, type(Pin('P3')), int, ValueError)\n"));
    assert_eq!(run.lines(), ["<class 'A'> <class 'Pin'> <class 'int'> <class 'ValueError'>"]);
}

#[test]
fn an_exception_prints_its_argument_tuple_as_micropython_does() {
    let run = ok(Device::new().run(
        "class E(ValueError):\n    pass\nprint(repr(OSError(17)), repr(KeyError()), repr(Exception(1, 2)), [E('x')])\n",
    ));
    assert_eq!(run.lines(), ["OSError(17,) KeyError() Exception(1, 2) [E('x',)]"]);
}

#[test]
fn exec_and_eval_read_source_as_the_board_does() {
    assert_eq!(
        snippet(
            "from micropython import const\nshow(exec, 'A = const(1); A = const(2)')\nshow(exec, 'a = const(x)')\n\
             show(eval, '\"a\\\\r\\\\nb\"')\nexec('B = const(3)\\nprint(B * 2)')"
        ),
        ["SyntaxError: constant must be an integer", "SyntaxError: constant must be an integer", "'a\\r\\nb'", "6",]
    );
}

#[test]
fn a_bytearray_keeps_the_low_byte_of_an_integer_and_bytes_refuses_it() {
    assert_eq!(
        snippet(
            "show(bytearray, [0x55AA, -1, 256])\nb = bytearray(2)\nb[0] = 0x1FF\nb.append(0x102)\nshow(lambda: b)\n\
             show(bytes, [0x55AA])"
        ),
        ["bytearray(b'\\xaa\\xff\\x00')", "bytearray(b'\\xff\\x00\\x02')", "ValueError: bytes value out of range"]
    );
}

#[test]
fn the_builtin_types_have_only_the_methods_the_firmware_gives_them() {
    let out = snippet(
        "for obj, name in [('s', 'center'), ('s', 'partition'), ('s', 'splitlines'), ('s', 'zfill'),
        (b'', 'hex'), (bytearray(), 'find'), (1, 'bit_length'), (1.5, 'is_integer'),
        (memoryview(b''), 'tobytes'), (range(1), 'count'), ('s', 'upper'), (b'', 'decode'),
        (bytearray(), 'extend'), (1, 'to_bytes'), ([], 'copy'), ({}, 'setdefault'), ((), 'index')]:
    print(name, hasattr(obj, name))
show(lambda: 'a'.center(5))
show(lambda: bytearray(b'ab').find(b'b'))
show(lambda: str.maketrans)
class Text(str):
    pass
show(lambda: Text('a').title())
print('a b'.split(), b'x'.decode(), int.from_bytes(b'\\x01', 'little'))",
    );
    let hidden =
        ["center", "partition", "splitlines", "zfill", "hex", "find", "bit_length", "is_integer", "tobytes", "count"];
    let kept = ["upper", "decode", "extend", "to_bytes", "copy", "setdefault", "index"];
    let expected: Vec<String> = hidden
        .iter()
        .map(|name| format!("{name} False"))
        .chain(kept.iter().map(|name| format!("{name} True")))
        .chain([
            "AttributeError: 'str' object has no attribute 'center'".to_owned(),
            "AttributeError: 'bytearray' object has no attribute 'find'".to_owned(),
            "AttributeError: type object 'str' has no attribute 'maketrans'".to_owned(),
            "AttributeError: 'Text' object has no attribute 'title'".to_owned(),
            "['a', 'b'] x 1".to_owned(),
        ])
        .collect();
    assert_eq!(out, expected);
}

#[test]
fn the_emulators_own_python_still_uses_the_runtimes_methods() {
    // `open()` and the import machinery are Python inside the emulator; a
    // module on /flash with a dotted name exercises both.
    let device = Device::new();
    ok(device.run("import os\nos.mkdir('/flash/lib/pkg')\nopen('/flash/lib/pkg/__init__.py', 'w').write('X = 1')\nopen('/flash/lib/pkg/mod.py', 'w').write('Y = 2')\n"));
    let run = device.run("from pkg import mod\nimport pkg\nprint(pkg.X, mod.Y)\n");
    assert_eq!(run.lines(), ["1 2"], "{}", run.stderr);
}

#[test]
fn round_of_a_bool_is_an_int() {
    assert_eq!(
        snippet("print(round(False), round(True), type(round(True)), round(7), round(2.5))"),
        ["0 1 <class 'int'> 7 2"]
    );
}

#[test]
fn floats_print_as_the_board_prints_its_single_precision_floats() {
    assert_eq!(
        snippet(
            "print(1/3, 0.1 + 0.2, 2**24 + 1.0, 1e-5, 9999999.0, -0.0, 1e39, 4.0996057347670245)
print([2/3], '%s' % 2.5, '{}'.format(1/7), f'{1/7}', '{:.3f}'.format(1/3), 1/3 + 2j, 1j, 1 - 0.5j)"
        ),
        [
            "0.3333333 0.3 1.677722e+07 1e-05 9999998.0 -0.0 inf 4.099606",
            "[0.6666667] 2.5 0.1428571 0.1428571 0.333 (0.3333333+2j) 1j (1-0.5j)",
        ]
    );
}

#[test]
fn the_boards_builtin_modules_are_read_only_to_scripts() {
    let device = Device::new();
    ok(device.run("open('/flash/lib/mine.py', 'w').write('X = 1')\n"));
    let run = device.run(
        "import sys, ujson, builtins, mine
for module, name in ((sys, 'x'), (ujson, 'dumps'), (os, 'extra')):
    try:
        setattr(module, name, 1)
    except AttributeError as e:
        print(e)
builtins.shared = 3
mine.Y = 2
print(shared, mine.Y, ujson.dumps([1]))
",
    );
    assert_eq!(
        run.lines(),
        [
            "'module' object has no attribute 'x'",
            "'module' object has no attribute 'dumps'",
            "'module' object has no attribute 'extra'",
            "3 2 [1]",
        ],
        "{}",
        run.stderr
    );
}

#[test]
fn division_by_zero_texts_are_micropythons() {
    // py/runtime.c, py/objfloat.c, py/objcomplex.c
    let lines = snippet(
        "for t in ['1/0', '1//0', '1%0', 'divmod(1, 0)', '2**70 % 0', '1.0/0', '5 // 0.0', '1.0 % 0.0',\n\
         \x20         'divmod(1.0, 0.0)', '0.0 ** -1', '0 ** -1', '1j / 0', '0j ** -1']:\n\
         \x20   try:\n\
         \x20       eval(t)\n\
         \x20   except ZeroDivisionError as e:\n\
         \x20       print(t, '->', e)\n",
    );
    let texts: Vec<&str> = lines.iter().filter_map(|line| line.split(" -> ").nth(1)).collect();
    assert_eq!(lines.len(), 13, "{lines:?}");
    assert_eq!(texts[..11], ["divide by zero"; 11], "{lines:?}");
    assert_eq!(texts[11..], ["complex divide by zero", "0.0 to a complex power"], "{lines:?}");
}
