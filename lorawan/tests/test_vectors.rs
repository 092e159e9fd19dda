//! The crate's cryptography against values computed independently, once, with Python's
//! `cryptography` package following the LoRaWAN 1.0.2 specification by hand
//! (`python3 tests/lorawan_decode.py joinrequest|skeys ...`; that script's CMAC was first
//! checked against RFC 4493 example 1: key 2b7e151628aed2a6abf7158809cf4f3c, empty message,
//! bb1d6929e95937287fa37d129b756746).

mod support;

use pycom_lorawan::crypto::session_keys;
use pycom_lorawan::{Key, Node, Region};
use support::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_join_request_carries_the_euis_reversed_the_dev_nonce_and_the_spec_mic() {
    // Seed 2026 draws DevNonce 0x8D23. Expected: `lorawan_decode.py joinrequest
    // 70B3D57ED0000001 0004A30B001C0530 8d23 2B7E151628AED2A6ABF7158809CF4F3C`.
    let mut node = Node::new(Region::Eu868, 2026);
    let plan = node.join(otaa(APP_KEY), None).unwrap().unwrap();
    assert_eq!(hex(&plan.payload), "00010000d07ed5b37030051c000ba30400238d0ebc354a");
}

#[test]
fn session_keys_are_aes_of_the_app_key_over_the_nonces_and_net_id() {
    // Expected: `lorawan_decode.py skeys 2B7E151628AED2A6ABF7158809CF4F3C 0A0B0C 000013 1234`.
    let app_key: Key = APP_KEY.parse().unwrap();
    let (nwk, app) = session_keys(&app_key, [0x0C, 0x0B, 0x0A], [0x13, 0x00, 0x00], [0x34, 0x12]);
    assert_eq!(nwk.to_string(), "F6ACC31A06B72B4D6B0D5E6226AAC462");
    assert_eq!(app.to_string(), "BE69EF63D9A704AC1F2C26F01274BCCB");
}
