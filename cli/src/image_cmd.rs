//! `pycom-emu image ...`: look at and create device images.

use std::path::Path;

use anyhow::{Context, Result};
use pycom_board::{AppSlot, BoardModel, DeviceImage, app_slots};
use pycom_formats::{FlashLayout, PartitionTable, app_image};
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
    apps: Vec<AppSlot>,
}

/// `image info`: the partition table of an image, as text or JSON.
pub fn info(path: &Path, json: bool) -> Result<()> {
    let (size, table) = DeviceImage::inspect(path).with_context(|| format!("cannot read image {}", path.display()))?;
    let bytes = crate::host_input::read_at_most(path, size as u64, "its flash")?;
    let apps = app_slots(&bytes, &table);
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
            apps,
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
    for app in &apps {
        let what = match (&app.version, &app.project) {
            (Some(version), Some(project)) => format!("{project} {version}"),
            _ if app.valid => "an app image without app descriptor".to_owned(),
            _ => "no valid app image".to_owned(),
        };
        println!("app {:<8} {what}{}", app.slot, if app.active { " (boots)" } else { "" });
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

/// Options of `image build`.
pub struct BuildOptions {
    /// App version for the app descriptor.
    pub version: String,
    /// Project name for the app descriptor.
    pub project: String,
    /// ESP-IDF version for the app descriptor.
    pub idf: String,
    /// Total file length wanted.
    pub size: Option<usize>,
    /// Where to write the image.
    pub output: std::path::PathBuf,
}

/// The largest app slot of Pycom's layouts (the 8 MB boards'): no firmware
/// image can be flashed or pushed that is larger.
fn largest_app_slot() -> u32 {
    [FlashLayout::Pycom4Mb, FlashLayout::Pycom8Mb]
        .into_iter()
        .filter_map(|layout| PartitionTable::pycom(layout).find("factory").map(|slot| slot.size))
        .max()
        .unwrap_or(0)
}

/// Checks a `--size` for `image build`: at most the largest app slot.
pub fn build_size(size: u64) -> Result<usize> {
    let largest = largest_app_slot();
    match usize::try_from(size) {
        Ok(fits) if size <= u64::from(largest) => Ok(fits),
        _ => anyhow::bail!("--size {size} does not fit an app slot (at most {largest} bytes, the 8 MB boards' slot)"),
    }
}

/// `image build`: writes a valid ESP32 app image with an app descriptor.
pub fn build(options: &BuildOptions) -> Result<()> {
    let image = app_image::build(&app_image::BuildSpec {
        version: options.version.clone(),
        project_name: options.project.clone(),
        idf_version: options.idf.clone(),
        size: options.size,
    });
    std::fs::write(&options.output, &image).with_context(|| format!("cannot write {}", options.output.display()))?;
    eprintln!("wrote {} ({} bytes)", options.output.display(), image.len());
    Ok(())
}

/// `image verify`: checks an app image as the bootloader does. Returns the exit
/// status: 0 valid, 1 invalid (reason on stderr); unreadable files are errors.
pub fn verify(path: &Path, json: bool) -> Result<i32> {
    let bytes = crate::host_input::read_at_most(path, largest_app_slot().into(), "the largest app slot")?;
    let result = app_image::verify(&bytes);
    match (&result, json) {
        (Ok(info), true) => println!("{}", serde_json::to_string_pretty(&verify_json(path, info))?),
        (Ok(info), false) => print_info(path, info),
        (Err(err), true) => println!("{}", serde_json::to_string_pretty(&invalid_json(path, err))?),
        (Err(_), false) => {}
    }
    match result {
        Ok(_) => Ok(0),
        Err(err) => {
            eprintln!("pycom-emu: invalid app image {}: {err}", path.display());
            Ok(1)
        }
    }
}

fn invalid_json(path: &Path, err: &app_image::ImageError) -> serde_json::Value {
    serde_json::json!({ "file": path.display().to_string(), "valid": false, "error": err.to_string() })
}

fn verify_json(path: &Path, info: &app_image::ImageInfo) -> serde_json::Value {
    let segments: Vec<_> = info
        .segments
        .iter()
        .map(
            |s| serde_json::json!({ "load_addr": s.load_addr, "region": s.region(), "offset": s.offset, "len": s.len }),
        )
        .collect();
    let desc = info.app_desc.as_ref().map(|d| {
        serde_json::json!({
            "version": d.version, "project_name": d.project_name, "idf_version": d.idf_version,
            "date": d.date, "time": d.time, "secure_version": d.secure_version,
            "elf_sha256": app_image::hex(&d.elf_sha256),
        })
    });
    serde_json::json!({
        "file": path.display().to_string(),
        "valid": true,
        "length": info.len,
        "entry": info.entry,
        "segments": segments,
        "checksum": info.checksum,
        "sha256": info.hash.map(|h| app_image::hex(&h)),
        "app_desc": desc,
    })
}

fn print_info(path: &Path, info: &app_image::ImageInfo) {
    println!("app image {} ({} bytes)", path.display(), info.len);
    println!("entry point {:#010x}, {} segments", info.entry, info.segment_count());
    for (i, s) in info.segments.iter().enumerate() {
        println!(
            "  segment {i}: {:#010x} {:<8} offset {:#08x} length {:#08x}",
            s.load_addr,
            s.region(),
            s.offset,
            s.len
        );
    }
    println!("checksum 0x{:02x} (valid)", info.checksum);
    match &info.hash {
        Some(hash) => println!("sha256 {} (valid)", app_image::hex(hash)),
        None => println!("sha256 not appended"),
    }
    match &info.app_desc {
        Some(d) => {
            println!("project {}", d.project_name);
            println!("version {}", d.version);
            println!("idf {}", d.idf_version);
            println!("built {} {}", d.date, d.time);
        }
        None => println!("no app descriptor"),
    }
}
