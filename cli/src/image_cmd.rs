//! `pycom-emu image ...`: look at and create device images.

use std::path::Path;

use anyhow::{Context, Result};
use pycom_board::{BoardModel, DeviceImage};
use serde::Serialize;

#[derive(Serialize)]
struct PartitionRow<'a> {
    label: &'a str,
    #[serde(rename = "type")]
    kind: String,
    subtype: u8,
    subtype_name: String,
    offset: u32,
    size: u32,
    encrypted: bool,
    readonly: bool,
}

#[derive(Serialize)]
struct ImageInfo<'a> {
    image: String,
    flash_size: usize,
    partition_table_md5: bool,
    partitions: Vec<PartitionRow<'a>>,
}

/// `image info`: the partition table of an image, as text or JSON.
pub fn info(path: &Path, json: bool) -> Result<()> {
    let (size, table) = DeviceImage::inspect(path).with_context(|| format!("cannot read image {}", path.display()))?;
    let rows: Vec<PartitionRow> = table
        .partitions
        .iter()
        .map(|p| PartitionRow {
            label: &p.label,
            kind: format!("{:?}", p.kind).to_lowercase(),
            subtype: p.subtype,
            subtype_name: p.subtype_name(),
            offset: p.offset,
            size: p.size,
            encrypted: p.encrypted,
            readonly: p.readonly,
        })
        .collect();
    if json {
        let info = ImageInfo {
            image: path.display().to_string(),
            flash_size: size,
            partition_table_md5: table.has_md5,
            partitions: rows,
        };
        println!("{}", serde_json::to_string_pretty(&info)?);
        return Ok(());
    }
    println!("image {} ({} MiB flash)", path.display(), size >> 20);
    println!("partition table at 0x8000 ({})", if table.has_md5 { "MD5 ok" } else { "no MD5 row" });
    println!("{:<10} {:<5} {:<18} {:>10} {:>10}  flags", "label", "type", "subtype", "offset", "size");
    for r in &rows {
        let flags = [(r.encrypted, "encrypted"), (r.readonly, "readonly")]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| *name)
            .collect::<Vec<_>>()
            .join(",");
        println!("{:<10} {:<5} {:<18} {:>#10x} {:>#10x}  {}", r.label, r.kind, r.subtype_name, r.offset, r.size, flags);
    }
    Ok(())
}

/// `image create`: a fresh erased image with the model's partition table.
pub fn create(path: &Path, model: BoardModel, force: bool) -> Result<()> {
    if path.exists() && !force {
        anyhow::bail!("{} already exists (use --force to replace it)", path.display());
    }
    DeviceImage::create(path, model).with_context(|| format!("cannot create image {}", path.display()))?;
    eprintln!("created {} for a {model} ({} MiB flash)", path.display(), model.flash_size() >> 20);
    Ok(())
}
