//! Pycom's Pyscan shield: the coprocessor at 8 (product ID 0xEF38, the first
//! shield generation), the MFRC630 NFC reader (0x28) with the board file's
//! cards, the LTR-329ALS-01 light sensor (0x29) and the LIS2HH12
//! accelerometer (0x1E).

use serde::Deserialize;

use std::sync::Arc;

use super::knobs::{Hand, Knob};
use super::mfrc630::{CardSpec, Mfrc630};
use super::registers::Registered;
use super::{Common, LIGHT, Shield, ShieldValues, check, ltr329, mfrc630};
use crate::bus::I2cTarget;
use crate::pins::Schedule;

/// The Pyscan's USB product ID.
const PRODUCT_ID: u16 = 0xEF38;

/// A Pyscan in a board file.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PyscanSpec {
    /// lux, 0 to 64,000.
    #[serde(default = "super::default_light")]
    pub light: Schedule,
    /// x, y, z in g, -8 to 8 (flat on a table unless told).
    #[serde(default = "super::default_acceleration")]
    pub acceleration: [Schedule; 3],
    /// V on the battery input, 0 to 5.
    #[serde(default = "super::default_battery")]
    pub battery_voltage: Schedule,
    /// The shield's button: 1 while pressed, 0 released (unless told).
    #[serde(default = "super::released")]
    pub button: Schedule,
    /// The cards held in front of the reader (the first in its time window answers).
    #[serde(default, rename = "card")]
    pub cards: Vec<CardSpec>,
}

impl PyscanSpec {
    /// Builds the shield.
    pub fn build(&self) -> Result<Shield, String> {
        let identity = super::identity(PRODUCT_ID, 1)?;
        check("light", &self.light, LIGHT)?;
        let common = Common::new(&self.acceleration, &self.battery_voltage, &self.button)?;
        let cards = self.cards.iter().map(CardSpec::build).collect::<Result<Vec<_>, _>>()?;
        let light = Knob::new(&self.light);
        let mut values = ShieldValues::default();
        values.knob("light", "lux", LIGHT, &light);
        // The card held to the reader: 0 none, N the board file's Nth card.
        let (held, windows) = (Hand::default(), cards.clone());
        let in_field = move |now_us| mfrc630::card_in_field(&windows, now_us).map_or(0.0, |i| i as f64 + 1.0);
        values.other("card", "#", 0.0..=cards.len() as f64, &held, Arc::new(in_field));
        let chips: Vec<Box<dyn I2cTarget>> = vec![
            Box::new(Registered::new(mfrc630::ADDRESS, Mfrc630::new(cards, held))),
            Box::new(Registered::new(ltr329::ADDRESS, ltr329::Ltr329::new(light))),
        ];
        Ok(Shield::new(identity, common, chips, values))
    }
}
