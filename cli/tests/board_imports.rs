//! A script imports what the firmware v1.20.2 has (its built-in modules, weak
//! links and frozen modules, esp32/mpconfigport.h) and modules on its
//! filesystem; the rest of the Python runtime raises `ImportError: no module
//! named 'x'`, as on the board.

mod common;
use common::{Device, ok, snippet};

/// Modules of the Python runtime that no v1.20.2 build has.
const NOT_ON_THE_BOARD: [&str; 16] = [
    "itertools",
    "functools",
    "_sre",
    "marshal",
    "_imp",
    "typing",
    "_io",
    "_collections",
    "atexit",
    "_weakref",
    "codecs",
    "_warnings",
    "_operator",
    "_frozen_importlib",
    "collections",
    "io",
];

fn import_each(names: &[&str], statement: &str) -> Vec<String> {
    let names = names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
    snippet(&format!(
        "for name in [{names}]:\n    try:\n        exec({statement})\n        print(name, 'imported')\n    \
         except ImportError as e:\n        print(name, type(e).__name__ + ': ' + str(e))"
    ))
}

#[test]
fn runtime_modules_the_board_lacks_raise_import_error() {
    let expected: Vec<String> =
        NOT_ON_THE_BOARD.iter().map(|n| format!("{n} ImportError: no module named '{n}'")).collect();
    assert_eq!(import_each(&NOT_ON_THE_BOARD, "'import ' + name"), expected);
}

#[test]
fn from_imports_of_missing_modules_raise_import_error_too() {
    let expected: Vec<String> =
        NOT_ON_THE_BOARD.iter().map(|n| format!("{n} ImportError: no module named '{n}'")).collect();
    assert_eq!(import_each(&NOT_ON_THE_BOARD, "'from ' + name + ' import x'"), expected);
}

#[test]
fn an_uncaught_import_error_prints_as_on_the_board() {
    let run = Device::new().run("import itertools\n");
    assert_eq!(run.code, 1);
    assert_eq!(
        run.lines(),
        [
            "Traceback (most recent call last):",
            "  File \"main.py\", line 1, in <module>",
            "ImportError: no module named 'itertools'"
        ]
    );
}

#[test]
fn board_modules_and_their_weak_links_import() {
    let names = [
        "pycom",
        "machine",
        "umachine",
        "os",
        "uos",
        "time",
        "utime",
        "sys",
        "gc",
        "micropython",
        "errno",
        "uerrno",
        "builtins",
        "_thread",
    ];
    let expected: Vec<String> = names.iter().map(|n| format!("{n} imported")).collect();
    assert_eq!(import_each(&names, "'import ' + name"), expected);
}

#[test]
fn a_weak_link_is_the_u_module_itself_and_prints_as_it() {
    // tests/esp32/machine.py prints `<module 'umachine'>` after `import machine`.
    let source = "import machine, os, time, errno, socket, json, umachine\n\
                  print(machine, os, time, errno, socket, json)\nprint(machine is umachine, time.__name__)";
    assert_eq!(
        snippet(source),
        [
            "<module 'umachine'> <module 'uos'> <module 'utime'> <module 'uerrno'> <module 'usocket'> <module 'ujson'>",
            "True utime"
        ]
    );
}

#[test]
fn a_missing_name_in_a_board_module_is_cannot_import_name() {
    assert_eq!(
        snippet(
            "try:\n    from os import nothing_here\nexcept ImportError as e:\n    print(e)\nfrom os import listdir\nprint(callable(listdir))"
        ),
        ["cannot import name nothing_here", "True"]
    );
}

#[test]
fn the_emulators_own_modules_are_hidden_from_scripts() {
    let hidden = ["_pycom_emu", "_pycom_emu_files", "_flashfs"];
    let expected: Vec<String> = hidden.iter().map(|n| format!("{n} ImportError: no module named '{n}'")).collect();
    assert_eq!(import_each(&hidden, "'import ' + name"), expected);
}

#[test]
fn a_module_on_flash_wins_over_a_runtime_module_the_board_lacks() {
    let device = Device::new();
    ok(device.run(
        "open('/flash/lib/functools.py', 'w').write('WHERE = \"flash\"\\n')\n\
         open('/flash/itertools.py', 'w').write('from functools import WHERE\\n')\n",
    ));
    let run = device.run("import itertools, functools\nprint(itertools.WHERE, functools.__file__)\nfrom itertools import WHERE\nprint(WHERE)");
    assert_eq!(run.lines(), ["flash /flash/lib/functools.py", "flash"], "{}", run.stderr);
}

#[test]
fn modules_on_flash_import_board_modules_but_not_the_runtimes() {
    let device = Device::new();
    ok(device.run("open('/flash/lib/helper.py', 'w').write('import time\\nimport marshal\\n')\n"));
    let run = device.run("import helper\n");
    assert_eq!(
        run.lines(),
        [
            "Traceback (most recent call last):",
            "  File \"main.py\", line 1, in <module>",
            "  File \"/flash/lib/helper.py\", line 2, in <module>",
            "ImportError: no module named 'marshal'"
        ]
    );
}
