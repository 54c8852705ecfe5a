//! Thermostats, one file each. Every thermostat acts through two hooks of the step
//! (see [`crate::dynamics`]): a half step at its start and end (Bussi, Nosé–Hoover chains)
//! and a mid step between the two half drifts (Langevin, giving BAOAB).
//!
//! No thermostat changes the total linear or angular momentum: the rescaling ones scale all
//! velocities by one factor, and Langevin projects its noise onto the internal motions.

mod bussi;
mod langevin;
mod nose_hoover;
mod nve;

pub use bussi::Bussi;
pub use langevin::Langevin;
pub use nose_hoover::NoseHooverChain;
pub use nve::Nve;

use super::State;
use crate::rng::Stream;

/// A way of coupling a cluster to a heat bath.
pub trait Thermostat: Send {
    /// Short name ("bussi", "langevin", "nose-hoover", "nve").
    fn name(&self) -> &'static str;

    /// The bath temperature (K); `None` for NVE.
    fn temperature(&self) -> Option<f64>;

    /// Retarget the bath to `temperature` (K). The caller rescales the velocities.
    fn set_temperature(&mut self, temperature: f64);

    /// Half step of length `h` (fs), applied at the start and at the end of a step.
    fn half_step(&mut self, _state: &mut State, _h: f64, _rng: &mut Stream) {}

    /// Mid step of length `dt` (fs), applied between the two half drifts.
    fn mid_step(&mut self, _state: &mut State, _dt: f64, _rng: &mut Stream) {}

    /// Energy the thermostat has taken out of the cluster, or its own extended energy
    /// (eV), such that H* + this is conserved up to the integration error.
    fn energy(&self) -> f64 {
        0.0
    }

    /// The thermostat's internal state (for checkpoints).
    fn state(&self) -> Vec<f64> {
        Vec::new()
    }

    /// Restore a state from [`Thermostat::state`]; false if it has the wrong length.
    fn set_state(&mut self, state: &[f64]) -> bool {
        state.is_empty()
    }
}

/// What the stochastic baths (Bussi, Langevin) share: target temperature, time constant,
/// and the energy taken out of the cluster so far (their whole checkpoint state).
#[derive(Clone, Debug)]
struct Bath {
    temperature: f64,
    tau: f64,
    taken: f64,
}

impl Bath {
    fn new(temperature: f64, tau: f64) -> Bath {
        Bath {
            temperature,
            tau,
            taken: 0.0,
        }
    }

    fn state(&self) -> Vec<f64> {
        vec![self.taken]
    }

    fn set_state(&mut self, state: &[f64]) -> bool {
        match state {
            [taken] => {
                self.taken = *taken;
                true
            }
            _ => false,
        }
    }
}
