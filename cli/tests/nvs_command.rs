//! `pycom-emu nvs ...`: round trips on the command line and with `pycom.nvs_*` on
//! the board, interop with Espressif's partition generator (esp-idf-nvs-partition-gen
//! from PyPI), CSV import/export, and every CRC checked by an independent decoder.

mod common;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use common::{Device, fails, ok};

const NVS_OFFSET: usize = 0x9000;
const NVS_SIZE: usize = 0x7000;

/// A device with a fresh image.
fn device() -> Device {
    let device = Device::new();
    ok(device.cli(&["image", "create"]));
    device
}

/// One line of `nvs list`.
fn row(namespace: &str, key: &str, type_name: &str, value: &str) -> String {
    format!("{namespace:<15}  {key:<15}  {type_name:<6}  {value}")
}

fn list_all(device: &Device) -> Vec<String> {
    ok(device.cli(&["nvs", "list", "--all"])).lines().into_iter().map(str::to_owned).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn set_get_list_erase_round_trip_on_the_command_line() {
    let d = device();
    ok(d.cli(&["nvs", "set", "count", "10"]));
    ok(d.cli(&["nvs", "set", "neg", "-1"]));
    ok(d.cli(&["nvs", "set", "wrap", "4294967301"]));
    ok(d.cli(&["nvs", "set", "greeting", "hello world"]));
    ok(d.cli(&["nvs", "set", "--namespace", "app", "--type", "u8", "level", "200"]));
    ok(d.cli(&["nvs", "set", "--namespace", "app", "--type", "i64", "big", "-9000000000"]));
    ok(d.cli(&["nvs", "set", "--namespace", "app", "--type", "binary", "blob", "00ff10"]));
    ok(d.cli(&["nvs", "set", "--namespace", "app", "--type", "base64", "b64", "aGk="]));

    let get = |args: &[&str]| ok(d.cli(&[&["nvs", "get"], args].concat())).stdout;
    assert_eq!(get(&["count"]), "10\n");
    assert_eq!(get(&["neg"]), "-1\n", "shown signed, as pycom.nvs_get returns it");
    assert_eq!(get(&["neg", "--type", "u32"]), "4294967295\n");
    assert_eq!(get(&["wrap"]), "5\n", "integers are stored modulo 2**32");
    assert_eq!(get(&["greeting"]), "hello world\n");
    assert_eq!(get(&["--namespace", "app", "level"]), "200\n");
    assert_eq!(get(&["--namespace", "app", "blob"]), "00ff10\n");
    assert_eq!(get(&["--namespace", "app", "b64", "--type", "binary"]), "6869\n");

    let py_nvm = [
        row("PY_NVM", "count", "u32", "10"),
        row("PY_NVM", "greeting", "string", "\"hello world\""),
        row("PY_NVM", "neg", "u32", "4294967295"),
        row("PY_NVM", "wrap", "u32", "5"),
    ];
    let app = [
        row("app", "b64", "binary", "6869"),
        row("app", "big", "i64", "-9000000000"),
        row("app", "blob", "binary", "00ff10"),
        row("app", "level", "u8", "200"),
    ];
    assert_eq!(ok(d.cli(&["nvs", "list"])).lines(), py_nvm);
    assert_eq!(ok(d.cli(&["nvs", "list", "--namespace", "app"])).lines(), app);
    assert_eq!(list_all(&d), [py_nvm.as_slice(), app.as_slice()].concat());

    let json: serde_json::Value = serde_json::from_str(&ok(d.cli(&["nvs", "list", "--all", "--json"])).stdout).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(
        rows[2],
        serde_json::json!({"namespace": "PY_NVM", "key": "neg", "type": "u32", "value": 4294967295u32})
    );
    assert_eq!(rows[6], serde_json::json!({"namespace": "app", "key": "blob", "type": "binary", "value": "00ff10"}));
    let one: serde_json::Value = serde_json::from_str(&get(&["greeting", "--json"])).unwrap();
    assert_eq!(
        one,
        serde_json::json!({"namespace": "PY_NVM", "key": "greeting", "type": "string", "value": "hello world"})
    );

    ok(d.cli(&["nvs", "erase", "count"]));
    fails(d.cli(&["nvs", "get", "count"]), 1, "key not found");
    fails(d.cli(&["nvs", "erase", "count"]), 1, "key not found");
    ok(d.cli(&["nvs", "erase", "--namespace", "app", "blob"]));
    assert_eq!(ok(d.cli(&["nvs", "list", "--namespace", "app"])).lines().len(), 3);

    ok(d.cli(&["nvs", "erase-all", "--namespace", "app"]));
    assert!(ok(d.cli(&["nvs", "list", "--namespace", "app"])).stdout.is_empty());
    assert_eq!(ok(d.cli(&["nvs", "list"])).lines().len(), 3, "other namespaces are kept");
    ok(d.cli(&["nvs", "erase-all"]));
    assert!(list_all(&d).is_empty());
}

#[test]
fn the_command_line_and_pycom_nvs_on_the_board_see_the_same_keys() {
    let d = device();
    ok(d.cli(&["nvs", "set", "k", "123"]));
    ok(d.cli(&["nvs", "set", "s", "from cli"]));
    ok(d.cli(&["nvs", "set", "n", "-5"]));
    let run = ok(d.run(
        "import pycom\n\
         for key in ('k', 's', 'n'):\n    print(pycom.nvs_get(key))\n\
         pycom.nvs_set('b', 0x80000000)\n\
         pycom.nvs_set('t', 'from board')\n\
         pycom.nvs_erase('k')\n",
    ));
    assert_eq!(run.stdout, "123\nfrom cli\n-5\n");
    assert_eq!(ok(d.cli(&["nvs", "get", "b"])).stdout, "-2147483648\n");
    assert_eq!(ok(d.cli(&["nvs", "get", "b", "--type", "u32"])).stdout, "2147483648\n");
    assert_eq!(ok(d.cli(&["nvs", "get", "t"])).stdout, "from board\n");
    fails(d.cli(&["nvs", "get", "k"]), 1, "key not found");
}

#[test]
fn bad_input_is_refused_and_leaves_the_image_untouched() {
    let d = device();
    ok(d.cli(&["nvs", "set", "keep", "1"]));
    std::fs::write(d.path("bad.csv"), "key,type,encoding,value\n# comment\nns,namespace,,\nx,data,u8,300\n").unwrap();
    std::fs::write(d.path("big.bin"), vec![0x5A; 40_000]).unwrap();
    std::fs::write(
        d.path("big.csv"),
        "key,type,encoding,value\nns,namespace,,\nok,data,u8,1\nbig,file,binary,big.bin\n",
    )
    .unwrap();
    let before = std::fs::read(d.image()).unwrap();
    let long_pycom = "a".repeat(1984);
    let long_nvs = "a".repeat(4000);
    let bad_csv = d.path("bad.csv");
    let big_csv = d.path("big.csv");
    let cases: [(&[&str], &str); 12] = [
        (&["get", "--namespace", "nope", "k"], "no namespace \"nope\""),
        (&["set", "--type", "u8", "x", "256"], "256 is out of range for u8"),
        (&["set", "--type", "i8", "x", "abc"], "not a decimal integer"),
        (&["set", "--type", "hex2bin", "x", "abc"], "invalid hex data"),
        (&["set", "--type", "float", "x", "1"], "invalid value 'float'"),
        (&["set", "aaaaaaaaaaaaaaaa", "1"], "too long (16 bytes, max 15)"),
        (&["set", "s", &long_pycom], "value too long (max: 1984)"),
        (&["set", "--type", "string", "--namespace", "app", "s", &long_nvs], "too long (max 3999 bytes)"),
        (&["set", "--namespace", "namespace-too-long", "s", "1"], "invalid namespace name"),
        (&["import", bad_csv.to_str().unwrap()], "bad.csv:4: key \"x\": 300 is out of range for u8"),
        (&["import", big_csv.to_str().unwrap()], "big.bin is larger than the largest NVS blob (24000 bytes): refused"),
        (&["list", "--image", "missing.bin"], "no device image missing.bin"),
    ];
    for (args, message) in cases {
        fails(d.cli(&[&["nvs"], args].concat()), 2, message);
    }
    fails(d.cli(&["nvs", "get", "missing"]), 1, "key not found");
    fails(d.cli(&["nvs", "erase", "missing"]), 1, "key not found");
    assert!(std::fs::read(d.image()).unwrap() == before, "a refused command changed the image");
    ok(d.cli(&["nvs", "set", "s", &long_pycom[1..]]));
    assert_eq!(ok(d.cli(&["nvs", "get", "s"])).stdout.trim_end(), &long_pycom[1..]);
    assert_eq!(ok(d.cli(&["nvs", "get", "keep"])).stdout, "1\n");
}

#[test]
fn endless_files_are_refused_at_what_nvs_can_hold() {
    let d = device();
    ok(d.cli(&["nvs", "set", "keep", "1"]));
    let before = std::fs::read(d.image()).unwrap();
    let csv = |name: &str, encoding: &str| {
        let path = d.path(name);
        std::fs::write(&path, format!("key,type,encoding,value\nns,namespace,,\nz,file,{encoding},/dev/zero\n"))
            .unwrap();
        path.to_str().unwrap().to_owned()
    };
    let cases = [
        (csv("binary.csv", "binary"), "binary.csv:3: /dev/zero is larger than the largest NVS blob (24000 bytes)"),
        (csv("string.csv", "string"), "string.csv:3: /dev/zero is larger than the longest NVS string (3999 bytes)"),
        (
            csv("hex.csv", "hex2bin"),
            "hex.csv:3: /dev/zero is larger than the text of the largest NVS blob (96000 bytes)",
        ),
        ("/dev/zero".to_owned(), "/dev/zero is larger than an NVS import CSV (1048576 bytes)"),
    ];
    for (file, message) in cases {
        let started = std::time::Instant::now();
        fails(d.cli(&["nvs", "import", &file]), 2, message);
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{file} took {:?}", started.elapsed());
    }
    assert!(std::fs::read(d.image()).unwrap() == before, "nothing imported");
}

// ---------------------------------------------------------------------------
// Espressif's generator (esp-idf-nvs-partition-gen) as the reference producer.

/// Python of a virtualenv with esp-idf-nvs-partition-gen 0.3.0.
fn generator_python() -> PathBuf {
    common::python_with("esp-idf-nvs-partition-gen==0.3.0")
}

/// Runs the generator on `csv` (in the device's directory, which `file` rows are
/// relative to) and splices the 0x7000-byte partition into the device's image at 0x9000.
fn generate_into(device: &Device, csv: &str) {
    let out = Command::new(generator_python())
        .args(["-m", "esp_idf_nvs_partition_gen", "generate", csv, "gen.bin", "0x7000"])
        .current_dir(device.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let partition = std::fs::read(device.path("gen.bin")).unwrap();
    assert_eq!(partition.len(), NVS_SIZE);
    let mut image = std::fs::read(device.image()).unwrap();
    image[NVS_OFFSET..NVS_OFFSET + NVS_SIZE].copy_from_slice(&partition);
    std::fs::write(device.image(), image).unwrap();
}

const INTEROP_CSV: &str = r#"key,type,encoding,value
# PY_NVM is the namespace pycom.nvs_get reads
PY_NVM,namespace,,
count,data,u32,4000000000
greeting,data,string,hello from csv
later,data,u32,7
app,namespace,,
level,data,u8,200
offset,data,i32,-123456
port,data,u16,8080
delta,data,i16,-300
tiny,data,i8,-128
huge,data,u64,18446744073709551615
past,data,i64,-9223372036854775808
name,data,string,"lopy, ""four"""
cert,data,hex2bin,0123456789abcdef
token,data,base64,aGVsbG8gd29ybGQ=
image,file,binary,image.bin
note,file,string,note.txt
"#;

const NOTE: &str = "line one\nline two\n";

/// 5000 bytes: more than one page holds, so the blob is split into two chunks.
fn image_blob() -> Vec<u8> {
    (0..5000u32).map(|i| (i * 7 % 251) as u8).collect()
}

/// Writes `interop.csv` and the files it names into the device's directory.
fn write_interop_csv(device: &Device) {
    std::fs::write(device.path("interop.csv"), INTEROP_CSV).unwrap();
    std::fs::write(device.path("image.bin"), image_blob()).unwrap();
    std::fs::write(device.path("note.txt"), NOTE).unwrap();
}

/// `nvs list --all` of INTEROP_CSV.
fn interop_listing() -> Vec<String> {
    vec![
        row("PY_NVM", "count", "u32", "4000000000"),
        row("PY_NVM", "greeting", "string", "\"hello from csv\""),
        row("PY_NVM", "later", "u32", "7"),
        row("app", "cert", "binary", "0123456789abcdef"),
        row("app", "delta", "i16", "-300"),
        row("app", "huge", "u64", "18446744073709551615"),
        row("app", "image", "binary", &hex(&image_blob())),
        row("app", "level", "u8", "200"),
        row("app", "name", "string", r#""lopy, \"four\"""#),
        row("app", "note", "string", r#""line one\nline two\n""#),
        row("app", "offset", "i32", "-123456"),
        row("app", "past", "i64", "-9223372036854775808"),
        row("app", "port", "u16", "8080"),
        row("app", "tiny", "i8", "-128"),
        row("app", "token", "binary", &hex(b"hello world")),
    ]
}

#[test]
fn a_partition_made_by_espressifs_generator_reads_on_the_command_line_and_the_board() {
    let d = device();
    write_interop_csv(&d);
    generate_into(&d, "interop.csv");
    assert_eq!(list_all(&d), interop_listing());

    let run = ok(d.run("import pycom\nfor key in ('count', 'greeting', 'later'):\n    print(pycom.nvs_get(key))\n"));
    assert_eq!(run.stdout, "-294967296\nhello from csv\n7\n");

    // The test's own decoder agrees with the reference producer, and notices a
    // flipped bit in an entry's key and in a page header's sequence number.
    let decoded = decode(&d);
    assert!(decoded.errors.is_empty(), "{:?}", decoded.errors);
    assert_eq!(decoded.items.len(), interop_listing().len());
    let mut partition = nvs_partition(&d);
    partition[64 + 8] ^= 1;
    partition[0x1000 + 4] ^= 1;
    let decoded = decode_partition(&d, &partition);
    assert_eq!(
        decoded.errors[..2],
        ["page 0 entry 0: bad entry CRC", "page 1: bad header CRC"],
        "{:?}",
        decoded.errors
    );
}

#[test]
fn import_and_export_round_trip_and_match_the_generator() {
    let ours = device();
    write_interop_csv(&ours);
    ok(ours.cli(&["nvs", "import", ours.path("interop.csv").to_str().unwrap()]));
    let theirs = device();
    write_interop_csv(&theirs);
    generate_into(&theirs, "interop.csv");
    assert_eq!(list_all(&ours), interop_listing());
    assert_eq!(list_all(&theirs), list_all(&ours), "same CSV, same keys via the generator and via nvs import");

    let exported = ours.path("export.csv");
    ok(ours.cli(&["nvs", "export", exported.to_str().unwrap()]));
    assert_eq!(csv_rows(&exported), csv_rows(&ours.path("interop.csv")));

    // The export feeds both importers again.
    let again = device();
    ok(again.cli(&["nvs", "import", exported.to_str().unwrap()]));
    assert_eq!(list_all(&again), interop_listing());
    std::fs::copy(&exported, theirs.path("export.csv")).unwrap();
    generate_into(&theirs, "export.csv");
    assert_eq!(list_all(&theirs), interop_listing());

    let only_app = ours.path("app.csv");
    ok(ours.cli(&["nvs", "export", only_app.to_str().unwrap(), "--namespace", "app"]));
    let app_rows = csv_rows(&only_app);
    assert_eq!(app_rows.len(), 12);
    assert!(app_rows.iter().all(|(ns, ..)| ns == "app"));
}

/// The (namespace, key, kind, value) a CSV stores, blobs and files resolved to
/// bytes, sorted: what two CSVs must agree on to be equivalent.
fn csv_rows(path: &Path) -> Vec<(String, String, String, Vec<u8>)> {
    let mut reader = csv::ReaderBuilder::new().comment(Some(b'#')).from_path(path).unwrap();
    let mut namespace = String::new();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        let (key, kind, encoding, value) = (&record[0], &record[1], &record[2], &record[3]);
        let bytes = match (kind, encoding) {
            ("namespace", _) => {
                namespace = key.to_owned();
                continue;
            }
            ("file", _) => std::fs::read(path.parent().unwrap().join(value)).unwrap(),
            (_, "hex2bin") => {
                (0..value.len()).step_by(2).map(|i| u8::from_str_radix(&value[i..i + 2], 16).unwrap()).collect()
            }
            (_, "base64") => base64::engine::general_purpose::STANDARD.decode(value).unwrap(),
            _ => value.as_bytes().to_vec(),
        };
        let kind = match encoding {
            "hex2bin" | "base64" | "binary" => "blob",
            other => other,
        };
        rows.push((namespace.clone(), key.to_owned(), kind.to_owned(), bytes));
    }
    rows.sort();
    rows
}

// ---------------------------------------------------------------------------
// An independent decoder, written from the format description (flash-formats.md
// section 1), sharing no code with the emulator.

const DECODER: &str = r#"
import json, struct, sys, zlib

PAGE, ENTRIES = 4096, 126
ACTIVE, FULL, UNINITIALIZED = 0xFFFFFFFE, 0xFFFFFFFC, 0xFFFFFFFF
EMPTY, WRITTEN, ERASED = 3, 2, 0
PRIMITIVES = {0x01: ('u8', '<B'), 0x11: ('i8', '<b'), 0x02: ('u16', '<H'), 0x12: ('i16', '<h'),
              0x04: ('u32', '<I'), 0x14: ('i32', '<i'), 0x08: ('u64', '<Q'), 0x18: ('i64', '<q')}
STR, BLOB_V1, BLOB_DATA, BLOB_IDX = 0x21, 0x41, 0x42, 0x48
errors = []

def crc(data):
    return zlib.crc32(data, 0xFFFFFFFF) & 0xFFFFFFFF

def u32(buf, at):
    return struct.unpack_from('<I', buf, at)[0]

def entry_state(page, i):
    return (u32(page, 32 + 4 * (i // 16)) >> (2 * (i % 16))) & 3

def walk(page, p, seq, items):
    i, seen_empty = 0, False
    while i < ENTRIES:
        state = entry_state(page, i)
        raw = page[64 + 32 * i:96 + 32 * i]
        where = 'page %d entry %d' % (p, i)
        if state == EMPTY:
            seen_empty = True
            if raw != b'\xff' * 32:
                errors.append(where + ': EMPTY entry not erased')
            i += 1
            continue
        if seen_empty:
            errors.append(where + ': used entry after an EMPTY one')
        if state != WRITTEN:
            if state != ERASED:
                errors.append(where + ': ILLEGAL state')
            i += 1
            continue
        ns, kind, span, chunk = raw[0], raw[1], raw[2], raw[3]
        if crc(raw[0:4] + raw[8:32]) != u32(raw, 4):
            errors.append(where + ': bad entry CRC')
            i += 1
            continue
        data = raw[24:32]
        if kind in (STR, BLOB_V1, BLOB_DATA):
            size, reserved, data_crc = struct.unpack_from('<HHI', raw, 24)
            if span != 1 + (size + 31) // 32 or i + span > ENTRIES:
                errors.append(where + ': span %d does not fit size %d' % (span, size))
                i += 1
                continue
            if any(entry_state(page, j) != WRITTEN for j in range(i + 1, i + span)):
                errors.append(where + ': data entries not all WRITTEN')
            data = page[96 + 32 * i:96 + 32 * i + size]
            if crc(data) != data_crc:
                errors.append(where + ': bad data CRC')
            if reserved != 0xFFFF:
                errors.append(where + ': reserved field not 0xFFFF')
        elif span != 1:
            errors.append(where + ': span %d for type %#x' % (span, kind))
        key = raw[8:24].split(b'\0')[0].decode()
        items.append({'ns': ns, 'kind': kind, 'chunk': chunk, 'key': key, 'data': bytes(data), 'order': (seq, i)})
        i += max(span, 1)

def pages(part):
    items, seqs, free, active = [], [], 0, 0
    for p in range(len(part) // PAGE):
        page = part[p * PAGE:(p + 1) * PAGE]
        state = u32(page, 0)
        if state == UNINITIALIZED:
            free += 1
            if page != b'\xff' * PAGE:
                errors.append('page %d: uninitialized but not erased' % p)
            continue
        if state not in (ACTIVE, FULL):
            errors.append('page %d: state %#x' % (p, state))
            continue
        if crc(page[4:28]) != u32(page, 28):
            errors.append('page %d: bad header CRC' % p)
            continue
        if page[8] != 0xFE:
            errors.append('page %d: format version %#x' % (p, page[8]))
        active += state == ACTIVE
        seqs.append(u32(page, 4))
        walk(page, p, seqs[-1], items)
    if active > 1:
        errors.append('%d ACTIVE pages' % active)
    if len(set(seqs)) != len(seqs):
        errors.append('repeated sequence numbers %r' % seqs)
    if free < 1:
        errors.append('no free page left')
    items.sort(key=lambda item: item['order'])
    return items, max(seqs, default=-1)

def value(item, chunks, used):
    kind, data = item['kind'], item['data']
    if kind in PRIMITIVES:
        name, fmt = PRIMITIVES[kind]
        size = struct.calcsize(fmt)
        if data[size:] != b'\xff' * (8 - size):
            errors.append('%s: primitive padding not 0xFF' % item['key'])
        return name, struct.unpack_from(fmt, data)[0]
    if kind == STR:
        if not data.endswith(b'\0'):
            errors.append('%s: string without NUL' % item['key'])
        return 'string', data[:-1].decode()
    if kind == BLOB_V1:
        return 'binary', data.hex()
    size, count, start = struct.unpack_from('<IBB', data)
    blob = b''
    for n in range(count):
        ident = (item['ns'], item['key'], (start + n) & 0xFF)
        if ident not in chunks:
            errors.append('%s: blob chunk %d missing' % (item['key'], ident[2]))
            continue
        used.add(ident)
        blob += chunks[ident]
    if len(blob) != size:
        errors.append('%s: blob of %d bytes, index says %d' % (item['key'], len(blob), size))
    return 'binary', blob.hex()

def main():
    items, max_seq = pages(open(sys.argv[1], 'rb').read())
    names, seen, live = {}, set(), []
    for item in items:
        ident = (item['ns'], item['key'], item['kind'], item['chunk'])
        if ident in seen:
            errors.append('duplicate item %r' % (ident,))
        seen.add(ident)
        if item['ns'] == 0:
            names[item['data'][0]] = item['key']
    chunks = {(i['ns'], i['key'], i['chunk']): i['data'] for i in items if i['kind'] == BLOB_DATA}
    used = set()
    for item in items:
        if item['ns'] == 0 or item['kind'] == BLOB_DATA:
            continue
        if item['ns'] not in names:
            errors.append('%s: namespace %d not defined' % (item['key'], item['ns']))
            continue
        if item['kind'] not in PRIMITIVES and item['kind'] not in (STR, BLOB_V1, BLOB_IDX):
            errors.append('%s: unknown type %#x' % (item['key'], item['kind']))
            continue
        kind, v = value(item, chunks, used)
        live.append([names[item['ns']], item['key'], kind, v])
    for orphan in set(chunks) - used:
        errors.append('orphan blob chunk %r' % (orphan,))
    live.sort(key=lambda r: (r[0], r[1], r[2]))
    print(json.dumps({'errors': errors, 'max_seq': max_seq, 'items': live}))

main()
"#;

/// What the test's decoder makes of a device's NVS partition.
struct Decoded {
    errors: Vec<String>,
    max_seq: i64,
    items: Vec<serde_json::Value>,
}

fn nvs_partition(device: &Device) -> Vec<u8> {
    std::fs::read(device.image()).unwrap()[NVS_OFFSET..NVS_OFFSET + NVS_SIZE].to_vec()
}

fn decode(device: &Device) -> Decoded {
    decode_partition(device, &nvs_partition(device))
}

/// Runs the decoder on `partition` (written to a file in the device's directory).
fn decode_partition(device: &Device, partition: &[u8]) -> Decoded {
    let path = device.path("nvs-partition.bin");
    std::fs::write(&path, partition).unwrap();
    let out = Command::new("python3").args(["-c", DECODER]).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    Decoded {
        errors: serde_json::from_value(json["errors"].clone()).unwrap(),
        max_seq: json["max_seq"].as_i64().unwrap(),
        items: json["items"].as_array().unwrap().clone(),
    }
}

/// Board script: 1000 rotating u32 writes and 100 rotating strings (far more
/// than the 7 * 126 entries of the partition, so pages are garbage-collected).
const CHURN: &str = "import pycom
for i in range(1000):
    pycom.nvs_set('r%d' % (i % 5), i)
    if i % 10 == 0:
        pycom.nvs_set('s%d' % (i % 3), 'v' * (i % 97))
pycom.nvs_set('long', 'L' * 1983)
pycom.nvs_set('neg', -7)
";

/// The keys CHURN leaves, as [namespace, key, type, value].
fn churn_items() -> Vec<serde_json::Value> {
    let mut last = std::collections::BTreeMap::new();
    for i in 0..1000u32 {
        last.insert(format!("r{}", i % 5), serde_json::json!(["PY_NVM", format!("r{}", i % 5), "u32", i]));
        if i % 10 == 0 {
            let s = "v".repeat((i % 97) as usize);
            last.insert(format!("s{}", i % 3), serde_json::json!(["PY_NVM", format!("s{}", i % 3), "string", s]));
        }
    }
    last.insert("long".into(), serde_json::json!(["PY_NVM", "long", "string", "L".repeat(1983)]));
    last.insert("neg".into(), serde_json::json!(["PY_NVM", "neg", "u32", u32::MAX - 6]));
    last.into_values().collect()
}

#[test]
fn every_crc_the_emulator_writes_checks_out_with_an_independent_decoder() {
    let d = device();
    ok(d.run(CHURN));
    ok(d.cli(&["nvs", "set", "greeting", "hi"]));
    ok(d.cli(&["nvs", "set", "r0", "5"]));
    ok(d.cli(&["nvs", "set", "--namespace", "cli", "--type", "u16", "port", "8080"]));
    ok(d.cli(&["nvs", "set", "--namespace", "cli", "--type", "i8", "t", "-3"]));
    let blob_csv = "key,type,encoding,value\nblobs,namespace,,\nfw,file,binary,fw.bin\nsmall,data,hex2bin,c0ffee\n";
    std::fs::write(d.path("blobs.csv"), blob_csv).unwrap();
    let first: Vec<u8> = (0..6000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(d.path("fw.bin"), &first).unwrap();
    ok(d.cli(&["nvs", "import", d.path("blobs.csv").to_str().unwrap()]));
    let decoded = decode(&d);
    assert!(decoded.errors.is_empty(), "{:?}", decoded.errors);
    assert!(decoded.max_seq >= 7, "no page was recycled (max sequence number {})", decoded.max_seq);

    // Rewriting the multi-page blob writes the other version and erases the old.
    let second: Vec<u8> = (0..9000u32).map(|i| (i % 241) as u8).collect();
    std::fs::write(d.path("fw.bin"), &second).unwrap();
    ok(d.cli(&["nvs", "import", d.path("blobs.csv").to_str().unwrap()]));

    let decoded = decode(&d);
    assert!(decoded.errors.is_empty(), "{:?}", decoded.errors);
    let mut expected = churn_items();
    expected.retain(|item| item[1] != "r0");
    expected.extend([
        serde_json::json!(["PY_NVM", "greeting", "string", "hi"]),
        serde_json::json!(["PY_NVM", "r0", "u32", 5]),
        serde_json::json!(["blobs", "fw", "binary", hex(&second)]),
        serde_json::json!(["blobs", "small", "binary", "c0ffee"]),
        serde_json::json!(["cli", "port", "u16", 8080]),
        serde_json::json!(["cli", "t", "i8", -3]),
    ]);
    let key = |v: &serde_json::Value| (v[0].as_str().unwrap().to_owned(), v[1].as_str().unwrap().to_owned());
    expected.sort_by_key(key);
    assert_eq!(decoded.items, expected);

    // And the command line lists exactly what the decoder found.
    let json: serde_json::Value = serde_json::from_str(&ok(d.cli(&["nvs", "list", "--all", "--json"])).stdout).unwrap();
    let listed: Vec<serde_json::Value> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::json!([r["namespace"], r["key"], r["type"], r["value"]]))
        .collect();
    assert_eq!(listed, expected);
}
