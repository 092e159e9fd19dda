//! The ESP32's UARTs 1 and 2 on device time, and what a board file wires to
//! them: a loopback, a scripted device, or a program on the host. Bytes are
//! modelled whole, each taking its frame's time on the line at the port's
//! baud rate (the peer is taken to use the same settings).

mod frame;
mod peer;
mod port;
mod script;
mod spec;

pub use frame::{Frame, Parity, StopBits};
pub use peer::{HostWait, Loopback, UartPeer};
pub use port::{UartPins, UartPort};
pub use script::ScriptedPeer;
pub use spec::{ReplySpec, SendSpec, UartSpec, UartSpecError};
