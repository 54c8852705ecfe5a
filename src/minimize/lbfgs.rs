use super::{max_abs, max_atom_step, Convergence, Minimizer, Outcome};
use crate::potential::{Evaluation, Potential};
use crate::system::Coords;
use std::collections::VecDeque;

/// L-BFGS (Nocedal, Math. Comp. 35, 773, 1980) with the two-loop recursion, the
/// Shanno–Phua scaling of the initial inverse Hessian, a cap on how far any atom moves in
/// one step, and a backtracking (Armijo) line search. Near convergence, energy differences
/// fall to the rounding level of φ; there a step is accepted when φ does not rise by more
/// than that level, so the iteration can still drive max |F| to 1e-8 eV/Å and below.
#[derive(Clone, Debug)]
pub struct Lbfgs {
    /// Number of (s, y) pairs kept.
    pub memory: usize,
    /// Largest displacement of one atom in one step (Å).
    pub max_step: f64,
    /// Inverse-Hessian scale before any curvature is known (Å²/eV).
    pub initial_scale: f64,
}

impl Default for Lbfgs {
    fn default() -> Self {
        Lbfgs {
            memory: 10,
            max_step: 0.2,
            initial_scale: 0.05,
        }
    }
}

struct Pair {
    s: Vec<f64>,
    y: Vec<f64>,
    rho: f64,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Minimizer for Lbfgs {
    fn name(&self) -> &'static str {
        "lbfgs"
    }

    fn minimize(
        &mut self,
        potential: &dyn Potential,
        positions: &mut Coords,
        eval: &mut Evaluation,
        conv: Convergence,
    ) -> Outcome {
        let m = 3 * positions.len();
        let mut pairs: VecDeque<Pair> = VecDeque::with_capacity(self.memory);
        potential.compute(positions, eval);
        let mut evaluations = 1;
        let mut energy = eval.energy;
        // Gradient g = −F.
        let mut g: Vec<f64> = eval.forces.as_flat().iter().map(|f| -f).collect();
        let mut d = vec![0.0; m];
        let mut alpha = vec![0.0; self.memory];
        let mut x_old = vec![0.0; m];
        let mut g_new = vec![0.0; m];
        for it in 0..conv.max_iterations {
            let fmax = max_abs(&g);
            if fmax <= conv.fmax {
                return Outcome::at(eval, fmax, it, evaluations, conv);
            }
            // Two-loop recursion: d = −H g.
            d.copy_from_slice(&g);
            for (k, p) in pairs.iter().enumerate().rev() {
                alpha[k] = p.rho * dot(&p.s, &d);
                d.iter_mut()
                    .zip(&p.y)
                    .for_each(|(di, yi)| *di -= alpha[k] * yi);
            }
            let gamma = pairs
                .back()
                .map(|p| dot(&p.s, &p.y) / dot(&p.y, &p.y))
                .unwrap_or(self.initial_scale);
            d.iter_mut().for_each(|di| *di *= gamma);
            for (k, p) in pairs.iter().enumerate() {
                let beta = p.rho * dot(&p.y, &d);
                d.iter_mut()
                    .zip(&p.s)
                    .for_each(|(di, si)| *di += (alpha[k] - beta) * si);
            }
            d.iter_mut().for_each(|di| *di = -*di);
            let mut slope = dot(&g, &d);
            if slope >= 0.0 {
                // Not a descent direction: forget the curvature and go downhill.
                pairs.clear();
                d.iter_mut()
                    .zip(&g)
                    .for_each(|(di, gi)| *di = -self.initial_scale * gi);
                slope = dot(&g, &d);
            }
            let longest = max_atom_step(&d);
            if longest > self.max_step {
                let c = self.max_step / longest;
                d.iter_mut().for_each(|di| *di *= c);
                slope *= c;
            }
            // Backtracking line search on φ.
            x_old.copy_from_slice(positions.as_flat());
            let noise = 1e-14 * energy.abs().max(1.0);
            let mut step = 1.0;
            let mut accepted = false;
            for _ in 0..30 {
                for ((x, x0), di) in positions.as_flat_mut().iter_mut().zip(&x_old).zip(&d) {
                    *x = x0 + step * di;
                }
                potential.compute(positions, eval);
                evaluations += 1;
                if eval.energy <= energy + 1e-4 * step * slope + noise {
                    accepted = true;
                    break;
                }
                step *= 0.5;
            }
            if !accepted {
                // No decrease even for tiny steps: restart from steepest descent.
                positions.as_flat_mut().copy_from_slice(&x_old);
                potential.compute(positions, eval);
                evaluations += 1;
                pairs.clear();
                continue;
            }
            for (gn, f) in g_new.iter_mut().zip(eval.forces.as_flat()) {
                *gn = -f;
            }
            let s: Vec<f64> = positions
                .as_flat()
                .iter()
                .zip(&x_old)
                .map(|(a, b)| a - b)
                .collect();
            let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
            let sy = dot(&s, &y);
            if sy > 1e-16 {
                if pairs.len() == self.memory {
                    pairs.pop_front();
                }
                pairs.push_back(Pair {
                    s,
                    y,
                    rho: 1.0 / sy,
                });
            }
            std::mem::swap(&mut g, &mut g_new);
            energy = eval.energy;
        }
        Outcome::at(eval, max_abs(&g), conv.max_iterations, evaluations, conv)
    }
}
