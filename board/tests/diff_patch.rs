//! Differential updates: applying BSDIFF40 patches (firmware-behaviour.md §7).
//!
//! The patches the board must accept are those of the classic bsdiff 4.0
//! tool; PyPI `bsdiff4` and the `qbsdiff` crate both write and read them, so
//! both serve as oracles here.

mod support;

use std::path::Path;
use std::process::Command;
use support::python_with;

use pycom_board::diff::{DiffError, MAX_NEW_SIZE, apply_patch, is_patch};

/// The PyPI bsdiff4 the patches are checked against.
const BSDIFF4: &str = "bsdiff4==1.3.2";

#[path = "../../test-support/xorshift.rs"]
mod xorshift;
use xorshift::Rng;

/// An "old firmware" of `len` random bytes.
fn old_image(len: usize) -> Vec<u8> {
    Rng(0x0005_eed0_f01d).bytes(len)
}

/// A "new firmware": `old` with a few patched bytes, an insertion, a deletion
/// and a few bytes appended, as between two builds of the same code.
fn new_image(old: &[u8]) -> Vec<u8> {
    let mut rng = Rng(0x0e1d_24e3);
    let mut new = old.to_vec();
    for _ in 0..20 {
        let at = rng.below(new.len());
        new[at] = new[at].wrapping_add(1);
    }
    let at = new.len() / 3;
    new.splice(at..at, rng.bytes(1500));
    let at = new.len() / 2;
    new.drain(at..at + 4000);
    new.extend_from_slice(b"appended version string 1.20.2.r4");
    new
}

/// A patch from `old` to `new` made by qbsdiff.
fn qbsdiff_patch(old: &[u8], new: &[u8]) -> Vec<u8> {
    let mut patch = Vec::new();
    qbsdiff::Bsdiff::new(old, new).compare(&mut patch).unwrap();
    patch
}

/// A small valid patch, cheap enough to mutate hundreds of times.
fn small_patch() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let old = old_image(20_000);
    let new = new_image(&old);
    let patch = qbsdiff_patch(&old, &new);
    (old, new, patch)
}

/// Header field `index` (0 ctrl_len, 1 diff_len, 2 new_size) as stored.
fn header_field(patch: &[u8], index: usize) -> u64 {
    u64::from_le_bytes(patch[8 + index * 8..16 + index * 8].try_into().unwrap())
}

/// Overwrites header field `index` with a raw sign-magnitude value.
fn set_header_field(patch: &mut [u8], index: usize, raw: u64) {
    patch[8 + index * 8..16 + index * 8].copy_from_slice(&raw.to_le_bytes());
}

/// Runs a bsdiff4 script with file arguments and checks it succeeded.
fn run_bsdiff4(script: &str, args: &[&Path]) {
    let output = Command::new(python_with(BSDIFF4)).arg("-c").arg(script).args(args).output().unwrap();
    assert!(output.status.success(), "python failed:\n{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_patch_is_recognised_by_its_bsdiff40_magic() {
    let (_, _, patch) = small_patch();
    assert!(is_patch(&patch));
    assert!(is_patch(b"BSDIFF40"));
    assert!(!is_patch(b"BSDIFF4"), "too short to hold the magic");
    assert!(!is_patch(b"BSDIFF41........"));
    assert!(!is_patch(&[0xE9; 64]), "a full firmware image starts with 0xE9");
}

#[test]
fn a_qbsdiff_patch_turns_the_old_image_into_the_new_one() {
    let old = old_image(300 * 1024);
    let new = new_image(&old);
    let patch = qbsdiff_patch(&old, &new);
    assert!(patch.len() < new.len() / 10, "a delta of a few edits is small: {} bytes", patch.len());

    assert_eq!(apply_patch(&old, &patch).unwrap(), new);
}

#[test]
fn bytes_after_the_patch_such_as_erased_flash_are_ignored() {
    let (old, new, mut patch) = small_patch();
    patch.extend_from_slice(&[0xFF; 4096]);
    assert_eq!(apply_patch(&old, &patch).unwrap(), new);
}

#[test]
fn a_patch_made_by_pypi_bsdiff4_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    let old = old_image(300 * 1024);
    let new = new_image(&old);
    let (old_path, new_path, patch_path) = (dir.path().join("old"), dir.path().join("new"), dir.path().join("patch"));
    std::fs::write(&old_path, &old).unwrap();
    std::fs::write(&new_path, &new).unwrap();
    run_bsdiff4(
        "import bsdiff4, sys\n\
         read = lambda p: open(p, 'rb').read()\n\
         open(sys.argv[3], 'wb').write(bsdiff4.diff(read(sys.argv[1]), read(sys.argv[2])))",
        &[&old_path, &new_path, &patch_path],
    );
    let patch = std::fs::read(&patch_path).unwrap();
    assert!(is_patch(&patch));

    assert_eq!(apply_patch(&old, &patch).unwrap(), new);
}

#[test]
fn a_patch_made_by_qbsdiff_is_applied_by_pypi_bsdiff4() {
    let dir = tempfile::tempdir().unwrap();
    let old = old_image(300 * 1024);
    let new = new_image(&old);
    let (old_path, patch_path, out_path) = (dir.path().join("old"), dir.path().join("patch"), dir.path().join("out"));
    std::fs::write(&old_path, &old).unwrap();
    std::fs::write(&patch_path, qbsdiff_patch(&old, &new)).unwrap();
    run_bsdiff4(
        "import bsdiff4, sys\n\
         read = lambda p: open(p, 'rb').read()\n\
         open(sys.argv[3], 'wb').write(bsdiff4.patch(read(sys.argv[1]), read(sys.argv[2])))",
        &[&old_path, &patch_path, &out_path],
    );

    assert_eq!(std::fs::read(&out_path).unwrap(), new);
}

#[test]
fn data_without_the_magic_is_not_a_patch() {
    let (old, _, mut patch) = small_patch();
    patch[7] = b'1';
    assert!(matches!(apply_patch(&old, &patch), Err(DiffError::NotAPatch)));
    assert!(matches!(apply_patch(&old, b""), Err(DiffError::NotAPatch)));
}

#[test]
fn a_header_claiming_a_new_image_over_16_mib_is_refused_before_decompressing() {
    let (old, _, mut patch) = small_patch();
    set_header_field(&mut patch, 2, 1 << 30);
    assert!(matches!(apply_patch(&old, &patch), Err(DiffError::TooLarge { new_size }) if new_size == 1 << 30));

    set_header_field(&mut patch, 2, MAX_NEW_SIZE + 1);
    assert!(matches!(apply_patch(&old, &patch), Err(DiffError::TooLarge { .. })));
}

#[test]
fn a_header_size_that_disagrees_with_the_controls_is_corrupt() {
    let (old, new, mut patch) = small_patch();
    set_header_field(&mut patch, 2, new.len() as u64 - 1);
    assert!(matches!(apply_patch(&old, &patch), Err(DiffError::Corrupt(_))), "patch writes one byte too many");
    set_header_field(&mut patch, 2, new.len() as u64 + 1);
    assert!(matches!(apply_patch(&old, &patch), Err(DiffError::Corrupt(_))), "patch writes one byte too few");
}

#[test]
fn negative_or_overflowing_block_lengths_are_corrupt() {
    let (old, _, patch) = small_patch();
    for (field, raw) in
        [(0, 1u64 << 63 | 5), (1, 1 << 63 | 5), (2, 1 << 63 | 5), (0, u64::MAX >> 1), (1, u64::MAX >> 1)]
    {
        let mut bad = patch.clone();
        set_header_field(&mut bad, field, raw);
        assert!(matches!(apply_patch(&old, &bad), Err(DiffError::Corrupt(_))), "field {field} = {raw:#x}");
    }
}

#[test]
fn a_truncated_patch_is_corrupt() {
    let (old, _, patch) = small_patch();
    let blocks_end = 32 + header_field(&patch, 0) as usize + header_field(&patch, 1) as usize;
    for len in [8, 20, 31, 32, 40, blocks_end - 1, blocks_end, blocks_end + 10, patch.len() - 1] {
        assert!(apply_patch(&old, &patch[..len]).is_err(), "patch cut to {len} of {} bytes", patch.len());
    }
}

#[test]
fn a_flipped_byte_in_any_bzip2_block_is_detected() {
    let (old, _, patch) = small_patch();
    let ctrl_start = 32;
    let diff_start = ctrl_start + header_field(&patch, 0) as usize;
    let extra_start = diff_start + header_field(&patch, 1) as usize;
    // Past each block's 4-byte "BZh9" and into its compressed data, and the
    // very last byte (end-of-stream CRC) of the extra block.
    let middle = |start: usize, end: usize| start + (end - start) / 2;
    for at in [
        middle(ctrl_start, diff_start),
        middle(diff_start, extra_start),
        middle(extra_start, patch.len()),
        diff_start - 1,
        extra_start - 1,
        patch.len() - 1,
    ] {
        let mut bad = patch.clone();
        bad[at] ^= 0x5A;
        assert!(matches!(apply_patch(&old, &bad), Err(DiffError::Corrupt(_))), "byte {at} of {} flipped", patch.len());
    }
}

#[test]
fn a_patch_for_a_different_old_image_is_corrupt_when_it_reads_past_the_end() {
    let (old, _, patch) = small_patch();
    assert!(matches!(apply_patch(&old[..100], &patch), Err(DiffError::Corrupt(_))));
}

#[test]
fn random_mutations_of_a_valid_patch_never_panic() {
    let (old, _, patch) = small_patch();
    let mut rng = Rng(0xbad_c0ffee);
    for round in 0..500 {
        let mut bad = patch.clone();
        match rng.below(4) {
            // Flip a few random bits anywhere.
            0 => {
                for _ in 0..1 + rng.below(4) {
                    let at = rng.below(bad.len());
                    bad[at] ^= 1 << rng.below(8);
                }
            }
            // Overwrite a random run with random bytes.
            1 => {
                let at = rng.below(bad.len());
                let len = rng.below(64).min(bad.len() - at);
                bad[at..at + len].copy_from_slice(&rng.bytes(len));
            }
            // Cut short.
            2 => bad.truncate(rng.below(bad.len())),
            // Random header fields, often huge or negative.
            _ => set_header_field(&mut bad, rng.below(3), rng.next() >> rng.below(64)),
        }
        if let Ok(result) = apply_patch(&old, &bad) {
            // A mutation can land in a harmless place (e.g. the stream's
            // block-size digit); the result must then still be sized by the header.
            assert_eq!(result.len() as u64, header_field(&bad, 2), "round {round}");
        }
    }
}
