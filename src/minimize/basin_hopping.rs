//! Basin hopping (Wales & Doye, J. Phys. Chem. A 101, 5111, 1997): perturb, quench, and
//! accept the new minimum by Metropolis at a basin-hopping temperature. Moves are random
//! displacements of every atom or, with some probability, the least-coordinated atom
//! moved to a random point on the cluster's surface. Quenches that fall apart into
//! fragments are rejected. The step size adapts towards 50 % acceptance.

use super::{quench, Convergence, Lbfgs};
use crate::potential::Potential;
use crate::rng::{self, Stream};
use crate::system::geometry::{is_connected, principal_radii};
use crate::system::Coords;
use crate::units::KB;

/// Settings of a search.
#[derive(Clone, Copy, Debug)]
pub struct BasinHopping {
    /// Metropolis temperature (K).
    pub temperature: f64,
    /// Initial largest displacement per Cartesian component (Å); adapts during the run.
    pub step: f64,
    /// Probability of a surface move instead of a random displacement.
    pub surface_probability: f64,
    /// Quench convergence during the search.
    pub convergence: Convergence,
    /// Two minima within this energy (eV) are the same.
    pub energy_tolerance: f64,
}

impl Default for BasinHopping {
    fn default() -> Self {
        BasinHopping {
            temperature: 1000.0,
            step: 0.8,
            surface_probability: 0.3,
            convergence: Convergence {
                fmax: 1e-4,
                max_iterations: 5000,
            },
            energy_tolerance: 1e-4,
        }
    }
}

/// A distinct minimum found by the search.
#[derive(Clone, Debug)]
pub struct FoundMinimum {
    /// Energy (eV).
    pub energy: f64,
    /// Positions (Å).
    pub positions: Coords,
    /// ΔR = R_max − R_min of the principal radii of gyration (Å).
    pub delta_r: f64,
    /// Step at which it was first found (0: the start).
    pub first_step: usize,
    /// Times it was reached.
    pub hits: usize,
}

/// The outcome of a search.
#[derive(Clone, Debug)]
pub struct Search {
    /// Distinct minima, lowest first.
    pub minima: Vec<FoundMinimum>,
    /// Metropolis acceptances.
    pub accepted: usize,
    /// Steps rejected because the quench fell apart.
    pub fragments: usize,
    /// Energy+force evaluations used.
    pub force_evaluations: usize,
}

/// Progress of a search, passed to the callback every `steps/10` steps.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Steps done.
    pub step: usize,
    /// Energy of the current minimum (eV).
    pub current: f64,
    /// Lowest energy so far (eV).
    pub best: f64,
    /// Acceptance ratio so far.
    pub acceptance: f64,
    /// Current step size (Å).
    pub step_size: f64,
}

impl BasinHopping {
    /// Search for `steps` steps from `start`; `connect` (Å) is the neighbour distance that
    /// defines a connected cluster.
    pub fn run(
        &self,
        potential: &dyn Potential,
        start: &Coords,
        steps: usize,
        connect: f64,
        rng: &mut Stream,
        mut progress: impl FnMut(Progress),
    ) -> Search {
        let mut lbfgs = Lbfgs::default();
        let (mut current, first) = quench(&mut lbfgs, potential, start, self.convergence);
        let mut e_current = first.energy;
        let mut evals = first.force_evaluations;
        let mut minima: Vec<FoundMinimum> = Vec::new();
        self.record(&mut minima, e_current, &current, 0);
        let (mut accepted, mut fragments, mut window_acc) = (0, 0, 0);
        let mut step_size = self.step;
        let kt = KB * self.temperature;
        for step in 1..=steps {
            let mut trial = current.clone();
            if rng::uniform(rng) < self.surface_probability {
                surface_move(&mut trial, connect, rng);
            } else {
                for x in trial.as_flat_mut() {
                    *x += step_size * (2.0 * rng::uniform(rng) - 1.0);
                }
            }
            let (minimum, outcome) = quench(&mut lbfgs, potential, &trial, self.convergence);
            evals += outcome.force_evaluations;
            if !is_connected(&minimum, connect) {
                fragments += 1;
            } else {
                self.record(&mut minima, outcome.energy, &minimum, step);
                let de = outcome.energy - e_current;
                if de <= 0.0 || rng::uniform(rng) < (-de / kt).exp() {
                    current = minimum;
                    e_current = outcome.energy;
                    accepted += 1;
                    window_acc += 1;
                }
            }
            if step % 50 == 0 {
                step_size *= if window_acc > 25 { 1.1 } else { 1.0 / 1.1 };
                step_size = step_size.clamp(0.05, 3.0);
                window_acc = 0;
            }
            if step % (steps / 10).max(1) == 0 {
                progress(Progress {
                    step,
                    current: e_current,
                    best: minima[0].energy,
                    acceptance: accepted as f64 / step as f64,
                    step_size,
                });
            }
        }
        Search {
            minima,
            accepted,
            fragments,
            force_evaluations: evals,
        }
    }

    fn record(&self, minima: &mut Vec<FoundMinimum>, energy: f64, positions: &Coords, step: usize) {
        if let Some(m) = minima
            .iter_mut()
            .find(|m| (m.energy - energy).abs() <= self.energy_tolerance)
        {
            m.hits += 1;
            return;
        }
        let r = principal_radii(positions);
        minima.push(FoundMinimum {
            energy,
            positions: positions.clone(),
            delta_r: r[2] - r[0],
            first_step: step,
            hits: 1,
        });
        minima.sort_by(|a, b| a.energy.total_cmp(&b.energy));
    }
}

/// Move the least-coordinated atom (ties: a random one of them) to a random direction at
/// the cluster's outer radius.
fn surface_move(p: &mut Coords, connect: f64, rng: &mut Stream) {
    let n = p.len();
    let c2 = connect * connect;
    let coordination: Vec<usize> = (0..n)
        .map(|i| (0..n).filter(|&j| j != i && dist2(p, i, j) < c2).count())
        .collect();
    let lowest = *coordination.iter().min().unwrap_or(&0);
    let candidates: Vec<usize> = (0..n).filter(|&i| coordination[i] == lowest).collect();
    let pick = candidates
        [((rng::uniform(rng) * candidates.len() as f64) as usize).min(candidates.len() - 1)];
    let c = p.centroid();
    let radius = (0..n)
        .map(|i| {
            let q = p.get(i);
            ((q[0] - c[0]).powi(2) + (q[1] - c[1]).powi(2) + (q[2] - c[2]).powi(2)).sqrt()
        })
        .fold(0.0, f64::max);
    let (z, phi) = (
        2.0 * rng::uniform(rng) - 1.0,
        std::f64::consts::TAU * rng::uniform(rng),
    );
    let s = (1.0 - z * z).sqrt();
    p.set(
        pick,
        [
            c[0] + radius * s * phi.cos(),
            c[1] + radius * s * phi.sin(),
            c[2] + radius * z,
        ],
    );
}

fn dist2(p: &Coords, i: usize, j: usize) -> f64 {
    let (a, b) = (p.get(i), p.get(j));
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}
