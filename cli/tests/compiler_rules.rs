//! What the firmware's compiler (MicroPython 1.11's `py/compile.c`) accepts
//! and refuses: its built-in decorators on a build with only the bytecode
//! emitter, `micropython.opt_level()`, `return`/`break` inside nested
//! `finally` blocks, and blocks nested without CPython's bound of 20.

mod common;
use common::{Device, snippet};

#[test]
fn the_bytecode_decorator_is_accepted_and_keeps_line_numbers() {
    let run = Device::new().run("@micropython.bytecode\ndef f():\n    return 1 / 0\nprint(f.__name__)\nf()\n");
    assert_eq!(run.lines()[0], "f", "{}", run.stderr);
    assert!(run.stdout.contains("File \"main.py\", line 3, in f"), "{}", run.stdout);
}

#[test]
fn emitters_the_board_is_built_without_are_a_syntax_error_at_their_line() {
    // No MICROPY_EMIT_XTENSA in esp32/mpconfigport.h: no native, viper or asm.
    for decorator in ["native", "viper", "asm_xtensa", "a.b"] {
        let run = Device::new().run(&format!("x = 1\n@micropython.{decorator}\ndef f():\n    pass\n"));
        assert_eq!(
            run.lines(),
            [
                "Traceback (most recent call last):",
                "  File \"main.py\", line 2",
                "SyntaxError: invalid micropython decorator"
            ],
            "@micropython.{decorator}"
        );
    }
}

#[test]
fn exec_reads_the_decorators_too() {
    let lines = snippet(
        "try:\n    exec('@micropython.native\\ndef g(): pass')\nexcept SyntaxError as e:\n    print('SyntaxError', e)\n",
    );
    assert_eq!(lines, ["SyntaxError invalid micropython decorator"]);
}

#[test]
fn opt_level_1_drops_asserts_and_makes_debug_false_for_code_compiled_after() {
    let lines = snippet(
        "import micropython\n\
         exec('print(__debug__)')\n\
         micropython.opt_level(1)\n\
         exec('print(__debug__)')\n\
         exec('assert 0')\n\
         print(eval('__debug__'))\n\
         micropython.opt_level(0)\n\
         show(exec, 'assert 0, \"on\"')\n",
    );
    assert_eq!(lines, ["True", "False", "False", "AssertionError: on"]);
}

#[test]
fn opt_level_set_in_boot_py_applies_to_main_py() {
    let device = Device::new();
    common::ok(device.run("open('/flash/boot.py', 'w').write('import micropython\\nmicropython.opt_level(1)\\n')\n"));
    let run = device.run("assert False\nprint(__debug__)\n");
    assert_eq!(run.lines(), ["False"], "{}", run.stderr);
}

#[test]
fn a_return_in_an_inner_finally_under_a_returning_outer_finally() {
    let lines = snippet(
        "def f():\n    try:\n        try:\n            raise ValueError\n        finally:\n            print('finally 1')\n            return 1\n    finally:\n        print('finally 2')\n        return 2\nprint(f())\n\
         def g():\n    for i in range(3):\n        try:\n            try:\n                pass\n            finally:\n                break\n        finally:\n            print('outer', i)\n            continue\n    return i\nprint(g())\n",
    );
    assert_eq!(lines, ["finally 1", "finally 2", "2", "outer 0", "outer 1", "outer 2", "2"]);
}

#[test]
fn blocks_nest_deeper_than_cpythons_twenty() {
    let mut source = String::from("def f():\n");
    for depth in 1..=30 {
        source.push_str(&format!("{}try:\n", " ".repeat(depth)));
    }
    source.push_str(&format!("{}return 'deep'\n", " ".repeat(31)));
    for depth in (1..=30).rev() {
        source.push_str(&format!("{}except:\n{}pass\n", " ".repeat(depth), " ".repeat(depth + 1)));
    }
    source.push_str("print(f())\n");
    let run = Device::new().run(&source);
    assert_eq!(run.lines(), ["deep"], "{}", run.stderr);
}

#[test]
fn a_bare_except_must_be_last_and_a_name_cannot_be_nonlocal_and_global() {
    let lines = snippet(
        "show(exec, 'try:\\n a\\nexcept:\\n pass\\nexcept ValueError:\\n pass')\n\
         show(exec, 'def f():\\n x = 1\\n def g():\\n  nonlocal x\\n  global x')\n\
         show(exec, 'def f():\\n x = 1\\n def g():\\n  global x\\n  nonlocal x')\n",
    );
    assert_eq!(
        lines,
        [
            "SyntaxError: default 'except:' must be last",
            "SyntaxError: name 'x' is nonlocal and global",
            "SyntaxError: name 'x' is nonlocal and global"
        ]
    );
}

#[test]
fn the_empty_tuple_cannot_be_assigned_or_deleted_as_in_python_3_4() {
    let lines = snippet("show(exec, '() = []')\nshow(exec, 'del ()')\n[] = []\nprint('list ok')\n");
    assert_eq!(lines, ["SyntaxError: can't assign to expression", "SyntaxError: can't delete expression", "list ok"]);
}

#[test]
fn a_dict_display_evaluates_each_value_before_its_key() {
    // py/compile.c compiles the value, then the key, then STORE_MAP.
    let lines = snippet("def p(x):\n    print(x)\n    return x\nd = {p('k'): p('v'), 'a': p(1)}\nprint(d)\n");
    assert_eq!(lines, ["v", "k", "1", "{'k': 'v', 'a': 1}"]);
}
