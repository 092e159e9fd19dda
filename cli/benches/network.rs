//! Network figures for the closing notes: `cargo bench -p pycom-emu --bench network`.
//!
//! Each figure is the wall time of a whole `pycom-emu run` doing N operations
//! minus the same run doing none (start-up and joining the Wi-Fi), for:
//! MQTT publishes (QoS 0, then one PINGREQ round trip so all have arrived)
//! to a Mosquitto broker on the host; HTTPS GETs (a new TLS connection each,
//! `CERT_REQUIRED`) to python3's `http.server`; and bytes per second sent
//! through a board TCP socket to a host receiver, against the same transfer
//! from a python3 process on the host, with their ratio. Needs `mosquitto`,
//! `openssl` and `python3` installed.

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../../test-support/https_server.rs"]
mod https_server;
use https_server::{HttpsServer, make_pki};

const JOIN: &str = "import time, usocket\nfrom network import WLAN\nwlan = WLAN(mode=WLAN.STA)\n\
wlan.connect('pycom-net', auth=(WLAN.WPA2, 'secret123'), timeout=5000)\n\
while not wlan.isconnected():\n    time.sleep_ms(50)\n";
const WIFI: &str = "[[wifi]]\nssid = \"pycom-net\"\npassword = \"secret123\"\n";
const PUBLISHES: u32 = 5_000;
const GETS: u32 = 50;
/// Bytes of the TCP transfer.
const BYTES: usize = 64 << 20;
const CHUNK: usize = 64 << 10;

/// Wall time of `pycom-emu run` of `script` on a board joined to the Wi-Fi.
fn run(dir: &Path, script: &str) -> Duration {
    let file = dir.join("bench.py");
    std::fs::write(&file, format!("{JOIN}{script}")).unwrap();
    let board = dir.join("board.toml");
    std::fs::write(&board, WIFI).unwrap();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_pycom-emu"))
        .args(["run", file.to_str().unwrap(), "--board-file", board.to_str().unwrap()])
        .env("PYCOM_EMU_IMAGE", dir.join("device.bin"))
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    took
}

/// Seconds that `with` took more than `without`.
fn extra(dir: &Path, with: &str, without: &str) -> f64 {
    run(dir, without);
    let base = (0..3).map(|_| run(dir, without)).min().unwrap();
    let timed = (0..3).map(|_| run(dir, with)).min().unwrap();
    timed.saturating_sub(base).as_secs_f64()
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn mqtt(dir: &Path) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _broker = Killed(
        Command::new("mosquitto").args(["-p", &port.to_string()]).stderr(Stdio::null()).spawn().expect("mosquitto"),
    );
    std::thread::sleep(Duration::from_millis(300));
    let client = format!(
        "s = usocket.socket()\ns.connect(('10.0.2.2', {port}))\n\
         s.write(b'\\x10\\x11\\x00\\x04MQTT\\x04\\x02\\x00\\x3c\\x00\\x05lopy4')\nassert s.read(4)[0] == 0x20\n\
         msg = b'\\x30\\x11\\x00\\x0apycom/temp21.5C'\n"
    );
    let with = format!(
        "{client}for i in range({PUBLISHES}):\n    s.write(msg)\ns.write(b'\\xc0\\x00')\nassert s.read(2)[0] == 0xd0\n"
    );
    let without = format!("{client}s.write(b'\\xc0\\x00')\nassert s.read(2)[0] == 0xd0\n");
    let secs = extra(dir, &with, &without);
    println!("MQTT publishes (QoS 0) to Mosquitto: {:.0}/s", f64::from(PUBLISHES) / secs);
}

fn https(dir: &Path) {
    make_pki(dir);
    let (_server, port) = HttpsServer::start(dir);
    let ca = std::fs::read_to_string(dir.join("ca.pem")).unwrap();
    let get = format!(
        "import ussl\nwith open('/flash/cert/ca.pem', 'w') as f:\n    f.write({ca:?})\n\
         def get():\n    s = usocket.socket()\n    s.connect(('10.0.2.2', {port}))\n    \
         s = ussl.wrap_socket(s, cert_reqs=ussl.CERT_REQUIRED, ca_certs='/flash/cert/ca.pem', server_hostname='localhost')\n    \
         s.write(b'GET / HTTP/1.0\\r\\n\\r\\n')\n    assert b'hello from https /' in s.read()\n    s.close()\n"
    );
    let secs = extra(dir, &format!("{get}for i in range({GETS}):\n    get()\n"), &get);
    println!("HTTPS GETs (new TLS connection each): {:.1}/s", f64::from(GETS) / secs);
}

/// A host receiver of [`BYTES`] bytes per connection, for `connections`
/// connections; its port.
fn receiver(connections: usize) -> u16 {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for _ in 0..connections {
            let (mut conn, _) = server.accept().unwrap();
            let mut buf = vec![0; 1 << 16];
            let mut got = 0;
            while got < BYTES {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got += n,
                }
            }
        }
    });
    port
}

fn throughput(dir: &Path) {
    let port = receiver(7);
    let send = |n: usize| {
        format!(
            "s = usocket.socket()\ns.connect(('10.0.2.2', {port}))\nchunk = bytes({CHUNK})\n\
             for i in range({n}):\n    s.sendall(chunk)\ns.close()\n"
        )
    };
    let secs = extra(dir, &send(BYTES / CHUNK), &send(0));
    let board = BYTES as f64 / secs;
    let host_port = receiver(1);
    let host = format!(
        "import socket, time\ns = socket.create_connection(('127.0.0.1', {host_port}))\nchunk = bytes({CHUNK})\n\
         t = time.perf_counter()\nfor i in range({}):\n    s.sendall(chunk)\ns.close()\nprint(time.perf_counter() - t)\n",
        BYTES / CHUNK
    );
    // python3 times its own sending (its start-up is not the transfer).
    let out = Command::new("python3").args(["-c", &host]).output().unwrap();
    assert!(out.status.success());
    let host_secs: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let host_rate = BYTES as f64 / host_secs;
    println!(
        "TCP through a board socket: {:.0} MB/s; host python3 to host: {:.0} MB/s; ratio {:.2}",
        board / 1e6,
        host_rate / 1e6,
        board / host_rate
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    throughput(dir.path());
    mqtt(dir.path());
    https(dir.path());
}
