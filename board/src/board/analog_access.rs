//! The voltages on the board's pins, as `machine.ADC` reads them.

use super::Board;
use crate::analog::{AnalogSpec, AnalogTrace, DacOutput, level_volts};
use crate::pins::{DeviceError, Reading, Schedule};

impl Board {
    /// Wires an analog source to its pin; returns the GPIO.
    pub(crate) fn attach_analog(&mut self, spec: &AnalogSpec) -> Result<u8, DeviceError> {
        let gpio = self
            .find_pin(&spec.pin)
            .map(|p| p.gpio)
            .ok_or_else(|| DeviceError::UnknownPin { pin: spec.pin.clone() })?;
        self.analog.retain(|(g, _)| *g != gpio);
        self.analog.push((gpio, spec.clone()));
        Ok(gpio)
    }

    /// What the board file's sensors on `gpio` measure now (an analog
    /// source's volts, a DHT's temperature and humidity, ...).
    pub fn sensor_readings(&mut self, gpio: u8) -> Vec<Reading> {
        let now = self.clock.now_us();
        let analog = self.analog.iter().filter(|(g, _)| *g == gpio);
        let volts = analog.map(|(_, source)| Reading { quantity: "volts", unit: "V", value: source.volts_at(now) });
        volts.chain(self.pins.readings(gpio, now)).collect()
    }

    /// A hand sets `quantity` of the sensors on `gpio` to `value` from now
    /// on, in place of the board file's schedule (or sine): the script's
    /// next reading gets it. Whether a sensor there measures `quantity`.
    pub fn set_sensor_reading(&mut self, gpio: u8, quantity: &str, value: f64) -> bool {
        let now = self.clock.now_us();
        let mut found = false;
        if quantity == "volts" {
            for (_, source) in self.analog.iter_mut().filter(|(g, _)| *g == gpio) {
                (source.volts, source.sine) = (Some(Schedule::Constant(value)), None);
                found = true;
            }
        }
        found | self.pins.set_reading(gpio, quantity, value, now)
    }

    /// The voltage on `gpio` now: its analog source's, else its DAC's, else
    /// its logic level's.
    pub fn pin_volts(&mut self, gpio: u8) -> f64 {
        let now = self.clock.now_us();
        if let Some((_, source)) = self.analog.iter().find(|(g, _)| *g == gpio) {
            return source.volts_at(now);
        }
        match self.dac.get(gpio) {
            Some(output) => output.volts_at(now),
            None => level_volts(self.pin_level(gpio)),
        }
    }

    /// Sets what the DAC on `gpio` drives (`None`: off).
    pub fn set_dac(&mut self, gpio: u8, output: Option<DacOutput>) {
        let now = self.clock.now_us();
        self.dac.set(gpio, output, now);
    }

    /// Sends every later change of a DAC output to `trace`.
    pub fn set_analog_trace(&mut self, trace: AnalogTrace) {
        self.dac.set_trace(trace);
    }
}
