//! The fleet's shared virtual clock: a board that computes or spins does
//! not hold the others back.

mod common;

use common::Device;

fn fleet(d: &Device, boards: &[(&str, &str)], args: &[&str]) -> common::Run {
    let mut text = String::new();
    for (name, script) in boards {
        std::fs::write(d.path(&format!("{name}.py")), script).unwrap();
        text.push_str(&format!("[[board]]\nname = \"{name}\"\nscript = \"{name}.py\"\n"));
    }
    std::fs::write(d.path("fleet.toml"), text).unwrap();
    let path = d.path("fleet.toml");
    let mut all = vec!["fleet", path.to_str().unwrap()];
    all.extend_from_slice(args);
    d.cli(&all)
}

const TICKS: &str = "import time\nfor i in range(3):\n    time.sleep(1)\n    print('tick', i, time.ticks_ms())\n";

#[test]
fn a_board_spinning_without_touching_the_board_lets_the_others_run_on_time() {
    let d = Device::new();
    let run = fleet(
        &d,
        &[("spin", "x = 0\nwhile True:\n    x += 1\n"), ("tick", TICKS)],
        &["--expect-text", "tick:tick 2 3000"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("[tick] tick 0 1000"), "{}", run.stdout);
    assert!(run.stdout.contains("[tick] tick 2 3000"), "{}", run.stdout);
}

#[test]
fn a_board_polling_the_board_lets_the_others_run_on_time() {
    let d = Device::new();
    let poll = "import time\nwhile True:\n    time.ticks_us()\n";
    let run = fleet(&d, &[("poll", poll), ("tick", TICKS)], &["--expect-text", "tick:tick 2 3000"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("[tick] tick 2 3000"), "{}", run.stdout);
}
