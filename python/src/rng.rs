//! The ESP32 hardware random number generator.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// `n` random bytes, fresh from the host's randomness like the chip's RNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut state = RandomState::new().build_hasher().finish() | 1;
    (0..n)
        .map(|_| {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}
