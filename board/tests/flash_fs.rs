//! The `/flash` filesystem read as a specification: the firmware's boot-time
//! defaults on both flash layouts, file and directory round trips, every error
//! with its errno, a full filesystem, garbage in the region, and images that
//! littlefs-python (the reference tool) reads and writes.

mod support;

use std::path::Path;
use std::process::Command;
use support::python_with;

use pycom_board::fs::{DirEntry, Fs, FsError, FsRegion, FsUsage, Metadata};
use pycom_board::{BoardModel, DeviceImage};
use pycom_flash::{Flash, PowerCut};

const BOOT_PY: &[u8] = b"# boot.py -- run on boot-up\r\n";
const MAIN_PY: &[u8] = b"# main.py -- put your code here!\r\n";

/// A fresh image of `model` and where its filesystem lives.
fn image(model: BoardModel) -> (Flash, FsRegion) {
    let image = DeviceImage::in_memory(model).unwrap();
    let region = FsRegion::for_table(&image.table, model);
    (image.flash, region)
}

/// A 4 MB image whose filesystem has been through the first boot.
fn booted() -> (Flash, FsRegion) {
    let (mut flash, region) = image(BoardModel::Wipy2);
    Fs::new(&mut flash, region).mount_or_format().unwrap();
    (flash, region)
}

fn names(listing: &[DirEntry]) -> Vec<&str> {
    listing.iter().map(|e| e.name.as_str()).collect()
}

fn file(name: &str, size: u64) -> DirEntry {
    DirEntry { name: name.into(), is_dir: false, size }
}

fn dir(name: &str) -> DirEntry {
    DirEntry { name: name.into(), is_dir: true, size: 0 }
}

fn errno<T: std::fmt::Debug>(result: Result<T, FsError>) -> i32 {
    result.unwrap_err().errno()
}

fn region_bytes(flash: &Flash, region: FsRegion) -> Vec<u8> {
    flash.contents()[region.offset as usize..(region.offset + region.size) as usize].to_vec()
}

fn splice(flash: &mut Flash, region: FsRegion, bytes: &[u8]) {
    assert_eq!(bytes.len(), region.size as usize);
    flash.erase_and_write(region.offset, bytes).unwrap();
}

// ---------------------------------------------------------------- regions

#[test]
fn the_region_is_the_fs_partition_on_4mb_boards_and_the_upper_half_on_8mb_boards() {
    for model in [BoardModel::Wipy2, BoardModel::Sipy] {
        assert_eq!(image(model).1, FsRegion { offset: 0x38_0000, size: 0x7_F000 }, "{model}");
    }
    for model in [BoardModel::Lopy4, BoardModel::Wipy3, BoardModel::Fipy, BoardModel::Gpy] {
        assert_eq!(image(model).1, FsRegion { offset: 0x40_0000, size: 0x40_0000 }, "{model}");
    }
}

#[test]
fn a_region_of_another_size_is_unsupported() {
    let mut flash = Flash::erased(4 << 20);
    let mut fs = Fs::new(&mut flash, FsRegion { offset: 0x38_0000, size: 0x1_0000 });
    assert!(matches!(fs.mount_or_format(), Err(FsError::Unsupported(_))));
    let mut outside = Fs::new(&mut flash, FsRegion { offset: 0x40_0000, size: 0x7_F000 });
    assert_eq!(errno(outside.format()), 22);
}

// ---------------------------------------------------------------- first boot

#[test]
fn first_boot_on_a_4mb_board_formats_and_creates_the_default_files() {
    let (mut flash, region) = image(BoardModel::Wipy2);
    let mut fs = Fs::new(&mut flash, region);
    assert!(!fs.is_mountable());
    assert!(fs.mount_or_format().unwrap(), "erased flash must be formatted");
    assert!(fs.is_mountable());
    assert_eq!(
        fs.list("/").unwrap(),
        [
            file("boot.py", BOOT_PY.len() as u64),
            dir("cert"),
            dir("lib"),
            file("main.py", MAIN_PY.len() as u64),
            dir("sys")
        ]
    );
    assert_eq!(fs.read("/boot.py").unwrap(), BOOT_PY);
    assert_eq!(fs.read("/main.py").unwrap(), MAIN_PY);
    assert_eq!(fs.usage().unwrap().blocks, 127);
}

#[test]
fn first_boot_on_an_8mb_board_formats_the_upper_4mb() {
    let (mut flash, region) = image(BoardModel::Lopy4);
    let mut fs = Fs::new(&mut flash, region);
    assert!(fs.mount_or_format().unwrap());
    assert_eq!(names(&fs.list("/").unwrap()), ["boot.py", "cert", "lib", "main.py", "sys"]);
    assert_eq!(fs.read("/main.py").unwrap(), MAIN_PY);
    assert_eq!(fs.usage().unwrap().blocks, 1024);
    // Nothing below the region was touched (past the factory firmware of a new
    // image, the slots are erased; the config block sits at 0x3FF000).
    assert!(flash.contents()[0x8_0000..0x40_0000].iter().all(|&b| b == 0xFF));
}

#[test]
fn later_boots_keep_user_files_and_recreate_only_what_is_missing() {
    let (mut flash, region) = booted();
    let mut fs = Fs::new(&mut flash, region);
    fs.write("/main.py", b"print('mine')").unwrap();
    fs.remove_file("/boot.py").unwrap();
    fs.remove_dir("/cert").unwrap();
    assert!(!fs.mount_or_format().unwrap(), "a mountable filesystem is not formatted");
    assert_eq!(fs.read("/main.py").unwrap(), b"print('mine')");
    assert_eq!(fs.read("/boot.py").unwrap(), BOOT_PY);
    assert!(fs.metadata("/cert").unwrap().is_dir);
}

#[test]
fn a_directory_where_boot_py_belongs_is_left_alone() {
    let (mut flash, region) = booted();
    let mut fs = Fs::new(&mut flash, region);
    fs.remove_file("/boot.py").unwrap();
    fs.create_dir("/boot.py").unwrap();
    fs.mount_or_format().unwrap();
    assert!(fs.metadata("/boot.py").unwrap().is_dir);
}

// ---------------------------------------------------------------- round trips

#[test]
fn files_round_trip_through_write_append_and_read() {
    let (mut flash, region) = booted();
    let mut fs = Fs::new(&mut flash, region);
    fs.write("/lib/util.py", b"x = 1\n").unwrap();
    fs.append("/lib/util.py", b"y = 2\n").unwrap();
    assert_eq!(fs.read("/lib/util.py").unwrap(), b"x = 1\ny = 2\n");
    fs.write("/lib/util.py", b"z").unwrap();
    assert_eq!(fs.read("/lib/util.py").unwrap(), b"z", "write truncates");
    fs.append("/log.txt", b"first").unwrap();
    assert_eq!(fs.read("/log.txt").unwrap(), b"first", "append creates");
    fs.write("/empty", b"").unwrap();
    assert_eq!(fs.metadata("/empty").unwrap(), Metadata { is_dir: false, size: 0 });

    let big: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    fs.write("/big.bin", &big).unwrap();
    assert_eq!(fs.read("/big.bin").unwrap(), big);
    assert_eq!(fs.metadata("/big.bin").unwrap(), Metadata { is_dir: false, size: 100_000 });
}

#[test]
fn directories_list_create_and_remove() {
    let (mut flash, region) = booted();
    let mut fs = Fs::new(&mut flash, region);
    fs.create_dir("/lib/net").unwrap();
    fs.write("/lib/net/mqtt.py", b"import socket").unwrap();
    fs.write("/lib/a.py", b"").unwrap();
    assert_eq!(fs.list("/lib").unwrap(), [file("a.py", 0), dir("net")]);
    assert_eq!(fs.list("/lib/net").unwrap(), [file("mqtt.py", 13)]);
    assert_eq!(fs.metadata("/lib/net").unwrap(), Metadata { is_dir: true, size: 0 });
    assert_eq!(fs.metadata("/").unwrap(), Metadata { is_dir: true, size: 0 });
    fs.remove_file("/lib/net/mqtt.py").unwrap();
    fs.remove_dir("/lib/net").unwrap();
    assert_eq!(names(&fs.list("/lib").unwrap()), ["a.py"]);
}

#[test]
fn rename_moves_files_and_directories_and_replaces_a_file() {
    let (mut flash, region) = booted();
    let mut fs = Fs::new(&mut flash, region);
    fs.write("/a.txt", b"A").unwrap();
    fs.rename("/a.txt", "/lib/b.txt").unwrap();
    assert_eq!(errno(fs.read("/a.txt")), 2);
    assert_eq!(fs.read("/lib/b.txt").unwrap(), b"A");
    fs.rename("/lib/b.txt", "/main.py").unwrap();
    assert_eq!(fs.read("/main.py").unwrap(), b"A", "the target file is replaced");
    fs.rename("/lib", "/sys/lib2").unwrap();
    assert!(fs.metadata("/sys/lib2").unwrap().is_dir);
    assert_eq!(errno(fs.metadata("/lib")), 2);
}

#[test]
fn paths_are_normalised_lexically() {
    let (mut flash, region) = booted();
    let mut fs = Fs::new(&mut flash, region);
    fs.write("lib//./x.py", b"1").unwrap();
    assert_eq!(fs.read("/sys/../lib/x.py").unwrap(), b"1");
    assert_eq!(fs.read("/../../lib/x.py").unwrap(), b"1", ".. stops at the root");
    assert_eq!(names(&fs.list("/lib/").unwrap()), ["x.py"]);
}

#[test]
fn everything_persists_in_a_fresh_fs_on_the_same_flash() {
    let (mut flash, region) = booted();
    {
        let mut fs = Fs::new(&mut flash, region);
        fs.create_dir("/data").unwrap();
        fs.write("/data/n.txt", b"42").unwrap();
    }
    let mut again = Fs::new(&mut flash, region);
    assert!(!again.mount_or_format().unwrap());
    assert_eq!(again.read("/data/n.txt").unwrap(), b"42");
}

// ---------------------------------------------------------------- errors

#[test]
fn each_error_carries_its_errno() {
    let (mut flash, region) = booted();
    let mut fs = Fs::new(&mut flash, region);
    fs.write("/lib/full/x", b"").unwrap_err();
    fs.create_dir("/lib/full").unwrap();
    fs.write("/lib/full/x", b"1").unwrap();

    assert_eq!(errno(fs.read("/missing.py")), 2, "ENOENT");
    assert_eq!(errno(fs.write("/nodir/x.py", b"")), 2, "ENOENT: parent missing");
    assert_eq!(errno(fs.list("/nodir")), 2);
    assert_eq!(errno(fs.remove_file("/missing")), 2);
    assert_eq!(errno(fs.rename("/missing", "/x")), 2);
    assert_eq!(errno(fs.read("")), 2, "the empty path");

    assert_eq!(errno(fs.create_dir("/lib")), 17, "EEXIST");
    assert_eq!(errno(fs.create_dir("/main.py")), 17);
    assert_eq!(errno(fs.create_dir("/")), 17);

    assert_eq!(errno(fs.list("/main.py")), 20, "ENOTDIR");
    assert_eq!(errno(fs.read("/main.py/x")), 20);
    assert_eq!(errno(fs.remove_dir("/main.py")), 20);
    assert_eq!(errno(fs.rename("/lib", "/main.py")), 20);

    assert_eq!(errno(fs.read("/lib")), 21, "EISDIR");
    assert_eq!(errno(fs.write("/lib", b"x")), 21);
    assert_eq!(errno(fs.remove_file("/lib")), 21);
    assert_eq!(errno(fs.rename("/main.py", "/sys")), 21);

    assert_eq!(errno(fs.remove_dir("/lib")), 39, "ENOTEMPTY");
    assert_eq!(errno(fs.rename("/sys", "/lib")), 39);

    assert_eq!(errno(fs.read("/a\0b")), 22, "EINVAL: NUL");
    assert_eq!(errno(fs.remove_dir("/")), 22);
    assert_eq!(errno(fs.rename("/lib", "/lib/full/inner")), 22, "into itself");
    assert_eq!(errno(fs.rename("/", "/x")), 22);
    assert!(matches!(fs.write("/caf\u{e9}.py", b""), Err(FsError::Unsupported(_))), "littlefs2 paths are ASCII");

    assert_eq!(errno(fs.write(&format!("/{}", "n".repeat(255)), b"")), 36, "ENAMETOOLONG");
    assert_eq!(errno(fs.create_dir(&format!("/lib/{}", "d".repeat(251)))), 36);
    fs.write(&format!("/{}", "n".repeat(254)), b"ok").unwrap();
}

#[test]
fn an_unmountable_region_reports_eio_until_it_is_formatted() {
    let (mut flash, region) = image(BoardModel::Sipy);
    let mut fs = Fs::new(&mut flash, region);
    assert_eq!(errno(fs.read("/main.py")), 5);
    assert!(matches!(fs.list("/"), Err(FsError::Corrupt)));
    assert!(matches!(fs.usage(), Err(FsError::Corrupt)));
    fs.format().unwrap();
    assert_eq!(fs.list("/").unwrap(), [], "format alone creates no files");
}

#[test]
fn a_flash_failure_is_reported_as_such() {
    let (mut flash, region) = booted();
    flash.set_power_cut(PowerCut::after(0));
    let mut fs = Fs::new(&mut flash, region);
    let error = fs.write("/x", &[1; 5000]).unwrap_err();
    assert!(matches!(error, FsError::Flash(_)), "{error:?}");
    assert_eq!(error.errno(), 5);
    // A flash that fails is not "unformatted": boot does not format it.
    assert!(matches!(fs.mount_or_format(), Err(FsError::Flash(_))));
}

// ---------------------------------------------------------------- space

#[test]
fn usage_counts_blocks() {
    let (mut flash, region) = booted();
    let mut fs = Fs::new(&mut flash, region);
    let fresh = fs.usage().unwrap();
    assert_eq!((fresh.block_size, fresh.blocks), (4096, 127));
    // Root and /sys, /lib, /cert metadata pairs: 8 blocks; boot.py/main.py are inlined.
    assert_eq!(fresh.free_blocks, 127 - 8);
    fs.write("/data.bin", &[0x55; 40_960]).unwrap();
    let used = fs.usage().unwrap();
    // 10 blocks of data and one more for the pointers of littlefs's CTZ skip-list.
    assert_eq!(used, FsUsage { block_size: 4096, blocks: 127, free_blocks: fresh.free_blocks - 11 });
    fs.remove_file("/data.bin").unwrap();
    assert_eq!(fs.usage().unwrap(), fresh);
}

#[test]
fn a_full_filesystem_says_enospc_and_stays_readable() {
    let (mut flash, region) = booted();
    let mut fs = Fs::new(&mut flash, region);
    fs.write("/keep.txt", b"keep me").unwrap();
    let chunk = vec![0xA5; 16 * 1024];
    let mut written = 0;
    let error = loop {
        match fs.append("/fill.bin", &chunk) {
            Ok(()) => written += chunk.len(),
            Err(error) => break error,
        }
        assert!(written < 0x7F000, "the region cannot hold more than its size");
    };
    assert!(matches!(error, FsError::NoSpace), "{error:?}");
    assert_eq!(error.errno(), 28);
    assert!(written > 400 * 1024, "only {written} bytes fitted");
    assert_eq!(errno(fs.write("/more.txt", &[1; 8192])), 28);

    assert_eq!(fs.read("/keep.txt").unwrap(), b"keep me");
    assert_eq!(fs.read("/fill.bin").unwrap().len(), written, "the failed append left the file as it was");
    assert_eq!(fs.read("/main.py").unwrap(), MAIN_PY);
    fs.remove_file("/fill.bin").unwrap();
    fs.write("/more.txt", &[1; 8192]).unwrap();
    assert!(!fs.mount_or_format().unwrap());
}

#[test]
fn garbage_in_the_region_is_formatted_at_boot() {
    let (mut flash, region) = image(BoardModel::Wipy2);
    let mut state = 0x1234_5678_u32;
    let garbage: Vec<u8> = (0..region.size)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    splice(&mut flash, region, &garbage);
    let mut fs = Fs::new(&mut flash, region);
    assert!(!fs.is_mountable());
    assert_eq!(errno(fs.list("/")), 5);
    assert!(fs.mount_or_format().unwrap());
    fs.write("/lib/after.py", b"ok").unwrap();
    assert_eq!(fs.read("/lib/after.py").unwrap(), b"ok");
    assert_eq!(names(&fs.list("/").unwrap()), ["boot.py", "cert", "lib", "main.py", "sys"]);
}

// ---------------------------------------------------------------- littlefs-python

/// Runs `script` with littlefs-python; `sys.argv[1:]` are `args`. Returns stdout.
fn littlefs_python(script: &str, args: &[&Path]) -> String {
    let python = python_with("littlefs-python==0.19.0");
    let output = Command::new(python).arg("-c").arg(script).args(args).output().unwrap();
    assert!(output.status.success(), "littlefs-python failed:\n{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// Mounts argv[1] (a region image), prints every directory and file with its
/// contents in hex, then adds /py/hello.txt and writes the image back. With
/// argv[2] = "2.0" it keeps the on-disk version; with "default" littlefs 2.11
/// upgrades the image to version 2.1 on its first write.
const READ_AND_ADD: &str = r##"
import sys, littlefs
data = open(sys.argv[1], "rb").read()
version = 0x20000 if sys.argv[2] == "2.0" else 0
fs = littlefs.LittleFS(block_size=4096, block_count=len(data) // 4096, mount=False, disk_version=version)
fs.context.buffer = bytearray(data)
fs.mount()
for top, dirs, files in fs.walk("/"):
    for d in sorted(dirs):
        print("D", (top.rstrip("/") + "/" + d))
    for f in sorted(files):
        path = top.rstrip("/") + "/" + f
        with fs.open(path, "rb") as fh:
            print("F", path, fh.read().hex())
fs.mkdir("py")
with fs.open("py/hello.txt", "wb") as fh:
    fh.write(b"hello from python")
with fs.open("main.py", "ab") as fh:
    fh.write(b"# appended\n")
fs.unmount()
open(sys.argv[1], "wb").write(fs.context.buffer)
"##;

/// Makes a 127-block image at argv[1] with files and a directory; argv[2] is
/// the on-disk version ("2.0" or "2.1").
const MAKE_IMAGE: &str = r##"
import sys, littlefs
major, minor = (int(x) for x in sys.argv[2].split("."))
fs = littlefs.LittleFS(block_size=4096, block_count=127, disk_version=(major << 16) | minor)
with fs.open("main.py", "w") as fh:
    fh.write("print('made by littlefs-python')\n")
fs.mkdir("lib")
fs.mkdir("lib/pkg")
with fs.open("lib/pkg/data.bin", "wb") as fh:
    fh.write(bytes(range(256)) * 40)
fs.unmount()
open(sys.argv[1], "wb").write(fs.context.buffer)
"##;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn littlefs_python_reads_and_extends_what_fs_wrote() {
    let (mut flash, region) = booted();
    let mut fs = Fs::new(&mut flash, region);
    fs.create_dir("/lib/net").unwrap();
    fs.write("/lib/net/conf.json", b"{\"ssid\": \"x\"}").unwrap();
    let big: Vec<u8> = (0..20_000u32).map(|i| (i % 253) as u8).collect();
    fs.write("/data.bin", &big).unwrap();

    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = tmp.path().join("fs.bin");
    let original = region_bytes(&flash, region);
    std::fs::write(&path, &original).unwrap();
    let seen = littlefs_python(READ_AND_ADD, &[&path, Path::new("2.0")]);
    let expected = [
        "D /cert".to_string(),
        "D /lib".into(),
        "D /sys".into(),
        format!("F /boot.py {}", hex(BOOT_PY)),
        format!("F /data.bin {}", hex(&big)),
        format!("F /main.py {}", hex(MAIN_PY)),
        "D /lib/net".into(),
        format!("F /lib/net/conf.json {}", hex(b"{\"ssid\": \"x\"}")),
    ];
    assert_eq!(seen.lines().collect::<Vec<_>>(), expected);

    // ... and what littlefs-python wrote back, Fs reads and keeps writing to.
    splice(&mut flash, region, &std::fs::read(&path).unwrap());
    let mut fs = Fs::new(&mut flash, region);
    assert!(!fs.mount_or_format().unwrap());
    assert_eq!(fs.read("/py/hello.txt").unwrap(), b"hello from python");
    assert_eq!(fs.read("/main.py").unwrap(), [MAIN_PY, b"# appended\n"].concat());
    assert_eq!(fs.read("/data.bin").unwrap(), big);
    fs.append("/py/hello.txt", b", and Fs").unwrap();
    assert_eq!(fs.read("/py/hello.txt").unwrap(), b"hello from python, and Fs");

    // Told nothing, littlefs-python upgrades the image to version 2.1 as it
    // writes, and then neither the board nor Fs can mount it.
    std::fs::write(&path, &original).unwrap();
    littlefs_python(READ_AND_ADD, &[&path, Path::new("default")]);
    splice(&mut flash, region, &std::fs::read(&path).unwrap());
    assert!(!Fs::new(&mut flash, region).is_mountable());
}

#[test]
fn fs_reads_a_version_2_0_image_made_by_littlefs_python() {
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = tmp.path().join("made.bin");
    littlefs_python(MAKE_IMAGE, &[&path, Path::new("2.0")]);
    let (mut flash, region) = image(BoardModel::Sipy);
    splice(&mut flash, region, &std::fs::read(&path).unwrap());

    let mut fs = Fs::new(&mut flash, region);
    assert_eq!(fs.list("/").unwrap(), [dir("lib"), file("main.py", 33)]);
    assert_eq!(fs.read("/main.py").unwrap(), b"print('made by littlefs-python')\n");
    assert_eq!(fs.list("/lib").unwrap(), [dir("pkg")]);
    let expected: Vec<u8> = (0..40).flat_map(|_| 0..=255u8).collect();
    assert_eq!(fs.read("/lib/pkg/data.bin").unwrap(), expected);
    // Booting adds only what is missing.
    assert!(!fs.mount_or_format().unwrap());
    assert_eq!(names(&fs.list("/").unwrap()), ["boot.py", "cert", "lib", "main.py", "sys"]);
    assert_eq!(fs.read("/main.py").unwrap(), b"print('made by littlefs-python')\n");
}

#[test]
fn a_version_2_1_image_does_not_mount_as_on_the_board() {
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = tmp.path().join("v21.bin");
    littlefs_python(MAKE_IMAGE, &[&path, Path::new("2.1")]);
    let (mut flash, region) = image(BoardModel::Sipy);
    splice(&mut flash, region, &std::fs::read(&path).unwrap());

    let mut fs = Fs::new(&mut flash, region);
    assert!(!fs.is_mountable());
    assert_eq!(errno(fs.read("/main.py")), 5);
    assert!(fs.mount_or_format().unwrap(), "the firmware reformats what it cannot mount");
    assert_eq!(fs.read("/main.py").unwrap(), MAIN_PY);
}

/// A 127-block version 2.0 image at argv[1] with names littlefs2 cannot take:
/// a non-ASCII one, and a directory whose entry's full path exceeds 255 bytes.
const MAKE_AWKWARD_IMAGE: &str = r##"
import sys, littlefs
fs = littlefs.LittleFS(block_size=4096, block_count=127, disk_version=0x20000)
with fs.open("caf\u00e9.txt", "w") as fh:
    fh.write("x")
fs.mkdir("d" * 200)
with fs.open("d" * 200 + "/" + "f" * 100, "w") as fh:
    fh.write("y")
fs.unmount()
open(sys.argv[1], "wb").write(fs.context.buffer)
"##;

#[test]
fn names_littlefs2_cannot_carry_are_listed_or_refused_without_a_crash() {
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = tmp.path().join("awkward.bin");
    littlefs_python(MAKE_AWKWARD_IMAGE, &[&path]);
    let (mut flash, region) = image(BoardModel::Wipy2);
    splice(&mut flash, region, &std::fs::read(&path).unwrap());

    let mut fs = Fs::new(&mut flash, region);
    assert_eq!(names(&fs.list("/").unwrap()), ["caf\u{e9}.txt", &"d".repeat(200)]);
    assert!(matches!(fs.read("/caf\u{e9}.txt"), Err(FsError::Unsupported(_))));
    let long_dir = format!("/{}", "d".repeat(200));
    // The directory lists; its entry's 302-byte path is refused by length.
    assert_eq!(fs.list(&long_dir).unwrap(), [file(&"f".repeat(100), 1)]);
    let too_long = fs.read(&format!("{long_dir}/{}", "f".repeat(100))).unwrap_err();
    assert_eq!(too_long.to_string(), "path too long: 302 bytes, LittleFS takes 255 (ENAMETOOLONG)");
    // The filesystem is still there and usable.
    assert!(!fs.mount_or_format().unwrap());
    assert_eq!(fs.read("/main.py").unwrap(), MAIN_PY);
}

#[test]
fn a_directory_is_not_renamed_so_that_a_path_below_it_passes_255_bytes() {
    let (mut flash, region) = booted();
    let mut fs = Fs::new(&mut flash, region);
    let name = "d".repeat(60);
    let deepest = format!("/top/{name}/{name}/{name}/leaf.txt"); // 196 bytes
    fs.create_dir("/top").unwrap();
    for depth in 1..=3 {
        fs.create_dir(&format!("/top{}", format!("/{name}").repeat(depth))).unwrap();
    }
    fs.write(&deepest, b"deep").unwrap();

    // 200 bytes more on `top` would put leaf.txt at 399 bytes.
    let longer = format!("/{}", "t".repeat(206));
    let refused = fs.rename("/top", &longer).unwrap_err();
    assert_eq!(refused.errno(), 36);
    assert_eq!(refused.to_string(), "path too long: 399 bytes, LittleFS takes 255 (ENAMETOOLONG)");
    assert_eq!(fs.read(&deepest).unwrap(), b"deep", "nothing moved");

    // With leaf.txt at exactly 255 bytes, the rename is done.
    let longest = format!("/{}", "t".repeat(62));
    fs.rename("/top", &longest).unwrap();
    let moved = format!("{longest}/{name}/{name}/{name}/leaf.txt");
    assert_eq!(moved.len(), 255);
    assert_eq!(fs.read(&moved).unwrap(), b"deep");
}

/// Renames argv[2] to argv[3] in the version 2.0 region image argv[1]:
/// littlefs checks neither path below the directory it moves.
const RENAME: &str = r##"
import sys, littlefs
data = open(sys.argv[1], "rb").read()
fs = littlefs.LittleFS(block_size=4096, block_count=len(data) // 4096, mount=False, disk_version=0x20000)
fs.context.buffer = bytearray(data)
fs.mount()
fs.rename(sys.argv[2], sys.argv[3])
fs.unmount()
open(sys.argv[1], "wb").write(fs.context.buffer)
"##;

#[test]
fn paths_past_255_bytes_on_an_image_from_another_tool_are_listed_up_to_them_and_refused() {
    let (mut flash, region) = booted();
    let name = "d".repeat(60);
    let mut fs = Fs::new(&mut flash, region);
    fs.create_dir("/top").unwrap();
    fs.create_dir(&format!("/top/{name}")).unwrap();
    fs.create_dir(&format!("/top/{name}/{name}")).unwrap();
    fs.write(&format!("/top/{name}/{name}/leaf.txt"), b"deep").unwrap();

    // littlefs-python moves /top to a 207-byte path, so its grandchild ends
    // at 207 + 61 + 61 = 329 bytes and leaf.txt at 338.
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let path = tmp.path().join("fs.bin");
    std::fs::write(&path, region_bytes(&flash, region)).unwrap();
    let long = format!("/{}", "t".repeat(206));
    littlefs_python(RENAME, &[&path, Path::new("/top"), Path::new(&long)]);
    splice(&mut flash, region, &std::fs::read(&path).unwrap());

    // Every directory whose own path fits is listed, whatever its entries' length...
    let mut fs = Fs::new(&mut flash, region);
    assert!(names(&fs.list("/").unwrap()).contains(&&long[1..]));
    assert_eq!(fs.list(&long).unwrap(), [dir(&name)]);
    // ... and a path past 255 bytes is refused with its length.
    let child = format!("{long}/{name}");
    let refused = fs.list(&child).unwrap_err();
    assert_eq!(refused.to_string(), "path too long: 268 bytes, LittleFS takes 255 (ENAMETOOLONG)");
    assert_eq!(refused.errno(), 36);
    let leaf = format!("{child}/{name}/leaf.txt");
    assert!(matches!(fs.read(&leaf), Err(FsError::PathTooLong { bytes: 338 })));
    assert!(matches!(fs.remove_dir(&child), Err(FsError::PathTooLong { bytes: 268 })));
    // Moved back under a short name, everything is reachable again.
    fs.rename(&long, "/top").unwrap();
    assert_eq!(fs.read(&format!("/top/{name}/{name}/leaf.txt")).unwrap(), b"deep");
}
