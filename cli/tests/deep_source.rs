//! Deeply nested source is parsed and compiled on the board's deep stack
//! instead of overflowing the host's and aborting the emulator.

mod common;
use common::Device;

#[test]
fn five_thousand_nested_parentheses_compile_and_run() {
    let source = format!("x = {}1{}\nprint(x)\n", "(".repeat(5000), ")".repeat(5000));
    let run = Device::new().run(&source);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert_eq!(run.lines(), ["1"]);
}

#[test]
fn a_long_chain_of_unary_operators_compiles_and_runs() {
    let source = format!("print({}1)\n", "- ".repeat(20000));
    let run = Device::new().run(&source);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert_eq!(run.lines(), ["1"]);
}
