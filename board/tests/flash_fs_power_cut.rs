//! Power-cut sweep over `/flash` file writes: LittleFS is copy-on-write, so
//! after a cut at any flash operation the filesystem mounts without formatting
//! and every file holds its old or its new contents. A file that did not exist
//! may also be there empty: opening with `O_CREAT` commits the new, empty file
//! before its data (the firmware writes files the same way).

mod support;

use std::collections::BTreeMap;
use support::Rng;

use pycom_board::fs::{Fs, FsRegion};
use pycom_flash::{Flash, PowerCut};

/// A 127-block region (the size of a 4 MB board's `fs` partition) at offset 0.
const REGION: FsRegion = FsRegion { offset: 0, size: 127 * 4096 };

fn contents(rng: &mut Rng, step: usize) -> Vec<u8> {
    let len = (rng.next() % 12_000) as usize;
    (0..len).map(|i| (i + step) as u8).collect()
}

#[test]
fn every_cut_during_file_writes_leaves_old_or_new_contents() {
    let mut rng = Rng(0x5eed);
    let mut flash = Flash::erased(REGION.size as usize);
    Fs::new(&mut flash, REGION).mount_or_format().unwrap();
    let names = ["/a.txt", "/b.bin", "/lib/c.py", "/d", "/e.json"];
    let mut model: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    let mut cuts = 0;
    for step in 0..300 {
        let name = names[step % names.len()];
        let data = contents(&mut rng, step);
        let mut probe = Flash::from_bytes(flash.contents().to_vec());
        let before = probe.stats();
        Fs::new(&mut probe, REGION).write(name, &data).unwrap();
        let calls =
            probe.stats().program_calls + probe.stats().sectors_erased - before.program_calls - before.sectors_erased;
        for k in 0..calls {
            let mut cut = Flash::from_bytes(flash.contents().to_vec());
            cut.set_power_cut(PowerCut::after_calls(k));
            assert!(Fs::new(&mut cut, REGION).write(name, &data).is_err(), "step {step} cut {k}");
            let mut back = Flash::from_bytes(cut.contents().to_vec());
            let mut fs = Fs::new(&mut back, REGION);
            assert!(fs.is_mountable(), "step {step} cut {k}: /flash must mount without formatting");
            let found = fs.read(name).ok();
            let old = model.get(name).cloned();
            let created_empty = old.is_none() && found.as_deref() == Some(&[][..]);
            assert!(
                found == old || found.as_deref() == Some(&data[..]) || created_empty,
                "step {step} cut {k}: {name}"
            );
            for (other, expected) in model.iter().filter(|(n, _)| **n != name) {
                assert_eq!(fs.read(other).ok().as_ref(), Some(expected), "step {step} cut {k}: {other} lost");
            }
            cuts += 1;
        }
        flash = probe;
        model.insert(name, data);
    }
    println!("/flash power-cut sweep: 300 writes, {cuts} cut points");
    assert!(cuts > 1500, "{cuts}");
}
