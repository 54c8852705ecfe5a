//! Nosé–Hoover chains (Martyna, Klein & Tuckerman, J. Chem. Phys. 97, 2635, 1992), half
//! steps by the Trotter factorisation of Martyna, Tuckerman, Tobias & Klein (Mol. Phys. 87,
//! 1117, 1996) with third-order Suzuki–Yoshida weights. Deterministic; the extended energy
//! H* + Σ Q_j v_j²/2 + N_f k_B T ξ_1 + k_B T Σ_{j≥2} ξ_j is conserved.

use super::Thermostat;
use crate::dynamics::{degrees_of_freedom, State};
use crate::rng::Stream;
use crate::units::KB;

/// A Nosé–Hoover chain of length M ≥ 1 (3 or more recommended).
#[derive(Clone, Debug)]
pub struct NoseHooverChain {
    temperature: f64,
    tau: f64,
    /// Thermostat positions ξ_j (dimensionless).
    xi: Vec<f64>,
    /// Thermostat velocities v_j (1/fs).
    v: Vec<f64>,
    /// Number of degrees of freedom the chain was built for (set at the first step).
    dof: usize,
}

impl NoseHooverChain {
    /// Chain of `length` thermostats at `temperature` (K) with period `tau` (fs).
    pub fn new(temperature: f64, tau: f64, length: usize) -> NoseHooverChain {
        let length = length.max(1);
        NoseHooverChain {
            temperature,
            tau,
            xi: vec![0.0; length],
            v: vec![0.0; length],
            dof: 0,
        }
    }

    /// Mass Q_j of thermostat j: Q_1 = N_f k_B T τ², Q_j = k_B T τ² (eV·fs²).
    fn mass(&self, j: usize) -> f64 {
        let kt = KB * self.temperature;
        let dof = if j == 0 { self.dof as f64 } else { 1.0 };
        dof * kt * self.tau * self.tau
    }
}

impl Thermostat for NoseHooverChain {
    fn name(&self) -> &'static str {
        "nose-hoover"
    }

    fn temperature(&self) -> Option<f64> {
        Some(self.temperature)
    }

    fn set_temperature(&mut self, temperature: f64) {
        // Keep each Q_j v_j² / k_B T: v_j is unchanged as Q_j ∝ T.
        self.temperature = temperature;
    }

    fn half_step(&mut self, state: &mut State, h: f64, _rng: &mut Stream) {
        self.dof = degrees_of_freedom(state.len());
        if self.dof == 0 {
            return;
        }
        let kt = KB * self.temperature;
        let nf = self.dof as f64;
        let tau2 = self.tau * self.tau;
        let q = |j: usize| {
            let dof = if j == 0 { nf } else { 1.0 };
            dof * kt * tau2
        };
        let m = self.v.len();
        let mut k2 = 2.0 * state.kinetic_energy();
        let mut scale = 1.0;
        let w1 = 1.0 / (2.0 - 2f64.powf(1.0 / 3.0));
        let weights = [w1, 1.0 - 2.0 * w1, w1];
        let force = |j: usize, v: &[f64], k2: f64| {
            if j == 0 {
                (k2 - nf * kt) / q(0)
            } else {
                (q(j - 1) * v[j - 1] * v[j - 1] - kt) / q(j)
            }
        };
        for w in weights {
            let u = w * h;
            // Inward: the last thermostat, then down the chain.
            self.v[m - 1] += 0.5 * u * force(m - 1, &self.v, k2);
            for j in (0..m - 1).rev() {
                let damp = (-0.25 * u * self.v[j + 1]).exp();
                self.v[j] *= damp;
                self.v[j] += 0.5 * u * force(j, &self.v, k2);
                self.v[j] *= damp;
            }
            let s = (-u * self.v[0]).exp();
            scale *= s;
            k2 *= s * s;
            for j in 0..m {
                self.xi[j] += u * self.v[j];
            }
            // Outward.
            for j in 0..m - 1 {
                let damp = (-0.25 * u * self.v[j + 1]).exp();
                self.v[j] *= damp;
                self.v[j] += 0.5 * u * force(j, &self.v, k2);
                self.v[j] *= damp;
            }
            self.v[m - 1] += 0.5 * u * force(m - 1, &self.v, k2);
        }
        state.scale_velocities(scale);
    }

    fn energy(&self) -> f64 {
        let kt = KB * self.temperature;
        let kinetic: f64 = (self.v.iter().enumerate())
            .map(|(j, v)| 0.5 * self.mass(j) * v * v)
            .sum();
        let potential = self.dof as f64 * kt * self.xi[0] + kt * self.xi[1..].iter().sum::<f64>();
        kinetic + potential
    }

    fn state(&self) -> Vec<f64> {
        let mut s = self.xi.clone();
        s.extend_from_slice(&self.v);
        s.push(self.dof as f64);
        s
    }

    fn set_state(&mut self, state: &[f64]) -> bool {
        let m = self.xi.len();
        if state.len() != 2 * m + 1 {
            return false;
        }
        self.xi.copy_from_slice(&state[..m]);
        self.v.copy_from_slice(&state[m..2 * m]);
        self.dof = state[2 * m] as usize;
        true
    }
}
