//! `network` (modnetwork.c): the board's network interfaces. `WLAN` so far;
//! `Server`, `LoRa`, `Sigfox`, `LTE` and `Bluetooth` are not there yet.

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
}
