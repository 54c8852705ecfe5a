//! Guards on the dynamics: a replica whose numbers stop making sense ends the run with an
//! error that says what was seen, instead of running on and writing garbage.
//!
//! - **Non-finite numbers.** φ and the wall energy are checked after every step (two
//!   comparisons); every position and velocity every [`Guard::EVERY`] steps. A NaN or an
//!   infinity never goes away again once it is in the positions or velocities, so a check
//!   every few steps catches every case at a cost far below 1 % of a step.
//! - **Blow-up.** Over windows of at least [`GuardLimits::window_fs`] (1 ps by default) the
//!   guard follows the conserved energy (H* plus what the thermostat took) and the mean
//!   kinetic temperature. It fires when the conserved energy moves by more than
//!   [`GuardLimits::max_drift`] eV per atom per ps, or when the window's mean kinetic
//!   temperature is above [`GuardLimits::max_temperature_ratio`] times the target. A change
//!   of temperature (a swap) starts a new window.
//!
//! The thresholds (docs/RELIABILITY.md has the measurements behind them) are far outside
//! what a sound run does: healthy runs of Al55 and Al43 drift by less than 1e-4 eV/atom/ps.

/// Limits of the blow-up guard.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GuardLimits {
    /// Largest drift of the conserved energy (eV per atom per ps).
    pub max_drift: f64,
    /// Largest window mean of the kinetic temperature, as a multiple of the target.
    pub max_temperature_ratio: f64,
    /// Shortest window (fs).
    pub window_fs: f64,
}

impl Default for GuardLimits {
    fn default() -> GuardLimits {
        GuardLimits {
            max_drift: 0.01,
            max_temperature_ratio: 2.0,
            window_fs: 1000.0,
        }
    }
}

/// What a guard saw.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{what}")]
pub struct Breach {
    /// Step at which it was seen.
    pub step: u64,
    /// What was seen, with the numbers.
    pub what: String,
}

/// The blow-up guard of one replica.
#[derive(Clone, Debug)]
pub struct Guard {
    limits: GuardLimits,
    atoms: usize,
    /// Start of the window: (step, conserved energy); `None` before the first look.
    start: Option<(u64, f64)>,
    temperature_sum: f64,
    looks: u64,
}

impl Guard {
    /// Steps between full checks (positions, velocities, drift, temperature).
    pub const EVERY: u64 = 100;

    /// A guard with `limits` for a cluster of `atoms` atoms.
    pub fn new(limits: GuardLimits, atoms: usize) -> Guard {
        Guard {
            limits,
            atoms,
            start: None,
            temperature_sum: 0.0,
            looks: 0,
        }
    }

    /// Start a new window (after a change of temperature, or a restart).
    pub fn reset(&mut self) {
        self.start = None;
        self.temperature_sum = 0.0;
        self.looks = 0;
    }

    /// Every check after `step` of `state` (time step `dt_fs`, thermostat energy `bath`,
    /// target temperature `target`): finite energies every step; finite positions and
    /// velocities, drift and temperature every [`Guard::EVERY`] steps.
    pub fn check(
        &mut self,
        step: u64,
        state: &super::State,
        bath: f64,
        dt_fs: f64,
        target: f64,
    ) -> Result<(), Breach> {
        let breach = |what: String| Breach { step, what };
        if !state.phi().is_finite() || !state.wall_energy().is_finite() {
            return Err(breach(format!(
                "non-finite potential energy (phi = {}, wall = {})",
                state.phi(),
                state.wall_energy()
            )));
        }
        if !step.is_multiple_of(Guard::EVERY) {
            return Ok(());
        }
        if !all_finite(state.positions.as_flat()) || !all_finite(state.velocities.as_flat()) {
            return Err(breach(format!(
                "non-finite positions or velocities (checked every {} steps)",
                Guard::EVERY
            )));
        }
        let conserved = state.kinetic_energy() + state.potential_energy() + bath;
        self.look(step, dt_fs, conserved, state.temperature(), target)
    }

    /// Look at the replica after `step` (time step `dt_fs`): its conserved energy (eV),
    /// kinetic temperature and target temperature (K).
    pub fn look(
        &mut self,
        step: u64,
        dt_fs: f64,
        conserved: f64,
        temperature: f64,
        target: f64,
    ) -> Result<(), Breach> {
        if !conserved.is_finite() || !temperature.is_finite() {
            return Err(Breach {
                step,
                what: format!(
                    "non-finite energy (conserved energy {conserved}, kinetic temperature {temperature} K)"
                ),
            });
        }
        let Some((s0, h0)) = self.start else {
            self.start = Some((step, conserved));
            return Ok(());
        };
        self.temperature_sum += temperature;
        self.looks += 1;
        let elapsed_fs = (step - s0) as f64 * dt_fs;
        if elapsed_fs < self.limits.window_fs {
            return Ok(());
        }
        let ps = elapsed_fs * 1e-3;
        let drift = (conserved - h0).abs() / (self.atoms as f64 * ps);
        let mean_t = self.temperature_sum / self.looks as f64;
        let limits = self.limits;
        self.reset();
        self.start = Some((step, conserved));
        if drift > limits.max_drift {
            return Err(Breach {
                step,
                what: format!(
                    "blow-up: the conserved energy moved from {} to {} eV between steps {s0} \
                     and {step} ({drift:.3e} eV/atom/ps; the guard allows {:e}): the time step \
                     ({dt_fs} fs) is too long for these forces, or the forces make no sense \
                     (check epsilon, phi0, m, the temperatures and the start structure)",
                    energy(h0),
                    energy(conserved),
                    limits.max_drift
                ),
            });
        }
        if mean_t > limits.max_temperature_ratio * target {
            return Err(Breach {
                step,
                what: format!(
                    "blow-up: mean kinetic temperature {mean_t:.1} K between steps {s0} and {step}, \
                     more than {} × the target {target} K",
                    limits.max_temperature_ratio
                ),
            });
        }
        Ok(())
    }
}

/// An energy for a message: fixed-point while it is of a sensible size, else scientific.
fn energy(e: f64) -> String {
    if e.abs() < 1e7 {
        format!("{e:.6}")
    } else {
        format!("{e:.4e}")
    }
}

/// Whether every number of `values` is finite (NaN and ±∞ are not). Branch-free over the
/// slice, so it vectorises.
pub fn all_finite(values: &[f64]) -> bool {
    const EXP: u64 = 0x7ff0_0000_0000_0000;
    values.iter().all(|x| x.to_bits() & EXP != EXP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite() {
        assert!(all_finite(&[0.0, -1.0, 1e300, f64::MIN_POSITIVE]));
        assert!(!all_finite(&[0.0, f64::NAN]));
        assert!(!all_finite(&[f64::INFINITY, 0.0]));
        assert!(!all_finite(&[f64::NEG_INFINITY]));
    }

    #[test]
    fn drift_fires_past_the_limit_only() {
        let limits = GuardLimits::default();
        // 55 atoms, 1 fs: 0.5e-2 eV/atom/ps passes, 2e-2 fires.
        for (rate, fires) in [(0.5e-2, false), (2e-2, true)] {
            let mut g = Guard::new(limits, 55);
            let mut out = Ok(());
            for k in 0..=20u64 {
                let step = k * 100;
                let h = -150.0 + rate * 55.0 * step as f64 * 1e-3;
                out = out.and(g.look(step, 1.0, h, 300.0, 300.0));
            }
            assert_eq!(out.is_err(), fires, "rate {rate}");
        }
    }

    #[test]
    fn hot_window_fires() {
        let mut g = Guard::new(GuardLimits::default(), 43);
        let mut seen = None;
        for k in 0..=20u64 {
            if let Err(b) = g.look(k * 100, 1.0, -100.0, 650.0, 300.0) {
                seen = Some(b);
                break;
            }
        }
        let b = seen.expect("650 K against a 300 K target must fire");
        assert!(b.what.contains("mean kinetic temperature"), "{}", b.what);
    }
}
