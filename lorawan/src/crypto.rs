//! The AES-128 operations LoRaWAN 1.0.2 builds on, through the `lorawan` crate's default crypto
//! factory (RustCrypto `aes` 0.8 and `cmac` 0.7): block encryption, CMAC and the session keys
//! of a join. The crate parses and checks join accepts, but its `JoinAcceptCreator` (0.9.0)
//! never includes a CFList and returns the 33-byte buffer even without one, so the server
//! seals join accepts here.

use lorawan::default_crypto::DefaultFactory;
use lorawan::keys::{AES128, CryptoFactory, Decrypter, Encrypter, Mac};

use crate::keys::Key;

/// AES-128 encryption of one block.
pub(crate) fn encrypt_block(key: &Key, block: [u8; 16]) -> [u8; 16] {
    let mut block = block.into();
    DefaultFactory.new_enc(&AES128(key.0)).encrypt_block(&mut block);
    block.into()
}

/// AES-128 decryption of one block.
pub(crate) fn decrypt_block(key: &Key, block: [u8; 16]) -> [u8; 16] {
    let mut block = block.into();
    DefaultFactory.new_dec(&AES128(key.0)).decrypt_block(&mut block);
    block.into()
}

/// The 4-byte LoRaWAN MIC of `data`: the first bytes of its AES-CMAC.
pub(crate) fn mic(key: &Key, data: &[u8]) -> [u8; 4] {
    let mut mac = DefaultFactory.new_mac(&AES128(key.0));
    mac.input(data);
    let full = mac.result();
    [full[0], full[1], full[2], full[3]]
}

/// NwkSKey and AppSKey of a join (LoRaWAN 1.0.2 §6.2.5): AES(AppKey, 0x01 or 0x02 | AppNonce | NetID | DevNonce | pad),
/// the nonces and NetID in their on-air (little-endian) byte order.
pub fn session_keys(app_key: &Key, app_nonce: [u8; 3], net_id: [u8; 3], dev_nonce: [u8; 2]) -> (Key, Key) {
    let derive = |first: u8| {
        let mut block = [0u8; 16];
        block[0] = first;
        block[1..4].copy_from_slice(&app_nonce);
        block[4..7].copy_from_slice(&net_id);
        block[7..9].copy_from_slice(&dev_nonce);
        Key(encrypt_block(app_key, block))
    };
    (derive(0x01), derive(0x02))
}

/// A join accept as sent: MHDR | AES-decrypt(AppKey, body | MIC), the MIC over MHDR | body.
pub(crate) fn seal_join_accept(app_key: &Key, mhdr: u8, body: &[u8]) -> Vec<u8> {
    let mut clear = vec![mhdr];
    clear.extend_from_slice(body);
    let mic = mic(app_key, &clear);
    clear.extend_from_slice(&mic);
    let mut sealed = vec![mhdr];
    for chunk in clear[1..].chunks(16) {
        let mut block = [0u8; 16];
        block[..chunk.len()].copy_from_slice(chunk);
        sealed.extend_from_slice(&decrypt_block(app_key, block));
    }
    sealed
}
