//! `pycom-emu fleet`: several boards on one virtual clock, their lines in
//! device-time order, the ways a fleet run ends, its checks of the fleet
//! file, and runs that repeat byte for byte.

mod common;

use std::time::{Duration, Instant};

use common::*;

/// A board named `name` running `script`, in a fleet file.
fn board(name: &str, script: &str, position: &str) -> String {
    format!("[[board]]\nname = \"{name}\"\nscript = \"{script}\"\nposition = {position}\n")
}

#[test]
fn two_boards_lines_come_out_in_device_time_order_prefixed_with_their_names() {
    let a = "import time\ntime.sleep_ms(100)\nprint('a1', time.ticks_ms())\ntime.sleep_ms(200)\nprint('a3', time.ticks_ms())\n";
    let b = "import time\nprint('b0', time.ticks_ms())\ntime.sleep_ms(200)\nprint('b2', time.ticks_ms())\n";
    let fleet = format!("{}{}", board("a", "a.py", "[0, 0]"), board("b", "b.py", "[5, 0]"));
    let dir = FleetDir::new(&[("fleet.toml", &fleet), ("a.py", a), ("b.py", b)]);
    let run = ok(dir.run(&[]));
    let lines = run.lines();
    let prefixes: Vec<String> = lines.iter().map(|l| l.rsplit_once(' ').unwrap().0.to_owned()).collect();
    assert_eq!(prefixes, ["[b] b0", "[a] a1", "[b] b2", "[a] a3"], "{}", run.stdout);
    let ticks: Vec<u64> = lines.iter().map(|l| l.rsplit(' ').next().unwrap().parse().unwrap()).collect();
    assert!(ticks.windows(2).all(|w| w[0] <= w[1]), "device time goes forward: {ticks:?}");
    assert!(ticks[1] >= 100 && ticks[1] < 110 && ticks[3] >= 300 && ticks[3] < 320, "{ticks:?}");
}

/// A fleet of `a` (prints `ready` after a second, then idles) and `b`
/// (prints `boom` after two seconds, then idles).
fn ready_and_boom() -> FleetDir {
    let a = "import time\ntime.sleep(1)\nprint('ready')\nwhile True:\n    time.sleep(1)\n";
    let b = "import time\ntime.sleep(2)\nprint('boom')\nwhile True:\n    time.sleep(1)\n";
    let fleet = format!("{}{}", board("a", "a.py", "[0, 0]"), board("b", "b.py", "[5, 0]"));
    FleetDir::new(&[("fleet.toml", &fleet), ("a.py", a), ("b.py", b)])
}

#[test]
fn expect_text_stops_the_fleet_with_status_0_once_seen() {
    let run = ready_and_boom().run(&["--expect-text", "a:ready", "--timeout", "1m"]);
    let run = ok(run);
    assert_eq!(run.lines(), ["[a] ready"]);
}

#[test]
fn expect_text_waits_for_every_text_given() {
    let run = ready_and_boom().run(&["--expect-text", "a:ready", "--expect-text", "b:boom", "--timeout", "1m"]);
    assert_eq!(ok(run).lines(), ["[a] ready", "[b] boom"]);
}

#[test]
fn an_expected_text_counts_only_when_printed_not_when_another_is_seen() {
    // "seen" is in the words the console uses for a match of "ready".
    let run = ready_and_boom().run(&["--expect-text", "a:ready", "--expect-text", "a:seen", "--timeout", "5s"]);
    assert_eq!(run.code, 42, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("not seen: a:seen"), "{}", run.stderr);
}

#[test]
fn fail_text_stops_the_fleet_with_status_1() {
    let run = ready_and_boom().run(&["--fail-text", "b:boom", "--timeout", "1m"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.lines(), ["[a] ready", "[b] boom"]);
}

#[test]
fn fail_text_of_another_board_does_not_stop_the_fleet() {
    let run = ready_and_boom().run(&["--fail-text", "a:boom", "--timeout", "5s"]);
    assert_eq!(run.code, 42, "{}{}", run.stdout, run.stderr);
}

#[test]
fn timeout_stops_the_fleet_with_status_42_after_that_much_device_time() {
    let started = Instant::now();
    let run = ready_and_boom().run(&["--timeout", "10m"]);
    assert_eq!(run.code, 42, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("timeout"), "{}", run.stderr);
    assert_eq!(run.lines(), ["[a] ready", "[b] boom"]);
    assert!(started.elapsed() < Duration::from_secs(60), "ten idle minutes took {:?}", started.elapsed());
}

#[test]
fn timeout_exit_code_sets_the_status_of_a_timeout() {
    let run = ready_and_boom().run(&["--timeout", "3s", "--timeout-exit-code", "0"]);
    assert_eq!(ok(run).lines(), ["[a] ready", "[b] boom"]);
}

/// Checks that `fleet` is refused with status 2 naming the fleet file and
/// `message`, before any board's image is made.
fn refused(fleet: &str, message: &str) {
    let dir = FleetDir::new(&[("fleet.toml", fleet), ("a.py", "print(1)\n")]);
    let run = dir.run(&[]);
    assert_eq!(run.code, 2, "{fleet}: {}", run.stderr);
    assert!(run.stderr.contains("fleet.toml") && run.stderr.contains(message), "{fleet}: {}", run.stderr);
    assert!(!dir.path("a.bin").exists() && !dir.path("b.bin").exists(), "an image was made for {fleet}");
}

#[test]
fn a_bad_fleet_file_exits_2_naming_the_problem_before_any_image_is_made() {
    let a = board("a", "a.py", "[0, 0]");
    refused(&format!("{a}colour = \"red\"\n"), "unknown field `colour`");
    refused(&format!("{a}{}", board("a", "a.py", "[1, 0]")), "name \"a\" is used twice");
    refused(&format!("{a}[[gateway]]\nname = \"a\"\n"), "name \"a\" is used twice");
    refused(&format!("{a}{}", board("b", "a.py", "[1]")), "[x, y] or [x, y, z]");
    refused(&format!("{a}model = \"esp8266\"\n"), "unknown model");
    refused("", "at least one [[board]]");
    let ns = "[[gateway]]\nname = \"gw\"\n[network_server]\n[[network_server.device]]\n";
    refused(
        &format!(
            "{a}{ns}dev_addr = \"26011BDA\"\nnwk_skey = \"2B7E151628AED2A6ABF7158809CF4F3G\"\napp_skey = \"00112233445566778899AABBCCDDEEFF\"\n"
        ),
        "nwk_skey \"2B7E151628AED2A6ABF7158809CF4F3G\" is not hex",
    );
    refused(
        &format!(
            "{a}{ns}dev_eui = \"70B3D5499F0C1A\"\napp_eui = \"70B3D57ED0000001\"\napp_key = \"2B7E151628AED2A6ABF7158809CF4F3C\"\n"
        ),
        "dev_eui \"70B3D5499F0C1A\" has 7 bytes, not 8",
    );
    refused(&format!("{a}[network_server]\n"), "[network_server] hears nothing without a [[gateway]]");
    refused(&format!("{a}[network_server]\nregion = \"XX123\"\n[[gateway]]\nname = \"gw\"\n"), "XX123");
    refused(&format!("{a}[[gateway]]\nname = \"gw\"\nforward = \"localhost\"\n"), "is not IP:PORT");
    refused(&format!("{a}[network_server]\nudp = \"1700\"\n"), "[network_server] udp \"1700\" is not IP:PORT");
}

#[test]
fn an_expect_text_for_a_board_the_fleet_lacks_exits_2() {
    let run = ready_and_boom().run(&["--expect-text", "c:ready"]);
    fails(run, 2, "the boards: a, b");
}

/// A raw LoRa board: sends ten frames, two boards (`n0`, `n1`) at the same
/// moments so they collide, and prints what it hears.
fn raw_board(index: usize) -> String {
    let offset = if index < 2 { 0 } else { 37 * index };
    format!(
        "from network import LoRa
import socket, time
lora = LoRa(mode=LoRa.LORA, region=LoRa.EU868, sf=7)
s = socket.socket(socket.AF_LORA, socket.SOCK_RAW)
s.setblocking(False)
for k in range(10):
    time.sleep_ms(300 + {offset})
    s.send('n{index}-%d' % k)
    time.sleep_ms(100)
    r = s.recv(64)
    while r:
        print('heard', r, time.ticks_ms(), lora.stats().rssi, lora.stats().snr)
        r = s.recv(64)
print('done', time.ticks_ms())
"
    )
}

/// A LoRaWAN node that joins and sends three uplinks.
const WAN_NODE: &str = "from network import LoRa
import socket, time, ubinascii
lora = LoRa(mode=LoRa.LORAWAN, region=LoRa.EU868)
dev_eui = ubinascii.unhexlify('70B3D5499F0C1A2B')
app_eui = ubinascii.unhexlify('70B3D57ED0000001')
app_key = ubinascii.unhexlify('2B7E151628AED2A6ABF7158809CF4F3C')
lora.join(activation=LoRa.OTAA, auth=(dev_eui, app_eui, app_key), timeout=0)
while not lora.has_joined():
    time.sleep(1)
print('joined', time.ticks_ms())
s = socket.socket(socket.AF_LORA, socket.SOCK_RAW)
s.setblocking(True)
for k in range(3):
    s.send(bytes([k]))
    print('sent', k, time.ticks_ms(), lora.stats().rssi)
    time.sleep(10)
print('done', time.ticks_ms())
";

/// Five raw boards and a LoRaWAN node with the network server.
fn busy_fleet() -> FleetDir {
    let mut fleet = String::new();
    let scripts: Vec<(String, String)> = (0..5).map(|i| (format!("n{i}.py"), raw_board(i))).collect();
    // n0 and n1 stand as far from each of the others: their frames collide everywhere.
    for (i, position) in ["[0, 0]", "[0, 20]", "[40, 10]", "[80, 10]", "[120, 10]"].iter().enumerate() {
        fleet += &board(&format!("n{i}"), &format!("n{i}.py"), position);
    }
    fleet += &board("node", "node.py", "[300, 0]");
    fleet += "[[gateway]]\nname = \"gw\"\nposition = [500, 0, 10]\n[network_server]\nlog = \"network.jsonl\"\n";
    fleet += "[[network_server.device]]\ndev_eui = \"70B3D5499F0C1A2B\"\napp_eui = \"70B3D57ED0000001\"\napp_key = \"2B7E151628AED2A6ABF7158809CF4F3C\"\n";
    let mut files: Vec<(&str, &str)> = scripts.iter().map(|(n, s)| (n.as_str(), s.as_str())).collect();
    files.push(("fleet.toml", &fleet));
    files.push(("node.py", WAN_NODE));
    FleetDir::new(&files)
}

#[test]
fn the_same_fleet_run_twice_prints_the_same_bytes_and_logs_the_same_lines_even_on_a_busy_host() {
    // The same fleet: the same files, and images made once (each chip has a MAC of its own).
    let (first, second) = (busy_fleet(), busy_fleet());
    for name in ["n0", "n1", "n2", "n3", "n4", "node"] {
        let image = first.path(&format!("{name}.bin"));
        ok(first.device.cli(&["image", "create", "--image", image.to_str().unwrap()]));
        std::fs::copy(&image, second.path(&format!("{name}.bin"))).unwrap();
    }
    let run = ok(first.run(&["--timeout", "60s", "--timeout-exit-code", "0"]));
    let log = first.read("network.jsonl");
    assert_eq!(run.stdout.matches(" done ").count(), 6, "{}", run.stdout);
    assert!(run.stdout.contains("[n2] heard b'n3-"), "the raw boards hear each other:\n{}", run.stdout);
    assert!(
        !run.stdout.contains("heard b'n0-") && !run.stdout.contains("heard b'n1-"),
        "n0 and n1 collide:\n{}",
        run.stdout
    );
    assert_eq!(log.matches("\"event\":\"uplink\"").count(), 3, "{log}");

    let burners = Burners::start();
    let again = ok(second.run(&["--timeout", "60s", "--timeout-exit-code", "0"]));
    drop(burners);
    assert_eq!(run.stdout, again.stdout);
    assert_eq!(log, second.read("network.jsonl"));
}

#[test]
fn a_fleet_with_its_web_view_left_untouched_prints_the_same_bytes_as_without_one() {
    let (plain, viewed) = (busy_fleet(), busy_fleet());
    for name in ["n0", "n1", "n2", "n3", "n4", "node"] {
        let image = plain.path(&format!("{name}.bin"));
        ok(plain.device.cli(&["image", "create", "--image", image.to_str().unwrap()]));
        std::fs::copy(&image, viewed.path(&format!("{name}.bin"))).unwrap();
    }
    let run = ok(plain.run(&["--timeout", "60s", "--timeout-exit-code", "0"]));
    let served = ok(viewed.run(&["--timeout", "60s", "--timeout-exit-code", "0", "--web", "127.0.0.1:0"]));
    let (web, rest) = served.stdout.split_once('\n').unwrap();
    assert!(web.starts_with("web:http://127.0.0.1:"), "{web}");
    assert_eq!(rest, run.stdout);
    assert_eq!(plain.read("network.jsonl"), viewed.read("network.jsonl"));
}

#[test]
fn an_hour_of_ten_nodes_that_deep_sleep_between_sends_runs_in_moments() {
    let node = "from network import LoRa
import socket, time, machine, pycom
try:
    n = pycom.nvs_get('n')
except ValueError:
    n = 0
pycom.nvs_set('n', n + 1)
lora = LoRa(mode=LoRa.LORA, region=LoRa.EU868, sf=9)
s = socket.socket(socket.AF_LORA, socket.SOCK_RAW)
s.setblocking(True)
s.send(b'up %d' % n)
print('sent', n)
machine.deepsleep(300000)
";
    let mut fleet = String::new();
    for i in 0..10 {
        fleet += &board(&format!("n{i}"), "node.py", &format!("[{}, 0]", 100 * i));
    }
    let dir = FleetDir::new(&[("fleet.toml", &fleet), ("node.py", node)]);
    let started = Instant::now();
    let run = dir.run(&["--timeout", "1h"]);
    assert_eq!(run.code, 42, "{}{}", run.stdout, run.stderr);
    for i in 0..10 {
        let sends = run.lines().iter().filter(|l| l.starts_with(&format!("[n{i}] sent "))).count();
        assert_eq!(sends, 12, "n{i}, every five minutes for an hour:\n{}", run.stdout);
    }
    assert!(started.elapsed() < Duration::from_secs(60), "an hour of fleet took {:?}", started.elapsed());
}

#[test]
fn every_board_reads_a_str_as_bytes_where_the_firmware_does() {
    // Each board's interpreter has builtin types of its own: each gets the firmware's quirks.
    let script = "import ubinascii\nmac = ubinascii.hexlify(b'\\x30\\xae\\xa4').upper()\nprint(mac + 'FFFE', 'OK' in b'OK\\r\\n')\n";
    let fleet =
        format!("{}{}{}", board("a", "s.py", "[0, 0]"), board("b", "s.py", "[5, 0]"), board("c", "s.py", "[9, 0]"));
    let dir = FleetDir::new(&[("fleet.toml", &fleet), ("s.py", script)]);
    let run = ok(dir.run(&[]));
    let mut lines = run.lines();
    lines.sort();
    assert_eq!(lines, ["[a] b'30AEA4FFFE' True", "[b] b'30AEA4FFFE' True", "[c] b'30AEA4FFFE' True"], "{}", run.stdout);
}
