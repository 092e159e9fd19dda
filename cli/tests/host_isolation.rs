//! Scripts see the board, not the host: `sys` names no host path, and file
//! names that cannot exist on the board raise `OSError`.

mod common;

use common::{Device, ok, snippet};

#[test]
fn sys_names_no_host_path() {
    let run = ok(Device::new().run(
        "import sys\n\
         for name in ('executable', '_base_executable', 'orig_argv', 'prefix', 'exec_prefix',\n\
                      'base_prefix', 'base_exec_prefix', 'platlibdir', 'argv', 'path'):\n\
         \x20   if hasattr(sys, name):\n\
         \x20       print(name, repr(getattr(sys, name)))\n",
    ));
    for host in ["/root", "target", "/tmp", "/usr", "pycom-emu"] {
        assert!(!run.stdout.contains(host), "{host:?} in:\n{}", run.stdout);
    }
    assert!(run.lines().contains(&"argv []"), "stdout:\n{}", run.stdout);
}

#[test]
fn sys_has_no_executable_as_on_the_board() {
    let lines =
        snippet("import sys\nprint(hasattr(sys, 'executable'), hasattr(sys, 'orig_argv'), hasattr(sys, 'prefix'))");
    assert_eq!(lines, ["False False False"]);
}

#[test]
fn opening_a_name_with_a_lone_surrogate_raises_enoent_as_a_missing_file_does() {
    let lines = snippet(
        "show(open, '/flash/missing.txt')\n\
         show(open, '\\udcff')\n\
         show(open, '/flash/\\udcff.txt', 'w')\n\
         show(open, '\\udcff', 'rb')",
    );
    assert_eq!(lines, ["OSError: [Errno 2] ENOENT"; 4]);
}
