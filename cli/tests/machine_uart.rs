//! `machine.UART` as firmware 1.20.2 implements it (machuart.c): UARTs 1 and 2
//! with the devices a board file wires to them, bytes taking their frame time
//! on the virtual clock, reads waiting by the firmware's timeout rules, and
//! the argument errors.

mod common;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use common::{Device, SHOW, ok};

/// Runs `source` (with `show`) on a board wired by `board_file`.
fn run_wired(board_file: &str, source: &str) -> Vec<String> {
    Device::new().run_wired(board_file, &format!("{SHOW}\n{source}"), &[])
}

/// A board process that is ended if the test fails before it exits.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const LOOPBACK: &str = "[[device]]\nkind = \"uart\"\nuart = 1\nloopback = true\n";

#[test]
fn a_hundred_bytes_looped_back_at_9600_baud_take_104_ms_of_device_time() {
    let lines = run_wired(
        LOOPBACK,
        "from machine import UART\nimport time\nu = UART(1, 9600)\nt = time.ticks_us()\n\
         print(u.write(bytes(range(100))), time.ticks_diff(time.ticks_us(), t) < 1000)\n\
         print(u.wait_tx_done(1000), 104167 <= time.ticks_diff(time.ticks_us(), t) < 150000)\n\
         print(u.any(), u.read() == bytes(range(100)))\nprint(u.read(), u.any())",
    );
    // 100 frames of 10 bits at 9600 baud: 104.2 ms (plus the host's own run
    // time, which device time includes).
    assert_eq!(lines, ["100 True", "True True", "100 True", "None 0"]);
}

#[test]
fn a_write_returns_once_its_tail_is_in_the_128_byte_fifo() {
    let lines = run_wired(
        LOOPBACK,
        "from machine import UART\nimport time\nu = UART(1, 9600)\nt = time.ticks_ms()\nu.write(b'x' * 228)\n\
         print(104 <= time.ticks_diff(time.ticks_ms(), t) < 150)\nprint(u.wait_tx_done(10), u.wait_tx_done(200))",
    );
    assert_eq!(lines, ["True", "False True"]);
}

#[test]
fn readline_gets_a_scripted_gps_sentence_every_second_at_its_device_time() {
    let board = "[[device]]\nkind = \"uart\"\nuart = 1\n\
                 send = [{ at_ms = 1000, every_ms = 1000, text = \"$GPGGA,123519,4807.038,N*47\\r\\n\" }]\n";
    let lines = run_wired(
        board,
        "from machine import UART\nimport time\nu = UART(1, 9600)\n\
         for _ in range(3):\n    line = None\n    while line is None:\n        line = u.readline()\n    \
         print(line, time.ticks_ms())",
    );
    // 29 bytes at 9600 8N1 take 30.2 ms after each second's start.
    assert_eq!(
        lines,
        [
            "b'$GPGGA,123519,4807.038,N*47\\r\\n' 1030",
            "b'$GPGGA,123519,4807.038,N*47\\r\\n' 2030",
            "b'$GPGGA,123519,4807.038,N*47\\r\\n' 3030",
        ]
    );
}

#[test]
fn a_read_with_nothing_coming_gives_none_after_the_timeout_chars() {
    let lines = run_wired(
        LOOPBACK,
        "from machine import UART\nimport time\nu = UART(1, 9600)\nt = time.ticks_us()\n\
         print(u.read(), u.readline(), u.readall(), u.readinto(bytearray(4)))\n\
         u = UART(1, 9600, timeout_chars=266)\nt = time.ticks_us()\nu.read(1)\n\
         print(11451 <= time.ticks_diff(time.ticks_us(), t) < 13000)",
    );
    // timeout_chars is kept in a byte (266 -> 10): 10 characters of 11 bits
    // (the firmware's MACHUART_FRAME_TIME_US, 1145 us at 9600) + 1 us.
    assert_eq!(lines, ["None None None None", "True"]);
}

#[test]
fn a_scripted_modem_answers_at_with_ok_after_its_delay() {
    let board = "[[device]]\nkind = \"uart\"\nuart = 2\n\
                 replies = [{ expect = \"AT\\r\\n\", delay_ms = 20, text = \"OK\\r\\n\" }]\n";
    let lines = run_wired(
        board,
        "from machine import UART\nimport time\nu = UART(2, 115200, timeout_chars=255)\nprint(u.readline())\n\
         t = time.ticks_us()\nu.write('AT\\r\\n')\nprint(u.readline(), 20_000 < time.ticks_diff(time.ticks_us(), t) < 25_000)",
    );
    // 4 bytes out and 4 back at 115200 (0.35 ms each way) around the 20 ms delay.
    assert_eq!(lines, ["None", "b'OK\\r\\n' True"]);
}

#[test]
fn the_uart_prints_its_settings_and_knows_even_and_odd() {
    let lines = run_wired(
        LOOPBACK,
        "from machine import UART\nu = UART(1)\nprint(u)\nu.init(57600, 7, UART.EVEN, 2)\nprint(u)\n\
         u.init(bits=5, parity=UART.ODD, stop=1.5)\nprint(u)\nprint(UART.EVEN, UART.ODD, UART(1) is u)\n\
         u.deinit()\nshow(repr, u)\nshow(u.any)\nshow(u.read)\nshow(u.write, 'a')",
    );
    assert_eq!(
        lines,
        [
            "UART(1, baudrate=9600, bits=8, parity=None, stop=1)",
            "UART(1, baudrate=57600, bits=7, parity=UART.EVEN, stop=2)",
            "UART(1, baudrate=9600, bits=5, parity=UART.ODD, stop=1.5)",
            "2 3 True",
            "OSError: UART not Initialized!",
            "OSError: UART not Initialized!",
            "OSError: UART not Initialized!",
            "OSError: UART not Initialized!",
        ]
    );
}

#[test]
fn bad_arguments_get_the_firmwares_errors() {
    let lines = run_wired(
        LOOPBACK,
        "from machine import UART\nshow(UART, 3)\nshow(UART, 1, 0)\nshow(UART, 1, 9600, 9)\n\
         show(UART, 1, 9600, 8, 1)\nshow(UART, 1, 9600, 8, None, 3)\nshow(UART, 1, rx_buffer_size=128)\n\
         show(UART, 1, pins=('P3', 'P4', 'P10'))\nshow(UART, 1, pins=('GP12', 'GP13'))\n\
         show(UART, 1, pins=('P3', None, 'P10', None))\nshow(UART, 1, speed=1)",
    );
    assert_eq!(
        lines,
        [
            "OSError: resource not available",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid bits size 9",
            "ValueError: invalid parity 1",
            "ValueError: invalid stop bits 3.000000",
            "ValueError: invalid RX buffer size, should be > 128 bytes",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "ValueError: invalid argument(s) value",
            "TypeError: extra keyword arguments given",
        ]
    );
}

#[test]
fn uart_2_is_the_lte_modems_on_a_gpy() {
    let device = Device::new();
    let run = ok(device.run_with(&format!("{SHOW}\nfrom machine import UART\nshow(UART, 2)"), &["--board", "gpy"]));
    assert_eq!(run.lines(), ["OSError: resource not available"]);
}

#[test]
fn a_bad_uart_device_exits_2_naming_the_board_file() {
    for (text, message) in [
        ("[[device]]\nkind = \"uart\"\nuart = 0\nloopback = true\n", "only UART 1 and 2"),
        ("[[device]]\nkind = \"uart\"\nuart = 1\n", "exactly one of"),
        ("[[device]]\nkind = \"uart\"\nuart = 1\nloopback = true\nbridge = \"pty\"\n", "exactly one of"),
        ("[[device]]\nkind = \"uart\"\nuart = 1\nsend = [{ at_ms = 0, hex = \"0g\" }]\n", "not hex digits"),
        ("[[device]]\nkind = \"uart\"\nuart = 1\nbridge = \"serial\"\n", "expected pty or tcp"),
        (
            "[[device]]\nkind = \"uart\"\nuart = 1\nsend = [{ at_ms = 0, every_ms = 0.5, text = \"x\" }]\n",
            "every_ms must be at least 1",
        ),
        ("[[device]]\nkind = \"uart\"\nuart = 1\nloopback = true\nbaud = 1\n", "unknown field"),
    ] {
        Device::new().refuses_board_file(text, message);
    }
    let device = Device::new();
    let board = device.path("lte.toml");
    std::fs::write(&board, "[[device]]\nkind = \"uart\"\nuart = 2\nloopback = true\n").unwrap();
    let run = device.run_with("print(1)", &["--board", "fipy", "--board-file", board.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("lte.toml") && run.stderr.contains("LTE modem"), "{}", run.stderr);
}

/// The two ends of a host program's connection: what it reads and where it writes.
type Connection = (Box<dyn Read + Send>, Box<dyn Write>);

/// A host program talks to a script through UART 1 bridged to `bridge`:
/// `connect` opens the endpoint the emulator prints (reads and writes). The
/// script says `ready` until it hears a line, answers `pong LINE`, and ends
/// on `bye`.
fn a_host_program_talks_through(bridge: &str, connect: fn(&str) -> Connection) {
    let device = Device::new();
    let board = device.path("bridge.toml");
    std::fs::write(&board, format!("[[device]]\nkind = \"uart\"\nuart = 1\nbridge = \"{bridge}\"\n")).unwrap();
    let script = device.path("script.py");
    std::fs::write(
        &script,
        "from machine import UART\nu = UART(1, 115200)\nline = None\nwhile line is None:\n    u.write('ready\\n')\n    \
         line = u.readline()\nu.write(b'pong ' + line)\nwhile u.readline() != b'bye\\n':\n    pass\nprint('board got', line)\n",
    )
    .unwrap();
    let child = device
        .command(&["run", script.to_str().unwrap(), "--board-file", board.to_str().unwrap(), "--timeout", "1h"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let (reader, mut writer) = connect(first.trim());
    // Lines the board sends, read on a thread so that a silent board fails the test.
    let (sent, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            if sent.send(line).is_err() {
                break;
            }
        }
    });
    let next = || heard.recv_timeout(common::HANG_LIMIT).expect("the board said nothing").unwrap();
    // Bytes sent before the script opens the UART are lost, as on the board:
    // the script says when it listens.
    assert_eq!(next(), "ready");
    writer.write_all(b"ping\n").unwrap();
    let mut line = next();
    while line == "ready" {
        line = next();
    }
    assert_eq!(line, "pong ping");
    writer.write_all(b"bye\n").unwrap();
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(child.0.wait().unwrap().success());
    assert_eq!(rest.trim(), "board got b'ping\\n'");
}

#[test]
fn a_program_on_the_host_talks_to_a_uart_bridged_to_a_tcp_port() {
    a_host_program_talks_through("tcp:127.0.0.1:0", |endpoint| {
        let addr = endpoint.strip_prefix("tcp:").unwrap_or_else(|| panic!("no endpoint: {endpoint:?}"));
        let client = TcpStream::connect(addr).unwrap();
        (Box::new(client.try_clone().unwrap()), Box::new(client))
    });
}

#[test]
fn a_program_on_the_host_talks_to_a_uart_bridged_to_a_pseudo_terminal() {
    a_host_program_talks_through("pty", |endpoint| {
        assert!(endpoint.starts_with("/dev/"), "no pseudo-terminal: {endpoint:?}");
        let terminal = std::fs::OpenOptions::new().read(true).write(true).open(endpoint).unwrap();
        (Box::new(terminal.try_clone().unwrap()), Box::new(terminal))
    });
}
