//! Devices wired to pins: the trait the pin bank drives them through, and
//! the description of every device in a board file (bus devices included).

use serde::Deserialize;

use crate::BoardModel;
use crate::bus::shields::{self, PyscanSpec, PysenseSpec, PytrackSpec};
use crate::bus::{Buses, I2cRegistersSpec, I2cTarget, SpiLoopback, SpiLoopbackSpec, SpiWires};

use super::dht::{Dht, DhtKind};
use super::ds18b20::Ds18b20;
use super::line::{Drive, Level, Pull};
use super::schedule::Schedule;
use super::stimulus::Stimulus;
use crate::analog::AnalogSpec;
use crate::uart::{UartSpec, UartSpecError};

/// Something wired to a pin. It drives the line, may pull it, changes what it
/// does at times of its own choosing, and may react to the line.
pub trait Device: Send + std::fmt::Debug {
    /// How the device drives the line now.
    fn drive(&self) -> Drive;

    /// A resistor the device (or its breakout board) puts on the line.
    fn pull(&self) -> Option<Pull>;

    /// Device time of the next change the device makes by itself, if any.
    fn next_change_us(&self) -> Option<u64>;

    /// Makes the change due at `now_us`, the time [`Device::next_change_us`] gave.
    fn step(&mut self, now_us: u64);

    /// The line's level became `level` at `now_us`, whoever changed it.
    fn line_changed(&mut self, now_us: u64, level: Level);

    /// A hand presses (`true`) or lets go of (`false`) the device from now
    /// on, outside its schedule (the web view's button); whether the device
    /// is one that can be pressed.
    fn press(&mut self, _pressed: bool) -> bool {
        false
    }

    /// What the device measures at `now_us` (a sensor's readings), for a
    /// hand to look at; none unless it is a sensor.
    fn readings(&self, _now_us: u64) -> Vec<Reading> {
        Vec::new()
    }

    /// A hand sets `quantity` (a name [`Device::readings`] gives) to `value`
    /// from now on, in place of the board file's schedule (the web view's
    /// sensor values); whether the device measures that quantity.
    fn set_reading(&mut self, _quantity: &str, _value: f64) -> bool {
        false
    }
}

/// One quantity a sensor measures, and its value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    /// Its name, as the board file writes it (`temperature`, `humidity`, `volts`).
    pub quantity: &'static str,
    /// Its unit (`°C`, `%RH`, `V`).
    pub unit: &'static str,
    /// The value now.
    pub value: f64,
}

/// One `[[device]]` entry of a board file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DeviceSpec {
    /// A DHT11 temperature and humidity sensor (1 °C / 1 %RH steps).
    Dht11(DhtSpec),
    /// A DHT22 / AM2302 temperature and humidity sensor (0.1 steps).
    Dht22(DhtSpec),
    /// A push button between the pin and ground (or 3.3 V).
    Button(ButtonSpec),
    /// A DS18B20 1-Wire temperature sensor.
    Ds18b20(Ds18b20Spec),
    /// A fixed train of levels driven onto the pin.
    Waveform(WaveformSpec),
    /// An I2C device described by its registers.
    I2c(I2cRegistersSpec),
    /// A wire from the SPI MOSI pin to the MISO pin.
    #[serde(rename = "spi_loopback")]
    SpiLoopback(SpiLoopbackSpec),
    /// Pycom's Pysense shield on P22/P21.
    Pysense(PysenseSpec),
    /// Pycom's Pytrack shield on P22/P21.
    Pytrack(PytrackSpec),
    /// Pycom's Pyscan shield on P22/P21.
    Pyscan(PyscanSpec),
    /// A device on UART 1 or 2 (not on one pin).
    Uart(UartSpec),
    /// A voltage source for the ADC.
    Analog(AnalogSpec),
    /// A jumper wire joining two pins into one line.
    Jumper(JumperSpec),
}

/// A device built from its description, with the GPIOs it goes on.
#[derive(Debug)]
pub enum Built {
    /// A device on one pin.
    Pin {
        /// Its GPIO.
        gpio: u8,
        /// The device.
        device: Box<dyn Device>,
    },
    /// Targets on I2C wires.
    I2c {
        /// SDA's GPIO.
        sda: u8,
        /// SCL's GPIO.
        scl: u8,
        /// The targets.
        targets: Vec<Box<dyn I2cTarget>>,
        /// A Pycom shield's coprocessor (one of the targets), which also
        /// drives SCL and switches the module's power, and the shield's
        /// values a hand may set.
        shield: Option<(shields::Coprocessor, shields::ShieldValues)>,
    },
    /// A device on SPI wires.
    Spi(SpiWires),
    /// A wire joining two GPIOs.
    Jumper(u8, u8),
}

/// A jumper wire between two pins (a test rig's loopback): the pins share
/// one line, so one drives what the other reads. It carries levels only:
/// UART and SPI bytes take their own loopback devices.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JumperSpec {
    /// The two pin names.
    pub pins: [String; 2],
}

/// A DHT sensor's wiring and readings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DhtSpec {
    /// Pin name (`P10`, `G7`, ...).
    pub pin: String,
    /// Temperature in °C: a number or a schedule over device time.
    pub temperature: Schedule,
    /// Relative humidity in %: a number or a schedule over device time.
    pub humidity: Schedule,
    /// The 10 kΩ pull-up of a DHT breakout board (`true` unless told).
    #[serde(default = "yes")]
    pub pull_up: bool,
}

/// A DS18B20's wiring and readings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ds18b20Spec {
    /// Pin name.
    pub pin: String,
    /// Temperature in °C: a number or a schedule over device time.
    pub temperature: Schedule,
    /// The bus's 4.7 kΩ pull-up (`true` unless told).
    #[serde(default = "yes")]
    pub pull_up: bool,
}

/// A push button's wiring and presses.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ButtonSpec {
    /// Pin name.
    pub pin: String,
    /// When the button is pressed, in ms of device time since power-on.
    #[serde(default)]
    pub presses: Vec<Press>,
    /// How long a press lasts unless the press says (default 100 ms).
    #[serde(default = "default_hold_ms")]
    pub hold_ms: f64,
    /// Level the pressed button connects the pin to (`0`, to ground, unless told).
    #[serde(default)]
    pub active_level: u8,
    /// A resistor on the board's side of the button.
    #[serde(default)]
    pub pull: Option<Pull>,
}

/// One press of a button.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(untagged, expecting = "a press: ms since power-on, or { at_ms = ..., hold_ms = ... }")]
pub enum Press {
    /// Pressed at this many ms, held for the button's `hold_ms`.
    At(f64),
    /// Pressed for a given time.
    Timed(TimedPress),
}

/// A press with its own length.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedPress {
    /// When, in ms of device time.
    pub at_ms: f64,
    /// How long.
    pub hold_ms: f64,
}

/// A waveform source.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaveformSpec {
    /// Pin name.
    pub pin: String,
    /// When the first level starts, in ms of device time (0 unless told).
    #[serde(default)]
    pub start_ms: f64,
    /// `[level, duration_us]` pairs driven one after the other; the line is
    /// released after the last one.
    pub levels: Vec<(u8, u64)>,
    /// How many times the train is played (1 unless told).
    #[serde(default = "one")]
    pub repeat: u32,
    /// A resistor on the line.
    #[serde(default)]
    pub pull: Option<Pull>,
}

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}

fn default_hold_ms() -> f64 {
    100.0
}

/// Why a device description cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeviceError {
    /// The board has no pin of that name.
    #[error("device on {pin:?}: this board has no such pin (use a P- or G-name)")]
    UnknownPin {
        /// The name given.
        pin: String,
    },
    /// A value is out of range.
    #[error("device on {pin:?}: {problem}")]
    Invalid {
        /// The pin of the device.
        pin: String,
        /// What is wrong.
        problem: String,
    },
    /// A UART device is described wrongly.
    #[error(transparent)]
    Uart(#[from] UartSpecError),
}

/// Milliseconds (as written in board files) to device microseconds.
pub(crate) fn ms_to_us(ms: f64) -> u64 {
    (ms * 1000.0).round().max(0.0) as u64
}

/// Checks that every device of a board file can be built on a `model` board
/// and that no two I2C devices on the same wires share an address.
pub fn check_devices(model: BoardModel, specs: &[DeviceSpec]) -> Result<(), DeviceError> {
    let mut buses = Buses::default();
    for spec in specs {
        if matches!(spec, DeviceSpec::Uart(_) | DeviceSpec::Analog(_)) {
            if let Some(name) = spec.pins().into_iter().find(|name| crate::pins::find_pin(model, name).is_none()) {
                return Err(DeviceError::UnknownPin { pin: name.to_owned() });
            }
            spec.check_unbuilt()?;
            continue;
        }
        if let Built::I2c { sda, scl, targets, .. } = spec.build(model)? {
            for target in targets {
                buses.attach_i2c(sda, scl, target).map_err(|e| spec.invalid(e.to_string()))?;
            }
        }
    }
    Ok(())
}

impl DeviceSpec {
    /// The device's `kind` as a board file names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Dht11(_) => "dht11",
            Self::Dht22(_) => "dht22",
            Self::Button(_) => "button",
            Self::Ds18b20(_) => "ds18b20",
            Self::Waveform(_) => "waveform",
            Self::I2c(_) => "i2c",
            Self::SpiLoopback(_) => "spi_loopback",
            Self::Pysense(_) => "pysense",
            Self::Pytrack(_) => "pytrack",
            Self::Pyscan(_) => "pyscan",
            Self::Uart(_) => "uart",
            Self::Analog(_) => "analog",
            Self::Jumper(_) => "jumper",
        }
    }

    /// The pin name the device is known by (SDA or MOSI for a bus device;
    /// `None` for a UART device).
    pub fn pin(&self) -> Option<&str> {
        self.pins().first().copied()
    }

    /// Every pin name the device is wired to.
    pub fn pins(&self) -> Vec<&str> {
        match self {
            Self::Dht11(s) | Self::Dht22(s) => vec![&s.pin],
            Self::Button(s) => vec![&s.pin],
            Self::Ds18b20(s) => vec![&s.pin],
            Self::Waveform(s) => vec![&s.pin],
            Self::Analog(s) => vec![&s.pin],
            Self::I2c(s) => vec![&s.sda, &s.scl],
            Self::SpiLoopback(s) => vec![&s.mosi, &s.miso],
            Self::Pysense(_) | Self::Pytrack(_) | Self::Pyscan(_) => vec![shields::SDA, shields::SCL],
            Self::Uart(_) => vec![],
            Self::Jumper(s) => s.pins.iter().map(String::as_str).collect(),
        }
    }

    /// The error for a device that cannot be built.
    pub(crate) fn invalid(&self, problem: String) -> DeviceError {
        DeviceError::Invalid { pin: self.pin().unwrap_or_default().to_owned(), problem }
    }

    /// Checks a description that is not built onto pins or a bus (a UART
    /// device, an analog source).
    pub(crate) fn check_unbuilt(&self) -> Result<(), DeviceError> {
        match self {
            Self::Uart(s) => Ok(s.check()?),
            Self::Analog(s) => s.problem().map_or(Ok(()), |problem| Err(self.invalid(problem))),
            _ => Ok(()),
        }
    }

    /// Builds the device, with its pins found on a `model` board (UART
    /// devices and analog sources are not built: [`crate::Board::attach_device`]
    /// wires them).
    pub fn build(&self, model: BoardModel) -> Result<Built, DeviceError> {
        let gpios = self
            .pins()
            .into_iter()
            .map(|name| {
                crate::pins::find_pin(model, name)
                    .map(|p| p.gpio)
                    .ok_or_else(|| DeviceError::UnknownPin { pin: name.to_owned() })
            })
            .collect::<Result<Vec<u8>, _>>()?;
        let invalid = |problem: String| self.invalid(problem);
        if let Self::Dht11(s) | Self::Dht22(s) = self
            && [&s.temperature, &s.humidity].iter().any(|schedule| schedule.is_empty())
        {
            return Err(invalid("a schedule needs at least one step".to_owned()));
        }
        let on_pin = |device: Box<dyn Device>| Built::Pin { gpio: gpios[0], device };
        let on_bus = |shield: shields::Shield| Built::I2c {
            sda: gpios[0],
            scl: gpios[1],
            targets: shield.targets,
            shield: Some((shield.coprocessor, shield.values)),
        };
        Ok(match self {
            Self::Dht11(s) => on_pin(Box::new(Dht::new(DhtKind::Dht11, s))),
            Self::Dht22(s) => on_pin(Box::new(Dht::new(DhtKind::Dht22, s))),
            Self::Ds18b20(s) => {
                if s.temperature.is_empty() {
                    return Err(invalid("a schedule needs at least one step".to_owned()));
                }
                on_pin(Box::new(Ds18b20::new(s)))
            }
            Self::Button(s) => {
                if s.active_level > 1 {
                    return Err(invalid(format!("active_level must be 0 or 1, not {}", s.active_level)));
                }
                on_pin(Box::new(Stimulus::button(s)))
            }
            Self::Waveform(s) => {
                if let Some((level, _)) = s.levels.iter().find(|(level, _)| *level > 1) {
                    return Err(invalid(format!("waveform levels must be 0 or 1, not {level}")));
                }
                if s.repeat > 1 && s.levels.iter().all(|(_, us)| *us == 0) {
                    return Err(invalid("a repeated waveform must last some time".to_owned()));
                }
                on_pin(Box::new(Stimulus::waveform(s)))
            }
            Self::I2c(s) => Built::I2c {
                sda: gpios[0],
                scl: gpios[1],
                targets: vec![Box::new(s.build().map_err(invalid)?)],
                shield: None,
            },
            Self::Pysense(s) => on_bus(s.build().map_err(invalid)?),
            Self::Pytrack(s) => on_bus(s.build().map_err(invalid)?),
            Self::Pyscan(s) => on_bus(s.build().map_err(invalid)?),
            Self::SpiLoopback(_) => Built::Spi(SpiWires {
                sck: None,
                mosi: gpios[0],
                miso: gpios[1],
                cs: None,
                device: Box::new(SpiLoopback),
            }),
            Self::Jumper(_) if gpios[0] == gpios[1] => {
                return Err(invalid("a jumper joins two different pins".to_owned()));
            }
            Self::Jumper(_) => Built::Jumper(gpios[0], gpios[1]),
            Self::Uart(s) => return Err(UartSpecError::NotOnAPin(s.uart).into()),
            Self::Analog(_) => return Err(invalid("an analog source is not a digital device".to_owned())),
        })
    }
}
