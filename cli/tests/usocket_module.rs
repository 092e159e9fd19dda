//! `usocket` as firmware 1.20.2 implements it (modusocket.c, lwipsocket.c),
//! carried out by host sockets: the gateway 10.0.2.2 is the host's
//! 127.0.0.1, lwIP's errors, timeouts in wall time counted as device time,
//! the `--net` policy and `--forward` to a server the script runs.

mod common;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::time::Duration;

use common::{Device, SHOW, ok};

/// The board file with the access point the scripts join.
const WIFI: &str = "[[wifi]]\nssid = \"pycom-net\"\npassword = \"secret123\"\n";

/// Joins the board file's access point, then runs `source`.
fn online(source: &str) -> String {
    format!(
        "{SHOW}\nimport time\nfrom network import WLAN\nwlan = WLAN(mode=WLAN.STA)\n\
         wlan.connect('pycom-net', auth=(WLAN.WPA2, 'secret123'), timeout=5000)\n\
         while not wlan.isconnected():\n    time.sleep_ms(50)\n{source}"
    )
}

/// Runs `source` on a board on the Wi-Fi network, with `extra` arguments.
fn run_online(device: &Device, source: &str, extra: &[&str]) -> common::Run {
    device.run_with_board_file(WIFI, &online(source), extra)
}

/// A host echo server on 127.0.0.1 for one connection; its port.
fn host_echo_server() -> u16 {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut conn, _) = server.accept().unwrap();
        let mut buf = [0; 4096];
        while let Ok(n) = conn.read(&mut buf) {
            if n == 0 || conn.write_all(&buf[..n]).is_err() {
                break;
            }
        }
    });
    port
}

#[test]
fn a_script_reaches_a_host_server_through_the_gateway_and_reads_lines_with_makefile() {
    let port = host_echo_server();
    let run = ok(run_online(
        &Device::new(),
        &format!(
            "import usocket as socket\n\
             ai = socket.getaddrinfo('10.0.2.2', {port})\nprint(ai)\n\
             s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\ns.connect(ai[0][-1])\n\
             print(s.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n'))\nf = s.makefile('rb')\nprint(f is s, f.readline())\n\
             print(s.write(b'abc'), s.read(5))\ns.close()\nshow(s.send, b'x')"
        ),
        &[],
    ));
    assert_eq!(
        run.lines(),
        [
            format!("[(2, 1, 0, '', ('10.0.2.2', {port}))]").as_str(),
            "18",
            "True b'GET / HTTP/1.0\\r\\n'",
            "3 b'\\r\\nabc'",
            "OSError: [Errno 9] EBADF",
        ]
    );
}

#[test]
fn names_of_the_hosts_loopback_resolve_to_the_gateway_and_unknown_names_fail_with_eai_fail() {
    let run = ok(run_online(
        &Device::new(),
        "import socket\nprint(socket.getaddrinfo('localhost', 1883)[0][-1])\n\
         show(socket.getaddrinfo, 'no-such-host.invalid', 80)\nprint(socket.dnsserver())\n\
         socket.dnsserver(1, '8.8.8.8')\nprint(socket.dnsserver(1))\nshow(socket.dnsserver, 2)",
        &[],
    ));
    assert_eq!(
        run.lines(),
        [
            "('10.0.2.2', 1883)",
            "OSError: [Errno 202] EAI_FAIL",
            "('10.0.2.3', '0.0.0.0')",
            "(1, '8.8.8.8')",
            "ValueError: Index out of range!",
            "",
        ]
    );
}

#[test]
fn a_connection_nobody_accepts_is_reset_as_lwip_reports_it() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let run = ok(run_online(
        &Device::new(),
        &format!("import socket\ns = socket.socket()\nshow(s.connect, ('10.0.2.2', {port}))"),
        &[],
    ));
    assert_eq!(run.lines(), ["OSError: [Errno 104] ECONNRESET"]);
}

#[test]
fn a_recv_timeout_raises_socket_timeout_after_that_much_wall_time_counted_as_device_time() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let silent = std::thread::spawn(move || server.accept().map(|(conn, _)| conn));
    let run = ok(run_online(
        &Device::new(),
        &format!(
            "import socket, time\ns = socket.socket()\ns.connect(('10.0.2.2', {port}))\ns.settimeout(0.3)\n\
             t = time.ticks_ms()\n\
             try:\n    s.recv(10)\nexcept socket.timeout as e:\n    print(type(e).__name__, e, isinstance(e, OSError))\n\
             print(300 <= time.ticks_diff(time.ticks_ms(), t) < 2000)\n\
             s.setblocking(False)\nprint(s.recv(10))\nshow(s.recvfrom, 10)"
        ),
        &[],
    ));
    drop(silent);
    assert_eq!(run.lines(), ["TimeoutError timed out True", "True", "b''", "OSError: [Errno 11] EAGAIN"]);
}

#[test]
fn an_address_outside_the_policy_is_unreachable_and_nothing_reaches_it() {
    let listener = TcpListener::bind("127.0.0.2:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = format!("import socket\ns = socket.socket()\nshow(s.connect, ('127.0.0.2', {port}))");
    let run = ok(run_online(&Device::new(), &script, &[]));
    assert_eq!(run.lines(), ["OSError: [Errno 118] EHOSTUNREACH"]);
    assert!(run.stderr.contains("[pycom-emu] 127.0.0.2") && run.stderr.contains("--net host"), "{}", run.stderr);
    assert!(listener.accept().is_err(), "a connection reached 127.0.0.2");
    // `--net host` lets the same connection through.
    let run = ok(run_online(&Device::new(), &script, &["--net", "host"]));
    assert_eq!(run.lines(), ["None"]);
    assert!(listener.accept().is_ok());
}

#[test]
fn with_no_network_allowed_even_the_gateway_is_unreachable() {
    let port = host_echo_server();
    let run = ok(run_online(
        &Device::new(),
        &format!("import socket\ns = socket.socket()\nshow(s.connect, ('10.0.2.2', {port}))"),
        &["--net", "none"],
    ));
    assert_eq!(run.lines(), ["OSError: [Errno 118] EHOSTUNREACH"]);
}

#[test]
fn a_host_program_reaches_an_echo_server_the_script_runs_through_forward() {
    let device = Device::new();
    let host_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let script = device.path("echo.py");
    std::fs::write(
        &script,
        online(
            "import socket\nsrv = socket.socket()\nsrv.bind(('0.0.0.0', 7))\nsrv.listen(1)\nprint('listening')\n\
             conn, addr = srv.accept()\nprint('from', addr[0])\n\
             while True:\n    data = conn.recv(100)\n    if not data:\n        break\n    conn.sendall(data.upper())\n\
             conn.close()\nprint('done')",
        ),
    )
    .unwrap();
    let board_file = device.path("board.toml");
    std::fs::write(&board_file, WIFI).unwrap();
    let forward = format!("tcp:{host_port}:7");
    let mut child = device
        .command(&[
            "run",
            script.to_str().unwrap(),
            "--board-file",
            board_file.to_str().unwrap(),
            "--forward",
            &forward,
        ])
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line, "listening\n");
    let mut conn = TcpStream::connect(("127.0.0.1", host_port)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    conn.write_all(b"hello board").unwrap();
    let mut got = [0; 11];
    conn.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"HELLO BOARD");
    drop(conn);
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "from 10.0.2.2\ndone\n");
    assert!(child.wait().unwrap().success());
}

#[test]
fn udp_datagrams_travel_between_two_board_sockets_and_a_host_socket() {
    let host = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = host.local_addr().unwrap().port();
    let run = ok(run_online(
        &Device::new(),
        &format!(
            "import socket\nu = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nu.bind(('', 5005))\n\
             v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nprint(v.sendto(b'ping', ('127.0.0.1', 5005)))\n\
             print(u.recvfrom(100)[0])\nprint(u.sendto(b'to host', ('10.0.2.2', {port})))"
        ),
        &[],
    ));
    assert_eq!(run.lines(), ["4", "b'ping'", "7"]);
    let mut buf = [0; 16];
    host.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let (n, _) = host.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"to host");
}

#[test]
fn uselect_poll_waits_in_wall_time_for_a_socket_to_become_readable() {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    let late = std::thread::spawn(move || {
        let (mut conn, _) = server.accept().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        conn.write_all(b"late").unwrap();
        conn
    });
    let run = ok(run_online(
        &Device::new(),
        &format!(
            "import socket, uselect\ns = socket.socket()\ns.connect(('10.0.2.2', {port}))\n\
             p = uselect.poll()\np.register(s, uselect.POLLIN)\nprint(p.poll(0))\n\
             print([(o is s, ev) for o, ev in p.poll(5000)])\nprint(s.recv(10))\n\
             print(uselect.select([s], [s], [], 0)[1] == [s])"
        ),
        &[],
    ));
    drop(late.join());
    assert_eq!(run.lines(), ["[]", "[(True, 1)]", "b'late'", "True"]);
}

#[test]
fn the_socket_constants_are_the_firmwares() {
    let run = ok(run_online(
        &Device::new(),
        "import usocket as s\nprint(s.AF_INET, s.SOCK_STREAM, s.SOCK_DGRAM, s.SOCK_RAW, s.IPPROTO_TCP, s.IPPROTO_UDP)\n\
         print(s.SOL_SOCKET, s.SO_REUSEADDR, s.AF_LORA, s.AF_SIGFOX, s.IP_ADD_MEMBERSHIP, s.error is OSError)",
        &[],
    ));
    assert_eq!(run.lines(), ["2 1 2 3 6 17", "4095 4 160 161 3 True"]);
}

#[test]
fn without_a_wifi_connection_a_socket_reaches_nothing_and_names_do_not_resolve() {
    let port = host_echo_server();
    let run = ok(Device::new().run_with_board_file(
        WIFI,
        &format!(
            "{SHOW}\nimport socket, time\nfrom network import WLAN\nwlan = WLAN(mode=WLAN.STA)\n\
             wlan.connect('pycom-net', auth=(WLAN.WPA2, 'wrong-key'))\n\
             print(wlan.isconnected())\ns = socket.socket()\nshow(s.connect, ('10.0.2.2', {port}))\n\
             show(socket.getaddrinfo, 'localhost', 80)\nprint(socket.getaddrinfo('10.0.2.2', 80)[0][-1])"
        ),
        &[],
    ));
    assert_eq!(
        run.lines(),
        ["False", "OSError: [Errno 118] EHOSTUNREACH", "OSError: [Errno 202] EAI_FAIL", "('10.0.2.2', 80)"]
    );
}

#[test]
fn while_the_access_point_is_away_sockets_are_unreachable_and_a_reconnect_loop_recovers() {
    let port = host_echo_server();
    let board =
        "[[wifi]]\nssid = \"pycom-net\"\npassword = \"secret123\"\naway = [{ from_ms = 10000, until_ms = 30000 }]\n";
    let script = online(&format!(
        "import usocket as socket
def send(text):
    s = socket.socket()
    try:
        s.connect(('10.0.2.2', {port}))
        s.send(text)
        return s.recv(16)
    except OSError as e:
        return 'OSError: ' + str(e)
    finally:
        s.close()
time.sleep(12)
print(wlan.isconnected(), send(b'lost'))
while not wlan.isconnected():
    time.sleep(1)
print(time.ticks_ms() // 1000, send(b'back'))"
    ));
    let run = ok(Device::new().run_with_board_file(board, &script, &[]));
    assert_eq!(run.lines(), ["False OSError: [Errno 118] EHOSTUNREACH", "31 b'back'"]);
}
