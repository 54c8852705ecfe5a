//! Langevin dynamics by the BAOAB splitting (Leimkuhler & Matthews, Appl. Math. Res.
//! Express. 2013, 34): the mid step is the exact Ornstein–Uhlenbeck update
//! v ← c v + √((1 − c²) k_B T/m) ξ with c = e^{−dt/τ}. The noise is projected onto the
//! motions with zero linear and angular momentum (friction keeps those zero by itself), so
//! the cluster samples the canonical ensemble of its 3N − 6 internal degrees of freedom.

use super::{Bath, Thermostat};
use crate::dynamics::{zero_momenta, State};
use crate::rng::{self, Stream};
use crate::units::{ACCEL, KB};

/// Langevin thermostat (BAOAB).
#[derive(Clone, Debug)]
pub struct Langevin {
    bath: Bath,
}

impl Langevin {
    /// Bath at `temperature` (K) with velocity relaxation time `tau` = 1/γ (fs).
    pub fn new(temperature: f64, tau: f64) -> Langevin {
        Langevin {
            bath: Bath::new(temperature, tau),
        }
    }
}

impl Thermostat for Langevin {
    fn name(&self) -> &'static str {
        "langevin"
    }

    fn temperature(&self) -> Option<f64> {
        Some(self.bath.temperature)
    }

    fn set_temperature(&mut self, temperature: f64) {
        self.bath.temperature = temperature;
    }

    fn mid_step(&mut self, state: &mut State, dt: f64, rng: &mut Stream) {
        let k = state.kinetic_energy();
        let c = (-dt / self.bath.tau).exp();
        let sigma = ((1.0 - c * c) * KB * self.bath.temperature * ACCEL / state.mass).sqrt();
        for v in state.velocities.as_flat_mut() {
            *v = c * *v + sigma * rng::normal(rng);
        }
        zero_momenta(&state.positions, &mut state.velocities);
        self.bath.taken += k - state.kinetic_energy();
    }

    fn energy(&self) -> f64 {
        self.bath.taken
    }

    fn state(&self) -> Vec<f64> {
        self.bath.state()
    }

    fn set_state(&mut self, state: &[f64]) -> bool {
        self.bath.set_state(state)
    }
}
