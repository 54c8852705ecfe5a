use super::{max_abs, max_atom_step, Convergence, Minimizer, Outcome};
use crate::potential::{Evaluation, Potential};
use crate::system::Coords;

/// FIRE (Bitzek et al., Phys. Rev. Lett. 97, 170201, 2006) with unit masses, the published
/// parameters (N_min = 5, f_inc = 1.1, f_dec = 0.5, α_start = 0.1, f_α = 0.99), Euler
/// semi-implicit steps, and a cap on how far any atom moves in one step.
#[derive(Clone, Debug)]
pub struct Fire {
    /// Initial time step (Å·(amu/eV)^½ in unit-mass units).
    pub dt_start: f64,
    /// Largest time step.
    pub dt_max: f64,
    /// Largest displacement of one atom in one step (Å).
    pub max_step: f64,
    velocity: Vec<f64>,
}

impl Default for Fire {
    fn default() -> Self {
        Fire {
            dt_start: 0.1,
            dt_max: 1.0,
            max_step: 0.2,
            velocity: Vec::new(),
        }
    }
}

impl Minimizer for Fire {
    fn name(&self) -> &'static str {
        "fire"
    }

    fn minimize(
        &mut self,
        potential: &dyn Potential,
        positions: &mut Coords,
        eval: &mut Evaluation,
        conv: Convergence,
    ) -> Outcome {
        let (n_min, f_inc, f_dec, alpha_start, f_alpha) = (5, 1.1, 0.5, 0.1, 0.99);
        let m = 3 * positions.len();
        self.velocity.clear();
        self.velocity.resize(m, 0.0);
        let v = &mut self.velocity;
        let mut dt = self.dt_start;
        let mut alpha = alpha_start;
        let mut since_negative = 0;
        potential.compute(positions, eval);
        let mut evaluations = 1;
        let mut step = vec![0.0; m];
        for it in 0..conv.max_iterations {
            let f = eval.forces.as_flat();
            let fmax = max_abs(f);
            if fmax <= conv.fmax {
                return Outcome::at(eval, fmax, it, evaluations, conv);
            }
            let power: f64 = f.iter().zip(v.iter()).map(|(a, b)| a * b).sum();
            if power > 0.0 {
                let vnorm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
                let fnorm = f.iter().map(|x| x * x).sum::<f64>().sqrt();
                for (vi, fi) in v.iter_mut().zip(f) {
                    *vi = (1.0 - alpha) * *vi + alpha * vnorm * fi / fnorm;
                }
                since_negative += 1;
                if since_negative > n_min {
                    dt = (dt * f_inc).min(self.dt_max);
                    alpha *= f_alpha;
                }
            } else {
                v.iter_mut().for_each(|x| *x = 0.0);
                dt *= f_dec;
                alpha = alpha_start;
                since_negative = 0;
            }
            for ((vi, fi), s) in v.iter_mut().zip(f).zip(step.iter_mut()) {
                *vi += dt * fi;
                *s = dt * *vi;
            }
            let longest = max_atom_step(&step);
            let scale = if longest > self.max_step {
                self.max_step / longest
            } else {
                1.0
            };
            for (x, s) in positions.as_flat_mut().iter_mut().zip(&step) {
                *x += scale * s;
            }
            potential.compute(positions, eval);
            evaluations += 1;
        }
        Outcome::at(
            eval,
            max_abs(eval.forces.as_flat()),
            conv.max_iterations,
            evaluations,
            conv,
        )
    }
}
