//! The node's uplink bytes read by an independent decoder: tests/lorawan_decode.py, the
//! LoRaWAN 1.0.2 MIC (AES-CMAC over B0 | message) and FRMPayload decryption (A_i blocks)
//! written from the specification on Python's `cryptography` (in a venv under the target
//! directory), not on the `lorawan` crate this crate builds frames with.

#[path = "../../test-support/python_tools.rs"]
mod python_tools;
mod support;

use std::process::Command;

use pycom_lorawan::{Activation, Node, Region};
use support::*;

/// What lorawan_decode.py makes of an uplink frame sent with the test ABP keys.
fn decode(frame: &[u8], fcnt_high: u32) -> String {
    let python = python_tools::python_with("cryptography==48.0.0");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/lorawan_decode.py");
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let (_, nwk, app) = abp_keys();
    let output = Command::new(python)
        .arg(script)
        .args(["uplink", &hex(frame), &hex(&nwk.0), &hex(&app.0), &fcnt_high.to_string()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

#[test]
fn an_independent_decoder_reads_the_counter_port_and_payload_of_the_nodes_uplinks() {
    let (mut node, _server, _log) = abp_pair(Region::Eu868);
    let first = node.uplink(10, b"Hello, LoRaWAN!", false, Some(5), 0).unwrap();
    assert_eq!(
        decode(&first.payload, 0),
        "dev_addr=26011bda fcnt=0 port=10 data=48656c6c6f2c204c6f526157414e21 mic=ok"
    );
    node.request_link_check();
    let long: Vec<u8> = (0..40).collect();
    let second = node.uplink(223, &long, true, Some(5), 0).unwrap();
    let data: String = long.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(decode(&second.payload, 0), format!("dev_addr=26011bda fcnt=1 port=223 data={data} mic=ok"));
}

#[test]
fn an_independent_decoder_agrees_on_the_mic_past_the_16_bit_counter() {
    let mut node = Node::new(Region::Eu868, 1);
    let (addr, nwk, app) = abp_keys();
    node.join(Activation::Abp { dev_addr: addr, nwk_skey: nwk, app_skey: app }, None).unwrap();
    let mut t = 0;
    let mut frame = Vec::new();
    for _ in 0..=65_536u32 {
        t += 100_000_000;
        frame = node.uplink(1, b"x", false, Some(5), t).unwrap().payload;
    }
    assert_eq!(decode(&frame, 1), "dev_addr=26011bda fcnt=65536 port=1 data=78 mic=ok");
    assert_eq!(decode(&frame, 0).split(' ').next_back(), Some("mic=bad"), "the MIC covers the high 16 bits");
}
