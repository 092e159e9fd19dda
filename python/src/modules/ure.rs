//! `ure` (weak link `re`): MicroPython's regular expressions as the firmware
//! builds them: `compile`, `match`, `search`, `DEBUG`; compiled patterns with
//! `match`, `search` and `split`; match objects with `group` only (the
//! firmware leaves out `groups`, `span`, `start`, `end` and `sub`).

pub(crate) use ure::module_def;

#[rustpython_vm::pymodule]
mod ure {
    use rustpython_vm::builtins::{PyBytes, PyListRef, PyModule, PyStr};
    use rustpython_vm::class::PyClassImpl;
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::types::Representable;
    use rustpython_vm::{AsObject, Py, PyObjectRef, PyPayload, PyResult, VirtualMachine, pyclass};

    use crate::args::{arity, get_int, method_arity, str_or_bytes};
    use crate::regex::{Captures, Regex};

    /// `compile` flag that makes the firmware dump the compiled program.
    #[pyattr]
    const DEBUG: u32 = 0x1000;

    /// A compiled pattern; its type is named `ure` on the board.
    #[pyclass(no_attr, module = "ure", name = "ure")]
    #[derive(Debug, PyPayload)]
    struct Pattern {
        regex: Regex,
    }

    /// The result of a successful `match` or `search`.
    #[pyclass(no_attr, module = "ure", name = "match")]
    #[derive(Debug, PyPayload)]
    struct Match {
        subject: PyObjectRef,
        caps: Captures,
    }

    /// Makes the pattern and match types, which the module does not name.
    pub(crate) fn module_exec(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
        __module_exec(vm, module);
        Pattern::make_static_type();
        Match::make_static_type();
        Ok(())
    }

    /// A subject or pattern: str or bytes, and which of the two.
    fn text(obj: &PyObjectRef, vm: &VirtualMachine) -> PyResult<(Vec<u8>, bool)> {
        Ok((str_or_bytes(obj, vm)?, obj.downcast_ref::<PyStr>().is_some()))
    }

    /// `bytes` as an object of the subject's type.
    fn piece(bytes: &[u8], is_str: bool, vm: &VirtualMachine) -> PyObjectRef {
        if is_str {
            vm.ctx.new_str(String::from_utf8_lossy(bytes).into_owned()).into()
        } else {
            PyBytes::from(bytes.to_vec()).into_ref(&vm.ctx).into()
        }
    }

    fn compile_pattern(pattern: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Regex> {
        let (bytes, _) = text(pattern, vm)?;
        Regex::new(&bytes).map_err(|e| vm.new_value_error(e.to_string()))
    }

    /// Runs `regex` on `subject`: `None`, or a match object.
    fn exec(regex: &Regex, subject: PyObjectRef, anchored: bool, vm: &VirtualMachine) -> PyResult {
        let (bytes, _) = text(&subject, vm)?;
        Ok(match regex.find(&bytes, 0, anchored).map_err(|e| vm.new_runtime_error(e.to_string()))? {
            Some(caps) => Match { subject, caps }.into_ref(&vm.ctx).into(),
            None => vm.ctx.none(),
        })
    }

    /// `compile(pattern[, flags])`.
    #[pyfunction]
    fn compile(args: FuncArgs, vm: &VirtualMachine) -> PyResult<Pattern> {
        arity(&args, 1, 2, vm)?;
        if let Some(flags) = args.args.get(1) {
            get_int(flags, vm)?;
        }
        Ok(Pattern { regex: compile_pattern(&args.args[0], vm)? })
    }

    /// `match(pattern, string)`: a match at the start of `string`.
    #[pyfunction(name = "match")]
    fn match_(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 2, 4, vm)?;
        exec(&compile_pattern(&args.args[0], vm)?, args.args[1].clone(), true, vm)
    }

    /// `search(pattern, string)`: the first match anywhere in `string`.
    #[pyfunction]
    fn search(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 2, 4, vm)?;
        exec(&compile_pattern(&args.args[0], vm)?, args.args[1].clone(), false, vm)
    }

    impl Representable for Pattern {
        fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
            Ok(format!("<re {:x}>", zelf.as_object().get_id()))
        }
    }

    #[pyclass(with(Representable))]
    impl Pattern {
        fn run(zelf: &Py<Self>, args: FuncArgs, anchored: bool, vm: &VirtualMachine) -> PyResult {
            method_arity(&args, 1, 3, vm)?;
            exec(&zelf.regex, args.args[0].clone(), anchored, vm)
        }

        /// `match(string)`: a match at the start of `string` (the firmware
        /// accepts and ignores `pos` and `endpos`).
        #[pymethod(name = "match")]
        fn match_(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
            Self::run(zelf, args, true, vm)
        }

        /// `search(string)`: the first match anywhere in `string`.
        #[pymethod]
        fn search(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
            Self::run(zelf, args, false, vm)
        }

        /// `split(string[, maxsplit])`: the pieces between non-empty matches.
        #[pymethod]
        fn split(zelf: &Py<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyListRef> {
            method_arity(&args, 1, 2, vm)?;
            let (bytes, is_str) = text(&args.args[0], vm)?;
            let mut left = match args.args.get(1) {
                Some(n) => get_int(n, vm)?,
                None => 0,
            };
            let mut pieces = Vec::new();
            let mut from = 0;
            let find = |from| zelf.regex.find(&bytes, from, false).map_err(|e| vm.new_runtime_error(e.to_string()));
            while let Some(caps) = find(from)? {
                let Some((start, end)) = caps[0].filter(|(start, end)| start != end) else { break };
                pieces.push(piece(&bytes[from..start], is_str, vm));
                if zelf.regex.groups() > 0 {
                    return Err(vm.new_not_implemented_error("Splitting with sub-captures"));
                }
                from = end;
                if left > 0 {
                    left -= 1;
                    if left == 0 {
                        break;
                    }
                }
            }
            pieces.push(piece(&bytes[from..], is_str, vm));
            Ok(vm.ctx.new_list(pieces))
        }
    }

    impl Representable for Match {
        fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
            Ok(format!("<match num={}>", zelf.caps.len()))
        }
    }

    #[pyclass(with(Representable))]
    impl Match {
        /// `group(n)`: what group `n` matched (0: the whole match), `None` if
        /// it took no part.
        #[pymethod]
        fn group(&self, index: PyObjectRef, vm: &VirtualMachine) -> PyResult {
            let n = get_int(&index, vm)?;
            let slot = usize::try_from(n).ok().and_then(|n| self.caps.get(n));
            let Some(slot) = slot else {
                return Err(vm.new_exception(vm.ctx.exceptions.index_error.to_owned(), vec![index]));
            };
            let (bytes, is_str) = text(&self.subject, vm)?;
            Ok(slot.map_or_else(|| vm.ctx.none(), |(start, end)| piece(&bytes[start..end], is_str, vm)))
        }
    }
}
