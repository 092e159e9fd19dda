//! The board's network services as `pycom-emu serve` runs them on loopback:
//! FTP (Python's `ftplib` as the client) over `/flash` with the firmware's
//! login and its OTA path, and the Telnet REPL (a plain socket client), with
//! bad clients that must leave the board running and its flash intact.

mod common;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use common::{Device, Served, ok};

fn serve(device: &Device) -> Served {
    Served::services(device, &["--telnet-port", "0", "--ftp-port", "0"], 2)
}

/// Runs a Python 3 program (stdlib only) with `ADDR` set to `addr`; returns
/// its stdout lines, failing on a non-zero exit.
fn python(program: &str, addr: &str) -> Vec<String> {
    let out = Command::new("python3").args(["-c", program]).env("ADDR", addr).output().unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect()
}

const FTP_HEADER: &str = "
import ftplib, io, os
host, port = os.environ['ADDR'].rsplit(':', 1)
def connect(user='micro', password='python'):
    ftp = ftplib.FTP()
    ftp.connect(host, int(port), timeout=20)
    ftp.login(user, password)
    return ftp
def attempt(f, *args):
    try:
        return f(*args)
    except ftplib.all_errors as e:
        return 'refused: ' + str(e)[:3]
";

#[test]
fn ftp_logs_in_with_micro_python_and_serves_flash() {
    let device = Device::new();
    let served = serve(&device);
    let program = format!(
        "{FTP_HEADER}
print(attempt(connect, 'micro', 'wrong'))
print(attempt(connect, 'root', 'python'))
ftp = connect()
print(ftp.getwelcome())
print(ftp.nlst('/'))
ftp.cwd('/flash')
print(sorted(ftp.nlst()))
data = bytes(range(256)) * 40
ftp.storbinary('STOR lib/blob.bin', io.BytesIO(data))
ftp.storbinary('STOR notes.txt', io.BytesIO(b'first\\n'))
got = io.BytesIO()
ftp.retrbinary('RETR /flash/lib/blob.bin', got.write)
print(got.getvalue() == data, ftp.size('/flash/lib/blob.bin'))
ftp.mkd('/flash/data')
ftp.rename('/flash/notes.txt', '/flash/data/notes.txt')
ftp.mkd('/flash/empty')
ftp.rmd('/flash/empty')
print(sorted(ftp.nlst('/flash/data')), sorted(ftp.nlst('/flash')))
ftp.quit()
"
    );
    let lines = python(&program, &served.service("ftp"));
    assert_eq!(
        lines,
        [
            "refused: 530",
            "refused: 530",
            "220 Micropython FTP Server",
            "['flash']",
            "['boot.py', 'cert', 'lib', 'main.py', 'sys']",
            "True 10240",
            "['notes.txt'] ['boot.py', 'cert', 'data', 'lib', 'main.py', 'sys']",
        ]
    );
    served.stop();
    assert_eq!(ok(device.cli(&["fs", "cat", "/flash/data/notes.txt"])).stdout, "first\n");
    assert!(ok(device.cli(&["fs", "ls", "-l", "/flash/lib"])).lines()[0].ends_with(" 10240  blob.bin"));
}

#[test]
fn ftp_paths_cannot_leave_the_boards_filesystem() {
    let device = Device::new();
    let served = serve(&device);
    let program = format!(
        "{FTP_HEADER}
ftp = connect()
ftp.cwd('/flash')
for path in ['../../etc/passwd', '/etc/passwd', '/flash/../../../etc/hostname', '/tmp', '/root/.bashrc']:
    print(path, attempt(ftp.retrbinary, 'RETR ' + path, lambda b: None))
print(attempt(ftp.cwd, '/etc'), attempt(ftp.cwd, '../../..'), ftp.nlst())
print(attempt(ftp.storbinary, 'STOR /escape.txt', io.BytesIO(b'x')))
print(attempt(ftp.storbinary, 'STOR ../../../tmp/escape.txt', io.BytesIO(b'x')))
print(attempt(ftp.delete, '/flash/../flash/../../boot.py'))
"
    );
    let lines = python(&program, &served.service("ftp"));
    for line in &lines[..5] {
        assert!(line.ends_with("refused: 550"), "{line}");
    }
    assert_eq!(lines[5], "refused: 550 250 Successfully changed working directory ['flash']", "`..` stops at the root");
    assert!(
        lines[6].starts_with("refused: 5") && lines[7].starts_with("refused: 5") && lines[8].starts_with("refused: 5")
    );
    assert!(!std::path::Path::new("/tmp/escape.txt").exists());
    served.stop();
    assert_eq!(ok(device.cli(&["fs", "ls", "/flash"])).lines(), ["boot.py", "cert/", "lib/", "main.py", "sys/"]);
}

/// A Telnet client: waits for each prompt before it answers, as the
/// firmware's server expects.
const TELNET_HEADER: &str = "
import os, socket, time
host, port = os.environ['ADDR'].rsplit(':', 1)
pending = {}
def until(s, marker, limit=20):
    # What arrives up to and including `marker`; the rest waits for the next call.
    got, end = pending.pop(s, b''), time.time() + limit
    while marker not in got and time.time() < end:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            break
        got += chunk
    if marker in got:
        cut = got.index(marker) + len(marker)
        got, pending[s] = got[:cut], got[cut:]
    return got
def session():
    s = socket.create_connection((host, int(port)))
    s.settimeout(0.2)
    return s
def log_in(s, user='micro', password='python'):
    got = until(s, b'Login as: ')
    s.sendall(user.encode() + b'\\r\\n')
    got += until(s, b'\\xff\\xfb\\x01\\xff\\xfc\\x03\\xff\\xfb\\x22')
    s.sendall(password.encode() + b'\\r\\n')
    return got
def run(s, line):
    s.sendall(line.encode() + b'\\r\\n')
    return until(s, b'>>> ').decode('latin-1')
";

#[test]
fn telnet_logs_in_runs_code_and_refuses_a_wrong_password() {
    let device = Device::new();
    let served = serve(&device);
    let program = format!(
        "{TELNET_HEADER}
s = session()
print(until(s, b'\\r\\n', 5).decode('latin-1').split('\\r\\n')[0])
log_in(s, 'micro', 'nope')
print(repr(until(s, b'try again.\\r\\n').decode('latin-1')[-35:]))
log_in(s)
print(repr(until(s, b'>>> ').decode('latin-1').split('\\r\\n', 1)[1]))
print(repr(run(s, 'print(6 * 7)')))
s.close()
time.sleep(0.5)  # the server takes a new session once the last one has ended
s = session()
got = b''.join(log_in(s, 'micro', 'wrong%d' % attempt) for attempt in range(3)) + until(s, b'never', 3)
print(got.count(b'Invalid credentials'), 'refusals, then', 'closed' if s.recv(1) == b'' else 'open')
"
    );
    let lines = python(&program, &served.service("telnet"));
    assert_eq!(
        lines,
        [
            "MicroPython v1.20.2.r6 on 2023-01-01; LoPy4 with ESP32",
            "'\\r\\nInvalid credentials, try again.\\r\\n'",
            "'Login succeeded!\\r\\nType \"help()\" for more information.\\r\\n\\r\\n>>> '",
            "'print(6 * 7)\\r\\n42\\r\\n>>> '",
            "3 refusals, then closed",
        ]
    );
}

#[test]
fn a_client_that_never_logs_in_locks_nobody_out_and_subnegotiation_stays_out_of_the_repl() {
    let device = Device::new();
    let served = serve(&device);
    let program = format!(
        "{TELNET_HEADER}
idle = session()
until(idle, b'Login as: ')
s = session()
log_in(s)
print(repr(until(s, b'>>> ').decode('latin-1').split('\\r\\n', 1)[1]))
naws = b'\\xff\\xfa\\x1f\\x00\\x50\\x00\\x18\\xff\\xf0'
s.sendall(naws + b'print(6 * 7)\\r\\n')
print(repr(until(s, b'>>> ').decode('latin-1')))
"
    );
    assert_eq!(
        python(&program, &served.service("telnet")),
        [
            "'Login succeeded!\\r\\nType \"help()\" for more information.\\r\\n\\r\\n>>> '",
            "'print(6 * 7)\\r\\n42\\r\\n>>> '",
        ]
    );
}

#[test]
fn failed_logins_are_answered_after_a_pause_and_an_empty_password_is_refused() {
    let device = Device::new();
    let served = serve(&device);
    let program = format!(
        "{TELNET_HEADER}
s = session()
start = time.time()
log_in(s, 'micro', 'guess')
until(s, b'try again.\\r\\n')
print(time.time() - start >= 1.0)
"
    );
    assert_eq!(python(&program, &served.service("telnet")), ["True"]);
    let program = format!(
        "{FTP_HEADER}
import time
start = time.time()
print(attempt(connect, 'micro', 'guess'), time.time() - start >= 1.0)
"
    );
    assert_eq!(python(&program, &served.service("ftp")), ["refused: 530 True"]);
    served.stop();
    let run = device.cli(&["serve", "--telnet-port", "0", "--password", ""]);
    common::fails(run, 2, "--password must not be empty");
}

#[test]
fn appe_appends_and_a_data_connection_from_another_address_gets_nothing() {
    let device = Device::new();
    let served = serve(&device);
    let program = format!(
        "{FTP_HEADER}
import socket
ftp = connect()
ftp.storbinary('STOR /flash/log.txt', io.BytesIO(b'first\\n'))
ftp.storbinary('APPE /flash/log.txt', io.BytesIO(b'second\\n'))
got = io.BytesIO()
ftp.retrbinary('RETR /flash/log.txt', got.write)
print(repr(got.getvalue()))
ftp.voidcmd('TYPE I')
data_host, data_port = ftp.makepasv()
thief = socket.create_connection((data_host, data_port), timeout=5, source_address=('127.0.0.2', 0))
ftp.sock.sendall(b'RETR /flash/log.txt\\r\\n')
try:
    print('thief got', repr(thief.recv(100)))
except OSError as e:
    print('thief got', type(e).__name__)
"
    );
    assert_eq!(python(&program, &served.service("ftp")), ["b'first\\nsecond\\n'", "thief got b''"]);
}

/// Builds an app image of firmware `version` in `device`'s directory.
fn firmware(device: &Device, version: &str) -> std::path::PathBuf {
    let path = device.path("update.bin");
    ok(device.cli(&[
        "image",
        "build",
        "--version",
        version,
        "--project",
        "update",
        "--size",
        "600K",
        "-o",
        path.to_str().unwrap(),
    ]));
    path
}

#[test]
fn an_ftp_upload_to_sys_appimg_bin_updates_the_firmware_after_a_reset() {
    let device = Device::new();
    let image = firmware(&device, "1.20.3");
    let served = serve(&device);
    let program = format!(
        "{FTP_HEADER}
ftp = connect()
ftp.cwd('/flash/sys')
print(ftp.storbinary('STOR appimg.bin', open({:?}, 'rb')))
print(sorted(ftp.nlst('/flash/sys')))
",
        image.to_str().unwrap()
    );
    assert_eq!(
        python(&program, &served.service("ftp")),
        ["226 File successfully written", "[]"],
        "no file: the updater took it"
    );
    let program = format!(
        "{TELNET_HEADER}
s = session()
log_in(s)
until(s, b'>>> ')
print(run(s, 'import pycom; pycom.bootmgr()').split('\\r\\n')[1])
s.sendall(b'import machine; machine.reset()\\r\\n')
until(s, b'never', 3)
print(run(s, 'import os; os.uname().release').split('\\r\\n')[1])
"
    );
    assert_eq!(
        python(&program, &served.service("telnet")),
        ["('ota_0', 'LittleFS', 'SafeBoot: False', 'Status: Check')", "'1.20.3'"]
    );
}

#[test]
fn garbage_and_vanishing_clients_on_every_port_leave_the_board_running() {
    let device = Device::new();
    ok(device.run("open('/flash/keep.txt', 'w').write('precious')\n"));
    let served = serve(&device);
    let (ftp, telnet) = (served.service("ftp"), served.service("telnet"));
    let noise: Vec<u8> = (0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
    for addr in [&ftp, &telnet] {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
        let _ = s.write_all(&noise);
        let _ = s.read(&mut [0u8; 256]);
        drop(s);
        drop(TcpStream::connect(addr).unwrap()); // connects and vanishes
    }
    // A client that logs in, starts an upload and vanishes mid-transfer.
    let program = format!(
        "{FTP_HEADER}
ftp = connect()
conn = ftp.transfercmd('STOR /flash/half.bin')
conn.sendall(b'x' * 5000)
conn.close()
ftp.sock.close()
ftp = connect()
print(attempt(ftp.voidcmd, 'PASV'))
"
    );
    let lines = python(&program, &ftp);
    assert!(lines[0].starts_with("227"), "{lines:?}");
    let program = format!(
        "{TELNET_HEADER}\ns = session()\nlog_in(s)\nuntil(s, b'>>> ')\nprint(run(s, \"open('/flash/keep.txt').read()\").split('\\r\\n')[1])\n"
    );
    assert_eq!(python(&program, &telnet), ["'precious'"], "the board still answers");
    served.stop();
    assert_eq!(ok(device.cli(&["fs", "cat", "/flash/keep.txt"])).stdout, "precious");
}

#[test]
fn a_second_telnet_session_is_told_one_is_open_and_ftp_clients_share_the_board() {
    let device = Device::new();
    let served = serve(&device);
    let program = format!(
        "{TELNET_HEADER}
first = session()
log_in(first)
until(first, b'>>> ')
second = session()
log_in(second)
print(until(second, b'open\\r\\n', 5).decode('latin-1').split('\\r\\n')[-2])
print(run(first, '1 + 1').split('\\r\\n')[1])
"
    );
    assert_eq!(python(&program, &served.service("telnet")), ["pycom-emu: a Telnet session is already open", "2"]);
    let program = format!(
        "{FTP_HEADER}
import threading
def upload(n):
    ftp = connect()
    for i in range(5):
        ftp.storbinary('STOR /flash/c%d_%d.txt' % (n, i), io.BytesIO(b'%d-%d' % (n, i) * 200))
    ftp.quit()
threads = [threading.Thread(target=upload, args=(n,)) for n in range(3)]
for t in threads: t.start()
for t in threads: t.join()
ftp = connect()
names = [n for n in ftp.nlst('/flash') if n.startswith('c') and '_' in n]
ok = all(ftp.size('/flash/' + n) == len(n.split('.')[0][1:].replace('_', '-')) * 200 for n in names)
print(len(names), ok)
"
    );
    assert_eq!(python(&program, &served.service("ftp")), ["15 True"]);
}

#[test]
fn ftp_serves_the_sd_card_while_it_is_mounted() {
    let device = Device::new();
    let card = device.path("card.img");
    let served =
        Served::services(&device, &["--telnet-port", "0", "--ftp-port", "0", "--sd", card.to_str().unwrap()], 2);
    let listing = format!("{FTP_HEADER}\nftp = connect()\nprint(ftp.nlst('/'), attempt(ftp.nlst, '/sd'))\n");
    assert_eq!(python(&listing, &served.service("ftp")), ["['flash'] refused: 550"], "not mounted yet");
    let mount = format!(
        "{TELNET_HEADER}\ns = session()\nlog_in(s)\nuntil(s, b'>>> ')\n\
         print(run(s, \"import os, machine; os.mount(machine.SD(), '/sd')\").count('Error'))\n"
    );
    assert_eq!(python(&mount, &served.service("telnet")), ["0"]);
    let upload = format!(
        "{FTP_HEADER}\nftp = connect()\nftp.storbinary('STOR /sd/log.txt', io.BytesIO(b'on the card'))\n\
         print(ftp.nlst('/'), ftp.nlst('/sd'))\n\
         print(attempt(ftp.rename, '/sd/log.txt', '/flash/log.txt'))\n"
    );
    assert_eq!(python(&upload, &served.service("ftp")), ["['flash', 'sd'] ['log.txt']", "refused: 550"]);
    let read = format!(
        "{TELNET_HEADER}\ns = session()\nlog_in(s)\nuntil(s, b'>>> ')\n\
         print(run(s, \"open('/sd/log.txt').read()\").split('\\r\\n')[1])\n"
    );
    assert_eq!(python(&read, &served.service("telnet")), ["'on the card'"]);
}

#[test]
fn an_ftp_firmware_upload_larger_than_an_app_slot_is_refused_and_writes_nothing() {
    let device = Device::new();
    ok(device.run("pass\n")); // the first boot's own writes
    let whole_device = device.path("copy-of-the-device.bin");
    std::fs::copy(device.image(), &whole_device).unwrap();
    let served = serve(&device);
    let program = format!(
        "{FTP_HEADER}
ftp = connect()
upload = attempt(ftp.storbinary, 'STOR /flash/sys/appimg.bin', open({:?}, 'rb'))
if not upload.startswith('refused: 552'):  # the server closed the data connection mid-upload
    upload = attempt(ftp.getresp)
print(upload)
print(sorted(connect().nlst('/flash')))
",
        whole_device.to_str().unwrap()
    );
    assert_eq!(
        python(&program, &served.service("ftp")),
        ["refused: 552", "['boot.py', 'cert', 'lib', 'main.py', 'sys']"],
        "an 8 MiB device image is not a firmware: nothing past the slot is written"
    );
    served.stop();
    let after = std::fs::read(device.image()).unwrap();
    let before = std::fs::read(&whole_device).unwrap();
    let ota_0 = 0x21_0000..0x3F_F000;
    assert!(after[ota_0.clone()] == before[ota_0], "no update started: the slot is untouched");
    let config =
        |image: &std::path::Path| ok(device.cli(&["config", "show", "--json", "--image", image.to_str().unwrap()]));
    assert_eq!(
        config(&device.image()).stdout,
        config(&whole_device).stdout,
        "the config block and boot_info are the same"
    );
    assert_eq!(ok(device.cli(&["fs", "ls", "/flash"])).lines(), ["boot.py", "cert/", "lib/", "main.py", "sys/"]);
}

#[test]
fn network_server_sets_the_login_and_timeout_and_deinit_stops_the_servers() {
    let device = Device::new();
    let served = serve(&device);
    let telnet = served.service("telnet");
    let ftp = served.service("ftp");
    let program = format!(
        "{TELNET_HEADER}
import ftplib
ftp_host, ftp_port = os.environ['FTP'].rsplit(':', 1)
def ftp_login(user, password):
    ftp = ftplib.FTP()
    try:
        ftp.connect(ftp_host, int(ftp_port), timeout=5)
        ftp.login(user, password)
        ftp.quit()
        return 'in'
    except ftplib.all_errors + (EOFError,):
        return 'refused'
s = session()
log_in(s)
until(s, b'>>> ')
print(repr(run(s, 'from network import Server; srv = Server(login=(\\'admin\\', \\'s3cret!\\'), timeout=60)')))
print(repr(run(s, 'print(srv.isrunning(), srv.timeout())')))
print(ftp_login('micro', 'python'), ftp_login('admin', 's3cret!'))
print(repr(run(s, 'srv.deinit(); print(srv.isrunning())')))
print(ftp_login('admin', 's3cret!'))
"
    );
    let out = Command::new("python3").args(["-c", &program]).env("ADDR", &telnet).env("FTP", &ftp).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        [
            "\"from network import Server; srv = Server(login=('admin', 's3cret!'), timeout=60)\\r\\n>>> \"",
            "'print(srv.isrunning(), srv.timeout())\\r\\nTrue 60\\r\\n>>> '",
            "refused in",
            "'srv.deinit(); print(srv.isrunning())\\r\\nFalse\\r\\n>>> '",
            "refused",
        ]
    );
}
