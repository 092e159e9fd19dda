//! `network` (modnetwork.c): the board's network interfaces. `WLAN` and
//! `LoRa`, `Sigfox` and `Server` so far; `LTE` and `Bluetooth` are not there yet.

pub(crate) use network::module_def;

#[rustpython_vm::pymodule]
mod network {
    use rustpython_vm::VirtualMachine;
    use rustpython_vm::builtins::PyTypeRef;

    /// `WLAN(id=0, *, mode, ssid, auth, channel, antenna, ...)`.
    #[pyattr(name = "WLAN")]
    fn wlan_class(_vm: &VirtualMachine) -> PyTypeRef {
        crate::modules::wlan::class()
    }

    /// `LoRa(id=0, *, mode, region, frequency, ...)`: the LoRa radio.
    #[pyattr(name = "LoRa")]
    fn lora_class(_vm: &VirtualMachine) -> PyTypeRef {
        crate::modules::lora::class()
    }

    /// `Sigfox(id=0, mode=Sigfox.SIGFOX, rcz=Sigfox.RCZ1)`: the Sigfox radio.
    #[pyattr(name = "Sigfox")]
    fn sigfox_class(_vm: &VirtualMachine) -> PyTypeRef {
        crate::modules::sigfox::class()
    }

    /// `Server(id=0, *, login, timeout)`: the Telnet and FTP servers.
    #[pyattr(name = "Server")]
    fn server_class(_vm: &VirtualMachine) -> PyTypeRef {
        crate::modules::server::class()
    }
}
