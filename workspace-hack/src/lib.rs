//! No code: this crate exists for its dependencies' features (see its
//! Cargo.toml), which make `cargo run -p pycom-emu` build the same units as
//! `cargo test --workspace`.
