//! GPIO pins: each pin's electrical state, the devices a board file wires to
//! them (DHT sensors, buttons, waveforms), edge interrupts, and the RMT
//! receiver behind `pycom.pulses_get`. Everything runs on device time: a
//! device's next change is an event, and the bank is simulated up to the time
//! the script looks.

mod bank;
mod capture;
mod device;
mod dht;
mod ds18b20;
mod line;
mod names;
mod pwm;
mod schedule;
mod stimulus;
mod train;

pub use bank::{GPIO_COUNT, PinBank, PinEvent, PinIrq, PinMode, PinTrace, Trigger};
pub use capture::IDLE_THRESHOLD_US;
pub(crate) use device::ms_to_us;
pub use device::{
    Built, ButtonSpec, Device, DeviceError, DeviceSpec, DhtSpec, Ds18b20Spec, JumperSpec, Press, Reading, TimedPress,
    WaveformSpec, check_devices,
};
pub use dht::DhtKind;
pub use ds18b20::crc8;
pub use line::{Drive, Level, Pull};
pub use names::{PinName, RTC_GPIOS, find_pin, pin_names, pulled_down_at_boot};
pub use pwm::Square;
pub use schedule::{Schedule, Step};
