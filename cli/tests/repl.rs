//! The REPL on the board's UART, driven over `pycom-emu serve --uart tcp:...`
//! as a terminal would: the friendly REPL (banner, editing, history,
//! auto-indent, paste mode), the raw REPL and raw-paste mode as tools use
//! them, and the control keys.

mod common;
use common::{Device, Served, UartClient, ok};

const PROMPT: &[u8] = b">>> ";
const BANNER: &str = "Pycom MicroPython 1.20.2.r6 [v1.11-pycom-emu] on 2023-01-01; LoPy4 with ESP32\r\n\
                      Type \"help()\" for more information.\r\n";

/// A served board and a client at its friendly prompt, with everything the
/// board printed before read.
fn at_prompt(device: &Device) -> (Served, UartClient) {
    let served = Served::start(device, "tcp:127.0.0.1:0", &[]);
    let mut uart = UartClient::connect(served.tcp_addr());
    sync(&mut uart);
    (served, uart)
}

/// Runs a marker expression and reads up to the prompt after its value, so
/// no earlier prompt is left unread.
fn sync(uart: &mut UartClient) {
    uart.send(b"'sy' + 'nc'\r");
    uart.read_until(b"'sync'\r\n>>> ");
}

/// Types `line` and Enter; returns what came back up to the next prompt.
fn enter(uart: &mut UartClient, line: &str) -> String {
    uart.send(format!("{line}\r").as_bytes());
    uart.read_until(PROMPT)
}

#[test]
fn expressions_echo_and_print_their_value() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    assert_eq!(enter(&mut uart, "1 + 1"), "1 + 1\r\n2\r\n>>> ");
    assert_eq!(enter(&mut uart, "x = 'pycom'"), "x = 'pycom'\r\n>>> ");
    assert_eq!(enter(&mut uart, "x"), "x\r\n'pycom'\r\n>>> ");
    let error = enter(&mut uart, "1 / 0");
    assert!(
        error.ends_with("Traceback (most recent call last):\r\n  File \"<stdin>\", line 1, in <module>\r\nZeroDivisionError: divide by zero\r\n>>> "),
        "{error:?}"
    );
}

#[test]
fn ctrl_b_prints_the_pycom_banner() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    uart.send(b"\x02");
    assert_eq!(uart.read_until(PROMPT), format!("\r\n{BANNER}>>> "));
}

#[test]
fn a_compound_statement_is_auto_indented_and_ends_with_a_blank_line() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    uart.send(b"def twice(a):\r");
    assert_eq!(uart.read_until(b"...     "), "def twice(a):\r\n...     ");
    uart.send(b"return 2 * a\r");
    assert_eq!(uart.read_until(b"...     "), "return 2 * a\r\n...     ");
    assert_eq!(enter(&mut uart, ""), "\r\n>>> ");
    assert_eq!(enter(&mut uart, "twice(21)"), "twice(21)\r\n42\r\n>>> ");
}

#[test]
fn up_arrow_recalls_and_backspace_edits() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    enter(&mut uart, "6 * 7");
    uart.send(b"\x1b[A\r");
    assert!(uart.read_until(PROMPT).ends_with("6 * 7\r\n42\r\n>>> "));
    uart.send(b"12x\x7f3\r");
    assert!(uart.read_until(PROMPT).ends_with("123\r\n>>> "));
}

#[test]
fn paste_mode_runs_a_block_as_pasted_without_auto_indent() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    uart.send(b"\x05");
    assert_eq!(uart.read_until(b"=== "), "\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ");
    uart.send(b"for i in range(2):\r\n    print('pasted', i)\r\n\x04");
    assert!(uart.read_until(PROMPT).ends_with("pasted 0\r\npasted 1\r\n>>> "));
    uart.send(b"\x05print('never')\x03");
    assert!(uart.read_until(PROMPT).ends_with("=== print('never')\r\n>>> "), "Ctrl-C drops the paste");
}

#[test]
fn ctrl_c_interrupts_running_code_and_clears_a_line() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    uart.send(b"while True:\rpass\r\r");
    uart.read_until(b"...     \r\n");
    std::thread::sleep(std::time::Duration::from_millis(300));
    uart.send(b"\x03");
    assert!(uart.read_until(PROMPT).ends_with("KeyboardInterrupt\r\n>>> "));
    uart.send(b"forgotten\x03");
    assert_eq!(uart.read_until(PROMPT), "forgotten\r\n>>> ");
    assert_eq!(enter(&mut uart, "'still here'"), "'still here'\r\n'still here'\r\n>>> ");
}

#[test]
fn a_flood_into_a_board_that_does_not_read_waits_at_the_receive_buffer() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    uart.send(b"while True:\rpass\r\r");
    uart.read_until(b"...     \r\n");
    let taken = uart.flood(256 << 20, std::time::Duration::from_secs(5));
    assert!(
        taken < 16 << 20,
        "{taken} bytes taken: the 4096-byte receive buffer and the sockets' buffers hold no more"
    );
}

#[test]
fn ctrl_d_soft_resets_clearing_variables_and_main_py_runs_first() {
    let device = Device::new();
    ok(device.run("open('/flash/main.py', 'w').write('greeting = \"from main.py\"\\n')\n"));
    let (_served, mut uart) = at_prompt(&device);
    assert!(enter(&mut uart, "greeting").ends_with("'from main.py'\r\n>>> "), "main.py runs before the REPL");
    enter(&mut uart, "greeting = 'changed'");
    uart.send(b"\x04");
    assert_eq!(uart.read_until(PROMPT), format!("\r\nPYB: soft reboot\r\n{BANNER}>>> "));
    assert!(enter(&mut uart, "greeting").ends_with("'from main.py'\r\n>>> "));
    assert!(enter(&mut uart, "import machine; machine.reset_cause() == machine.SOFT_RESET").ends_with("True\r\n>>> "));
}

#[test]
fn the_raw_repl_frames_output_and_errors_with_ctrl_d() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    uart.send(b"\x01");
    assert_eq!(uart.read_until(b"\r\n>"), "\r\nraw REPL; CTRL-B to exit\r\n>");
    uart.send(b"print(6 * 7)\x04");
    assert_eq!(uart.read_until(b"\x04>"), "OK42\r\n\x04\x04>");
    uart.send(b"kept = 1\x04");
    assert_eq!(uart.read_until(b"\x04>"), "OK\x04\x04>");
    uart.send(b"print(kept)\nopen('/flash/nope')\x04");
    assert_eq!(
        uart.read_until(b"\x04>"),
        "OK1\r\n\x04Traceback (most recent call last):\r\n  File \"<stdin>\", line 2, in <module>\r\n\
         OSError: [Errno 2] ENOENT\r\n\x04>"
    );
    uart.send(b"half a line\x03print('fresh')\x04");
    assert_eq!(uart.read_until(b"\x04>"), "OKfresh\r\n\x04\x04>", "Ctrl-C clears the raw input");
    uart.send(b"\x02");
    assert_eq!(uart.read_until(PROMPT), format!("\r\n{BANNER}>>> "));
}

#[test]
fn raw_paste_mode_gives_a_window_and_acknowledges_each_one() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    uart.send(b"\x01");
    uart.read_until(b"\r\n>");
    uart.send(b"\x05A\x01");
    assert_eq!(uart.read_until(b"R\x01\x00\x01"), "R\x01\x00\x01", "raw-paste accepted, window of 256 bytes");
    let source = format!("x = [{}]\nprint(len(x))\n", "1, ".repeat(200));
    assert!((512..768).contains(&source.len()));
    uart.send(&source.as_bytes()[..256]);
    assert_eq!(uart.read_until(b"\x01"), "\x01", "one window consumed");
    uart.send(&source.as_bytes()[256..]);
    uart.send(b"\x04");
    assert_eq!(uart.read_until(b"\x04>"), "\x01\x04200\r\n\x04\x04>", "second window, end acknowledged, output");
}

#[test]
fn ctrl_d_in_the_raw_repl_soft_resets_back_into_the_raw_repl() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    uart.send(b"\x01");
    uart.read_until(b"\r\n>");
    uart.send(b"\x04");
    assert_eq!(uart.read_until(b"\r\n>"), "OK\r\nPYB: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>");
}

#[test]
fn ctrl_f_resets_into_a_safe_boot_that_skips_main_py() {
    let device = Device::new();
    ok(device.run("open('/flash/main.py', 'w').write('greeting = 1\\n')\n"));
    let (_served, mut uart) = at_prompt(&device);
    uart.send(b"\x06");
    sync(&mut uart);
    assert!(enter(&mut uart, "import machine; machine.reset_cause() == machine.HARD_RESET").ends_with("True\r\n>>> "));
    assert!(enter(&mut uart, "greeting").contains("NameError"), "the safe boot skipped main.py");
}

#[test]
fn a_second_client_is_told_the_uart_is_busy() {
    let device = Device::new();
    let (served, mut uart) = at_prompt(&device);
    let mut second = UartClient::connect(served.tcp_addr());
    assert_eq!(second.read_until(b"\r\n"), "pycom-emu: the UART is in use by another client\r\n");
    assert!(enter(&mut uart, "2 + 2").ends_with("4\r\n>>> "), "the first client keeps the UART");
}

#[test]
fn garbage_and_vanishing_clients_leave_the_board_running() {
    let device = Device::new();
    let (served, mut uart) = at_prompt(&device);
    let garbage: Vec<u8> = (0..2000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .filter(|b| *b != 0x04 && *b != 0x06)
        .collect();
    uart.send(&garbage);
    uart.send(b"\x02\x03\r");
    drop(uart);
    let mut half_open = std::net::TcpStream::connect(served.tcp_addr()).unwrap();
    std::io::Write::write_all(&mut half_open, b"while True:\r").unwrap();
    drop(half_open);
    std::thread::sleep(std::time::Duration::from_millis(200));
    let mut uart = UartClient::connect(served.tcp_addr());
    uart.send(b"\x03\x02");
    sync(&mut uart);
    assert!(enter(&mut uart, "'alive'").ends_with("'alive'\r\n>>> "));
    served.stop();
    let run = ok(device.run("import os\nprint(sorted(os.listdir('/flash')))\n"));
    assert_eq!(run.lines(), ["['boot.py', 'cert', 'lib', 'main.py', 'sys']"], "flash intact");
}

#[test]
fn pycom_emu_repl_reads_the_terminal_until_its_input_ends() {
    use std::io::Write;
    let device = Device::new();
    let mut child = device
        .command(&["repl"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"print('piped', 6 * 7)\r").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with(BANNER), "{text:?}");
    assert!(text.contains(">>> print('piped', 6 * 7)\r\npiped 42\r\n>>> "), "{text:?}");
}

#[test]
fn a_syntax_error_at_the_prompt_reads_as_the_firmwares() {
    let device = Device::new();
    let (_served, mut uart) = at_prompt(&device);
    assert_eq!(
        enter(&mut uart, "x = = 1"),
        "x = = 1\r\nTraceback (most recent call last):\r\n  File \"<stdin>\", line 1\r\nSyntaxError: invalid syntax\r\n>>> "
    );
}
