//! An image file belongs to one chip at a time, and whole new images replace
//! the old one in a single step.

use pycom_flash::{Existing, Flash, FlashError, SECTOR_SIZE};

fn image_with(dir: &tempfile::TempDir, byte: u8) -> std::path::PathBuf {
    let path = dir.path().join("dev.bin");
    std::fs::write(&path, vec![byte; 2 * SECTOR_SIZE]).unwrap();
    path
}

#[test]
fn an_open_image_is_refused_to_a_second_opener_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let path = image_with(&dir, 0xFF);
    let first = Flash::open_file(&path).unwrap();
    match Flash::open_file(&path) {
        Err(FlashError::Locked { path: locked, holder, command }) => {
            assert_eq!(locked, path);
            assert_eq!(holder, Some(std::process::id()), "the holder is this test process");
            assert!(command.is_some());
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    let message = Flash::open_file(&path).unwrap_err().to_string();
    assert!(message.starts_with(&format!("image {} is in use by process {}", path.display(), std::process::id())));
    drop(first);
    Flash::open_file(&path).expect("the lock ends with the chip");
}

#[test]
fn an_image_in_use_cannot_be_replaced_but_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = image_with(&dir, 0x5A);
    let _held = Flash::open_file(&path).unwrap();
    let replaced = Flash::erased(2 * SECTOR_SIZE).save_as(&path, Existing::Replace);
    assert!(matches!(replaced, Err(FlashError::Locked { .. })));
    assert!(std::fs::read(&path).unwrap().iter().all(|&b| b == 0x5A), "the image is untouched");
    assert_eq!(Flash::read_file(&path).unwrap().contents()[0], 0x5A);
}

#[test]
fn a_new_image_never_replaces_one_that_exists_when_told_to_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = image_with(&dir, 0x5A);
    let kept = Flash::erased(2 * SECTOR_SIZE).save_as(&path, Existing::Keep);
    assert!(matches!(kept, Err(FlashError::AlreadyExists { .. })));
    assert!(std::fs::read(&path).unwrap().iter().all(|&b| b == 0x5A));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["dev.bin"], "no temporary file is left behind");
}

#[test]
fn replacing_the_contents_keeps_the_image_locked() {
    let dir = tempfile::tempdir().unwrap();
    let path = image_with(&dir, 0xFF);
    let mut flash = Flash::open_file(&path).unwrap();
    flash.replace_contents(vec![0x11; 2 * SECTOR_SIZE]).unwrap();
    assert!(std::fs::read(&path).unwrap().iter().all(|&b| b == 0x11));
    assert!(matches!(Flash::open_file(&path), Err(FlashError::Locked { .. })));
    flash.write(0, &[0x01]).unwrap();
    assert_eq!(std::fs::read(&path).unwrap()[0], 0x01, "writes go to the new file");
    assert!(matches!(flash.replace_contents(vec![0; 10]), Err(FlashError::OutOfBounds { .. })));
}
