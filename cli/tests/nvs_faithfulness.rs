//! The NVS faithfulness cases (spec/firmware-behaviour.md section 11, cases
//! 10-24 and the nvs part of 51), run as Python snippets through the binary,
//! plus values surviving a power cycle and a full partition.

mod common;
use common::{Device, SHOW, snippet};

#[test]
fn case_10_set_returns_none_and_get_reads_back() {
    assert_eq!(snippet("import pycom\nshow(pycom.nvs_set, 'count', 10)\nshow(pycom.nvs_get, 'count')"), ["None", "10"]);
}

#[test]
fn case_11_a_missing_key_without_default_is_a_value_error() {
    assert_eq!(
        snippet("import pycom\nshow(pycom.nvs_get, 'missing')"),
        ["ValueError: No matching object for the provided key"]
    );
}

#[test]
fn case_12_a_default_is_returned_as_is() {
    assert_eq!(
        snippet("import pycom\nshow(pycom.nvs_get, 'missing', None)\nshow(pycom.nvs_get, 'missing', 42)"),
        ["None", "42"]
    );
}

#[test]
fn case_13_ints_are_stored_modulo_2_32_and_read_signed() {
    assert_eq!(
        snippet(
            "import pycom\npycom.nvs_set('k', -1)\nshow(pycom.nvs_get, 'k')\npycom.nvs_set('k', 0xFFFFFFFF)\n\
             show(pycom.nvs_get, 'k')\npycom.nvs_set('k', 2**32 + 5)\nshow(pycom.nvs_get, 'k')"
        ),
        ["-1", "-1", "5"]
    );
}

#[test]
fn case_14_the_top_bit_reads_back_negative() {
    assert_eq!(snippet("import pycom\npycom.nvs_set('k', 0x80000000)\nshow(pycom.nvs_get, 'k')"), ["-2147483648"]);
}

#[test]
fn case_15_strings_and_bytes_come_back_as_str_cut_at_nul() {
    assert_eq!(
        snippet(
            "import pycom\npycom.nvs_set('s', 'hello')\nshow(pycom.nvs_get, 's')\n\
             pycom.nvs_set('b', b'ab\\x00cd')\nshow(pycom.nvs_get, 'b')"
        ),
        ["'hello'", "'ab'"]
    );
}

#[test]
fn case_16_other_value_types_are_refused() {
    let refused = "ValueError: Value must be string, bytes or integer";
    assert_eq!(
        snippet(
            "import pycom\nfor v in (True, 1.5, bytearray(b'x'), None, [1]):\n    show(pycom.nvs_set, 'k', v)\n\
             show(pycom.nvs_get, 'k', 'unset')"
        ),
        [refused, refused, refused, refused, refused, "'unset'"]
    );
}

#[test]
fn case_17_keys_longer_than_15_bytes_are_refused() {
    assert_eq!(
        snippet("import pycom\nshow(pycom.nvs_set, 'a' * 16, 1)\nshow(pycom.nvs_set, 'a' * 15, 1)"),
        ["ValueError: Key is too long", "None"]
    );
}

#[test]
fn case_18_strings_of_1984_bytes_or_more_are_refused() {
    assert_eq!(
        snippet(
            "import pycom\nshow(pycom.nvs_set, 'x', 'a' * 1984)\nshow(pycom.nvs_set, 'x', 'a' * 1983)\n\
             print(len(pycom.nvs_get('x')))"
        ),
        ["ValueError: value too long (max: 1984)", "None", "1983"]
    );
}

#[test]
fn case_15_bytes_are_stored_as_they_are_up_to_the_first_nul() {
    // nvs_set_str gets the bytes as a C string: ff 80 41 c3 and the NUL, not UTF-8 replacements.
    let device = Device::new();
    let set = device.run("import pycom\npycom.nvs_set('raw', b'\\xff\\x80A\\xc3\\x00tail')");
    assert_eq!(set.code, 0, "{}", set.stdout);
    let image = std::fs::read(device.image()).unwrap();
    let nvs = &image[0x9000..0xF000];
    let stored = [0xff, 0x80, 0x41, 0xc3, 0x00];
    assert!(nvs.windows(stored.len()).any(|w| w == stored), "ff 80 41 c3 00 not in the NVS partition");
    assert!(!nvs.windows(3).any(|w| w == [0xef, 0xbf, 0xbd]), "a UTF-8 replacement character was stored");
    // The firmware returns a str of those bytes; bytes that are not UTF-8 come back as U+DC00 + byte.
    let get = device.run("import pycom\nprint([hex(ord(c)) for c in pycom.nvs_get('raw')])");
    assert_eq!(get.lines(), ["['0xdcff', '0xdc80', '0x41', '0xdcc3']"], "{}", get.stderr);
}

#[test]
fn case_18_the_length_limit_counts_bytes_of_any_value() {
    assert_eq!(
        snippet(
            "import pycom\nshow(pycom.nvs_set, 'x', b'\\xff' * 1983)\nprint(len(pycom.nvs_get('x')))\n\
             show(pycom.nvs_set, 'x', b'\\xff' * 1984)\nshow(pycom.nvs_set, 'y', '\\u00e9' * 992)"
        ),
        ["None", "1983", "ValueError: value too long (max: 1984)", "ValueError: value too long (max: 1984)"]
    );
}

#[test]
fn case_19_a_non_string_key_is_a_type_error() {
    assert_eq!(
        snippet("import pycom\nshow(pycom.nvs_set, 5, 1)\nshow(pycom.nvs_get, 5)"),
        ["TypeError: can't convert 'int' object to str implicitly"; 2]
    );
}

#[test]
fn case_20_erasing_a_missing_key_is_a_key_error() {
    assert_eq!(
        snippet(
            "import pycom\ntry:\n    pycom.nvs_erase('missing')\nexcept KeyError as e:\n    print('KeyError', e.args[0])"
        ),
        ["KeyError key not found"]
    );
}

#[test]
fn case_21_an_erased_key_is_gone() {
    assert_eq!(
        snippet(
            "import pycom\npycom.nvs_set('count', 10)\nshow(pycom.nvs_erase, 'count')\n\
             show(pycom.nvs_get, 'count', 'gone')"
        ),
        ["None", "'gone'"]
    );
}

#[test]
fn case_22_an_int_set_then_a_string_keeps_both_and_reads_the_int() {
    assert_eq!(
        snippet("import pycom\npycom.nvs_set('dup', 1)\npycom.nvs_set('dup', 'x')\nshow(pycom.nvs_get, 'dup')"),
        ["1"]
    );
}

#[test]
fn case_22_then_the_int_again_hides_behind_the_string_until_reboot() {
    let device = Device::new();
    let first = device.run(&format!(
        "{SHOW}\nimport pycom\npycom.nvs_set('dup', 1)\npycom.nvs_set('dup', 'x')\npycom.nvs_set('dup', 2)\n\
         show(pycom.nvs_get, 'dup')"
    ));
    assert_eq!(first.lines(), ["'x'"], "{}", first.stderr);
    // At the next power-on the active page keeps only the newest entry of the key.
    let second = device.run("import pycom\nprint(repr(pycom.nvs_get('dup')))");
    assert_eq!(second.lines(), ["2"], "{}", second.stderr);
}

#[test]
fn case_23_reads_compare_only_15_characters() {
    assert_eq!(
        snippet("import pycom\npycom.nvs_set('abcdefghijklmno', 7)\nshow(pycom.nvs_get, 'abcdefghijklmnoXYZ')"),
        ["7"]
    );
}

#[test]
fn case_24_erase_all_clears_the_namespace() {
    assert_eq!(
        snippet(
            "import pycom\npycom.nvs_set('s', 'v')\npycom.nvs_set('n', 1)\nshow(pycom.nvs_erase_all)\n\
             show(pycom.nvs_get, 's', None)\nshow(pycom.nvs_get, 'n', None)"
        ),
        ["None", "None", "None"]
    );
}

#[test]
fn case_51_nvs_argument_errors() {
    assert_eq!(
        snippet(
            "import pycom\nshow(pycom.nvs_get)\nshow(pycom.nvs_set, 'k')\nshow(pycom.nvs_get, 'k', 1, 2)\n\
             show(pycom.nvs_erase_all, 1)\nshow(pycom.nvs_get, key='k')"
        ),
        [
            "TypeError: function missing 1 required positional arguments",
            "TypeError: function takes 2 positional arguments but 1 were given",
            "TypeError: function expected at most 2 arguments, got 3",
            "TypeError: function takes 0 positional arguments but 1 were given",
            "TypeError: function doesn't take keyword arguments",
        ]
    );
}

#[test]
fn values_survive_a_power_cycle_and_machine_reset() {
    let device = Device::new();
    let set = device.run("import pycom\npycom.nvs_set('boots', 1)\npycom.nvs_set('name', 'lopy')");
    assert_eq!(set.code, 0, "{}", set.stderr);
    let get = device.run("import pycom\nprint(pycom.nvs_get('boots'), pycom.nvs_get('name'))");
    assert_eq!(get.lines(), ["1 lopy"], "{}", get.stderr);
    // Count boots across machine.reset(): the value is read back after each hard reset.
    let count = device.run(
        "import pycom, machine\nn = pycom.nvs_get('boots') + 1\npycom.nvs_set('boots', n)\nprint('boot', n)\n\
         if n < 4:\n    machine.reset()",
    );
    assert_eq!(count.lines(), ["boot 2", "boot 3", "boot 4"], "{}", count.stderr);
}

#[test]
fn a_full_partition_refuses_new_values_and_updates_with_os_error() {
    let run = snippet(
        "import pycom\ni = 0\nwhile True:\n    try:\n        pycom.nvs_set('k%d' % i, i)\n    except OSError as e:\n\
         \x20       print(i, e)\n        break\n    i += 1\nshow(pycom.nvs_set, 'k0', 12345)\nshow(pycom.nvs_get, 'k0')\n\
         pycom.nvs_erase('k1')\nshow(pycom.nvs_set, 'k0', 12345)\nshow(pycom.nvs_get, 'k0')",
    );
    assert_eq!(run, ["755 No free space available", "OSError: No free space available", "0", "None", "12345"]);
}

#[test]
fn a_partition_without_a_free_page_is_erased_at_boot_and_reported() {
    let device = Device::new();
    assert_eq!(device.run("import pycom\npycom.nvs_set('k', 1)").code, 0);
    let mut image = std::fs::read(device.image()).unwrap();
    for page in 1..7u32 {
        let at = 0x9000 + page as usize * 0x1000;
        image[at..at + 32].copy_from_slice(&pycom_formats::nvs::PageHeader::active(page).encode());
    }
    std::fs::write(device.image(), image).unwrap();
    let run = device
        .run("import pycom\nprint(pycom.nvs_get('k', 'erased'))\npycom.nvs_set('k', 2)\nprint(pycom.nvs_get('k'))");
    assert_eq!(run.lines(), ["erased", "2"], "{}", run.stderr);
    assert!(run.stderr.contains("[pycom-emu] NVS partition at 0x9000 could not be mounted"), "{}", run.stderr);
}

#[test]
fn when_py_nvm_cannot_be_opened_every_nvs_call_fails_with_code_4359() {
    let device = Device::new();
    assert_eq!(device.cli(&["image", "create"]).code, 0);
    let mut csv = String::from("key,type,encoding,value\nother,namespace,,\n");
    for i in 0..755 {
        csv.push_str(&format!("k{i},data,u32,{i}\n"));
    }
    let path = device.path("full.csv");
    std::fs::write(&path, csv).unwrap();
    let import = device.cli(&["nvs", "import", path.to_str().unwrap()]);
    assert_eq!(import.code, 0, "{}", import.stderr);
    let run = device.run(&format!(
        "{SHOW}\nimport pycom\nshow(pycom.nvs_set, 'a', 1)\nshow(pycom.nvs_get, 'a')\nshow(pycom.nvs_get, 'a', 5)\n\
         show(pycom.nvs_erase, 'a')\nshow(pycom.nvs_erase_all)"
    ));
    assert_eq!(
        run.lines(),
        [
            "Exception: Error occurred while storing value, code: 4359",
            "Exception: Error occurred while fetching value, code: 4359",
            "Exception: Error occurred while fetching value, code: 4359",
            "None",
            "OSError: the requested operation failed",
        ],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nvs_open(\"PY_NVM\") failed"), "{}", run.stderr);
}
