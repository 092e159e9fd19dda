//! Sigfox (`network.Sigfox`, `socket(AF_SIGFOX)`) in a fleet with the
//! virtual Sigfox backend, as modsigfox_api.c and Pycom's Sigfox
//! documentation describe them.

mod common;

use common::Device;

const CREDENTIALS: &str = "import pycom\npycom.sigfox_info(id='00A1B2C3', pac='0011223344556677', \
public_key='00112233445566778899aabbccddeeff', private_key='ffeeddccbbaa99887766554433221100', force=True)\n";

/// Runs `script` on a SiPy in a fleet with a backend logging to sigfox.jsonl
/// (plus `backend_extra` lines in its table); returns stdout and the log.
fn sipy(d: &Device, script: &str, backend_extra: &str) -> (String, String) {
    std::fs::write(d.path("main.py"), format!("{CREDENTIALS}{script}")).unwrap();
    let fleet = format!(
        "[[board]]\nname = \"sipy\"\nmodel = \"sipy\"\nscript = \"main.py\"\n[sigfox]\nlog = \"sigfox.jsonl\"\n{backend_extra}"
    );
    std::fs::write(d.path("fleet.toml"), fleet).unwrap();
    let run = d.cli(&["fleet", d.path("fleet.toml").to_str().unwrap(), "--timeout", "5m"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    (run.stdout, std::fs::read_to_string(d.path("sigfox.jsonl")).unwrap_or_default())
}

#[test]
fn the_device_id_pac_and_message_reach_the_backend() {
    let d = Device::new();
    let script = "from network import Sigfox\nimport socket, ubinascii, time\n\
sigfox = Sigfox(mode=Sigfox.SIGFOX, rcz=Sigfox.RCZ1)\n\
print(ubinascii.hexlify(sigfox.id()), ubinascii.hexlify(sigfox.pac()))\n\
s = socket.socket(socket.AF_SIGFOX, socket.SOCK_RAW)\ns.setblocking(True)\n\
s.setsockopt(socket.SOL_SIGFOX, socket.SO_RX, False)\nt = time.ticks_ms()\n\
s.send(bytes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))\nprint('sent in', time.ticks_diff(time.ticks_ms(), t))\n";
    let (out, log) = sipy(&d, script, "");
    assert!(out.contains("[sipy] b'00a1b2c3' b'0011223344556677'"), "{out}");
    // 12 bytes at 100 bps (RCZ1): three 2.08 s frames 0.5 s apart.
    assert!(out.contains("[sipy] sent in 7240"), "{out}");
    let line: serde_json::Value = serde_json::from_str(log.lines().next().expect("one message")).unwrap();
    assert_eq!(line["device"], "00a1b2c3");
    assert_eq!(line["data"], "0102030405060708090a0b0c");
    assert_eq!(line["seq"], 0);
    assert_eq!(line["ack"], false);
}

#[test]
fn a_downlink_request_gets_the_backends_8_bytes_20_s_later() {
    let d = Device::new();
    let script = "from network import Sigfox\nimport socket, ubinascii, time\n\
Sigfox(mode=Sigfox.SIGFOX, rcz=Sigfox.RCZ1)\n\
s = socket.socket(socket.AF_SIGFOX, socket.SOCK_RAW)\ns.setblocking(True)\n\
s.setsockopt(socket.SOL_SIGFOX, socket.SO_RX, True)\nt = time.ticks_ms()\ns.send(bytes([1, 2, 3]))\n\
print('after', time.ticks_diff(time.ticks_ms(), t) // 1000, 's', ubinascii.hexlify(s.recv(32)))\n";
    let (out, log) = sipy(&d, script, "[[sigfox.downlink]]\ndevice = \"00A1B2C3\"\ndata = \"cafebabe00000001\"\n");
    assert!(out.contains("[sipy] after 25 s b'cafebabe00000001'"), "{out}");
    assert!(log.contains("\"ack\":true") && log.contains("\"downlink\":\"cafebabe00000001\""), "{log}");
}

#[test]
fn a_message_over_12_bytes_is_emsgsize_and_sigfox_needs_its_radio() {
    let d = Device::new();
    let script = "from network import Sigfox\nimport socket\nSigfox(mode=Sigfox.SIGFOX, rcz=Sigfox.RCZ1)\n\
s = socket.socket(socket.AF_SIGFOX, socket.SOCK_RAW)\ntry:\n    s.send(bytes(13))\nexcept OSError as e:\n    print(e)\n";
    let (out, log) = sipy(&d, script, "");
    assert!(out.contains("[sipy] [Errno 122] EMSGSIZE"), "{out}");
    assert!(log.is_empty(), "{log}");
    let wipy = d.run_with("from network import Sigfox\nSigfox()\n", &["--board", "wipy3"]);
    assert_eq!(wipy.code, 1);
    assert!(wipy.stdout.contains("ImportError"), "{}", wipy.stdout);
}

/// FSK mode (the SiPy's firmware, modsigfox.c): 1.2 kbps frames of up to
/// 64 bytes, each 11 bytes of framing plus its payload on the air.
mod fsk {
    use super::common::{FleetDir, Run};

    /// Time on air of a 5-byte frame: 16 bytes at 1200 bps.
    const FIVE_BYTES_US: i64 = 106_667;

    const PING: &str = "from network import Sigfox
import socket, time
sigfox = Sigfox(mode=Sigfox.FSK, frequency=868000000)
s = socket.socket(socket.AF_SIGFOX, socket.SOCK_RAW)
s.setblocking(True)
for i in range(3):
    t = time.ticks_us()
    s.send('ping{}'.format(i))
    print('sent', i, t, time.ticks_us())
    print('got', s.recv(64), time.ticks_us(), sigfox.rssi())
";
    const PONG: &str = "from network import Sigfox
import socket, time
sigfox = Sigfox(mode=Sigfox.FSK, frequency=868000000)
s = socket.socket(socket.AF_SIGFOX, socket.SOCK_RAW)
print('rssi', sigfox.rssi())
for i in range(3):
    data = s.recv(64)
    print('got', data, time.ticks_us(), sigfox.rssi())
    s.send(b'pong' + data[4:])
";
    const ELSEWHERE: &str = "from network import Sigfox
import socket, time
Sigfox(mode=Sigfox.FSK, frequency=869000000)
s = socket.socket(socket.AF_SIGFOX, socket.SOCK_RAW)
s.settimeout(5)
try:
    print('got', s.recv(64))
except OSError as e:
    print(e, time.ticks_ms())
";

    fn sipy(name: &str, x: u32) -> String {
        format!("[[board]]\nname = \"{name}\"\nmodel = \"sipy\"\nscript = \"{name}.py\"\nposition = [{x}, 0]\n")
    }

    fn ping_pong() -> Run {
        let fleet = [sipy("a", 0), sipy("b", 100), sipy("c", 50)].concat();
        let dir = FleetDir::new(&[("fleet.toml", &fleet), ("a.py", PING), ("b.py", PONG), ("c.py", ELSEWHERE)]);
        let run = dir.run(&["--timeout", "60s"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        run
    }

    /// The numbers after `prefix` on the line starting with it.
    fn numbers(out: &str, prefix: &str) -> Vec<i64> {
        let line = out.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("{prefix}: {out}"));
        line[prefix.len()..].split_whitespace().filter_map(|w| w.parse().ok()).collect()
    }

    #[test]
    fn two_sipys_play_ping_pong_each_frame_arriving_after_its_time_on_air() {
        let out = ping_pong().stdout;
        assert!(out.contains("[b] rssi -100"), "{out}");
        for i in 0..3 {
            let sent = numbers(&out, &format!("[a] sent {i} "));
            let got = numbers(&out, &format!("[b] got b'ping{i}' "));
            // b's recv returns when a's frame ends: a's send time (a few µs
            // of Python after `t`) plus the time on air; a's blocking send
            // returns then too.
            let (t, sent_end, arrival) = (sent[0], sent[1], got[0]);
            assert!((FIVE_BYTES_US..FIVE_BYTES_US + 50).contains(&(arrival - t)), "{out}");
            assert!((arrival - sent_end).abs() <= 5, "{out}");
            // 15 dBm - 40 dB - 27 dB per decade over 100 m.
            assert_eq!(got[1], -79, "{out}");
            let back = numbers(&out, &format!("[a] got b'pong{i}' "));
            assert!((FIVE_BYTES_US..FIVE_BYTES_US + 50).contains(&(back[0] - arrival)), "{out}");
        }
    }

    #[test]
    fn a_board_on_another_frequency_hears_nothing_and_a_second_run_prints_the_same() {
        let first = ping_pong().stdout;
        assert!(first.contains("[c] timed out 5000"), "{first}");
        assert!(!first.contains("[c] got"), "{first}");
        assert_eq!(ping_pong().stdout, first);
    }

    #[test]
    fn frames_hold_64_bytes_and_recv_reads_a_long_frame_in_pieces() {
        let sender = "from network import Sigfox
import socket, time
Sigfox(mode=Sigfox.FSK, frequency=915000000)
s = socket.socket(socket.AF_SIGFOX, socket.SOCK_RAW)
try:
    s.send(bytes(65))
except OSError as e:
    print(e)
t = time.ticks_us()
s.send(bytes(range(64)))
print('64 bytes in', time.ticks_diff(time.ticks_us(), t))
";
        let receiver = "from network import Sigfox
import socket, time
Sigfox(mode=Sigfox.FSK, frequency=915000000)
s = socket.socket(socket.AF_SIGFOX, socket.SOCK_RAW)
s.setblocking(False)
print('nothing', s.recv(64))
s.setblocking(True)
print(len(s.recv(60)), s.recv(64))
s.setblocking(False)
print('then', s.recv(64))
";
        let fleet = [sipy("a", 0), sipy("b", 10)].concat();
        let dir = FleetDir::new(&[("fleet.toml", &fleet), ("a.py", sender), ("b.py", receiver)]);
        let run = dir.run(&["--timeout", "60s"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let out = run.stdout;
        assert!(out.contains("[a] [Errno 122] EMSGSIZE"), "{out}");
        // 75 bytes at 1200 bps: 500 ms.
        let took = numbers(&out, "[a] 64 bytes in ")[0];
        assert!((500_000..500_050).contains(&took), "{out}");
        assert!(out.contains("[b] nothing b''"), "{out}");
        assert!(out.contains("[b] 60 b'<=>?'"), "{out}");
        assert!(out.contains("[b] then b''"), "{out}");
    }

    #[test]
    fn the_firmware_checks_the_mode_and_the_frequency() {
        let script = "from network import Sigfox
for kw in ({'frequency': 862999999}, {'frequency': 928000001}, {}):
    try:
        Sigfox(mode=Sigfox.FSK, **kw)
    except (ValueError, TypeError) as e:
        print(type(e).__name__, e)
for mode, rcz in ((2, 0), (0, 4)):
    try:
        Sigfox(mode=mode, rcz=rcz)
    except ValueError as e:
        print(e)
try:
    Sigfox(mode=Sigfox.SIGFOX, rcz=Sigfox.RCZ1, frequency=868000000)
except ValueError as e:
    print(e)
s = Sigfox(mode=Sigfox.FSK, frequency=863000000)
print(s.frequencies(), s.public_key())
s.public_key(True)
print(s.public_key())
import socket
sock = socket.socket(socket.AF_SIGFOX, socket.SOCK_RAW)
sock.setsockopt(socket.SOL_SIGFOX, socket.SO_TX_REPEAT, 2)
try:
    sock.setsockopt(socket.SOL_SIGFOX, socket.SO_TX_REPEAT, 3)
except OSError as e:
    print('repeat', e)
";
        let lopy = "from network import Sigfox
try:
    Sigfox(mode=1)
except ValueError as e:
    print(e)
try:
    Sigfox(mode=0, frequency=868000000)
except TypeError as e:
    print(e)
";
        let fleet = format!("{}[[board]]\nname = \"l\"\nmodel = \"lopy4\"\nscript = \"l.py\"\n", sipy("s", 0));
        let dir = FleetDir::new(&[("fleet.toml", &fleet), ("s.py", script), ("l.py", lopy)]);
        let run = dir.run(&["--timeout", "10s"]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let out = run.stdout;
        for line in [
            "[s] ValueError frequency 862999999 out of range",
            "[s] ValueError frequency 928000001 out of range",
            "[s] TypeError can't convert NoneType to int",
            "[s] invalid mode",
            "[s] invalid RCZ",
            "[s] frequency is only valid in FSK mode",
            "[s] (868130000, 869525000) False",
            "[s] True",
            "[s] repeat [Errno 95] EOPNOTSUPP",
            "[l] invalid mode",
            "[l] extra keyword arguments given",
        ] {
            assert!(out.contains(line), "{line}: {out}");
        }
    }
}
