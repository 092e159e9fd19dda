//! `serve` under long use: 10,000 raw-REPL executions and 1,000 soft resets
//! over the TCP UART leave its memory flat.

mod common;

use common::{Device, Served, UartClient};

/// Resident memory (KiB) of process `pid`.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")?.trim().strip_suffix(" kB")?.parse().ok()).unwrap()
}

#[test]
fn ten_thousand_executions_and_a_thousand_soft_resets_keep_memory_flat() {
    let device = Device::new();
    let served = Served::start(&device, "tcp:127.0.0.1:0", &[]);
    let mut uart = UartClient::connect(served.tcp_addr());
    uart.send(b"\x03\x01");
    uart.read_until(b"raw REPL; CTRL-B to exit\r\n>");
    let mut after_10 = 0;
    for i in 1..=10_000 {
        uart.send(b"x = [j * j for j in range(50)]\nprint(sum(x))\x04");
        assert_eq!(uart.read_until(b"\x04>"), "OK40425\r\n\x04\x04>");
        if i == 10 {
            after_10 = rss_kib(served.pid());
        }
    }
    let after_10_000 = rss_kib(served.pid());
    assert!(after_10_000 * 10 <= after_10 * 11, "RSS {after_10_000} KiB after 10,000 executions, {after_10} KiB after 10");

    uart.send(b"\x02");
    uart.read_until(b">>> ");
    for i in 1..=1000 {
        uart.send(b"\x04");
        uart.read_until(b">>> ");
        if i == 10 {
            after_10 = rss_kib(served.pid());
        }
    }
    let after_1000 = rss_kib(served.pid());
    eprintln!("serve RSS: {after_10} KiB after 10 soft resets, {after_1000} KiB after 1000");
    assert!(after_1000 * 10 <= after_10 * 11, "RSS {after_1000} KiB after 1000 soft resets, {after_10} KiB after 10");
    served.stop();
}
