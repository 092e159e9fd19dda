//! Compiled code shared by every interpreter of the process.
//!
//! A board boots again and again (resets, deep sleep) and a fleet boots
//! many boards with the same scripts; the emulator's own Python helpers,
//! the frozen `_boot.py` and the scripts are the same text each time. The
//! bytecode compiled from a text does not depend on the interpreter, so it
//! is compiled once and each interpreter only makes its code object from it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rustpython_vm::builtins::{PyCode, PyObjBag};
use rustpython_vm::compiler::{self, CompileError, CompileOpts, Mode};
use rustpython_vm::{PyRef, VirtualMachine};

/// Texts longer than this are compiled every time (no point in keeping them).
const LARGEST_CACHED: usize = 256 << 10;
/// Most texts kept; the cache starts over when it is full.
const MOST_ENTRIES: usize = 256;

/// Name, optimisation level and text of a compiled source.
type Key = (String, u8, String);
type Bytecode = compiler::core::bytecode::CodeObject;

fn cache() -> &'static Mutex<HashMap<Key, Arc<Bytecode>>> {
    static CACHE: std::sync::OnceLock<Mutex<HashMap<Key, Arc<Bytecode>>>> = std::sync::OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// `vm.compile_with_opts(source, mode, path, opts)`, from the cache when the
/// same text was compiled before under the same name and optimisation level.
pub fn compile(
    source: &str,
    mode: Mode,
    path: &str,
    opts: CompileOpts,
    vm: &VirtualMachine,
) -> Result<PyRef<PyCode>, CompileError> {
    let cacheable = source.len() <= LARGEST_CACHED && matches!(mode, Mode::Exec);
    if !cacheable {
        return vm.compile_with_opts(source, mode, path.to_owned(), opts);
    }
    let key = (path.to_owned(), opts.optimize, source.to_owned());
    let cached = cache().lock().unwrap_or_else(|p| p.into_inner()).get(&key).cloned();
    let bytecode = match cached {
        Some(bytecode) => bytecode,
        None => {
            let bytecode = Arc::new(compiler::compile(source, mode, path, opts)?);
            let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
            if cache.len() >= MOST_ENTRIES {
                cache.clear();
            }
            cache.insert(key, bytecode.clone());
            bytecode
        }
    };
    Ok(vm.ctx.new_code(bytecode.map_clone_bag(&PyObjBag(&vm.ctx))))
}
