//! On Linux, links `pycom-emu` as a position-dependent executable: the
//! loader then has no relocations to apply at start-up. A position-
//! independent build carried 1 MB of them, and each process wrote its own
//! copy of the 0.5 MB of pointer tables they patch.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
