//! No thermostat: microcanonical velocity Verlet (for checks of energy conservation).

use super::Thermostat;

/// NVE: both hooks do nothing.
#[derive(Clone, Debug, Default)]
pub struct Nve;

impl Thermostat for Nve {
    fn name(&self) -> &'static str {
        "nve"
    }

    fn temperature(&self) -> Option<f64> {
        None
    }

    fn set_temperature(&mut self, _temperature: f64) {}
}
