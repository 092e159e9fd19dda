//! The NOR flash model behaves like a real SPI NOR chip.

use embedded_storage::nor_flash::{NorFlash, ReadNorFlash};
use pycom_flash::{Existing, Flash, FlashError, PowerCut, SECTOR_SIZE};

fn read(flash: &mut Flash, offset: u32, len: usize) -> Vec<u8> {
    let mut buf = vec![0; len];
    flash.read(offset, &mut buf).unwrap();
    buf
}

#[test]
fn a_new_chip_is_erased() {
    let mut flash = Flash::erased(4 * SECTOR_SIZE);
    assert_eq!(read(&mut flash, 0, 4 * SECTOR_SIZE), vec![0xFF; 4 * SECTOR_SIZE]);
}

#[test]
fn writes_only_clear_bits() {
    let mut flash = Flash::erased(SECTOR_SIZE);
    flash.write(10, &[0xF0]).unwrap();
    flash.write(10, &[0x30]).unwrap(); // clears more bits: allowed
    assert_eq!(read(&mut flash, 10, 1), [0x30]);
}

#[test]
fn setting_a_bit_back_to_one_needs_an_erase() {
    let mut flash = Flash::erased(SECTOR_SIZE);
    flash.write(100, &[0x00, 0x00]).unwrap();
    let err = flash.write(99, &[0xFF, 0x00, 0x01]).unwrap_err();
    assert!(matches!(err, FlashError::NotErased { addr: 101, old: 0x00, new: 0x01 }), "{err}");
    // Nothing of the refused write landed.
    assert_eq!(read(&mut flash, 99, 3), [0xFF, 0x00, 0x00]);
    flash.erase(0, SECTOR_SIZE as u32).unwrap();
    flash.write(100, &[0x01]).unwrap();
    assert_eq!(read(&mut flash, 100, 1), [0x01]);
}

#[test]
fn erase_sets_whole_sectors_and_counts_them() {
    let mut flash = Flash::erased(3 * SECTOR_SIZE);
    flash.write(0, &vec![0; 3 * SECTOR_SIZE]).unwrap();
    flash.erase(SECTOR_SIZE as u32, 2 * SECTOR_SIZE as u32).unwrap();
    flash.erase(SECTOR_SIZE as u32, 2 * SECTOR_SIZE as u32).unwrap();
    assert_eq!(read(&mut flash, 0, 1), [0]);
    assert_eq!(read(&mut flash, SECTOR_SIZE as u32, SECTOR_SIZE), vec![0xFF; SECTOR_SIZE]);
    assert_eq!(read(&mut flash, 2 * SECTOR_SIZE as u32, 1), [0]);
    assert_eq!(flash.erase_count(0), 0);
    assert_eq!(flash.erase_count(SECTOR_SIZE as u32 + 5), 2);
    assert_eq!(flash.stats().sectors_erased, 2);
}

#[test]
fn unaligned_and_out_of_range_accesses_are_refused() {
    let mut flash = Flash::erased(2 * SECTOR_SIZE);
    assert!(matches!(flash.erase(1, SECTOR_SIZE as u32), Err(FlashError::Unaligned { .. })));
    assert!(matches!(flash.write(2 * SECTOR_SIZE as u32 - 1, &[0, 0]), Err(FlashError::OutOfBounds { .. })));
    assert!(matches!(flash.erase(0, 3 * SECTOR_SIZE as u32), Err(FlashError::OutOfBounds { .. })));
    let mut buf = [0; 2];
    assert!(matches!(flash.read(u32::MAX, &mut buf), Err(FlashError::OutOfBounds { .. })));
}

#[test]
fn a_power_cut_stops_a_write_at_the_byte() {
    let mut flash = Flash::erased(SECTOR_SIZE);
    flash.set_power_cut(PowerCut::after(5));
    flash.write(0, &[1, 2]).unwrap();
    let err = flash.write(2, &[3, 4, 5, 6, 7]).unwrap_err();
    assert!(matches!(err, FlashError::PowerLost));
    assert!(flash.power_lost());
    // Everything is refused after the cut, reads included.
    assert!(matches!(flash.write(10, &[0]), Err(FlashError::PowerLost)));
    let mut buf = [0; 1];
    assert!(matches!(flash.read(0, &mut buf), Err(FlashError::PowerLost)));
    // What was programmed before the cut is on the chip.
    assert_eq!(&flash.contents()[..8], &[1, 2, 3, 4, 5, 0xFF, 0xFF, 0xFF]);
}

#[test]
fn a_power_cut_before_an_erase_leaves_the_sector_as_it_was() {
    let mut flash = Flash::erased(2 * SECTOR_SIZE);
    flash.write(0, &[0; 8]).unwrap();
    flash.write(SECTOR_SIZE as u32, &[0; 8]).unwrap();
    flash.set_power_cut(PowerCut::after(1));
    assert!(matches!(flash.erase(0, 2 * SECTOR_SIZE as u32), Err(FlashError::PowerLost)));
    assert_eq!(flash.contents()[0], 0xFF, "first sector erased before the cut");
    assert_eq!(flash.contents()[SECTOR_SIZE], 0x00, "second sector untouched");
    assert_eq!(flash.erase_count(0), 1);
    assert_eq!(flash.erase_count(SECTOR_SIZE as u32), 0);
}

#[test]
fn power_cut_sweep_every_cut_point_leaves_a_prefix() {
    let payload: Vec<u8> = (0..64u8).collect();
    for cut in 0..=payload.len() as u64 {
        let mut flash = Flash::erased(SECTOR_SIZE);
        flash.set_power_cut(PowerCut::after(cut));
        let result = flash.write(0, &payload);
        assert_eq!(result.is_ok(), cut as usize >= payload.len());
        let n = cut as usize;
        assert_eq!(&flash.contents()[..n.min(64)], &payload[..n.min(64)]);
        assert!(flash.contents()[n.min(64)..].iter().all(|b| *b == 0xFF));
    }
}

#[test]
fn image_files_are_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dev.bin");
    {
        let mut flash = Flash::erased(2 * SECTOR_SIZE).save_as(&path, Existing::Replace).unwrap();
        flash.write(5, b"pycom").unwrap();
        flash.erase_and_write(SECTOR_SIZE as u32 + 8, b"cfg").unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes.len(), 2 * SECTOR_SIZE);
    assert_eq!(&bytes[5..10], b"pycom");
    assert_eq!(&bytes[SECTOR_SIZE + 8..SECTOR_SIZE + 11], b"cfg");
    let mut reopened = Flash::open_file(&path).unwrap();
    assert_eq!(read(&mut reopened, 5, 5), b"pycom");
}

#[test]
fn an_image_that_is_not_whole_sectors_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.bin");
    std::fs::write(&path, [0u8; 100]).unwrap();
    assert!(matches!(Flash::open_file(&path), Err(FlashError::BadImageSize { size: 100, .. })));
    assert!(matches!(Flash::open_file(&dir.path().join("missing.bin")), Err(FlashError::Io { .. })));
}

#[test]
fn embedded_storage_traits_reach_the_model() {
    fn roundtrip<F: NorFlash>(f: &mut F) -> Vec<u8> {
        f.erase(0, F::ERASE_SIZE as u32).unwrap();
        f.write(0, b"abc").unwrap();
        let mut buf = [0; 3];
        f.read(0, &mut buf).unwrap();
        buf.to_vec()
    }
    let mut flash = Flash::erased(SECTOR_SIZE);
    assert_eq!(roundtrip(&mut flash), b"abc");
    assert_eq!(ReadNorFlash::capacity(&flash), SECTOR_SIZE);
}

#[test]
fn a_call_counted_cut_tears_the_interrupted_write_by_quarters() {
    for (calls, kept) in [(4u64, 0usize), (5, 2), (6, 4), (7, 6)] {
        let mut flash = Flash::erased(SECTOR_SIZE);
        flash.set_power_cut(PowerCut::after_calls(calls));
        for i in 0..calls {
            flash.write(i as u32, &[0]).unwrap();
        }
        let err = flash.write(100, &[0u8; 8]).unwrap_err();
        assert!(matches!(err, FlashError::PowerLost));
        let programmed = flash.contents()[100..108].iter().filter(|b| **b == 0).count();
        assert_eq!(programmed, kept, "cut after {calls} calls");
        assert!(flash.write(200, &[0]).is_err());
    }
}

#[test]
fn a_call_counted_cut_never_half_erases() {
    let mut flash = Flash::erased(2 * SECTOR_SIZE);
    flash.write(0, &[0; 16]).unwrap();
    flash.set_power_cut(PowerCut::after_calls(3));
    for i in 0..3 {
        flash.write(SECTOR_SIZE as u32 + i, &[0]).unwrap();
    }
    assert!(flash.erase(0, SECTOR_SIZE as u32).is_err());
    assert_eq!(flash.contents()[0], 0);
}

#[test]
fn a_cut_at_the_next_call_is_pending_until_that_call_and_tears_it() {
    let mut flash = Flash::erased(SECTOR_SIZE);
    flash.set_power_cut(PowerCut::at_next_call(2));
    assert!(flash.power_cut().is_pending());
    assert!(!flash.power_lost());
    assert!(matches!(flash.write(100, &[0u8; 8]).unwrap_err(), FlashError::PowerLost));
    assert_eq!(flash.contents()[100..108], [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF], "half of the bytes");
    assert!(!flash.power_cut().is_pending());
    assert!(flash.power_lost());
    flash.set_power_cut(PowerCut::never());
    flash.write(200, &[0]).unwrap();
}
