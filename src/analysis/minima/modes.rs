//! Normal modes at a minimum: the Hessian of φ by central differences of the exact forces,
//! its eigenvalues, and what the landscape analysis needs of them: the log of the product
//! of the normal-mode frequencies and the count of modes that are not positive.
//!
//! The tabulated potentials are cubic splines with continuous first derivatives only, so the
//! second derivatives jump at the knots; a step of 1e-4 Å averages over that and keeps the
//! rounding error of the forces (~1e-13 eV/Å) at ~1e-9 eV/Å².

use super::align::P3;
use crate::potential::{Evaluation, Potential};
use crate::system::Coords;

/// Displacement of the central differences (Å).
pub const STEP: f64 = 1e-4;
/// Eigenvalues of the (unweighted) Hessian at or below this (eV/Å²) count as zero or
/// negative. At a quench converged to 1e-4 eV/Å the rigid rotations give |λ| ~ 1e-5; the
/// softest vibration of an Al cluster is ~0.1 eV/Å².
pub const SOFT: f64 = 1e-3;
/// ω² in ps⁻² (rad² ps⁻²) per eV Å⁻² amu⁻¹.
pub const PS2_PER_EV_A2_AMU: f64 = crate::units::ACCEL * 1e6;

/// The 3N × 3N Hessian ∂²φ/∂x_a∂x_b (eV/Å², row-major over atom-major coordinates
/// x₀ y₀ z₀ x₁ …), symmetrised.
///
/// Tabulated glue potentials end with a step of the force at the cutoff r_c (LAMMPS's
/// tables do not go smoothly to zero). A central difference across it would read the step as
/// a curvature of ΔF/2h (tens of eV/Å²). So where the displaced atom has a partner within
/// the step of r_c on one side, the one-sided difference on the side that does not cross it
/// is taken: the Hessian of the smooth part, which is what the harmonic wells are made of.
pub fn hessian(potential: &dyn Potential, x: &[P3]) -> Vec<f64> {
    let n = x.len();
    let dim = 3 * n;
    let rc = potential.cutoff();
    let mut h = vec![0.0; dim * dim];
    let mut c = Coords::from_points(x);
    let mut ev = Evaluation::new(n);
    let forces = |c: &Coords, ev: &mut Evaluation| -> Vec<f64> {
        potential.compute(c, ev);
        (0..n).flat_map(|j| ev.forces.get(j)).collect()
    };
    let mut f0: Option<Vec<f64>> = None;
    for a in 0..dim {
        let (i, k) = (a / 3, a % 3);
        // Which sides of the difference cross the cutoff for some pair (i, j).
        let crosses = |d: f64| {
            let mut p = x[i];
            p[k] += d;
            x.iter().enumerate().any(|(j, q)| {
                let r = |p: P3| {
                    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
                };
                j != i && ((r(x[i]) < rc) != (r(p) < rc))
            })
        };
        let (up, down) = (crosses(STEP), crosses(-STEP));
        let at = |d: f64, c: &mut Coords, ev: &mut Evaluation| -> Vec<f64> {
            let mut p = x[i];
            p[k] += d;
            c.set(i, p);
            let f = forces(c, ev);
            c.set(i, x[i]);
            f
        };
        let (fp, fm, width) = match (up, down) {
            (true, false) => {
                let f0 = f0.get_or_insert_with(|| forces(&c, &mut ev)).clone();
                (f0, at(-STEP, &mut c, &mut ev), STEP)
            }
            (false, true) => {
                let f0 = f0.get_or_insert_with(|| forces(&c, &mut ev)).clone();
                (at(STEP, &mut c, &mut ev), f0, STEP)
            }
            _ => (
                at(STEP, &mut c, &mut ev),
                at(-STEP, &mut c, &mut ev),
                2.0 * STEP,
            ),
        };
        for b in 0..dim {
            // H = −∂F/∂x.
            h[a * dim + b] = -(fp[b] - fm[b]) / width;
        }
    }
    for a in 0..dim {
        for b in a + 1..dim {
            let s = 0.5 * (h[a * dim + b] + h[b * dim + a]);
            h[a * dim + b] = s;
            h[b * dim + a] = s;
        }
    }
    h
}

/// What the normal modes say about a minimum.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Modes {
    /// ln Π ω_i over the positive vibrational modes, ω in rad/ps (ω² the eigenvalues of the
    /// mass-weighted Hessian).
    pub ln_product_frequencies: f64,
    /// Vibrational modes (beyond the six rigid-body ones, the six eigenvalues of smallest
    /// magnitude) with eigenvalue ≤ [`SOFT`]: 0 at a true minimum.
    pub soft_modes: usize,
    /// The smallest vibrational eigenvalue of the Hessian (eV/Å²).
    pub lowest: f64,
    /// The largest rigid-body eigenvalue magnitude (eV/Å²): how far from zero the six are.
    pub rigid_residual: f64,
}

/// The normal modes of `x` (a minimum, atoms of mass `mass` amu) under `potential`.
pub fn modes(potential: &dyn Potential, x: &[P3], mass: f64) -> Modes {
    let dim = 3 * x.len();
    let h = hessian(potential, x);
    let mut l = crate::analysis::eigen::symmetric_eigenvalues(&h, dim);
    // The rigid-body modes: the six of smallest magnitude (fewer for one or two atoms).
    let rigid = match x.len() {
        0 | 1 => dim,
        2 => 5,
        _ => 6,
    };
    l.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
    let rigid_residual = l[..rigid].iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let vib = &l[rigid..];
    let soft_modes = vib.iter().filter(|&&v| v.is_nan() || v <= SOFT).count();
    let lowest = vib.iter().copied().fold(f64::INFINITY, f64::min);
    let ln_product_frequencies = vib
        .iter()
        .filter(|&&v| v > SOFT)
        .map(|&v| 0.5 * (v / mass * PS2_PER_EV_A2_AMU).ln())
        .sum();
    Modes {
        ln_product_frequencies,
        soft_modes,
        lowest,
        rigid_residual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pair potential with an analytic Hessian: harmonic springs between all pairs of a
    /// triangle. The frequencies of an equilateral triangle of unit springs are known:
    /// ω² = 3k/m (once, the breathing mode) and 3k/(2m) (twice).
    struct Springs {
        k: f64,
        r0: f64,
    }
    impl Potential for Springs {
        fn cutoff(&self) -> f64 {
            10.0
        }
        fn compute(&self, p: &Coords, out: &mut Evaluation) {
            out.resize(p.len());
            out.energy = 0.0;
            out.forces.fill(0.0);
            for i in 0..p.len() {
                for j in i + 1..p.len() {
                    let (a, b) = (p.get(i), p.get(j));
                    let d = [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
                    let r = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
                    out.energy += 0.5 * self.k * (r - self.r0).powi(2);
                    let g = -self.k * (r - self.r0) / r;
                    let (mut fi, mut fj) = (out.forces.get(i), out.forces.get(j));
                    for m in 0..3 {
                        fi[m] += g * d[m];
                        fj[m] -= g * d[m];
                    }
                    out.forces.set(i, fi);
                    out.forces.set(j, fj);
                }
            }
        }
    }

    #[test]
    fn triangle_of_springs() {
        let (k, m) = (2.0, 3.0);
        let s = 3f64.sqrt() / 2.0;
        let x = vec![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.5, s, 0.0]];
        let pot = Springs { k, r0: 1.0 };
        let md = modes(&pot, &x, m);
        // 3N − 6 = 3 vibrations, all positive.
        assert_eq!(md.soft_modes, 0);
        let want =
            0.5 * (3.0 * k / m * PS2_PER_EV_A2_AMU).ln() + (1.5 * k / m * PS2_PER_EV_A2_AMU).ln();
        assert!((md.ln_product_frequencies - want).abs() < 1e-6, "{md:?}");
        assert!((md.lowest - 1.5 * k).abs() < 1e-6);
        assert!(md.rigid_residual < 1e-6);
    }
}
