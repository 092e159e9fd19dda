//! The bits that UART 1, I2C and SPI put on their wires, in the
//! `--trace-pins` VCD, as an independent logic analyser decodes them:
//! sigrok-cli's protocol decoders (Debian's `sigrok-cli`), reading the file
//! the way PulseView would. Also the UART's bytes in `--trace-bus`.

mod common;

use common::{Device, ok, require_debian_tool};

/// The trace's 1-bit wires only: sigrok-cli 0.7's VCD input stops at the LED's
/// 24-bit colour vector and the DACs' real variables.
fn one_bit_wires(vcd: &str) -> String {
    vcd.lines()
        .filter(|line| !line.starts_with("$var") || line.starts_with("$var wire 1 "))
        .filter(|line| !line.starts_with('b') && !line.starts_with('r'))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// A run of `script` with `board_file`, traced.
struct Traced {
    device: Device,
    output: Vec<String>,
}

impl Traced {
    fn run(board_file: &str, script: &str) -> Self {
        require_debian_tool("sigrok-cli", "sigrok-cli");
        let device = Device::new();
        let vcd = device.path("trace.vcd");
        let bus = device.path("bus.jsonl");
        let output = device.run_wired(
            board_file,
            script,
            &["--trace-pins", vcd.to_str().unwrap(), "--trace-bus", bus.to_str().unwrap()],
        );
        let wires = one_bit_wires(&std::fs::read_to_string(&vcd).unwrap());
        std::fs::write(device.path("wires.vcd"), wires).unwrap();
        Self { device, output }
    }

    /// What `decoder` (sigrok-cli's `-P` text) reports in its annotation rows
    /// `rows` (`-A` text), each as "first sample (ns) text".
    fn decode(&self, decoder: &str, rows: &str) -> Vec<String> {
        let out = std::process::Command::new("sigrok-cli")
            .args(["-I", "vcd", "-i"])
            .arg(self.device.path("wires.vcd"))
            .args(["-P", decoder, "-A", rows, "--protocol-decoder-samplenum"])
            .output()
            .unwrap();
        assert!(out.status.success(), "sigrok-cli failed:\n{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|line| {
                let (samples, text) = line.split_once(' ').expect("samples, then the annotation");
                let first = samples.split('-').next().unwrap();
                let (_, text) = text.split_once(": ").expect("decoder: text");
                format!("{first} {text}")
            })
            .collect()
    }

    /// Only the texts of `decode`.
    fn texts(&self, decoder: &str, rows: &str) -> Vec<String> {
        self.decode(decoder, rows).into_iter().map(|a| a.split_once(' ').unwrap().1.to_owned()).collect()
    }

    /// The `--trace-bus` lines.
    fn bus(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(self.device.path("bus.jsonl")).unwrap();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

const UART_LOOPBACK: &str = "[[device]]\nkind = \"uart\"\nuart = 1\nloopback = true\n";

#[test]
fn uart_bytes_go_out_on_txd_and_come_back_on_rxd_at_the_baud_rate() {
    let run = Traced::run(
        UART_LOOPBACK,
        "from machine import UART\nimport time\nu = UART(1, 115200, pins=('P3', 'P4'))\n\
         u.write(b'Hi!\\n')\ntime.sleep_ms(5)\nprint(u.read())\n",
    );
    assert_eq!(run.output, ["b'Hi!\\n'"]);
    let hex = ["48", "69", "21", "0A"];
    assert_eq!(run.texts("uart:baudrate=115200:rx=P3", "uart=rx-data"), hex, "TXD (P3)");
    assert_eq!(run.texts("uart:baudrate=115200:rx=P4", "uart=rx-data"), hex, "RXD (P4)");

    let bus = run.bus();
    assert_eq!(bus.len(), 2, "{bus:?}");
    assert_eq!((bus[0]["bus"].as_str(), bus[0]["direction"].as_str()), (Some("uart1"), Some("tx")));
    assert_eq!((bus[1]["bus"].as_str(), bus[1]["direction"].as_str()), (Some("uart1"), Some("rx")));
    assert_eq!(bus[0]["bytes"], "4869210a");
    assert_eq!(bus[0]["time_us"], bus[1]["time_us"], "a loopback wire carries the bits at once");

    // The data bits of character k start one start bit after k frames of 10 bits.
    let sent_ns = bus[0]["time_us"].as_u64().unwrap() * 1000;
    let starts: Vec<u64> = run
        .decode("uart:baudrate=115200:rx=P3", "uart=rx-data")
        .iter()
        .map(|a| a.split_once(' ').unwrap().0.parse().unwrap())
        .collect();
    let bit_ns = 1e9 / 115_200.0;
    for (k, start) in starts.iter().enumerate() {
        let expected = sent_ns as f64 + (10 * k + 1) as f64 * bit_ns;
        assert!((*start as f64 - expected).abs() <= 2.0, "character {k} at {start} ns, expected {expected:.0}");
    }
}

#[test]
fn uart_parity_and_stop_bits_are_on_the_wire_as_configured() {
    let run = Traced::run(
        UART_LOOPBACK,
        "from machine import UART\nimport time\nu = UART(1, 9600, bits=7, parity=UART.ODD, stop=2, pins=('P3', 'P4'))\n\
         u.write(b'OK')\ntime.sleep_ms(10)\n",
    );
    // The decoder checks up to 1.5 stop bits; the second one is idle line to it.
    let decoder = "uart:baudrate=9600:rx=P3:data_bits=7:parity=odd:stop_bits=1.5";
    assert_eq!(run.texts(decoder, "uart=rx-data"), ["4F", "4B"]);
    let parity_ok = run.texts(decoder, "uart=rx-parity-ok");
    assert_eq!(parity_ok.iter().filter(|t| *t == "Parity bit").count(), 2, "{parity_ok:?}");
    let errors = [run.texts(decoder, "uart=rx-parity-err"), run.texts(decoder, "uart=rx-warnings")].concat();
    assert!(errors.is_empty(), "parity or frame errors: {errors:?}");
    let even = "uart:baudrate=9600:rx=P3:data_bits=7:parity=even:stop_bits=1.5";
    let parity_err = run.texts(even, "uart=rx-parity-err");
    assert_eq!(parity_err.iter().filter(|t| t.contains("arity")).count(), 2, "as even parity: {parity_err:?}");
}

const I2C_SENSOR: &str =
    "[[device]]\nkind = \"i2c\"\naddress = 0x48\n\n[[device.register]]\nat = 0x01\nbytes = [0x12, 0x34]\n";

/// The addr-data row of a register read of 0x48 and a write to no one at 0x50.
const I2C_DECODED: [&str; 21] = [
    "Start",
    "Write",
    "Address write: 48",
    "ACK",
    "Data write: 01",
    "ACK",
    "Start repeat",
    "Read",
    "Address read: 48",
    "ACK",
    "Data read: 12",
    "ACK",
    "Data read: 34",
    "NACK",
    "Stop",
    "Start",
    "Write",
    "Address write: 50",
    "NACK",
    "Stop",
    "OSError I2C bus error",
];

#[test]
fn an_i2c_register_read_and_an_unanswered_address_decode_on_sda_and_scl() {
    for baudrate in [100_000, 400_000] {
        let run = Traced::run(
            I2C_SENSOR,
            &format!(
                "from machine import I2C\ni2c = I2C(0, mode=I2C.MASTER, baudrate={baudrate})\n\
                 print(i2c.readfrom_mem(0x48, 1, 2))\ntry:\n    i2c.writeto(0x50, b'x')\n\
                 except OSError as e:\n    print('OSError', e)\n"
            ),
        );
        assert_eq!(run.output, ["b'\\x124'", I2C_DECODED[20]]);
        assert_eq!(run.texts("i2c:scl=P10:sda=P9", "i2c=addr-data"), I2C_DECODED[..20], "at {baudrate} Hz");
        let start_ns = run.bus()[0]["time_us"].as_u64().unwrap() * 1000;
        let first = run.decode("i2c:scl=P10:sda=P9", "i2c=addr-data")[0].clone();
        let at: u64 = first.split_once(' ').unwrap().0.parse().unwrap();
        assert_eq!(at, start_ns + 500_000_000 / baudrate, "SDA falls half a bit into the START, at {baudrate} Hz");
    }
}

#[test]
fn spi_transfers_in_each_mode_decode_on_sck_mosi_and_miso() {
    for (polarity, phase) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let run = Traced::run(
            "[[device]]\nkind = \"spi_loopback\"\nmosi = \"P20\"\nmiso = \"P21\"\n",
            &format!(
                "from machine import SPI, Pin\ncs = Pin('P22', mode=Pin.OUT, value=1)\n\
                 spi = SPI(0, mode=SPI.MASTER, baudrate=2000000, polarity={polarity}, phase={phase}, \
                 pins=('P19', 'P20', 'P21'))\nbuf = bytearray(3)\ncs(0)\n\
                 spi.write_readinto(b'\\xa5\\x3c\\x01', buf)\ncs(1)\nprint(bytes(buf))\n"
            ),
        );
        assert_eq!(run.output, ["b'\\xa5<\\x01'"]);
        let decoder = format!("spi:clk=P19:mosi=P20:miso=P21:cs=P22:cpol={polarity}:cpha={phase}");
        assert_eq!(run.texts(&decoder, "spi=mosi-data"), ["A5", "3C", "01"], "MOSI in mode {polarity}{phase}");
        assert_eq!(run.texts(&decoder, "spi=miso-data"), ["A5", "3C", "01"], "MISO in mode {polarity}{phase}");
    }
}

#[test]
fn the_vcd_ends_at_the_end_of_the_run() {
    let device = Device::new();
    let vcd = device.path("trace.vcd");
    ok(device.run_with("import time\ntime.sleep_ms(250)\n", &["--trace-pins", vcd.to_str().unwrap()]));
    let text = std::fs::read_to_string(&vcd).unwrap();
    let last: u64 = text.lines().rev().find_map(|l| l.strip_prefix('#')).unwrap().parse().unwrap();
    assert!((250_000_000..251_000_000).contains(&last), "last timestamp {last} ns");
}
