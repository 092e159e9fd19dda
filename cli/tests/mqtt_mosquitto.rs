//! An MQTT client written in MicroPython (umqtt.simple's protocol, over
//! `usocket`) against a real broker, Mosquitto, that the test starts on a
//! free loopback port; the host's `mosquitto_sub` / `mosquitto_pub` check the
//! messages.

mod common;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Device, ok};

const WIFI: &str = "[[wifi]]\nssid = \"pycom-net\"\npassword = \"secret123\"\n";

/// A minimal MQTT 3.1.1 client as umqtt.simple writes it: CONNECT, PUBLISH
/// (QoS 0), SUBSCRIBE and reading one PUBLISH.
pub const UMQTT: &str = r#"
import usocket, ustruct

class MQTTClient:
    def __init__(self, client_id, server, port):
        self.client_id = client_id
        self.addr = usocket.getaddrinfo(server, port)[0][-1]
        self.pid = 0

    def _string(self, s):
        self.sock.write(ustruct.pack('!H', len(s)))
        self.sock.write(s)

    def _length(self, n):
        out = bytearray()
        while True:
            byte = n & 0x7f
            n >>= 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return out

    def connect(self):
        self.sock = usocket.socket()
        self.sock.connect(self.addr)
        body = 10 + 2 + len(self.client_id)
        self.sock.write(b'\x10' + self._length(body))
        self.sock.write(b'\x00\x04MQTT\x04\x02\x00\x3c')
        self._string(self.client_id)
        resp = self.sock.read(4)
        assert resp[0] == 0x20 and resp[1] == 2, resp
        return resp[3]

    def publish(self, topic, msg):
        self.sock.write(b'\x30' + self._length(2 + len(topic) + len(msg)))
        self._string(topic)
        self.sock.write(msg)

    def subscribe(self, topic):
        self.pid += 1
        self.sock.write(b'\x82' + self._length(2 + 2 + len(topic) + 1))
        self.sock.write(ustruct.pack('!H', self.pid))
        self._string(topic)
        self.sock.write(b'\x00')
        resp = self.sock.read(5)
        assert resp[0] == 0x90, resp

    def wait_msg(self):
        op = self.sock.read(1)[0]
        n, shift = 0, 0
        while True:
            b = self.sock.read(1)[0]
            n |= (b & 0x7f) << shift
            shift += 7
            if not b & 0x80:
                break
        data = self.sock.read(n)
        tlen = ustruct.unpack('!H', data[:2])[0]
        return op & 0xf0, data[2:2 + tlen], data[2 + tlen:]

    def disconnect(self):
        self.sock.write(b'\xe0\x00')
        self.sock.close()
"#;

/// Joins the Wi-Fi network in a script.
pub const JOIN: &str = "import time\nfrom network import WLAN\nwlan = WLAN(mode=WLAN.STA)\n\
    wlan.connect('pycom-net', auth=(WLAN.WPA2, 'secret123'), timeout=5000)\n\
    while not wlan.isconnected():\n    time.sleep_ms(50)\n";

/// A Mosquitto broker on a free port of 127.0.0.1, killed when dropped.
pub struct Broker {
    child: Child,
    /// Its port.
    pub port: u16,
}

impl Broker {
    /// Installs Mosquitto and its clients if missing, and starts a broker.
    pub fn start() -> Self {
        // Neither the broker nor its clients exit 0 for any probe: a
        // command that cannot be started is one to install.
        for (package, command) in [("mosquitto", "mosquitto"), ("mosquitto-clients", "mosquitto_sub")] {
            if Command::new(command).arg("--help").output().is_err() {
                let _ = Command::new("apt-get").args(["install", "-y", "-qq", package]).status();
            }
            assert!(
                Command::new(command).arg("--help").output().is_ok(),
                "{command} is missing and `apt-get install {package}` did not provide it"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("mosquitto")
            .args(["-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(10), "mosquitto did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, port }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_micropython_mqtt_client_publishes_and_subscribes_through_mosquitto() {
    let broker = Broker::start();
    let port = broker.port.to_string();
    // A retained message waits for the board's subscription.
    let published =
        Command::new("mosquitto_pub").args(["-p", &port, "-t", "pycom/in", "-m", "led on", "-r"]).status().unwrap();
    assert!(published.success());
    let mut sub = Command::new("mosquitto_sub")
        .args(["-p", &port, "-t", "pycom/out", "-C", "2", "-W", "30"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // mosquitto_sub is subscribed once the broker has its session.
    std::thread::sleep(Duration::from_millis(300));
    let script = format!(
        "{UMQTT}\n{JOIN}\nc = MQTTClient(b'lopy4', 'localhost', {port})\nprint('connack', c.connect())\n\
         c.publish(b'pycom/out', b'temperature 21.5')\nc.subscribe(b'pycom/in')\nprint(c.wait_msg())\n\
         c.publish(b'pycom/out', b'got it')\nc.disconnect()"
    );
    let run = ok(Device::new().run_with_board_file(WIFI, &script, &[]));
    assert_eq!(run.lines(), ["connack 0", "(48, b'pycom/in', b'led on')"]);
    let lines: Vec<String> = BufReader::new(sub.stdout.take().unwrap()).lines().map(Result::unwrap).collect();
    let _ = sub.wait();
    assert_eq!(lines, ["temperature 21.5", "got it"]);
}
