//! Local minimisation of the untransformed φ (inherent-structure quenches): FIRE and L-BFGS,
//! both converging on the largest force component, max_iα |F_iα|.
//!
//! A quench ([`quench`]) works on a copy of the positions and never touches the running
//! state. How a minimisation ended is returned as data ([`Termination`]), never as an error.

pub mod basin_hopping;
mod fire;
mod lbfgs;

pub use fire::Fire;
pub use lbfgs::Lbfgs;

use crate::potential::{Evaluation, Potential};
use crate::system::Coords;

/// When to stop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Convergence {
    /// Converged when max_iα |F_iα| ≤ this (eV/Å).
    pub fmax: f64,
    /// Give up after this many iterations.
    pub max_iterations: usize,
}

impl Default for Convergence {
    fn default() -> Self {
        Convergence {
            fmax: 1e-6,
            max_iterations: 10_000,
        }
    }
}

/// How a minimisation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Termination {
    /// max |F| reached the tolerance.
    Converged,
    /// The iteration limit came first.
    IterationLimit,
}

/// The outcome of a minimisation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outcome {
    /// Energy at the final positions (eV).
    pub energy: f64,
    /// max_iα |F_iα| there (eV/Å).
    pub max_force: f64,
    /// Iterations taken.
    pub iterations: usize,
    /// Energy+force evaluations made, the initial one included.
    pub force_evaluations: usize,
    /// Why it stopped.
    pub termination: Termination,
}

impl Outcome {
    /// The outcome at the current `eval`, whose largest force component is `max_force`:
    /// converged if that is within `conv.fmax`, else stopped by the iteration limit.
    pub(crate) fn at(
        eval: &Evaluation,
        max_force: f64,
        iterations: usize,
        force_evaluations: usize,
        conv: Convergence,
    ) -> Outcome {
        Outcome {
            energy: eval.energy,
            max_force,
            iterations,
            force_evaluations,
            termination: if max_force <= conv.fmax {
                Termination::Converged
            } else {
                Termination::IterationLimit
            },
        }
    }
}

/// A local minimiser of φ.
pub trait Minimizer {
    /// Short name ("fire", "lbfgs").
    fn name(&self) -> &'static str;

    /// Move `positions` to a local minimum of `potential`. `eval` is scratch space; on
    /// return it holds the energy and forces at the final positions.
    fn minimize(
        &mut self,
        potential: &dyn Potential,
        positions: &mut Coords,
        eval: &mut Evaluation,
        convergence: Convergence,
    ) -> Outcome;
}

/// Quench a copy of `positions`: returns the minimised copy and the outcome.
pub fn quench(
    minimizer: &mut dyn Minimizer,
    potential: &dyn Potential,
    positions: &Coords,
    convergence: Convergence,
) -> (Coords, Outcome) {
    let mut copy = positions.clone();
    let mut eval = Evaluation::new(copy.len());
    let outcome = minimizer.minimize(potential, &mut copy, &mut eval, convergence);
    (copy, outcome)
}

/// max_iα |F_iα|.
pub(crate) fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Largest displacement of any atom for the step `d` (component-major, n atoms).
pub(crate) fn max_atom_step(d: &[f64]) -> f64 {
    let n = d.len() / 3;
    (0..n)
        .map(|i| (d[i] * d[i] + d[n + i] * d[n + i] + d[2 * n + i] * d[2 * n + i]).sqrt())
        .fold(0.0, f64::max)
}
