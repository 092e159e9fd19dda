//! `usocket` (weak link `socket`): TCP and UDP sockets of the board's
//! network, carried out by host sockets ([`pycom_board::net`]). Calls follow
//! `modusocket.c` and `lwipsocket.c` of the firmware: blocking by default,
//! `settimeout(0)` non-blocking, lwIP's `errno` values, `socket.timeout`
//! (`TimeoutError('timed out')`) when a timeout runs out.
//!
//! The peer is real, so waits are in wall time: a blocking call waits on the
//! host in short slices, each counted as device time
//! ([`crate::device_time::waited_on_host`]), with interrupts run between them.

pub(crate) use usocket::module_def;

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pycom_board::net::{BoardSocket, HostNet, NetError};
use rustpython_vm::builtins::PyBaseExceptionRef;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

use crate::args::{get_array, get_int};
use crate::state::{board, lock};

/// The longest single wait on the host: interrupts and the run's deadline
/// are looked at between two.
const SLICE: Duration = Duration::from_millis(10);

/// `OSError(errno)` for a failed operation; a refusal by the network
/// policy is explained on stderr.
pub(crate) fn net_error(e: &NetError, vm: &VirtualMachine) -> PyBaseExceptionRef {
    if let NetError::Refused { .. } = e {
        eprintln!("[pycom-emu] {e}");
    }
    crate::vfs::os_error(e.errno(), vm)
}

/// `TimeoutError('timed out')`: `usocket.timeout` as the firmware raises it.
pub(crate) fn timed_out(vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_exception_msg(vm.ctx.exceptions.timeout_error.to_owned(), "timed out".into())
}

/// The host side of the board's network and whether an interface is up.
pub(crate) fn network() -> (Arc<HostNet>, bool) {
    let board = board();
    let mut b = lock(&board);
    (b.host_net().clone(), b.interfaces().is_up())
}

/// `netutils_parse_inet_addr`: an `(ip, port)` tuple or list with a dotted
/// IPv4 address (`''` for any).
pub(crate) fn parse_address(addr: &PyObjectRef, vm: &VirtualMachine) -> PyResult<SocketAddrV4> {
    let items = get_array(addr, vm)?;
    let [ip, port] = items.as_slice() else {
        return Err(vm.new_value_error(format!("requested length 2 but object has length {}", items.len())));
    };
    let ip = ip.str(vm)?;
    let ip = match ip.to_str().unwrap_or_default() {
        "" => Ipv4Addr::UNSPECIFIED,
        text => text.parse().map_err(|_| vm.new_value_error("invalid arguments"))?,
    };
    Ok(SocketAddrV4::new(ip, get_int(port, vm)? as u16))
}

/// `(ip, port)` as the firmware returns addresses.
pub(crate) fn format_address(addr: SocketAddrV4, vm: &VirtualMachine) -> PyObjectRef {
    vm.new_tuple((vm.ctx.new_str(addr.ip().to_string()), vm.ctx.new_int(addr.port()))).into()
}

/// Waits up to `timeout` (for ever when `None`) for `events` on `socket`,
/// in host time counted as device time, letting the board's other
/// `_thread` threads run between its slices: whether they came.
pub(crate) fn wait_for(
    socket: &BoardSocket,
    events: u16,
    timeout: Option<Duration>,
    vm: &VirtualMachine,
) -> PyResult<bool> {
    let start = Instant::now();
    let mut counted = Duration::ZERO;
    loop {
        let left = timeout.map(|t| t.saturating_sub(start.elapsed()));
        // poll(2) counts whole milliseconds: round up, not down to a spin.
        let slice = left.map_or(SLICE, |l| l.min(SLICE).max(Duration::from_millis(1)));
        let ready = socket.poll(events, slice).map_err(|e| net_error(&e, vm))?;
        // Whole microseconds, so that short slices lose no fractions.
        let waited = Duration::from_micros(start.elapsed().as_micros() as u64);
        crate::device_time::waited_on_host(waited - counted);
        counted = waited;
        vm.check_signals()?;
        if ready != 0 {
            return Ok(true);
        }
        crate::threads::pass_turn(vm)?;
        if timeout.is_some_and(|t| waited >= t) {
            return Ok(false);
        }
    }
}

#[rustpython_vm::pymodule]
mod usocket {
    use std::net::Ipv4Addr;

    use pycom_board::net::error::EAI_FAIL;
    use rustpython_vm::builtins::{PyModule, PyTypeRef};
    use rustpython_vm::function::FuncArgs;
    use rustpython_vm::{Py, PyResult, VirtualMachine};

    use crate::args::{arity, get_int};

    /// `usocket.socket`.
    #[pyattr]
    fn socket(_vm: &VirtualMachine) -> PyTypeRef {
        crate::modules::socket_object::class()
    }

    /// `usocket.error`: `OSError`.
    #[pyattr]
    fn error(vm: &VirtualMachine) -> PyTypeRef {
        vm.ctx.exceptions.os_error.to_owned()
    }

    /// `usocket.timeout`: `TimeoutError`.
    #[pyattr]
    fn timeout(vm: &VirtualMachine) -> PyTypeRef {
        vm.ctx.exceptions.timeout_error.to_owned()
    }

    /// `getaddrinfo(host, port)`: one IPv4 stream address, `OSError(202)`
    /// (lwIP's `EAI_FAIL`) for a name that does not resolve.
    #[pyfunction]
    fn getaddrinfo(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 2, 6, vm)?;
        let host = args.args[0].str(vm)?;
        let port = get_int(&args.args[1], vm)?;
        let (net, up) = super::network();
        let numeric = host.to_str().unwrap_or_default().parse::<Ipv4Addr>().is_ok();
        if !up && !numeric {
            return Err(crate::vfs::os_error(EAI_FAIL, vm));
        }
        let ip = net.resolve(host.to_str().unwrap_or_default()).map_err(|e| super::net_error(&e, vm))?;
        let addr = super::format_address(std::net::SocketAddrV4::new(ip, port as u16), vm);
        let entry = vm.new_tuple((vm.ctx.new_int(AF_INET), vm.ctx.new_int(SOCK_STREAM), 0, vm.ctx.new_str(""), addr));
        Ok(vm.ctx.new_list(vec![entry.into()]).into())
    }

    /// `dnsserver()`, `dnsserver(index)`, `dnsserver(index, ip)`.
    #[pyfunction]
    fn dnsserver(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        arity(&args, 0, 2, vm)?;
        let (net, _) = super::network();
        let ip = |i: usize| -> rustpython_vm::PyObjectRef { vm.ctx.new_str(net.dns_server(i).to_string()).into() };
        let Some(index) = args.args.first() else {
            return Ok(vm.new_tuple((ip(0), ip(1))).into());
        };
        let index = match get_int(index, vm) {
            Ok(i) if !index.class().fast_issubclass(vm.ctx.types.bool_type) => i,
            _ => return Err(vm.new_value_error("invalid argument(s) num/type")),
        };
        if !(0..2).contains(&index) {
            return Err(vm.new_value_error("Index out of range!\n"));
        }
        match args.args.get(1) {
            None => Ok(vm.new_tuple((vm.ctx.new_int(index), ip(index as usize))).into()),
            Some(addr) => {
                let addr = addr.str(vm)?;
                let addr: Ipv4Addr =
                    addr.to_str().unwrap_or_default().parse().map_err(|_| vm.new_value_error("invalid arguments"))?;
                net.set_dns_server(index as usize, addr);
                Ok(vm.ctx.none())
            }
        }
    }

    /// `AF_INET`.
    #[pyattr]
    const AF_INET: i32 = 2;
    /// `AF_LORA` (LoRa radios).
    #[pyattr]
    const AF_LORA: i32 = 0xA0;
    /// `AF_SIGFOX` (Sigfox radios).
    #[pyattr]
    const AF_SIGFOX: i32 = 0xA1;
    /// `SOCK_STREAM`.
    #[pyattr]
    const SOCK_STREAM: i32 = 1;
    /// `SOCK_DGRAM`.
    #[pyattr]
    const SOCK_DGRAM: i32 = 2;
    /// `SOCK_RAW`.
    #[pyattr]
    const SOCK_RAW: i32 = 3;
    /// `IPPROTO_IP`.
    #[pyattr]
    const IPPROTO_IP: i32 = 0;
    /// `IPPROTO_ICMP`.
    #[pyattr]
    const IPPROTO_ICMP: i32 = 1;
    /// `IPPROTO_TCP`.
    #[pyattr]
    const IPPROTO_TCP: i32 = 6;
    /// `IPPROTO_UDP`.
    #[pyattr]
    const IPPROTO_UDP: i32 = 17;
    /// `IPPROTO_IPV6`.
    #[pyattr]
    const IPPROTO_IPV6: i32 = 41;
    /// `IPPROTO_RAW`.
    #[pyattr]
    const IPPROTO_RAW: i32 = 255;
    /// `IP_ADD_MEMBERSHIP`.
    #[pyattr]
    const IP_ADD_MEMBERSHIP: i32 = 3;
    /// `SOL_LORA`.
    #[pyattr]
    const SOL_LORA: i32 = 0xFFF05;
    /// `SOL_SIGFOX`.
    #[pyattr]
    const SOL_SIGFOX: i32 = 0xFFF06;
    /// `SOL_SOCKET` (lwIP's value).
    #[pyattr]
    const SOL_SOCKET: i32 = 0xFFF;
    /// `SO_REUSEADDR`.
    #[pyattr]
    const SO_REUSEADDR: i32 = 4;
    /// `SO_CONFIRMED` (LoRaWAN).
    #[pyattr]
    const SO_CONFIRMED: i32 = 0xF0002;
    /// `SO_DR` (LoRaWAN).
    #[pyattr]
    const SO_DR: i32 = 0xF0003;
    /// `SO_RX` (Sigfox).
    #[pyattr]
    const SO_RX: i32 = 0xF0004;
    /// `SO_TX_REPEAT` (Sigfox).
    #[pyattr]
    const SO_TX_REPEAT: i32 = 0xF0005;
    /// `SO_OOB` (Sigfox).
    #[pyattr]
    const SO_OOB: i32 = 0xF0006;
    /// `SO_BIT` (Sigfox).
    #[pyattr]
    const SO_BIT: i32 = 0xF0007;

    /// Drops the radio constants a board without that radio lacks.
    pub(crate) fn module_exec(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
        __module_exec(vm, module);
        let model = crate::state::lock(&crate::state::board()).model();
        let lora = model.has(pycom_board::Radio::LoRa);
        let sigfox = model.has(pycom_board::Radio::Sigfox);
        let absent: &[(&str, bool)] = &[
            ("AF_LORA", lora),
            ("SOL_LORA", lora),
            ("SO_CONFIRMED", lora),
            ("SO_DR", lora),
            ("AF_SIGFOX", sigfox),
            ("SOL_SIGFOX", sigfox),
            ("SO_RX", sigfox),
            ("SO_TX_REPEAT", sigfox),
            ("SO_OOB", sigfox),
            ("SO_BIT", sigfox),
            ("SOCK_RAW", lora || sigfox),
        ];
        for (name, present) in absent {
            if !present {
                module.dict().del_item(*name, vm)?;
            }
        }
        Ok(())
    }
}
