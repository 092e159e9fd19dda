//! `os` / `uos` as on the board: `/flash` under a root that lists the mounts.

pub(crate) use os::module_def;

/// Version of the LoRaWAN stack the firmware reports in `os.uname()`.
pub const LORAWAN_VERSION: &str = "1.0.2";
/// Version of the Sigfox stack the firmware reports in `os.uname()`.
pub const SIGFOX_VERSION: &str = "1.0.1";
/// Tag of the MicroPython core the firmware is built on (`os.uname().version`,
/// the REPL banner).
pub const CORE_TAG: &str = "v1.11-pycom-emu";

/// Free KiB of a volume, as the firmware's `getfree` reports it.
fn free_kib(usage: &pycom_board::fs::FsUsage) -> u64 {
    u64::from(usage.free_blocks) * u64::from(usage.block_size) / 1024
}

#[rustpython_vm::pymodule]
mod os {
    use pycom_board::Radio;
    use rustpython_vm::builtins::{PyStr, PyType};
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::types::Constructor;
    use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

    use super::{CORE_TAG, LORAWAN_VERSION, SIGFOX_VERSION};
    use crate::args::{arity, get_int};
    use crate::modules::machine::machine::Sd;
    use crate::state::{self, board, lock};
    use crate::vfs::{self, ENOTDIR, FLASH, Location, on_volume};

    /// `EXDEV`: a rename across mounts.
    const EXDEV: i32 = 18;
    /// `ENODEV`: no filesystem is mounted there.
    const ENODEV: i32 = 19;
    /// `EINVAL`.
    const EINVAL: i32 = 22;

    /// `S_IFDIR`, the type of a directory in `stat` and `ilistdir`.
    const S_IFDIR: u32 = 0x4000;
    /// `S_IFREG`, the type of a file.
    const S_IFREG: u32 = 0x8000;

    /// `uname()`: the firmware's attribute tuple; LoRa boards add `lorawan`,
    /// Sigfox boards add `sigfox`.
    #[pyfunction]
    fn uname(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 0, 0, vm)?;
        let board = board();
        let (model, release) = {
            let b = lock(&board);
            (b.model(), b.firmware_release())
        };
        let platform = model.platform().to_owned();
        let mut fields: Vec<(&str, String)> = vec![
            ("sysname", platform.clone()),
            ("nodename", platform),
            ("release", release),
            ("version", format!("{CORE_TAG} on {}", pycom_board::FIRMWARE_BUILD_DATE)),
            ("machine", model.machine()),
        ];
        if model.has(Radio::LoRa) {
            fields.push(("lorawan", LORAWAN_VERSION.into()));
        }
        if model.has(Radio::Sigfox) {
            fields.push(("sigfox", SIGFOX_VERSION.into()));
        }
        let fields = fields.into_iter().map(|(name, value)| (name, vm.ctx.new_str(value).into())).collect();
        crate::prelude::attrtuple(fields, vm)
    }

    /// `urandom(n)`: `n` random bytes from the hardware RNG.
    #[pyfunction]
    fn urandom(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        arity(&args, 1, 1, vm)?;
        let n = usize::try_from(get_int(&args.args[0], vm)?).unwrap_or(0);
        Ok(crate::rng::random_bytes(n))
    }

    fn path_arg(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<String> {
        obj.downcast_ref::<PyStr>().map(|s| s.to_string()).ok_or_else(|| {
            vm.new_type_error(format!("can't convert '{}' object to str implicitly", obj.class().name()))
        })
    }

    /// The single path argument of `name(path)`, or of `name([path])` defaulting to ".".
    fn one_path(args: FuncArgs, optional: bool, vm: &VirtualMachine) -> PyResult<String> {
        arity(&args, usize::from(!optional), 1, vm)?;
        args.args.first().map_or(Ok(".".to_owned()), |p| path_arg(p, vm))
    }

    /// `getcwd()`: `/flash` after every boot.
    #[pyfunction]
    fn getcwd(args: FuncArgs, vm: &VirtualMachine) -> PyResult<String> {
        arity(&args, 0, 0, vm)?;
        Ok(vfs::cwd())
    }

    /// `chdir(path)`: must name a directory.
    #[pyfunction]
    fn chdir(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let path = one_path(args, false, vm)?;
        let absolute = vfs::normalise(&path, &vfs::cwd());
        let location = vfs::resolve(&path, vm)?;
        if location != Location::Root && !on_volume!(vm, location, |fs, inner| fs.metadata(&inner))?.is_dir {
            return Err(vfs::os_error(ENOTDIR, vm));
        }
        state::with(|s| s.cwd = absolute);
        Ok(())
    }

    /// `(name, type, inode, size)` of each entry of a directory.
    fn entries(path: &str, vm: &VirtualMachine) -> PyResult<Vec<(String, u32, u64)>> {
        match vfs::resolve(path, vm)? {
            Location::Root => {
                let mounts = std::iter::once(FLASH.to_owned()).chain(vfs::sd_mount());
                Ok(mounts.map(|m| (m.trim_start_matches('/').to_owned(), S_IFDIR, 0)).collect())
            }
            location => {
                let list = on_volume!(vm, location, |fs, inner| fs.list(&inner))?;
                Ok(list.into_iter().map(|e| (e.name, if e.is_dir { S_IFDIR } else { S_IFREG }, e.size)).collect())
            }
        }
    }

    /// `listdir([path])`: names in a directory.
    #[pyfunction]
    fn listdir(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let path = one_path(args, true, vm)?;
        let names = entries(&path, vm)?.into_iter().map(|(name, _, _)| vm.ctx.new_str(name).into()).collect();
        Ok(vm.ctx.new_list(names).into())
    }

    /// `ilistdir([path])`: an iterator of `(name, type, inode, size)` tuples.
    #[pyfunction]
    fn ilistdir(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let path = one_path(args, true, vm)?;
        let items: Vec<PyObjectRef> = entries(&path, vm)?
            .into_iter()
            .map(|(name, kind, size)| {
                let fields = vec![
                    vm.ctx.new_str(name).into(),
                    vm.ctx.new_int(kind).into(),
                    vm.ctx.new_int(0).into(),
                    vm.ctx.new_int(size).into(),
                ];
                vm.ctx.new_tuple(fields).into()
            })
            .collect();
        let list: PyObjectRef = vm.ctx.new_list(items).into();
        list.get_iter(vm).map(Into::into)
    }

    /// `mkdir(path)`.
    #[pyfunction]
    fn mkdir(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let location = vfs::resolve(&one_path(args, false, vm)?, vm)?;
        on_volume!(vm, location, |fs, inner| fs.create_dir(&inner))
    }

    /// `rmdir(path)`: the directory must be empty.
    #[pyfunction]
    fn rmdir(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let location = vfs::resolve(&one_path(args, false, vm)?, vm)?;
        on_volume!(vm, location, |fs, inner| fs.remove_dir(&inner))
    }

    /// `remove(path)`: a file.
    #[pyfunction]
    fn remove(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let location = vfs::resolve(&one_path(args, false, vm)?, vm)?;
        on_volume!(vm, location, |fs, inner| fs.remove_file(&inner))
    }

    /// `unlink(path)`: the same as `remove`.
    #[pyfunction]
    fn unlink(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        remove(args, vm)
    }

    /// `rename(old, new)`.
    #[pyfunction]
    fn rename(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 2, 2, vm)?;
        let from = vfs::resolve(&path_arg(&args.args[0], vm)?, vm)?;
        let to = vfs::resolve(&path_arg(&args.args[1], vm)?, vm)?;
        let to = match (&from, to) {
            (Location::Flash(_), Location::Flash(to)) | (Location::Sd(_), Location::Sd(to)) => to,
            _ => return Err(vfs::os_error(EXDEV, vm)),
        };
        on_volume!(vm, from, |fs, inner| fs.rename(&inner, &to))
    }

    /// `stat(path)`: `(mode, 0, 0, 0, 0, 0, size, 0, 0, 0)`.
    #[pyfunction]
    fn stat(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let path = one_path(args, false, vm)?;
        let (mode, size) = match vfs::resolve(&path, vm)? {
            Location::Root => (S_IFDIR, 0),
            location => {
                let meta = on_volume!(vm, location, |fs, inner| fs.metadata(&inner))?;
                (if meta.is_dir { S_IFDIR } else { S_IFREG }, meta.size)
            }
        };
        let mut fields: Vec<PyObjectRef> = vec![vm.ctx.new_int(mode).into()];
        fields.extend((0..5).map(|_| vm.ctx.new_int(0).into()));
        fields.push(vm.ctx.new_int(size).into());
        fields.extend((0..3).map(|_| vm.ctx.new_int(0).into()));
        Ok(vm.ctx.new_tuple(fields).into())
    }

    /// `statvfs(path)`: `(bsize, frsize, blocks, bfree, bavail, files, ffree, favail, flag, namemax)`.
    #[pyfunction]
    fn statvfs(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        let path = one_path(args, false, vm)?;
        let usage = match vfs::resolve(&path, vm)? {
            Location::Root => None,
            location => Some(on_volume!(vm, location, |fs, _inner| fs.usage())?),
        };
        let numbers: [u32; 10] = match usage {
            None => [0; 10],
            Some(u) => [u.block_size, u.block_size, u.blocks, u.free_blocks, u.free_blocks, 0, 0, 0, 0, 255],
        };
        Ok(vm.ctx.new_tuple(numbers.iter().map(|n| vm.ctx.new_int(*n).into()).collect()).into())
    }

    /// `getfree(path)`: free KiB of the volume `path` lies on (LittleFS:
    /// blocks not in use; FAT: free clusters).
    #[pyfunction]
    fn getfree(args: FuncArgs, vm: &VirtualMachine) -> PyResult<u64> {
        let path = one_path(args, false, vm)?;
        // Any path below a mount point will do; nothing is mounted at `/`.
        let location = match vfs::locate(&vfs::normalise(&path, &vfs::cwd()), vfs::sd_mount().as_deref()) {
            Ok(Location::Root) | Err(_) => return Err(vfs::os_error(ENODEV, vm)),
            Ok(location) => location,
        };
        let usage = on_volume!(vm, location, |fs, _inner| fs.usage())?;
        Ok(super::free_kib(&usage))
    }

    /// `fsformat(mount_point)`: writes an empty filesystem over `/flash` or
    /// the mounted card, with the firmware's messages for other paths.
    #[pyfunction]
    fn fsformat(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 1, 1, vm)?;
        let Some(path) = crate::args::text_bytes(&args.args[0]) else {
            return Err(vm.new_os_error("please specify correct fs mount path".to_owned()));
        };
        let path = String::from_utf8_lossy(&path).into_owned();
        if !path.starts_with('/') {
            return Err(vm.new_os_error(format!("{path} is not an absolute or invalid path")));
        }
        if path == "/" {
            return Err(vm.new_os_error("Cannot format root dir".to_owned()));
        }
        let location = if path == FLASH {
            Location::Flash("/".into())
        } else if vfs::sd_mount().as_deref() == Some(path.as_str()) {
            Location::Sd("/".into())
        } else {
            return Err(vfs::os_error(ENODEV, vm));
        };
        on_volume!(vm, location, |fs, _inner| fs.format())
    }

    /// `sync()`: writes go to flash at once, so there is nothing to do.
    #[pyfunction]
    fn sync(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        arity(&args, 0, 0, vm)
    }

    /// `dupterm([stream])`: without an argument, the stream set last (`None`
    /// if none); with one, sets it (`None` removes it). A stream other than a
    /// UART needs `read` and `write` methods. The emulator keeps the stream
    /// but the REPL stays on UART 0.
    #[pyfunction]
    fn dupterm(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 0, 1, vm)?;
        let Some(stream) = args.args.into_iter().next() else {
            return Ok(state::with(|s| s.dupterm.clone()).unwrap_or_else(|| vm.ctx.none()));
        };
        let stream = if vm.is_none(&stream) {
            None
        } else {
            stream.get_attr("read", vm)?;
            stream.get_attr("write", vm)?;
            Some(stream)
        };
        state::with(|s| s.dupterm = stream);
        Ok(vm.ctx.none())
    }

    /// `mkfat(sd)`: the FAT filesystem object of an SD card, to mount with
    /// `os.mount`; `mkfat.mkfs(sd)` formats the card.
    #[pyclass(no_attr, module = "uos", name = "VfsFat")]
    #[derive(Debug, PyPayload)]
    pub(crate) struct VfsFat {}

    /// `mkfat`: the `VfsFat` type.
    #[pyattr]
    fn mkfat(_vm: &VirtualMachine) -> rustpython_vm::builtins::PyTypeRef {
        use rustpython_vm::class::PyClassImpl;
        VfsFat::make_static_type()
    }

    /// The card behind a block device argument; anything but `machine.SD`
    /// lacks the block protocol.
    fn card(device: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
        if device.downcast_ref::<Sd>().is_none() {
            return Err(
                vm.new_attribute_error(format!("'{}' object has no attribute 'readblocks'", device.class().name()))
            );
        }
        Ok(())
    }

    impl Constructor for VfsFat {
        type Args = FuncArgs;

        fn py_new(_cls: &Py<PyType>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
            arity(&args, 1, 1, vm)?;
            card(&args.args[0], vm)?;
            Ok(Self {})
        }
    }

    #[pyclass(with(Constructor))]
    impl VfsFat {
        /// `mkfs(sd)`: writes an empty FAT volume over the card.
        #[pystaticmethod]
        fn mkfs(device: PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
            card(&device, vm)?;
            on_volume!(vm, Location::Sd("/".into()), |fs, _inner| fs.format())
        }

        /// `getfree()`: free KiB on the card.
        #[pymethod]
        fn getfree(&self, vm: &VirtualMachine) -> PyResult<u64> {
            let usage = on_volume!(vm, Location::Sd("/".into()), |fs, _inner| fs.usage())?;
            Ok(super::free_kib(&usage))
        }

        /// `fsformat()`: the same as `mkfs` on its card.
        #[pymethod]
        fn fsformat(&self, vm: &VirtualMachine) -> PyResult<()> {
            on_volume!(vm, Location::Sd("/".into()), |fs, _inner| fs.format())
        }
    }

    /// `mount(sd, '/sd')`: mounts the SD card (or `mkfat(sd)`) at a top-level path.
    #[pyfunction]
    fn mount(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        if args.args.len() != 2 {
            return Err(
                vm.new_type_error(format!("function takes 2 positional arguments but {} were given", args.args.len()))
            );
        }
        if args.args[0].downcast_ref::<Sd>().is_none() && args.args[0].downcast_ref::<VfsFat>().is_none() {
            return Err(vfs::os_error(EINVAL, vm));
        }
        let point = vfs::normalise(&path_arg(&args.args[1], vm)?, "/");
        let top_level = point.len() > 1 && !point[1..].contains('/');
        if !top_level || point == FLASH || vfs::sd_mount().is_some() {
            return Err(vfs::os_error(vfs::EPERM, vm));
        }
        lock(&board()).set_sd_mount(Some(point));
        Ok(())
    }

    /// `umount(path)`.
    #[pyfunction]
    fn umount(args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let point = vfs::normalise(&one_path(args, false, vm)?, "/");
        if vfs::sd_mount().as_deref() != Some(point.as_str()) {
            return Err(vfs::os_error(EINVAL, vm));
        }
        lock(&board()).set_sd_mount(None);
        Ok(())
    }
}
