//! Voltages on the pins for the ADC: analog sources a board file wires to
//! pins, and the ESP32 ADC's conversion of a voltage to a reading.

use serde::Deserialize;

use crate::pins::{Level, Schedule};

/// The ADC's nominal full-scale input per attenuation (0, 2.5, 6, 11 dB) at
/// the nominal 1100 mV reference, in mV.
const FULL_SCALE_MV: [f64; 4] = [1100.0, 1500.0, 2200.0, 3900.0];
/// The nominal ADC reference (`V_REF_NOM`), mV.
pub const VREF_NOMINAL_MV: u32 = 1100;
/// The pins' supply, V.
pub const SUPPLY_V: f64 = 3.3;

/// A `kind = "analog"` entry: a voltage on a pin, constant, in steps over
/// device time, or a sine wave.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalogSpec {
    /// Pin name.
    pub pin: String,
    /// Volts: a number or steps `[{ at_ms, value }]`.
    #[serde(default)]
    pub volts: Option<Schedule>,
    /// A sine wave instead.
    #[serde(default)]
    pub sine: Option<Sine>,
}

/// `offset + amplitude * sin(2π · frequency_hz · t)`, in volts.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sine {
    /// Peak deviation from the offset, V.
    pub amplitude: f64,
    /// Middle of the wave, V.
    pub offset: f64,
    /// Cycles per second of device time.
    pub frequency_hz: f64,
}

impl AnalogSpec {
    /// What is wrong with the description, if anything.
    pub fn problem(&self) -> Option<String> {
        match (&self.volts, &self.sine) {
            (Some(_), Some(_)) | (None, None) => Some("give one of volts or sine".to_owned()),
            (Some(schedule), None) if schedule.is_empty() => Some("a schedule needs at least one step".to_owned()),
            (None, Some(sine)) if !(sine.frequency_hz >= 0.0 && sine.frequency_hz.is_finite()) => {
                Some("sine frequency_hz must be 0 or more".to_owned())
            }
            _ => None,
        }
    }

    /// The voltage at `now_us`.
    pub fn volts_at(&self, now_us: u64) -> f64 {
        match (&self.volts, &self.sine) {
            (Some(schedule), _) => schedule.at(now_us),
            (None, Some(s)) => {
                let t = now_us as f64 / 1e6;
                s.offset + s.amplitude * (2.0 * std::f64::consts::PI * s.frequency_hz * t).sin()
            }
            (None, None) => 0.0,
        }
    }
}

/// The voltage a pin without an analog source shows: the supply when the
/// line is high, ground when low, and ground when floating (as a floating
/// input reads 0 on the virtual board).
pub fn level_volts(level: Level) -> f64 {
    if level == Level::High { SUPPLY_V } else { 0.0 }
}

/// What a DAC drives onto its pin.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DacOutput {
    /// A constant voltage.
    Level(f64),
    /// The cosine generator's tone around mid-supply, its amplitude halved
    /// `scale` times from full swing.
    Tone {
        /// Cycles per second.
        frequency_hz: f64,
        /// 0..=3.
        scale: u8,
    },
}

impl DacOutput {
    /// The voltage at `now_us`.
    pub fn volts_at(&self, now_us: u64) -> f64 {
        match *self {
            Self::Level(volts) => volts,
            Self::Tone { frequency_hz, scale } => {
                let amplitude = SUPPLY_V / 2.0 / f64::from(1u8 << scale.min(3));
                let t = now_us as f64 / 1e6;
                SUPPLY_V / 2.0 + amplitude * (2.0 * std::f64::consts::PI * frequency_hz * t).cos()
            }
        }
    }

    /// The level a trace shows: a tone as its middle.
    pub fn traced_volts(&self) -> f64 {
        match *self {
            Self::Level(volts) => volts,
            Self::Tone { .. } => SUPPLY_V / 2.0,
        }
    }
}

/// A DAC output changed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnalogEvent {
    /// Device time of the change.
    pub time_us: u64,
    /// The GPIO.
    pub gpio: u8,
    /// The voltage from then on (0 when the DAC is off).
    pub volts: f64,
}

/// Receives every change of a DAC output.
pub type AnalogTrace = Box<dyn FnMut(AnalogEvent) + Send>;

/// The DACs' outputs, by GPIO, and who is told of their changes.
#[derive(Default)]
pub(crate) struct DacOutputs {
    outputs: Vec<(u8, DacOutput)>,
    trace: Option<AnalogTrace>,
}

impl std::fmt::Debug for DacOutputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DacOutputs").field("outputs", &self.outputs).finish()
    }
}

impl DacOutputs {
    /// What the DAC on `gpio` drives, if it is on.
    pub(crate) fn get(&self, gpio: u8) -> Option<DacOutput> {
        self.outputs.iter().find(|(g, _)| *g == gpio).map(|(_, o)| *o)
    }

    /// Sets the DAC on `gpio` at `now_us` (`None`: off).
    pub(crate) fn set(&mut self, gpio: u8, output: Option<DacOutput>, now_us: u64) {
        let before = self.get(gpio);
        self.outputs.retain(|(g, _)| *g != gpio);
        self.outputs.extend(output.map(|o| (gpio, o)));
        if before != output
            && let Some(trace) = self.trace.as_mut()
        {
            trace(AnalogEvent { time_us: now_us, gpio, volts: output.map_or(0.0, |o| o.traced_volts()) });
        }
    }

    /// Sends every later change to `trace`.
    pub(crate) fn set_trace(&mut self, trace: AnalogTrace) {
        self.trace = Some(trace);
    }
}

/// The ADC's reading of `volts` with attenuation `attn` (0..=3) and `bits`
/// (9..=12), on a chip whose reference is the nominal 1100 mV.
pub fn adc_raw(volts: f64, attn: u8, bits: u8) -> u32 {
    let max = f64::from((1u32 << bits) - 1);
    let scale = FULL_SCALE_MV[usize::from(attn.min(3))];
    (volts * 1000.0 / scale * max).round().clamp(0.0, max) as u32
}

/// The firmware's conversion of a reading back to mV, with the reference
/// the script gave (`ADC.vref`).
pub fn adc_millivolts(raw: i64, attn: u8, bits: u8, vref_mv: u32) -> i64 {
    let max = f64::from((1u32 << bits) - 1);
    let scale = FULL_SCALE_MV[usize::from(attn.min(3))] * f64::from(vref_mv) / f64::from(VREF_NOMINAL_MV);
    (raw as f64 * scale / max).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_attenuation_has_its_full_scale() {
        assert_eq!(adc_raw(0.55, 0, 12), 2048);
        assert_eq!(adc_raw(1.2, 0, 12), 4095);
        assert_eq!(adc_raw(3.3, 3, 12), 3465);
        assert_eq!(adc_raw(1.1, 2, 9), 256);
        assert_eq!(adc_millivolts(2048, 0, 12, 1100), 550);
    }

    #[test]
    fn a_sine_swings_around_its_offset() {
        let spec = AnalogSpec {
            pin: "P13".into(),
            volts: None,
            sine: Some(Sine { amplitude: 0.5, offset: 1.0, frequency_hz: 1.0 }),
        };
        assert!((spec.volts_at(250_000) - 1.5).abs() < 1e-9);
        assert!((spec.volts_at(750_000) - 0.5).abs() < 1e-9);
    }
}
