//! `pycom-emu fs ...`: list, read and write the files of a device image's
//! `/flash` filesystem (LittleFS or FAT, as the config block says) from the host.
//!
//! Every command first mounts `/flash` as the board does at boot and creates the
//! default files (`boot.py`, `main.py`, `sys/`, `lib/`, `cert/`) if missing;
//! erased flash is formatted, but a region that holds something unmountable is
//! left alone (exit 2) unless `--force` says to format it. The work is done on
//! a copy of the chip, and only when the whole command succeeds does that copy
//! replace the image file, in one atomic rename: a `put` that runs out of space,
//! an `rm -r` that fails half-way or a command killed at any point leaves the
//! image as it was.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use pycom_board::fs::{DEFAULT_DIRS, DirEntry, Fs, FsError, FsKind, FsRegion};
use pycom_board::{Config, DeviceImage};
use pycom_flash::Flash;
use serde::Serialize;

use crate::DeviceArgs;

/// Exit status for a file or directory that is not there.
const NOT_FOUND_EXIT: i32 = 1;
/// Where the filesystem is mounted on the board.
const MOUNT_POINT: &str = "/flash";

/// The device an `fs` command works on.
#[derive(Args)]
pub struct FsDevice {
    #[command(flatten)]
    device: DeviceArgs,
    /// Format /flash if it holds something that does not mount (its files are
    /// lost); without it such an image is an error.
    #[arg(long)]
    force: bool,
}

/// The `fs` subcommands. Device paths are written as the board sees them:
/// `/flash` or `/flash/...`.
#[derive(Subcommand)]
pub enum FsCommand {
    /// List a directory (directories end in `/`), or show one file.
    Ls {
        #[command(flatten)]
        device: FsDevice,
        /// Directory or file on the device.
        #[arg(default_value = MOUNT_POINT, value_name = "/flash/PATH")]
        path: String,
        /// Show sizes, and the free and total bytes of /flash.
        #[arg(short, long)]
        long: bool,
        /// Print a JSON array of {name, type: "file"|"dir", size}.
        #[arg(long)]
        json: bool,
    },
    /// Write the raw bytes of device files to stdout.
    Cat {
        #[command(flatten)]
        device: FsDevice,
        /// Files on the device.
        #[arg(required = true, value_name = "/flash/FILE")]
        paths: Vec<String>,
    },
    /// Copy a host file onto the device (creating the image if missing). When
    /// REMOTE is a directory the file keeps its name there.
    Put {
        #[command(flatten)]
        device: FsDevice,
        /// File (or with -r directory) on the host.
        local: PathBuf,
        /// Destination file or directory on the device.
        #[arg(default_value = MOUNT_POINT, value_name = "/flash/REMOTE")]
        remote: String,
        /// Copy a directory with everything in it.
        #[arg(short, long)]
        recursive: bool,
    },
    /// Copy a device file to the host. When LOCAL is a directory the file keeps
    /// its name there.
    Get {
        #[command(flatten)]
        device: FsDevice,
        /// File (or with -r directory) on the device.
        #[arg(value_name = "/flash/REMOTE")]
        remote: String,
        /// Destination file or directory on the host.
        #[arg(default_value = ".")]
        local: PathBuf,
        /// Copy a directory with everything in it.
        #[arg(short, long)]
        recursive: bool,
    },
    /// Remove a file or an empty directory (with -r, a directory and its contents).
    Rm {
        #[command(flatten)]
        device: FsDevice,
        /// File or directory on the device.
        #[arg(value_name = "/flash/PATH")]
        path: String,
        /// Remove a directory with everything in it.
        #[arg(short, long)]
        recursive: bool,
    },
    /// Create a directory; its parent must exist (unless -p).
    Mkdir {
        #[command(flatten)]
        device: FsDevice,
        /// Directory to create on the device.
        #[arg(value_name = "/flash/DIR")]
        path: String,
        /// Create missing parents too, and accept a directory that exists.
        #[arg(short, long)]
        parents: bool,
    },
    /// Erase every file: format /flash and create boot.py, main.py, sys/, lib/
    /// and cert/ as the board's first boot does.
    Format {
        #[command(flatten)]
        device: FsDevice,
    },
}

/// Runs an `fs` subcommand and returns the exit status.
pub fn run(command: FsCommand) -> Result<i32> {
    let outcome = match command {
        FsCommand::Ls { device, path, long, json } => ls(&device, &path, long, json),
        FsCommand::Cat { device, paths } => cat(&device, &paths),
        FsCommand::Put { device, local, remote, recursive } => put(&device, &local, &remote, recursive),
        FsCommand::Get { device, remote, local, recursive } => get(&device, &remote, &local, recursive),
        FsCommand::Rm { device, path, recursive } => rm(&device, &path, recursive),
        FsCommand::Mkdir { device, path, parents } => mkdir(&device, &path, parents),
        FsCommand::Format { device } => format(&device),
    };
    match outcome {
        Err(error) if is_not_found(&error) => {
            eprintln!("pycom-emu: {error:#}");
            Ok(NOT_FOUND_EXIT)
        }
        other => other.map(|()| 0),
    }
}

/// Whether `error` comes from a device or host path that does not exist.
fn is_not_found(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<PathError>().is_some_and(|e| matches!(e.error, FsError::NotFound))
            || cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
    })
}

/// A filesystem operation that failed on a device path.
#[derive(Debug)]
struct PathError {
    action: &'static str,
    path: String,
    error: FsError,
    hint: Option<&'static str>,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot {} {}: {}", self.action, self.path, self.error)?;
        if let Some(hint) = self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PathError {}

/// A path on the device as the board sees it, e.g. `/flash/lib/x.py`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct DevicePath {
    /// The path inside the filesystem: `/` for `/flash`, `/lib/x.py`, ...
    inner: String,
}

impl DevicePath {
    /// Parses `/flash` or `/flash/...`, normalising `.`, `..` and `//`.
    fn parse(text: &str) -> Result<Self> {
        if !text.starts_with('/') {
            bail!(
                "{text:?} is not a device path: device paths are absolute and start with {MOUNT_POINT} (e.g. {MOUNT_POINT}/main.py)"
            );
        }
        let clean = pycom_board::fs::clean_path(text);
        let names: Vec<&str> = clean.split('/').filter(|n| !n.is_empty()).collect();
        match names.split_first() {
            Some((&"flash", rest)) => Ok(Self { inner: format!("/{}", rest.join("/")) }),
            _ => bail!(
                "{text:?} is not on {MOUNT_POINT}: only the {MOUNT_POINT} filesystem is emulated (e.g. {MOUNT_POINT}/main.py)"
            ),
        }
    }

    fn root() -> Self {
        Self { inner: "/".into() }
    }

    fn is_root(&self) -> bool {
        self.inner == "/"
    }

    /// The last name, `None` for `/flash` itself.
    fn name(&self) -> Option<&str> {
        (!self.is_root()).then(|| self.inner.rsplit('/').next().unwrap_or_default())
    }

    fn join(&self, name: &str) -> Self {
        let sep = if self.is_root() { "" } else { "/" };
        Self { inner: format!("{}{sep}{name}", self.inner) }
    }

    /// Every ancestor from the first level down, without the root and itself.
    fn ancestors(&self) -> Vec<Self> {
        let names: Vec<&str> = self.inner.split('/').filter(|n| !n.is_empty()).collect();
        (1..names.len()).map(|n| Self { inner: format!("/{}", names[..n].join("/")) }).collect()
    }
}

impl fmt::Display for DevicePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() { f.write_str(MOUNT_POINT) } else { write!(f, "{MOUNT_POINT}{}", self.inner) }
    }
}

/// The error for `action` failing on `path`.
fn path_error(action: &'static str, path: &DevicePath, error: FsError) -> anyhow::Error {
    PathError { action, path: path.to_string(), error, hint: None }.into()
}

/// A device image with `/flash` mounted on a working copy of the chip.
struct Session {
    image: DeviceImage,
    path: PathBuf,
    work: Flash,
    region: FsRegion,
    kind: FsKind,
}

impl Session {
    /// Opens the image (creating it first if `create`) and mounts `/flash` as the
    /// board does at boot: FAT or LittleFS as its config block says. A region
    /// that does not mount is formatted only if it is erased or `device.force`.
    fn open(device: &FsDevice, create: bool) -> Result<Self> {
        let FsDevice { device, force } = device;
        let path = &device.image;
        let mut image = crate::device::open_image(device, create)?;
        let region = FsRegion::for_table(&image.table, device.board);
        let config = Config::load(&mut image.flash).context("cannot read the config block")?;
        let kind = FsKind::from_boot_fs_type(config.block().boot_fs_type());
        let work = Flash::from_bytes(image.flash.contents().to_vec());
        let mut session = Self { image, path: path.clone(), work, region, kind };
        let mut fs = session.fs();
        let blank = fs.is_blank();
        if !blank && !force && !fs.is_mountable() {
            bail!(
                "/flash at {:#x} of {} does not mount; pass --force to format it (its files are lost)",
                region.offset,
                path.display()
            );
        }
        let formatted = fs
            .mount_or_format()
            .with_context(|| format!("cannot mount /flash at {:#x} of {}", region.offset, path.display()))?;
        if formatted && !blank {
            eprintln!(
                "[pycom-emu] /flash at {:#x} of {} could not be mounted; formatted it: its files are gone",
                region.offset,
                path.display()
            );
        }
        Ok(session)
    }

    fn fs(&mut self) -> Fs<'_> {
        Fs::with_kind(&mut self.work, self.region, self.kind)
    }

    /// Replaces the image file with the working copy, in one atomic step, if
    /// the command changed anything.
    fn save(mut self) -> Result<()> {
        if self.work.contents() == self.image.flash.contents() {
            return Ok(());
        }
        self.image
            .flash
            .replace_contents(self.work.contents().to_vec())
            .with_context(|| format!("cannot write device image {}", self.path.display()))
    }

    fn is_dir(&mut self, path: &DevicePath) -> Result<Option<bool>> {
        match self.fs().metadata(&path.inner) {
            Ok(meta) => Ok(Some(meta.is_dir)),
            Err(FsError::NotFound) => Ok(None),
            Err(error) => Err(path_error("read", path, error)),
        }
    }

    fn list(&mut self, path: &DevicePath) -> Result<Vec<DirEntry>> {
        self.fs().list(&path.inner).map_err(|e| path_error("list", path, e))
    }

    fn read(&mut self, path: &DevicePath) -> Result<Vec<u8>> {
        self.fs().read(&path.inner).map_err(|e| path_error("read", path, e))
    }

    fn write(&mut self, path: &DevicePath, data: &[u8]) -> Result<()> {
        self.fs().write(&path.inner, data).map_err(|error| {
            let hint = match error {
                FsError::NotFound => Some("its directory does not exist"),
                FsError::NoSpace => Some("nothing was written"),
                _ => None,
            };
            PathError { action: "write", path: path.to_string(), error, hint }.into()
        })
    }

    fn create_dir(&mut self, path: &DevicePath) -> Result<()> {
        self.fs().create_dir(&path.inner).map_err(|error| {
            let hint = matches!(error, FsError::NotFound).then_some("its parent does not exist; -p creates it");
            PathError { action: "create directory", path: path.to_string(), error, hint }.into()
        })
    }

    /// Creates the directory `path` unless it is one already.
    fn ensure_dir(&mut self, path: &DevicePath) -> Result<()> {
        match self.is_dir(path)? {
            Some(true) => Ok(()),
            Some(false) => Err(path_error("create directory", path, FsError::Exists)),
            None => self.create_dir(path),
        }
    }
}

/// Writes `bytes` to stdout; a closed pipe (`| head`) is not an error.
fn print(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e).context("cannot write to stdout"),
        _ => Ok(()),
    }
}

/// One entry as `ls --json` prints it.
#[derive(Serialize)]
struct JsonEntry<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    size: u64,
}

fn ls(device: &FsDevice, path: &str, long: bool, json: bool) -> Result<()> {
    let path = DevicePath::parse(path)?;
    let mut session = Session::open(device, false)?;
    let entries = match session.is_dir(&path)? {
        Some(true) => session.list(&path)?,
        Some(false) => {
            let size = session.fs().metadata(&path.inner).map_err(|e| path_error("read", &path, e))?.size;
            vec![DirEntry { name: path.name().unwrap_or_default().to_owned(), is_dir: false, size }]
        }
        None => return Err(path_error("list", &path, FsError::NotFound)),
    };
    let mut text = String::new();
    if json {
        let rows: Vec<JsonEntry> = entries
            .iter()
            .map(|e| JsonEntry { name: &e.name, kind: if e.is_dir { "dir" } else { "file" }, size: e.size })
            .collect();
        text = serde_json::to_string_pretty(&rows)? + "\n";
    } else {
        for entry in &entries {
            let name = if entry.is_dir { format!("{}/", entry.name) } else { entry.name.clone() };
            match (long, entry.is_dir) {
                (false, _) => text += &format!("{name}\n"),
                (true, true) => text += &format!("{:>10}  {name}\n", "-"),
                (true, false) => text += &format!("{:>10}  {name}\n", entry.size),
            }
        }
        if long {
            let usage = session.fs().usage().map_err(|e| path_error("read", &DevicePath::root(), e))?;
            let (block, total, free) = (u64::from(usage.block_size), usage.blocks, usage.free_blocks);
            text += &format!(
                "{MOUNT_POINT}: {} bytes free of {} ({free} of {total} blocks of {block} bytes)\n",
                u64::from(free) * block,
                u64::from(total) * block
            );
        }
    }
    session.save()?;
    print(text.as_bytes())
}

fn cat(device: &FsDevice, paths: &[String]) -> Result<()> {
    let paths = paths.iter().map(|p| DevicePath::parse(p)).collect::<Result<Vec<_>>>()?;
    let mut session = Session::open(device, false)?;
    let mut contents = Vec::new();
    for path in &paths {
        contents.extend(session.read(path)?);
    }
    session.save()?;
    print(&contents)
}

/// The name a host path gives its copy on the device.
fn local_name(local: &Path) -> Result<String> {
    let full = match local.file_name() {
        Some(_) => local.to_owned(),
        None => local.canonicalize().with_context(|| format!("cannot read {}", local.display()))?,
    };
    let name = full.file_name().with_context(|| format!("{} has no name to copy it under", local.display()))?;
    name.to_str().map(str::to_owned).with_context(|| format!("{} has a name that is not UTF-8", local.display()))
}

fn put(device: &FsDevice, local: &Path, remote: &str, recursive: bool) -> Result<()> {
    let trailing_slash = remote.ends_with('/');
    let remote = DevicePath::parse(remote)?;
    let meta = std::fs::metadata(local).with_context(|| format!("cannot read {}", local.display()))?;
    if meta.is_dir() && !recursive {
        bail!("{} is a directory (use -r to copy it with its contents)", local.display());
    }
    let mut session = Session::open(device, true)?;
    let target = match session.is_dir(&remote)? {
        Some(true) => remote.join(&local_name(local)?),
        None if trailing_slash => return Err(path_error("write into", &remote, FsError::NotFound)),
        Some(false) if trailing_slash => return Err(path_error("write into", &remote, FsError::NotADirectory)),
        _ => remote,
    };
    if meta.is_dir() {
        put_dir(&mut session, local, &target)?;
    } else {
        put_file(&mut session, local, &target)?;
    }
    session.save()
}

fn put_file(session: &mut Session, local: &Path, target: &DevicePath) -> Result<()> {
    let data = crate::host_input::read_at_most(local, session.region.size.into(), "the /flash partition")?;
    match session.is_dir(target)? {
        Some(true) => return Err(path_error("write", target, FsError::IsADirectory)),
        // Remove the old file first: littlefs keeps its blocks until the new
        // contents are committed, so replacing a big file could run out of space.
        Some(false) => session.fs().remove_file(&target.inner).map_err(|e| path_error("replace", target, e))?,
        None => {}
    }
    session.write(target, &data)
}

fn put_dir(session: &mut Session, local: &Path, target: &DevicePath) -> Result<()> {
    session.ensure_dir(target)?;
    let mut children: Vec<PathBuf> = std::fs::read_dir(local)
        .with_context(|| format!("cannot read directory {}", local.display()))?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot read directory {}", local.display()))?;
    children.sort();
    for child in children {
        let to = target.join(&local_name(&child)?);
        if std::fs::metadata(&child).with_context(|| format!("cannot read {}", child.display()))?.is_dir() {
            put_dir(session, &child, &to)?;
        } else {
            put_file(session, &child, &to)?;
        }
    }
    Ok(())
}

fn get(device: &FsDevice, remote: &str, local: &Path, recursive: bool) -> Result<()> {
    let remote = DevicePath::parse(remote)?;
    let mut session = Session::open(device, false)?;
    let is_dir = match session.is_dir(&remote)? {
        Some(is_dir) => is_dir,
        None => return Err(path_error("read", &remote, FsError::NotFound)),
    };
    if is_dir && !recursive {
        return Err(PathError {
            action: "read",
            path: remote.to_string(),
            error: FsError::IsADirectory,
            hint: Some("use -r to copy it with its contents"),
        }
        .into());
    }
    let target = if local.is_dir() { local.join(remote.name().unwrap_or("flash")) } else { local.to_owned() };
    if is_dir {
        get_dir(&mut session, &remote, &target)?;
    } else {
        let data = session.read(&remote)?;
        std::fs::write(&target, data).with_context(|| format!("cannot write {}", target.display()))?;
    }
    session.save()
}

fn get_dir(session: &mut Session, remote: &DevicePath, local: &Path) -> Result<()> {
    if !local.is_dir() {
        std::fs::create_dir(local).with_context(|| format!("cannot create directory {}", local.display()))?;
    }
    for entry in session.list(remote)? {
        let (from, to) = (remote.join(&entry.name), local.join(&entry.name));
        if entry.is_dir {
            get_dir(session, &from, &to)?;
        } else {
            let data = session.read(&from)?;
            std::fs::write(&to, data).with_context(|| format!("cannot write {}", to.display()))?;
        }
    }
    Ok(())
}

fn rm(device: &FsDevice, path: &str, recursive: bool) -> Result<()> {
    let path = DevicePath::parse(path)?;
    if path.is_root() {
        bail!("cannot remove {MOUNT_POINT} itself (use `pycom-emu fs format` to erase every file)");
    }
    let mut session = Session::open(device, false)?;
    match session.is_dir(&path)? {
        None => return Err(path_error("remove", &path, FsError::NotFound)),
        Some(false) => session.fs().remove_file(&path.inner).map_err(|e| path_error("remove", &path, e))?,
        Some(true) if recursive => remove_tree(&mut session, &path)?,
        Some(true) => session.fs().remove_dir(&path.inner).map_err(|error| {
            let hint = matches!(error, FsError::NotEmpty).then_some("use -r to remove it with its contents");
            anyhow::Error::from(PathError { action: "remove", path: path.to_string(), error, hint })
        })?,
    }
    session.save()
}

fn remove_tree(session: &mut Session, dir: &DevicePath) -> Result<()> {
    for entry in session.list(dir)? {
        let child = dir.join(&entry.name);
        if entry.is_dir {
            remove_tree(session, &child)?;
        } else {
            session.fs().remove_file(&child.inner).map_err(|e| path_error("remove", &child, e))?;
        }
    }
    session.fs().remove_dir(&dir.inner).map_err(|e| path_error("remove", dir, e))
}

fn mkdir(device: &FsDevice, path: &str, parents: bool) -> Result<()> {
    let path = DevicePath::parse(path)?;
    let mut session = Session::open(device, false)?;
    if parents {
        for ancestor in path.ancestors() {
            session.ensure_dir(&ancestor)?;
        }
        if !path.is_root() {
            session.ensure_dir(&path)?;
        }
    } else if path.is_root() {
        return Err(path_error("create directory", &path, FsError::Exists));
    } else {
        session.create_dir(&path)?;
    }
    session.save()
}

fn format(device: &FsDevice) -> Result<()> {
    let image = &device.device.image;
    let mut session = Session::open(&FsDevice { device: device.device.clone(), force: true }, false)?;
    let (region, kind) = (session.region, session.kind);
    session.fs().format().with_context(|| format!("cannot format /flash of {}", image.display()))?;
    session
        .fs()
        .mount_or_format()
        .with_context(|| format!("cannot create the default files of {}", image.display()))?;
    session.save()?;
    let dirs: Vec<String> = DEFAULT_DIRS.iter().map(|d| format!("{}/", &d[1..])).collect();
    println!(
        "formatted {MOUNT_POINT} ({} KiB {} at {:#x}) and created boot.py, main.py, {} as the board's first boot does",
        region.size / 1024,
        if kind == FsKind::Fat { "FAT" } else { "LittleFS" },
        region.offset,
        dirs.join(", ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_paths_must_be_on_flash() {
        assert_eq!(DevicePath::parse("/flash").unwrap().inner, "/");
        assert_eq!(DevicePath::parse("/flash/").unwrap().inner, "/");
        assert_eq!(DevicePath::parse("//flash/./lib//x.py").unwrap().inner, "/lib/x.py");
        assert_eq!(DevicePath::parse("/flash/lib/../main.py").unwrap().to_string(), "/flash/main.py");
        for bad in ["main.py", "flash/main.py", "/sd/x", "/", "/flash/../etc", "/flashy"] {
            assert!(DevicePath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn joins_names_and_ancestors() {
        let root = DevicePath::parse("/flash").unwrap();
        assert_eq!(root.join("a").inner, "/a");
        assert_eq!(root.name(), None);
        let deep = DevicePath::parse("/flash/a/b/c").unwrap();
        assert_eq!(deep.name(), Some("c"));
        let ancestors: Vec<String> = deep.ancestors().iter().map(|p| p.to_string()).collect();
        assert_eq!(ancestors, ["/flash/a", "/flash/a/b"]);
    }
}
