//! Everyone writing one device at once: while `serve` runs a script that
//! writes files, FTP uploads go through the running board and land, and CLI
//! commands that would write the image behind its back are refused (exit 2).
//! Nothing anyone was told succeeded is lost.

mod common;

use std::process::Command;

use common::{Device, Served, UartClient, ok};

/// Files the script on the UART writes, and files uploaded over FTP.
const SCRIPT_FILES: usize = 30;
const FTP_FILES: usize = 10;

/// Runs `code` in the raw REPL of the board on `uart`; returns its output.
fn raw_exec(uart: &mut UartClient, code: &str) -> String {
    uart.send(format!("{code}\x04").as_bytes());
    let reply = uart.read_until(b"\x04>");
    let output = reply.strip_prefix("OK").unwrap_or_else(|| panic!("raw REPL said {reply:?}"));
    let (out, err) = output.trim_end_matches("\x04>").split_once('\x04').unwrap();
    assert_eq!(err, "", "the script failed");
    out.to_owned()
}

#[test]
fn cli_writers_are_refused_and_ftp_and_scripts_lose_nothing_while_serve_runs() {
    let device = Device::new();
    let local = device.path("cli.txt");
    std::fs::write(&local, "from the cli\n").unwrap();
    let served = Served::services(&device, &["--uart", "tcp:127.0.0.1:0", "--ftp-port", "0"], 2);
    let mut uart = UartClient::connect(served.tcp_addr());
    uart.send(b"\x03\x01");
    uart.read_until(b"raw REPL; CTRL-B to exit\r\n>");

    let ftp_addr = served.service("ftp");
    let ftp = std::thread::spawn(move || {
        let program = format!(
            "import ftplib, io, os\nhost, port = os.environ['ADDR'].rsplit(':', 1)\n\
             ftp = ftplib.FTP()\nftp.connect(host, int(port), timeout=30)\nftp.login('micro', 'python')\n\
             for i in range({FTP_FILES}):\n    ftp.storbinary('STOR /flash/ftp%d.txt' % i, io.BytesIO(b'F%d' % i * 300))\n\
             ftp.quit()\n"
        );
        let out = Command::new("python3").args(["-c", &program]).env("ADDR", ftp_addr).output().unwrap();
        assert!(out.status.success(), "ftp failed: {}", String::from_utf8_lossy(&out.stderr));
    });
    let cli = std::thread::scope(|scope| {
        let refused = scope.spawn(|| {
            let attempts = [
                vec!["fs", "put", local.to_str().unwrap()],
                vec!["fs", "rm", "/flash/boot.py"],
                vec!["nvs", "set", "k", "1"],
                vec!["config", "set", "heartbeat_on_boot", "false"],
            ];
            attempts.iter().cycle().take(12).map(|args| device.cli(args)).collect::<Vec<_>>()
        });
        let written = raw_exec(
            &mut uart,
            &format!(
                "for i in range({SCRIPT_FILES}):\n    with open('/flash/s%d.txt' % i, 'w') as f:\n        f.write('S%d ' % i * 200)\nprint('done')"
            ),
        );
        assert_eq!(written, "done\r\n");
        refused.join().unwrap()
    });
    ftp.join().unwrap();
    for run in cli {
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("is in use by process") && run.stderr.contains("(pycom-emu serve)"),
            "{}",
            run.stderr
        );
    }

    let check = format!(
        "import os\nnames = os.listdir('/flash')\n\
         print(all(open('/flash/s%d.txt' % i).read() == 'S%d ' % i * 200 for i in range({SCRIPT_FILES})))\n\
         print(all(open('/flash/ftp%d.txt' % i).read() == 'F%d' % i * 300 for i in range({FTP_FILES})))\n\
         print('cli.txt' in names, 'boot.py' in names)"
    );
    assert_eq!(raw_exec(&mut uart, &check), "True\r\nTrue\r\nFalse True\r\n");
    drop(uart);
    served.stop();

    let listing = ok(device.cli(&["fs", "ls"])).stdout;
    let names: Vec<&str> = listing.lines().collect();
    for i in 0..SCRIPT_FILES {
        assert!(names.contains(&format!("s{i}.txt").as_str()), "s{i}.txt lost: {listing}");
    }
    for i in 0..FTP_FILES {
        assert!(names.contains(&format!("ftp{i}.txt").as_str()), "ftp{i}.txt lost: {listing}");
    }
    ok(device.cli(&["fs", "put", local.to_str().unwrap()]));
}
