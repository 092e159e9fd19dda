//! The fuzz bodies of pycom-emu: one function per parser of outside input and
//! per script entry, taking any bytes. Each must never panic, abort or hang;
//! where a property is cheap to state (a round trip, a filter that works the
//! same on any split of its input) it is asserted too.
//!
//! The libFuzzer targets in `fuzz/` call these functions, and so does this
//! crate's test, over the seed corpus in `fuzz/corpus/TARGET/` and a bounded
//! number of mutations of it, so CI runs a short pass of every target.

mod board_file;
mod device;
mod formats;
mod ftp;
mod nvs_csv;
mod python;
mod telnet;

pub use board_file::board_file;
pub use device::device_image;
pub use formats::{app_image, bsdiff_patch, nvs_partition, partition_table};
pub use ftp::ftp;
pub use nvs_csv::nvs_csv;
pub use python::{repl, script};
pub use telnet::telnet;

/// A fuzz target's body: takes the fuzzer's input, panics on a finding.
pub type Body = fn(&[u8]);

/// Every target: its name (the fuzz target's and its corpus folder's) and body.
pub const TARGETS: &[(&str, Body)] = &[
    ("partition_table", partition_table),
    ("app_image", app_image),
    ("bsdiff_patch", bsdiff_patch),
    ("nvs_partition", nvs_partition),
    ("device_image", device_image),
    ("board_file", board_file),
    ("nvs_csv", nvs_csv),
    ("telnet", telnet),
    ("ftp", ftp),
    ("script", script),
    ("repl", repl),
];
