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
