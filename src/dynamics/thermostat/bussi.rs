//! Bussi–Donadio–Parrinello stochastic velocity rescaling (J. Chem. Phys. 126, 014101,
//! 2007): the kinetic energy K follows the exact solution of
//! dK = (K̄ − K) dt/τ + 2 √(K K̄/N_f) dW/√τ over one whole step, applied once per step as
//! the mid ("O") step between the two half drifts, and the velocities are rescaled by
//! √(K'/K). Canonical for N_f = 3N − 6 and gentle on the dynamics. (Until 0.5 it was two
//! half steps at the ends of the step: the same exact update, twice the random numbers.)

use super::{Bath, Thermostat};
use crate::dynamics::{degrees_of_freedom, State};
use crate::rng::{self, Stream};
use crate::units::KB;

/// Stochastic velocity rescaling.
#[derive(Clone, Debug)]
pub struct Bussi {
    bath: Bath,
}

impl Bussi {
    /// Bath at `temperature` (K) with relaxation time `tau` (fs).
    pub fn new(temperature: f64, tau: f64) -> Bussi {
        Bussi {
            bath: Bath::new(temperature, tau),
        }
    }
}

impl Thermostat for Bussi {
    fn name(&self) -> &'static str {
        "bussi"
    }

    fn temperature(&self) -> Option<f64> {
        Some(self.bath.temperature)
    }

    fn set_temperature(&mut self, temperature: f64) {
        self.bath.temperature = temperature;
    }

    fn mid_step(&mut self, state: &mut State, h: f64, rng: &mut Stream) {
        let nf = degrees_of_freedom(state.len());
        let k = state.kinetic_energy();
        if nf == 0 || k <= 0.0 {
            return;
        }
        let nf_f = nf as f64;
        let target = 0.5 * nf_f * KB * self.bath.temperature;
        let c = (-h / self.bath.tau).exp();
        let r1 = rng::normal(rng);
        let rest = rng::chi_squared(rng, nf - 1);
        let k_new = k
            + (1.0 - c) * (target * (r1 * r1 + rest) / nf_f - k)
            + 2.0 * r1 * (c * (1.0 - c) * target * k / nf_f).sqrt();
        let k_new = k_new.max(0.0);
        state.scale_velocities((k_new / k).sqrt());
        self.bath.taken += k - k_new;
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
