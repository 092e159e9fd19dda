//! A MIFARE Classic 1K card's memory, after NXP's MF1S50 datasheet: 64
//! blocks of 16 bytes in 16 sectors of 4; block 0 is the manufacturer block
//! (UID, BCC, SAK, ATQA; read-only), the last block of each sector its
//! trailer: key A, the access bits, key B. A blank card has keys A and B of
//! FF FF FF FF FF FF and the transport access bits FF 07 80 69. Access
//! conditions are not enforced but for the keys: key A reads as zeros, key B
//! too unless the access bits let it be read, and a key B that can be read
//! cannot authenticate.

use std::collections::BTreeMap;

/// Blocks of a 1K card.
pub(super) const BLOCKS: usize = 64;
/// Bytes of a block.
const BLOCK_BYTES: usize = 16;
/// A blank card's keys and access bits.
const BLANK_KEY: [u8; 6] = [0xFF; 6];
const TRANSPORT_ACCESS: [u8; 4] = [0xFF, 0x07, 0x80, 0x69];

/// A block's 16 bytes.
pub(super) type Block = [u8; BLOCK_BYTES];

/// Which key an authentication uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum KeyType {
    /// Key A (`0x60`).
    A,
    /// Key B (`0x61`).
    B,
}

impl KeyType {
    /// The key type of an authentication command byte.
    pub(super) fn from_command(byte: u8) -> Option<Self> {
        match byte {
            0x60 => Some(Self::A),
            0x61 => Some(Self::B),
            _ => None,
        }
    }
}

/// The sector holding `block`.
pub(super) fn sector(block: usize) -> usize {
    block / 4
}

/// A card's 64 blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Memory {
    blocks: Vec<Block>,
}

impl Memory {
    /// A blank card with this 4-byte UID and SAK, then the board file's
    /// `blocks` (block number -> 32 hex digits, spaces allowed between bytes).
    pub(super) fn new(uid: [u8; 4], sak: u8, given: &BTreeMap<String, String>) -> Result<Self, String> {
        let mut blocks = vec![[0; BLOCK_BYTES]; BLOCKS];
        let bcc = uid.iter().fold(0, |bcc, b| bcc ^ b);
        blocks[0][..8].copy_from_slice(&[uid[0], uid[1], uid[2], uid[3], bcc, sak, 0x04, 0x00]);
        for trailer in (3..BLOCKS).step_by(4) {
            blocks[trailer] = trailer_block(BLANK_KEY, TRANSPORT_ACCESS, BLANK_KEY);
        }
        for (number, hex) in given {
            let block = number.parse::<usize>().ok().filter(|b| (1..BLOCKS).contains(b)).ok_or_else(|| {
                format!("card block {number:?} is not a block number (1 to 63; 0 is the manufacturer's)")
            })?;
            blocks[block] = parse_block(hex).map_err(|problem| format!("card block {block}: {problem}"))?;
        }
        Ok(Self { blocks })
    }

    fn trailer(&self, block: usize) -> &Block {
        &self.blocks[sector(block) * 4 + 3]
    }

    /// Whether the sector trailer's access bits let key B be read.
    fn key_b_readable(&self, block: usize) -> bool {
        let trailer = self.trailer(block);
        let bit = |byte: u8, shift: u32| byte >> shift & 0x08 != 0;
        let (c1, c2, c3) = (bit(trailer[7], 4), bit(trailer[8], 0), bit(trailer[8], 4));
        !c1 && (!c2 || !c3)
    }

    /// Whether `key` of `key_type` opens the sector of `block`.
    pub(super) fn opens(&self, block: usize, key_type: KeyType, key: &[u8; 6]) -> bool {
        let trailer = self.trailer(block);
        match key_type {
            KeyType::A => trailer[..6] == key[..],
            KeyType::B => !self.key_b_readable(block) && trailer[10..] == key[..],
        }
    }

    /// `block` as the card sends it: in a trailer key A reads as zeros, and
    /// key B too unless it may be read.
    pub(super) fn read(&self, block: usize) -> Block {
        let mut data = self.blocks[block];
        if block % 4 == 3 {
            data[..6].fill(0);
            if !self.key_b_readable(block) {
                data[10..].fill(0);
            }
        }
        data
    }

    /// Whether `block` may be written (not the manufacturer block).
    pub(super) fn writable(block: usize) -> bool {
        (1..BLOCKS).contains(&block)
    }

    /// Writes `block`.
    pub(super) fn write(&mut self, block: usize, data: Block) {
        self.blocks[block] = data;
    }
}

fn trailer_block(key_a: [u8; 6], access: [u8; 4], key_b: [u8; 6]) -> Block {
    let mut block = [0; BLOCK_BYTES];
    block[..6].copy_from_slice(&key_a);
    block[6..10].copy_from_slice(&access);
    block[10..].copy_from_slice(&key_b);
    block
}

/// 16 bytes from hex digits, spaces allowed between bytes.
fn parse_block(hex: &str) -> Result<Block, String> {
    let digits: Vec<char> = hex.chars().filter(|c| *c != ' ').collect();
    if let Some(bad) = digits.iter().find(|c| !c.is_ascii_hexdigit()) {
        return Err(format!("{bad:?} is not a hex digit"));
    }
    if digits.len() != 2 * BLOCK_BYTES {
        return Err(format!("a block is 16 bytes (32 hex digits), not {} hex digits", digits.len()));
    }
    let mut block = [0; BLOCK_BYTES];
    for (byte, pair) in block.iter_mut().zip(digits.chunks(2)) {
        *byte = u8::from_str_radix(&pair.iter().collect::<String>(), 16).expect("two hex digits");
    }
    Ok(block)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank() -> Memory {
        Memory::new([0x43, 0x95, 0xDD, 0xF8], 0x08, &BTreeMap::new()).unwrap()
    }

    #[test]
    fn a_blank_card_opens_with_key_a_ff_and_reads_its_trailer_without_key_a() {
        let card = blank();
        assert_eq!(card.read(0)[..8], [0x43, 0x95, 0xDD, 0xF8, 0x43 ^ 0x95 ^ 0xDD ^ 0xF8, 0x08, 0x04, 0x00]);
        assert!(card.opens(5, KeyType::A, &[0xFF; 6]));
        assert!(!card.opens(5, KeyType::A, &[0; 6]));
        assert!(!card.opens(5, KeyType::B, &[0xFF; 6]), "transport bits: key B is readable");
        assert_eq!(card.read(7), [0, 0, 0, 0, 0, 0, 0xFF, 0x07, 0x80, 0x69, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
    }

    #[test]
    fn key_b_authenticates_where_the_access_bits_hide_it() {
        // FF 07 80 -> 7F 07 88: the trailer's C1C2C3 = 011, key B secret.
        let trailer = "A0A1A2A3A4A5 7F0788 69 B0B1B2B3B4B5";
        let card = Memory::new([1, 2, 3, 4], 0x08, &BTreeMap::from([("11".to_owned(), trailer.to_owned())])).unwrap();
        assert!(card.opens(8, KeyType::B, &[0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5]));
        assert!(card.opens(9, KeyType::A, &[0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5]));
        assert_eq!(card.read(11)[6..], [0x7F, 0x07, 0x88, 0x69, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn bad_blocks_are_refused() {
        let refused = |number: &str, hex: &str| {
            Memory::new([1, 2, 3, 4], 0x08, &BTreeMap::from([(number.to_owned(), hex.to_owned())])).unwrap_err()
        };
        let sixteen = "00112233445566778899AABBCCDDEEFF";
        assert!(refused("64", sixteen).contains("not a block number"));
        assert!(refused("0", sixteen).contains("manufacturer"));
        assert_eq!(refused("4", "0011"), "card block 4: a block is 16 bytes (32 hex digits), not 4 hex digits");
        assert_eq!(refused("4", &sixteen.replace('F', "G")), "card block 4: 'G' is not a hex digit");
    }
}
