//! FAT for `/flash` (config block `boot_fs_type` 0) and for SD card images:
//! the firmware's boot-time defaults on both flash layouts, round trips, every
//! error with its errno, switching between LittleFS and FAT, SD images, images
//! that mtools (the reference tool) reads and writes, and what a power cut
//! during a FAT write does.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{Rng, require_debian_tool};

use pycom_board::fs::{DirEntry, Fs, FsError, FsKind, FsRegion, SdCard};
use pycom_board::{BoardModel, DeviceImage};
use pycom_flash::{Flash, PowerCut};

const BOOT_PY: &[u8] = b"# boot.py -- run on boot-up\r\n";
const MAIN_PY: &[u8] = b"# main.py -- put your code here!\r\n";
const MODELS: [BoardModel; 2] = [BoardModel::Wipy2, BoardModel::Lopy4];

/// A fresh image of `model` and where its filesystem lives.
fn image(model: BoardModel) -> (Flash, FsRegion) {
    let image = DeviceImage::in_memory(model).unwrap();
    let region = FsRegion::for_table(&image.table, model);
    (image.flash, region)
}

/// An image of `model` whose FAT `/flash` has been through the first boot.
fn booted(model: BoardModel) -> (Flash, FsRegion) {
    let (mut flash, region) = image(model);
    assert!(Fs::with_kind(&mut flash, region, FsKind::Fat).mount_or_format().unwrap());
    (flash, region)
}

fn fat(flash: &mut Flash, region: FsRegion) -> Fs<'_> {
    Fs::with_kind(flash, region, FsKind::Fat)
}

fn names(listing: &[DirEntry]) -> Vec<&str> {
    listing.iter().map(|e| e.name.as_str()).collect()
}

fn sorted(listing: &[DirEntry]) -> Vec<&str> {
    let mut names = names(listing);
    names.sort();
    names
}

fn errno<T: std::fmt::Debug>(result: Result<T, FsError>) -> i32 {
    result.unwrap_err().errno()
}

fn region_bytes(flash: &Flash, region: FsRegion) -> Vec<u8> {
    flash.contents()[region.offset as usize..(region.offset + region.size) as usize].to_vec()
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

// ---------------------------------------------------------------- first boot

#[test]
fn first_boot_formats_fat12_and_creates_the_default_files_on_both_layouts() {
    for (model, cluster) in [(BoardModel::Wipy2, 512), (BoardModel::Lopy4, 1024)] {
        let (mut flash, region) = booted(model);
        let boot = &flash.contents()[region.offset as usize..region.offset as usize + 512];
        assert_eq!(&boot[510..], &[0x55, 0xAA], "{model}");
        assert_eq!(&boot[0x36..0x3E], b"FAT12   ", "{model}");
        assert_eq!(boot[0x10], 1, "{model}: one FAT, as FatFS's f_mkfs");
        assert_eq!(u16::from_le_bytes([boot[11], boot[12]]), 512, "{model}");
        let mut fs = fat(&mut flash, region);
        assert!(!fs.mount_or_format().unwrap(), "{model}: the second boot mounts");
        assert_eq!(fs.read("/boot.py").unwrap(), BOOT_PY);
        assert_eq!(fs.read("main.py").unwrap(), MAIN_PY);
        let root = fs.list("/").unwrap();
        assert_eq!(names(&root), ["main.py", "boot.py", "sys", "lib", "cert"], "{model}: directory order");
        assert_eq!(root[0], DirEntry { name: "main.py".into(), is_dir: false, size: MAIN_PY.len() as u64 });
        assert!(root[2].is_dir);
        let usage = fs.usage().unwrap();
        assert_eq!(usage.block_size, cluster, "{model}");
        assert!(usage.blocks as u64 * cluster as u64 > region.size as u64 * 9 / 10, "{model}: {usage:?}");
        // Two files of one cluster each, three directories of one cluster each.
        assert_eq!(usage.free_blocks, usage.blocks - 5, "{model}: {usage:?}");
    }
}

#[test]
fn a_second_boot_recreates_only_what_is_missing() {
    let (mut flash, region) = booted(BoardModel::Wipy2);
    let mut fs = fat(&mut flash, region);
    fs.write("/main.py", b"print('mine')").unwrap();
    fs.remove_file("/boot.py").unwrap();
    fs.remove_dir("/cert").unwrap();
    assert!(!fs.mount_or_format().unwrap());
    assert_eq!(fs.read("/main.py").unwrap(), b"print('mine')");
    assert_eq!(fs.read("/boot.py").unwrap(), BOOT_PY);
    assert!(fs.metadata("/cert").unwrap().is_dir);
}

// ---------------------------------------------------------------- round trips

#[test]
fn files_and_directories_round_trip_and_persist() {
    for model in MODELS {
        let (mut flash, region) = booted(model);
        let big: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
        {
            let mut fs = fat(&mut flash, region);
            fs.write("/lib/util.py", b"def f(): pass\n").unwrap();
            fs.append("/lib/util.py", b"def g(): pass\n").unwrap();
            fs.append("/log.txt", b"one").unwrap();
            fs.write("/data.bin", &big).unwrap();
            fs.create_dir("/lib/A Long Directory Name").unwrap();
            fs.write("/lib/A Long Directory Name/caf\u{e9} \u{2603}.txt", b"unicode").unwrap();
            fs.write("/empty", b"").unwrap();
        }
        // A new chip from the bytes alone: everything was on the flash.
        let mut again = Flash::from_bytes(flash.contents().to_vec());
        let mut fs = fat(&mut again, region);
        assert_eq!(fs.read("/lib/util.py").unwrap(), b"def f(): pass\ndef g(): pass\n");
        assert_eq!(fs.read("/log.txt").unwrap(), b"one");
        assert_eq!(fs.read("/data.bin").unwrap(), big, "{model}");
        assert_eq!(fs.read("/LIB/a long directory name/CAF\u{c9} \u{2603}.TXT").unwrap(), b"unicode");
        assert_eq!(fs.read("/empty").unwrap(), b"");
        assert_eq!(fs.metadata("/data.bin").unwrap().size, 100_000);
        assert!(fs.metadata("/lib").unwrap().is_dir);
        assert_eq!(sorted(&fs.list("/lib").unwrap()), ["A Long Directory Name", "util.py"]);
        // Overwrite with less, then rename and move things around.
        fs.write("/data.bin", b"short").unwrap();
        assert_eq!(fs.read("/data.bin").unwrap(), b"short");
        fs.rename("/data.bin", "/lib/moved.bin").unwrap();
        fs.rename("/lib/A Long Directory Name", "/sys/dir").unwrap();
        assert_eq!(fs.read("/sys/dir/caf\u{e9} \u{2603}.txt").unwrap(), b"unicode");
        assert_eq!(errno(fs.metadata("/lib/A Long Directory Name")), 2);
        fs.rename("/log.txt", "/lib/moved.bin").unwrap();
        assert_eq!(fs.read("/lib/moved.bin").unwrap(), b"one", "rename replaces a file");
        fs.create_dir("/void").unwrap();
        fs.rename("/sys/dir", "/void").unwrap();
        assert_eq!(fs.read("/void/caf\u{e9} \u{2603}.txt").unwrap(), b"unicode", "and an empty directory");
        fs.remove_file("/void/caf\u{e9} \u{2603}.txt").unwrap();
        fs.remove_dir("/void").unwrap();
        assert_eq!(sorted(&fs.list("/").unwrap()), ["boot.py", "cert", "empty", "lib", "main.py", "sys"]);
        let usage = fs.usage().unwrap();
        assert!(usage.free_blocks > usage.blocks - 12, "{model}: freed clusters come back: {usage:?}");
    }
}

// ---------------------------------------------------------------- errors

#[test]
fn errors_carry_the_same_errno_as_on_littlefs() {
    let (mut flash, region) = booted(BoardModel::Wipy2);
    let mut fs = fat(&mut flash, region);
    fs.write("/lib/x.py", b"x").unwrap();
    assert_eq!(errno(fs.read("/nope")), 2);
    assert_eq!(errno(fs.read("/nope/x")), 2);
    assert_eq!(errno(fs.write("/nope/x", b"")), 2);
    assert_eq!(errno(fs.list("/nope")), 2);
    assert_eq!(errno(fs.remove_file("/nope")), 2);
    assert_eq!(errno(fs.rename("/nope", "/x")), 2);
    assert_eq!(errno(fs.read("")), 2);
    assert_eq!(errno(fs.create_dir("/lib")), 17);
    assert_eq!(errno(fs.create_dir("/main.py")), 17);
    assert_eq!(errno(fs.create_dir("/")), 17);
    assert_eq!(errno(fs.read("/lib")), 21);
    assert_eq!(errno(fs.write("/lib", b"")), 21);
    assert_eq!(errno(fs.remove_file("/lib")), 21);
    assert_eq!(errno(fs.rename("/main.py", "/sys")), 21);
    assert_eq!(errno(fs.list("/main.py")), 20);
    assert_eq!(errno(fs.write("/main.py/x", b"")), 20);
    assert_eq!(errno(fs.read("/main.py/x")), 20);
    assert_eq!(errno(fs.remove_dir("/main.py")), 20);
    assert_eq!(errno(fs.rename("/sys", "/main.py")), 20);
    assert_eq!(errno(fs.remove_dir("/lib")), 39);
    assert_eq!(errno(fs.rename("/sys", "/lib")), 39);
    assert_eq!(errno(fs.remove_dir("/")), 22);
    assert_eq!(errno(fs.rename("/lib", "/lib/inner")), 22);
    assert_eq!(errno(fs.write("/a*b", b"")), 22);
    assert_eq!(errno(fs.write("/a\0b", b"")), 22);
    assert_eq!(errno(fs.write(&format!("/{}", "n".repeat(300)), b"")), 36);
    assert_eq!(fs.read("/lib/x.py").unwrap(), b"x", "nothing changed");
}

#[test]
fn a_full_filesystem_says_enospc_and_still_mounts() {
    let (mut flash, region) = booted(BoardModel::Wipy2);
    let mut fs = fat(&mut flash, region);
    let free = fs.usage().unwrap().free_blocks as usize * 512;
    fs.write("/fits.bin", &vec![1; free - 2048]).unwrap();
    assert_eq!(errno(fs.write("/big.bin", &vec![2; 4096])), 28);
    assert!(fs.is_mountable());
    assert_eq!(fs.usage().unwrap().free_blocks, 0);
    fs.remove_file("/big.bin").unwrap();
    assert_eq!(fs.read("/fits.bin").unwrap().len(), free - 2048);
    assert_eq!(fs.usage().unwrap().free_blocks, 4);
    // The FAT12/16 root directory is fixed: 512 entries, two per file here
    // (fatfs writes a long-name entry even for names that fit 8.3).
    let mut made = 0;
    let full = loop {
        match fs.write(&format!("/{made}"), b"") {
            Ok(()) => made += 1,
            Err(error) => break error,
        }
    };
    assert_eq!(full.errno(), 28, "{full}");
    assert!(made > 200, "{made}");
    assert!(fs.is_mountable());
}

// ---------------------------------------------------------------- switching kinds

#[test]
fn switching_the_kind_reformats_flash_as_the_firmware_does() {
    for model in MODELS {
        let (mut flash, region) = image(model);
        let mut lfs = Fs::new(&mut flash, region);
        lfs.mount_or_format().unwrap();
        lfs.write("/mine.py", b"lfs data").unwrap();
        assert!(!fat(&mut flash, region).is_mountable(), "{model}: LittleFS is no FAT");
        let mut fs = fat(&mut flash, region);
        assert!(fs.mount_or_format().unwrap(), "{model}");
        assert_eq!(errno(fs.read("/mine.py")), 2);
        assert_eq!(fs.read("/main.py").unwrap(), MAIN_PY);
        fs.write("/mine.py", b"fat data").unwrap();
        let mut lfs = Fs::new(&mut flash, region);
        assert!(!lfs.is_mountable(), "{model}: FAT is no LittleFS");
        assert!(lfs.mount_or_format().unwrap(), "{model}");
        assert_eq!(errno(lfs.read("/mine.py")), 2);
        assert_eq!(lfs.read("/boot.py").unwrap(), BOOT_PY);
        assert_eq!(sorted(&lfs.list("/").unwrap()), ["boot.py", "cert", "lib", "main.py", "sys"]);
        assert!(!fat(&mut flash, region).is_mountable(), "{model}: and back again");
    }
}

#[test]
fn garbage_in_the_region_never_panics() {
    let (mut flash, region) = booted(BoardModel::Wipy2);
    fat(&mut flash, region).write("/lib/a.py", &[5; 3000]).unwrap();
    let good = region_bytes(&flash, region);
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..300 {
        let mut bytes = good.clone();
        // Damage the metadata area: boot sector, FAT, root and /lib directories.
        for _ in 0..(1 + round % 40) {
            let at = (rnd() % 24_576) as usize;
            bytes[at] = rnd() as u8;
        }
        if round % 50 == 0 {
            bytes.iter_mut().for_each(|b| *b = rnd() as u8);
        }
        let mut damaged = Flash::erased(region.size as usize);
        damaged.write(0, &bytes).unwrap();
        let mut fs = fat(&mut damaged, FsRegion { offset: 0, size: region.size });
        let _ = fs.is_mountable();
        for result in [fs.read("/lib/a.py").map(drop), fs.list("/lib").map(drop), fs.usage().map(drop)] {
            if let Err(FsError::Unsupported(why)) = result {
                panic!("round {round}: fatfs panicked: {why}");
            }
        }
        let _ = fs.write("/lib/b.py", b"new");
        let _ = fs.rename("/lib", "/sys/lib");
        let _ = fs.mount_or_format();
    }
}

// ---------------------------------------------------------------- SD card

#[test]
fn an_sd_card_image_is_created_written_and_reopened() {
    let dir = temp_dir();
    let path = dir.path().join("sd.img");
    {
        let mut sd = SdCard::open_or_create(&path, 32 << 20).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 32 << 20);
        assert_eq!(sd.list("/").unwrap(), []);
        sd.create_dir("/photos").unwrap();
        sd.write("/photos/Holiday Picture 1.jpg", &[0xAB; 70_000]).unwrap();
        sd.append("/log.csv", b"t,v\n").unwrap();
        sd.append("/log.csv", b"1,2\n").unwrap();
        let usage = sd.usage().unwrap();
        assert_eq!(usage.block_size, 4096, "FatFS's cluster size for 32 MiB");
        assert_eq!(errno(sd.read("/photos")), 21);
        assert_eq!(errno(sd.create_dir("/photos")), 17);
    }
    let mut sd = SdCard::open_or_create(&path, 1).unwrap();
    assert_eq!(sorted(&sd.list("/").unwrap()), ["log.csv", "photos"]);
    assert_eq!(sd.read("/log.csv").unwrap(), b"t,v\n1,2\n");
    assert_eq!(sd.read("/PHOTOS/holiday picture 1.JPG").unwrap(), vec![0xAB; 70_000]);
    assert_eq!(sd.metadata("/photos/Holiday Picture 1.jpg").unwrap().size, 70_000);
    sd.rename("/photos/Holiday Picture 1.jpg", "/p.jpg").unwrap();
    sd.remove_dir("/photos").unwrap();
    assert_eq!(sorted(&sd.list("/").unwrap()), ["log.csv", "p.jpg"]);
}

#[test]
fn an_image_without_fat_is_refused() {
    let dir = temp_dir();
    let path = dir.path().join("junk.img");
    std::fs::write(&path, vec![0x5A; 1 << 20]).unwrap();
    assert_eq!(errno(SdCard::open_or_create(&path, 1 << 20)), 5);
    std::fs::write(&path, b"tiny").unwrap();
    assert_eq!(errno(SdCard::open_or_create(&path, 1 << 20)), 5);
    assert_eq!(errno(SdCard::open_or_create(&dir.path().join("small.img"), 1000)), 22);
}

// ---------------------------------------------------------------- mtools

/// Makes sure mtools runs, installing the Debian package when missing.
fn mtools() {
    require_debian_tool("mtools", "mdir");
}

/// Runs an mtools command on `image` and returns its stdout.
fn mtool(tool: &str, image: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(tool)
        .env("MTOOLS_SKIP_CHECK", "1")
        .env("MTOOLS_NO_VFAT", "0")
        .arg("-i")
        .arg(image)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The paths `mdir -/ -b` lists, without the `::` prefix.
fn mtools_tree(image: &Path) -> Vec<String> {
    let out = String::from_utf8(mtool("mdir", image, &["-/", "-b", "::"])).unwrap();
    let mut paths: Vec<String> = out.lines().map(|l| l.trim_start_matches("::").to_string()).collect();
    paths.sort();
    paths
}

#[test]
fn mtools_reads_what_fs_and_sdcard_write() {
    mtools();
    let dir = temp_dir();
    for model in MODELS {
        let (mut flash, region) = booted(model);
        let mut fs = fat(&mut flash, region);
        fs.write("/lib/Helper Module.py", b"x = 1\n").unwrap();
        fs.create_dir("/data").unwrap();
        fs.create_dir("/data/deep").unwrap();
        fs.write("/data/deep/f.bin", &[9; 5000]).unwrap();
        fs.rename("/data/deep", "/sys/deep").unwrap();
        let image = dir.path().join(format!("flash-{model}.img"));
        std::fs::write(&image, region_bytes(&flash, region)).unwrap();
        assert_eq!(
            mtools_tree(&image),
            [
                "/boot.py",
                "/cert/",
                "/data/",
                "/lib/",
                "/lib/Helper Module.py",
                "/main.py",
                "/sys/",
                "/sys/deep/",
                "/sys/deep/f.bin"
            ],
            "{model}"
        );
        assert_eq!(mtool("mtype", &image, &["::/main.py"]), MAIN_PY);
        assert_eq!(mtool("mcopy", &image, &["::/lib/Helper Module.py", "-"]), b"x = 1\n");
        assert_eq!(mtool("mcopy", &image, &["::/sys/deep/f.bin", "-"]), vec![9; 5000]);
        // The moved directory's `..` names its new parent.
        assert_eq!(mtool("mcopy", &image, &["::/sys/deep/../deep/f.bin", "-"]).len(), 5000);
    }
    let path = dir.path().join("sd.img");
    let mut sd = SdCard::open_or_create(&path, 32 << 20).unwrap();
    sd.create_dir("/DCIM").unwrap();
    let photo: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    sd.write("/DCIM/a rather long photo name.jpg", &photo).unwrap();
    sd.write("/readme.txt", b"hello").unwrap();
    drop(sd);
    assert_eq!(mtools_tree(&path), ["/DCIM/", "/DCIM/a rather long photo name.jpg", "/readme.txt"]);
    assert_eq!(mtool("mcopy", &path, &["::/DCIM/a rather long photo name.jpg", "-"]), photo);
    assert_eq!(mtool("mcopy", &path, &["::/readme.txt", "-"]), b"hello");
}

#[test]
fn sdcard_reads_what_mtools_writes_whole_disk_or_partitioned() {
    mtools();
    let dir = temp_dir();
    let host = dir.path().join("host.txt");
    std::fs::write(&host, b"from the host\n").unwrap();
    let big = dir.path().join("big.bin");
    let big_data: Vec<u8> = (0..300_000u32).map(|i| (i * 13) as u8).collect();
    std::fs::write(&big, &big_data).unwrap();
    let made = |name: &str, sectors: &str| -> PathBuf {
        let image = dir.path().join(name);
        mtool("mformat", &image, &["-C", "-T", sectors, "::"]);
        mtool("mmd", &image, &["::/Some Dir"]);
        mtool("mcopy", &image, &[host.to_str().unwrap(), "::/Some Dir/Host File.txt"]);
        mtool("mcopy", &image, &[big.to_str().unwrap(), "::/BIG.BIN"]);
        image
    };
    for (name, sectors) in [("whole16.img", "65536"), ("whole12.img", "4096"), ("whole32.img", "1200000")] {
        let image = made(name, sectors);
        let mut sd = SdCard::open_or_create(&image, 0).unwrap();
        assert_eq!(sorted(&sd.list("/").unwrap()), ["BIG.BIN", "Some Dir"], "{name}");
        assert_eq!(sd.read("/Some Dir/Host File.txt").unwrap(), b"from the host\n", "{name}");
        assert_eq!(sd.read("/big.bin").unwrap(), big_data, "{name}");
        sd.write("/Some Dir/back.txt", b"round trip").unwrap();
        drop(sd);
        assert_eq!(mtool("mcopy", &image, &["::/Some Dir/back.txt", "-"]), b"round trip", "{name}");
    }
    // The same volume behind an MBR whose first partition starts at 1 MiB.
    let volume = std::fs::read(made("part.img", "65536")).unwrap();
    let mut disk = vec![0u8; 1 << 20];
    let entry = &mut disk[446..462];
    entry[4] = 0x06;
    entry[8..12].copy_from_slice(&2048u32.to_le_bytes());
    entry[12..16].copy_from_slice(&65536u32.to_le_bytes());
    disk[510] = 0x55;
    disk[511] = 0xAA;
    disk.extend_from_slice(&volume);
    let image = dir.path().join("mbr.img");
    std::fs::write(&image, &disk).unwrap();
    let mut sd = SdCard::open_or_create(&image, 0).unwrap();
    assert_eq!(sd.volume_size(), 32 << 20);
    assert_eq!(sd.read("/Some Dir/Host File.txt").unwrap(), b"from the host\n");
    sd.write("/new.txt", b"in the partition").unwrap();
    drop(sd);
    let after = std::fs::read(&image).unwrap();
    assert_eq!(after[..1 << 20], disk[..1 << 20], "the MBR area is untouched");
    let extracted = dir.path().join("extracted.img");
    std::fs::write(&extracted, &after[1 << 20..]).unwrap();
    assert_eq!(mtool("mcopy", &extracted, &["::/new.txt", "-"]), b"in the partition");
}

// ---------------------------------------------------------------- power cuts

/// What a power cut during a FAT write leaves. Unlike LittleFS, FAT updates
/// in place: this measures, and asserts only that nothing panics.
#[test]
fn power_cuts_during_fat_writes_are_measured() {
    const REGION: FsRegion = FsRegion { offset: 0, size: 127 * 4096 };
    let mut rng = Rng(0xfa7);
    let mut flash = Flash::erased(REGION.size as usize);
    fat(&mut flash, REGION).mount_or_format().unwrap();
    let names = ["/a.txt", "/b.bin", "/lib/c.py", "/d", "/e.json"];
    let mut model: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    let (mut cuts, mut unmountable, mut panics) = (0, 0, 0);
    let (mut old, mut new, mut empty, mut torn, mut others_damaged) = (0, 0, 0, 0, 0);
    let steps = 150;
    for step in 0..steps {
        let name = names[step % names.len()];
        let len = (rng.next() % 12_000) as usize;
        let data: Vec<u8> = (0..len).map(|i| (i + step) as u8).collect();
        let mut probe = Flash::from_bytes(flash.contents().to_vec());
        let before = probe.stats();
        fat(&mut probe, REGION).write(name, &data).unwrap();
        let after = probe.stats();
        let calls = after.program_calls + after.sectors_erased - before.program_calls - before.sectors_erased;
        for k in 0..calls {
            let mut cut = Flash::from_bytes(flash.contents().to_vec());
            cut.set_power_cut(PowerCut::after_calls(k));
            assert!(fat(&mut cut, REGION).write(name, &data).is_err(), "step {step} cut {k}");
            cuts += 1;
            let mut back = Flash::from_bytes(cut.contents().to_vec());
            let mut fs = fat(&mut back, REGION);
            if !fs.is_mountable() {
                unmountable += 1;
                continue;
            }
            let found = fs.read(name);
            if let Err(FsError::Unsupported(_)) = found {
                panics += 1;
            }
            match found.ok() {
                f if f.as_ref() == model.get(name) => old += 1,
                Some(f) if f == data => new += 1,
                Some(f) if f.is_empty() => empty += 1,
                _ => torn += 1,
            }
            let damaged =
                model.iter().any(|(other, expected)| *other != name && fs.read(other).ok().as_ref() != Some(expected));
            others_damaged += usize::from(damaged);
        }
        flash = probe;
        model.insert(name, data);
    }
    println!(
        "FAT /flash power-cut sweep: {steps} writes, {cuts} cut points: {unmountable} unmountable; \
         written file old {old}, new {new}, empty {empty}, torn or unreadable {torn}; \
         another file damaged at {others_damaged}; fatfs panics caught {panics}"
    );
    assert!(cuts > 500, "{cuts}");
}
