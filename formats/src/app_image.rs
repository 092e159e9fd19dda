//! The ESP32 app image (`esp_image_header_t`, esptool's "image v1"): what
//! ESP-IDF's `esp_image_verify` checks before the bootloader runs an image or
//! `pycom.ota_verify()` accepts one, and a builder for small valid images.
//!
//! Layout (spec/flash-formats.md section 3): a 24-byte header, then
//! `segment_count` segments (u32 load address, u32 length, data), zero padding
//! up to a byte at offset 15 mod 16 holding the XOR checksum (seed 0xEF) of all
//! segment data, then, if `hash_appended` is 1, the SHA-256 of every byte
//! before it.

use sha2::{Digest, Sha256};

/// First byte of every image (`ESP_IMAGE_HEADER_MAGIC`).
pub const IMAGE_MAGIC: u8 = 0xE9;
/// Length of `esp_image_header_t`.
pub const HEADER_LEN: usize = 24;
/// Length of a segment header (load address + data length).
pub const SEGMENT_HEADER_LEN: usize = 8;
/// Most segments an image may have (`ESP_IMAGE_MAX_SEGMENTS`).
pub const MAX_SEGMENTS: usize = 16;
/// Segments of 16 MiB or more are refused.
pub const MAX_SEGMENT_LEN: usize = 16 << 20;
/// Start value of the XOR checksum (`ESP_ROM_CHECKSUM_INITIAL`).
pub const CHECKSUM_SEED: u8 = 0xEF;
/// Length of the appended SHA-256 digest.
pub const HASH_LEN: usize = 32;
/// `chip_id` of the ESP32 in the extended header.
pub const CHIP_ID_ESP32: u16 = 0;
/// `ESP_APP_DESC_MAGIC_WORD`, first word of `esp_app_desc_t`.
pub const APP_DESC_MAGIC: u32 = 0xABCD_5432;
/// Length of `esp_app_desc_t`.
pub const APP_DESC_LEN: usize = 256;
/// Where IDF links `esp_app_desc_t` (`.flash.appdesc`, start of DROM).
pub const APP_DESC_ADDR: u32 = 0x3F40_0020;
/// Where the builder loads its code segment (start of IROM).
pub const IROM_CODE_ADDR: u32 = 0x400D_0020;
/// Flash-mapped data (DROM) address range.
pub const DROM: std::ops::Range<u32> = 0x3F40_0000..0x3F80_0000;
/// Flash-mapped code (IROM) address range.
pub const IROM: std::ops::Range<u32> = 0x400D_0000..0x4040_0000;
/// The MMU maps flash in pages of this size.
pub const MMU_PAGE: u32 = 0x1_0000;

/// Why an image is not a valid ESP32 app image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// Shorter than the 24-byte header.
    #[error("image too short: {len} bytes, the header alone is {HEADER_LEN}")]
    TooShort {
        /// Bytes present.
        len: usize,
    },
    /// First byte is not 0xE9.
    #[error("bad magic byte 0x{found:02x} (an app image starts with 0xe9)")]
    BadMagic {
        /// The first byte.
        found: u8,
    },
    /// Segment count outside 1..=16.
    #[error("bad segment count {count} (must be 1..={MAX_SEGMENTS})")]
    BadSegmentCount {
        /// The stored count.
        count: u8,
    },
    /// The extended header names another chip.
    #[error("image is for chip id {chip_id}, not the ESP32 (0)")]
    WrongChip {
        /// The stored `chip_id`.
        chip_id: u16,
    },
    /// `hash_appended` is neither 0 nor 1.
    #[error("bad hash_appended flag {flag} (must be 0 or 1)")]
    BadHashFlag {
        /// The stored flag.
        flag: u8,
    },
    /// The image ends before a part the header promises.
    #[error("image truncated: {what} needs {needed} bytes, the image has {len}")]
    Truncated {
        /// The missing part.
        what: &'static str,
        /// Image length the part needs.
        needed: usize,
        /// Actual image length.
        len: usize,
    },
    /// A segment's data runs past the end of the image (or is 16 MiB or more).
    #[error("segment {index} (length {seg_len:#x} at offset {offset:#x}) runs past the end of the {len}-byte image")]
    SegmentOutOfBounds {
        /// Segment number, from 0.
        index: usize,
        /// Image offset of the segment data.
        offset: usize,
        /// Stored data length.
        seg_len: usize,
        /// Image length.
        len: usize,
    },
    /// A segment length is not a multiple of 4.
    #[error("segment {index} length {seg_len:#x} is not a multiple of 4")]
    Misaligned {
        /// Segment number, from 0.
        index: usize,
        /// Stored data length.
        seg_len: usize,
    },
    /// A flash-mapped segment's data does not sit at its load address modulo 64 KiB.
    #[error(
        "segment {index} loads at {load_addr:#010x} but its data is at image offset {offset:#x} (must match mod 64 KiB)"
    )]
    BadMapping {
        /// Segment number, from 0.
        index: usize,
        /// Stored load address.
        load_addr: u32,
        /// Image offset of the segment data.
        offset: usize,
    },
    /// The stored XOR checksum does not match the segment data.
    #[error("bad checksum: image has 0x{found:02x}, segment data gives 0x{expected:02x}")]
    BadChecksum {
        /// Checksum of the segment data.
        expected: u8,
        /// Checksum stored in the image.
        found: u8,
    },
    /// The appended SHA-256 does not match the image.
    #[error("bad SHA-256: image has {}, contents give {}", hex(found), hex(expected))]
    BadHash {
        /// SHA-256 of the bytes before the digest.
        expected: [u8; HASH_LEN],
        /// Digest stored in the image.
        found: [u8; HASH_LEN],
    },
}

/// One segment of a verified image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Segment {
    /// Address the segment is loaded or mapped at (0 for a padding segment).
    pub load_addr: u32,
    /// Image offset of the segment data.
    pub offset: usize,
    /// Data length.
    pub len: usize,
}

impl Segment {
    /// Memory region of the load address, as esptool names it.
    pub fn region(&self) -> &'static str {
        region_name(self.load_addr)
    }
}

/// The `esp_app_desc_t` of an image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AppDesc {
    /// Anti-rollback version.
    pub secure_version: u32,
    /// App version string.
    pub version: String,
    /// Project name.
    pub project_name: String,
    /// Build time (`__TIME__`).
    pub time: String,
    /// Build date (`__DATE__`).
    pub date: String,
    /// ESP-IDF version.
    pub idf_version: String,
    /// SHA-256 of the ELF file (zero if not filled in).
    pub elf_sha256: [u8; HASH_LEN],
}

/// What [`verify`] found in a valid image.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImageInfo {
    /// The segments, in image order.
    pub segments: Vec<Segment>,
    /// Entry point address.
    pub entry: u32,
    /// SPI flash mode byte (0 QIO, 1 QOUT, 2 DIO, 3 DOUT).
    pub spi_mode: u8,
    /// SPI speed nibble (0 40 MHz, 1 26 MHz, 2 20 MHz, 0xF 80 MHz).
    pub spi_speed: u8,
    /// SPI size nibble (0 1 MB, 1 2 MB, 2 4 MB, 3 8 MB, 4 16 MB).
    pub spi_size: u8,
    /// The stored (and matching) XOR checksum.
    pub checksum: u8,
    /// The appended (and matching) SHA-256, if the header asks for one.
    pub hash: Option<[u8; HASH_LEN]>,
    /// Image length up to and including the checksum and the digest; bytes
    /// after it (e.g. the rest of the partition) are not part of the image.
    pub len: usize,
    /// The app descriptor at the start of the first DROM segment, if it has one.
    pub app_desc: Option<AppDesc>,
}

impl ImageInfo {
    /// Number of segments.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }
}

/// Checks `image` as `esp_image_verify` does and describes it. Bytes after the
/// image (after the digest, or the checksum without one) are ignored.
pub fn verify(image: &[u8]) -> Result<ImageInfo, ImageError> {
    let header = check_header(image)?;
    let segments = read_segments(image, header.segment_count)?;
    let checksum_at = checksum_offset(segments.last().map_or(HEADER_LEN, |s| s.offset + s.len));
    let checksum = check_checksum(image, &segments, checksum_at)?;
    let hash = if header.hash_appended { Some(check_hash(image, checksum_at + 1)?) } else { None };
    let len = checksum_at + 1 + if hash.is_some() { HASH_LEN } else { 0 };
    Ok(ImageInfo {
        app_desc: find_app_desc(image, &segments),
        segments,
        entry: header.entry,
        spi_mode: header.spi_mode,
        spi_speed: header.spi_speed,
        spi_size: header.spi_size,
        checksum,
        hash,
        len,
    })
}

/// The header fields `verify` needs.
struct Header {
    segment_count: usize,
    spi_mode: u8,
    spi_speed: u8,
    spi_size: u8,
    entry: u32,
    hash_appended: bool,
}

fn check_header(image: &[u8]) -> Result<Header, ImageError> {
    if image.len() < HEADER_LEN {
        return Err(ImageError::TooShort { len: image.len() });
    }
    if image[0] != IMAGE_MAGIC {
        return Err(ImageError::BadMagic { found: image[0] });
    }
    let count = image[1];
    if count == 0 || usize::from(count) > MAX_SEGMENTS {
        return Err(ImageError::BadSegmentCount { count });
    }
    let chip_id = u16::from_le_bytes([image[0x0C], image[0x0D]]);
    if chip_id != CHIP_ID_ESP32 {
        return Err(ImageError::WrongChip { chip_id });
    }
    let flag = image[0x17];
    if flag > 1 {
        return Err(ImageError::BadHashFlag { flag });
    }
    Ok(Header {
        segment_count: usize::from(count),
        spi_mode: image[2],
        spi_speed: image[3] & 0x0F,
        spi_size: image[3] >> 4,
        entry: read_u32(image, 4),
        hash_appended: flag == 1,
    })
}

fn read_segments(image: &[u8], count: usize) -> Result<Vec<Segment>, ImageError> {
    let mut segments = Vec::with_capacity(count);
    let mut pos = HEADER_LEN;
    for index in 0..count {
        let segment = read_segment(image, index, pos)?;
        pos = segment.offset + segment.len;
        segments.push(segment);
    }
    Ok(segments)
}

fn read_segment(image: &[u8], index: usize, pos: usize) -> Result<Segment, ImageError> {
    let data_at = pos + SEGMENT_HEADER_LEN;
    if data_at > image.len() {
        return Err(ImageError::Truncated { what: "a segment header", needed: data_at, len: image.len() });
    }
    let load_addr = read_u32(image, pos);
    let seg_len = read_u32(image, pos + 4) as usize;
    if !seg_len.is_multiple_of(4) {
        return Err(ImageError::Misaligned { index, seg_len });
    }
    if seg_len >= MAX_SEGMENT_LEN || data_at + seg_len > image.len() {
        return Err(ImageError::SegmentOutOfBounds { index, offset: data_at, seg_len, len: image.len() });
    }
    if is_flash_mapped(load_addr) && (data_at as u32) % MMU_PAGE != load_addr % MMU_PAGE {
        return Err(ImageError::BadMapping { index, load_addr, offset: data_at });
    }
    Ok(Segment { load_addr, offset: data_at, len: seg_len })
}

/// Offset of the checksum byte after segments ending at `end`: the last byte
/// of the 16-byte block that follows them (never `end` minus anything).
const fn checksum_offset(end: usize) -> usize {
    end | 0x0F
}

fn check_checksum(image: &[u8], segments: &[Segment], at: usize) -> Result<u8, ImageError> {
    let found =
        *image.get(at).ok_or(ImageError::Truncated { what: "the checksum", needed: at + 1, len: image.len() })?;
    let expected = checksum(segments.iter().map(|s| &image[s.offset..s.offset + s.len]));
    if found == expected { Ok(found) } else { Err(ImageError::BadChecksum { expected, found }) }
}

fn check_hash(image: &[u8], at: usize) -> Result<[u8; HASH_LEN], ImageError> {
    let stored = image.get(at..at + HASH_LEN).ok_or(ImageError::Truncated {
        what: "the SHA-256",
        needed: at + HASH_LEN,
        len: image.len(),
    })?;
    let found: [u8; HASH_LEN] = stored.try_into().expect("slice of HASH_LEN");
    let expected = sha256(&image[..at]);
    if found == expected { Ok(found) } else { Err(ImageError::BadHash { expected, found }) }
}

/// XOR of `CHECKSUM_SEED` and every byte of every data block.
pub fn checksum<'a>(blocks: impl IntoIterator<Item = &'a [u8]>) -> u8 {
    blocks.into_iter().flatten().fold(CHECKSUM_SEED, |acc, b| acc ^ b)
}

fn sha256(bytes: &[u8]) -> [u8; HASH_LEN] {
    Sha256::digest(bytes).into()
}

fn find_app_desc(image: &[u8], segments: &[Segment]) -> Option<AppDesc> {
    let drom = segments.iter().find(|s| DROM.contains(&s.load_addr))?;
    if drom.len < APP_DESC_LEN {
        return None;
    }
    decode_app_desc(&image[drom.offset..drom.offset + APP_DESC_LEN])
}

/// Decodes a 256-byte `esp_app_desc_t`; `None` without the magic word.
pub fn decode_app_desc(desc: &[u8]) -> Option<AppDesc> {
    if desc.len() < APP_DESC_LEN || read_u32(desc, 0) != APP_DESC_MAGIC {
        return None;
    }
    Some(AppDesc {
        secure_version: read_u32(desc, 0x04),
        version: c_string(&desc[0x10..0x30]),
        project_name: c_string(&desc[0x30..0x50]),
        time: c_string(&desc[0x50..0x60]),
        date: c_string(&desc[0x60..0x70]),
        idf_version: c_string(&desc[0x70..0x90]),
        elf_sha256: desc[0x90..0xB0].try_into().expect("32-byte field"),
    })
}

/// Encodes an `esp_app_desc_t`; strings longer than their field less one byte
/// are cut so that every field keeps its terminating NUL.
pub fn encode_app_desc(desc: &AppDesc) -> [u8; APP_DESC_LEN] {
    let mut out = [0u8; APP_DESC_LEN];
    out[0..4].copy_from_slice(&APP_DESC_MAGIC.to_le_bytes());
    out[4..8].copy_from_slice(&desc.secure_version.to_le_bytes());
    put_c_string(&mut out[0x10..0x30], &desc.version);
    put_c_string(&mut out[0x30..0x50], &desc.project_name);
    put_c_string(&mut out[0x50..0x60], &desc.time);
    put_c_string(&mut out[0x60..0x70], &desc.date);
    put_c_string(&mut out[0x70..0x90], &desc.idf_version);
    out[0x90..0xB0].copy_from_slice(&desc.elf_sha256);
    out
}

/// What [`build`] puts in an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildSpec {
    /// App version, e.g. "1.20.2.r6".
    pub version: String,
    /// Project name.
    pub project_name: String,
    /// ESP-IDF version, e.g. "v3.3.1".
    pub idf_version: String,
    /// Total file length wanted; `None` (or a length below the smallest image)
    /// gives the smallest image, [`MIN_BUILD_LEN`] bytes; lengths above
    /// [`MAX_BUILD_LEN`] give that many.
    pub size: Option<usize>,
}

/// Build date written into built images (fixed, so builds are reproducible).
pub const BUILD_DATE: &str = "Jan  1 2021";
/// Build time written into built images.
pub const BUILD_TIME: &str = "00:00:00";
/// Data offset of the builder's IROM segment: its load address modulo 64 KiB.
const CODE_DATA_AT: usize = 0x1_0020;
/// Code bytes of the smallest built image.
const MIN_CODE_LEN: usize = 0x100;
/// Length of the smallest image [`build`] makes.
pub const MIN_BUILD_LEN: usize = checksum_offset(CODE_DATA_AT + MIN_CODE_LEN) + 1 + HASH_LEN;

/// Length of the largest image [`build`] makes: the largest ESP32 flash.
pub const MAX_BUILD_LEN: usize = 16 << 20;

/// A valid image: DIO / 40 MHz / 4 MB header with entry at the code, an app
/// descriptor segment at 0x3F400020, a padding segment, an IROM segment of
/// filler bytes at 0x400D0020, checksum and SHA-256. With `size`, the code
/// segment grows and 0xFF bytes follow the digest so the file is that long.
pub fn build(spec: &BuildSpec) -> Vec<u8> {
    let wanted = spec.size.unwrap_or(0).clamp(MIN_BUILD_LEN, MAX_BUILD_LEN);
    let code_len = code_len_for(wanted);
    let mut image = header(3, IROM_CODE_ADDR);
    push_segment(&mut image, APP_DESC_ADDR, &encode_app_desc(&desc_for(spec)));
    let padding_len = CODE_DATA_AT - SEGMENT_HEADER_LEN - image.len() - SEGMENT_HEADER_LEN;
    push_segment(&mut image, 0, &vec![0u8; padding_len]);
    push_segment(&mut image, IROM_CODE_ADDR, &filler(code_len));
    seal(&mut image);
    image.resize(wanted, 0xFF);
    image
}

/// Largest code length (multiple of 4) whose image is at most `total` bytes.
fn code_len_for(total: usize) -> usize {
    let last_checksum_at = (total - HASH_LEN) / 16 * 16 - 1;
    (last_checksum_at - CODE_DATA_AT) & !3
}

fn desc_for(spec: &BuildSpec) -> AppDesc {
    AppDesc {
        secure_version: 0,
        version: spec.version.clone(),
        project_name: spec.project_name.clone(),
        time: BUILD_TIME.into(),
        date: BUILD_DATE.into(),
        idf_version: spec.idf_version.clone(),
        elf_sha256: [0; HASH_LEN],
    }
}

/// A 24-byte header: DIO, 40 MHz, 4 MB, wp pin disabled, ESP32, any chip
/// revision, SHA-256 appended.
fn header(segment_count: u8, entry: u32) -> Vec<u8> {
    let mut h = vec![IMAGE_MAGIC, segment_count, 0x02, 0x20];
    h.extend_from_slice(&entry.to_le_bytes());
    h.extend_from_slice(&[0xEE, 0, 0, 0]); // wp_pin, spi_pin_drv
    h.extend_from_slice(&CHIP_ID_ESP32.to_le_bytes());
    h.extend_from_slice(&[0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 1]); // revs, reserved, hash_appended
    h
}

fn push_segment(image: &mut Vec<u8>, load_addr: u32, data: &[u8]) {
    image.extend_from_slice(&load_addr.to_le_bytes());
    image.extend_from_slice(&(data.len() as u32).to_le_bytes());
    image.extend_from_slice(data);
}

/// Recognisable code filler: a repeating counter.
fn filler(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Appends the checksum padding, checksum and SHA-256 to header + segments
/// (which must be complete: only the builder calls this).
fn seal(image: &mut Vec<u8>) {
    let sum = checksum(raw_segment_data(image));
    image.resize(checksum_offset(image.len()), 0);
    image.push(sum);
    let digest = sha256(image);
    image.extend_from_slice(&digest);
}

/// The data of each segment, walking the headers without checking them.
fn raw_segment_data(image: &[u8]) -> Vec<&[u8]> {
    let mut pos = HEADER_LEN;
    (0..image[1])
        .map(|_| {
            let len = read_u32(image, pos + 4) as usize;
            let data = &image[pos + SEGMENT_HEADER_LEN..pos + SEGMENT_HEADER_LEN + len];
            pos += SEGMENT_HEADER_LEN + len;
            data
        })
        .collect()
}

fn is_flash_mapped(addr: u32) -> bool {
    DROM.contains(&addr) || IROM.contains(&addr)
}

/// esptool's name for the memory region of a load address.
pub fn region_name(addr: u32) -> &'static str {
    match addr {
        0 => "PADDING",
        a if DROM.contains(&a) => "DROM",
        a if IROM.contains(&a) => "IROM",
        0x3FFA_E000..0x4000_0000 => "DRAM",
        0x4008_0000..0x400A_0000 => "IRAM",
        0x400C_0000..0x400C_2000 => "RTC_IRAM",
        0x5000_0000..0x5000_2000 => "RTC_DATA",
        _ => "?",
    }
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn c_string(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn put_c_string(field: &mut [u8], text: &str) {
    let bytes = text.as_bytes();
    let n = bytes.len().min(field.len() - 1);
    field[..n].copy_from_slice(&bytes[..n]);
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(size: Option<usize>) -> BuildSpec {
        BuildSpec { version: "1.20.2.r6".into(), project_name: "pycom-test".into(), idf_version: "v3.3.1".into(), size }
    }

    fn built() -> Vec<u8> {
        build(&spec(None))
    }

    /// Rewrites the checksum and digest after a deliberate change, so only the
    /// change itself is wrong.
    fn resealed(mut image: Vec<u8>) -> Vec<u8> {
        image.truncate(MIN_BUILD_LEN - HASH_LEN - 4); // where the smallest image's code ends
        seal(&mut image);
        image
    }

    #[test]
    fn a_built_image_verifies_and_describes_itself() {
        let image = built();
        let info = verify(&image).unwrap();
        assert_eq!(info.segment_count(), 3);
        assert_eq!(info.entry, IROM_CODE_ADDR);
        assert_eq!(info.len, image.len());
        assert_eq!(info.len, MIN_BUILD_LEN);
        assert_eq!(info.len % 16, 0);
        assert!(info.hash.is_some());
        let regions: Vec<_> = info.segments.iter().map(Segment::region).collect();
        assert_eq!(regions, ["DROM", "PADDING", "IROM"]);
        assert_eq!((info.spi_mode, info.spi_speed, info.spi_size), (2, 0, 2));
    }

    #[test]
    fn the_app_descriptor_round_trips() {
        let desc = verify(&built()).unwrap().app_desc.unwrap();
        assert_eq!(desc.version, "1.20.2.r6");
        assert_eq!(desc.project_name, "pycom-test");
        assert_eq!(desc.idf_version, "v3.3.1");
        assert_eq!((desc.date.as_str(), desc.time.as_str()), (BUILD_DATE, BUILD_TIME));
        assert_eq!(desc.secure_version, 0);
    }

    #[test]
    fn the_descriptor_sits_at_image_offset_0x20_and_the_code_at_0x10020() {
        let image = built();
        assert_eq!(read_u32(&image, 0x20), APP_DESC_MAGIC);
        let info = verify(&image).unwrap();
        assert_eq!(info.segments[0].offset, 0x20);
        assert_eq!(info.segments[2].offset, 0x10020);
    }

    #[test]
    fn long_strings_are_cut_to_keep_their_nul() {
        let mut s = spec(None);
        s.version = "x".repeat(40);
        let desc = verify(&build(&s)).unwrap().app_desc.unwrap();
        assert_eq!(desc.version, "x".repeat(31));
    }

    #[test]
    fn a_requested_size_is_met_exactly() {
        for size in [MIN_BUILD_LEN, 100_000, 100_001, 100_015, 1 << 20, 1_720 * 1024] {
            let image = build(&spec(Some(size)));
            assert_eq!(image.len(), size, "size {size}");
            let info = verify(&image).unwrap();
            assert!(size - info.len < 16, "at most 15 bytes of 0xFF after the digest");
            assert!(image[info.len..].iter().all(|&b| b == 0xFF));
        }
    }

    #[test]
    fn sizes_outside_the_buildable_range_are_clamped() {
        assert_eq!(build(&spec(Some(10))).len(), MIN_BUILD_LEN);
        let largest = build(&spec(Some(usize::MAX)));
        assert_eq!(largest.len(), MAX_BUILD_LEN);
        assert!(verify(&largest).is_ok());
    }

    #[test]
    fn trailing_partition_bytes_are_ignored() {
        let mut image = built();
        image.extend_from_slice(&[0xFF; 4096]);
        assert_eq!(verify(&image).unwrap().len, MIN_BUILD_LEN);
    }

    #[test]
    fn a_flipped_data_byte_is_a_bad_checksum() {
        let mut image = built();
        let stored = image[MIN_BUILD_LEN - HASH_LEN - 1];
        image[0x8000] ^= 0x01;
        assert_eq!(verify(&image), Err(ImageError::BadChecksum { expected: stored ^ 0x01, found: stored }));
    }

    #[test]
    fn a_change_the_checksum_cannot_see_is_a_bad_hash() {
        let mut image = built();
        image[0x8000] ^= 0x10;
        image[0x8001] ^= 0x10;
        assert!(matches!(verify(&image), Err(ImageError::BadHash { .. })));
        let mut image = built();
        image[4] ^= 0x04; // entry point: header bytes are not in the checksum
        assert!(matches!(verify(&image), Err(ImageError::BadHash { .. })));
    }

    #[test]
    fn a_corrupted_digest_is_a_bad_hash() {
        let mut image = built();
        let last = image.len() - 1;
        image[last] ^= 0xFF;
        let Err(ImageError::BadHash { expected, found }) = verify(&image) else { panic!("not a bad hash") };
        assert_eq!(expected, sha256(&image[..MIN_BUILD_LEN - HASH_LEN]));
        assert_eq!(&found[..], &image[MIN_BUILD_LEN - HASH_LEN..]);
    }

    #[test]
    fn without_hash_appended_the_image_ends_at_the_checksum() {
        let mut image = built();
        image[0x17] = 0;
        image.truncate(MIN_BUILD_LEN - HASH_LEN);
        let info = verify(&image).unwrap();
        assert_eq!((info.hash, info.len), (None, MIN_BUILD_LEN - HASH_LEN));
    }

    #[test]
    fn a_wrong_magic_byte_is_refused() {
        let mut image = built();
        image[0] = 0xE8;
        assert_eq!(verify(&image), Err(ImageError::BadMagic { found: 0xE8 }));
    }

    #[test]
    fn fewer_bytes_than_a_header_are_too_short() {
        assert_eq!(verify(&[]), Err(ImageError::TooShort { len: 0 }));
        assert_eq!(verify(&built()[..23]), Err(ImageError::TooShort { len: 23 }));
    }

    #[test]
    fn segment_counts_outside_1_to_16_are_refused() {
        for count in [0u8, 17, 0xFF] {
            let mut image = built();
            image[1] = count;
            assert_eq!(verify(&image), Err(ImageError::BadSegmentCount { count }));
        }
    }

    #[test]
    fn other_chips_and_hash_flags_are_refused() {
        let mut image = built();
        image[0x0C] = 5;
        assert_eq!(verify(&image), Err(ImageError::WrongChip { chip_id: 5 }));
        let mut image = built();
        image[0x17] = 2;
        assert_eq!(verify(&image), Err(ImageError::BadHashFlag { flag: 2 }));
    }

    #[test]
    fn a_truncated_image_is_refused_at_every_cut() {
        let image = built();
        let cuts = [24, 30, 0x100, 0x10000, 0x10030, MIN_BUILD_LEN - HASH_LEN - 1, MIN_BUILD_LEN - 1];
        for cut in cuts {
            let err = verify(&image[..cut]).unwrap_err();
            assert!(
                matches!(err, ImageError::Truncated { .. } | ImageError::SegmentOutOfBounds { .. }),
                "cut at {cut}: {err}"
            );
        }
        assert!(matches!(verify(&image[..MIN_BUILD_LEN - 1]), Err(ImageError::Truncated { what: "the SHA-256", .. })));
    }

    #[test]
    fn a_segment_length_not_a_multiple_of_4_is_misaligned() {
        let mut image = built();
        image[0x1C] += 1; // first segment length 0x100 -> 0x101
        assert_eq!(verify(&image), Err(ImageError::Misaligned { index: 0, seg_len: 0x101 }));
    }

    #[test]
    fn a_segment_past_the_end_is_out_of_bounds() {
        let mut image = built();
        image[0x1C..0x20].copy_from_slice(&0x0100_0000u32.to_le_bytes());
        assert!(matches!(verify(&image), Err(ImageError::SegmentOutOfBounds { index: 0, .. })));
        let mut image = built();
        image[0x1C..0x20].copy_from_slice(&0x0002_0000u32.to_le_bytes());
        assert!(matches!(verify(&image), Err(ImageError::SegmentOutOfBounds { index: 0, .. })));
    }

    #[test]
    fn a_flash_segment_off_its_64k_page_offset_is_refused() {
        let mut image = built();
        image[0x18..0x1C].copy_from_slice(&0x3F40_0040u32.to_le_bytes());
        let image = resealed(image);
        assert_eq!(verify(&image), Err(ImageError::BadMapping { index: 0, load_addr: 0x3F40_0040, offset: 0x20 }));
    }

    #[test]
    fn without_a_descriptor_there_is_no_app_desc() {
        let mut image = built();
        image[0x20] ^= 0xFF;
        let image = resealed(image);
        assert_eq!(verify(&image).unwrap().app_desc, None);
    }

    #[test]
    fn arbitrary_bytes_give_errors_not_panics() {
        let mut state = 0x1234_5678u32;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        let image = built();
        for _ in 0..2000 {
            let mut bytes = image.clone();
            for _ in 0..(next() % 4 + 1) {
                let at = next() as usize % 64;
                bytes[at] = next() as u8;
            }
            bytes.truncate(next() as usize % (image.len() + 1));
            let _ = verify(&bytes);
        }
        for len in 0..64 {
            let noise: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = verify(&noise);
        }
    }
}
