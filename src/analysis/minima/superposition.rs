//! The harmonic superposition approximation (Wales, *Energy Landscapes*, 2003, §2.2): the
//! canonical partition function as a sum over the catalogued minima a of classical harmonic
//! wells,
//!
//!   Z(T) = Σ_a  exp(−E_a/kT) (kT)^κ · 2N! / (o_a ν̄_a^κ),   κ = 3N − 6,
//!
//! with o_a the point-group order and ν̄_a the geometric mean vibrational frequency. The
//! constant 2N! and the units of ν̄ drop out of every average. With weights
//! w_a ∝ exp(−E_a/kT) / (o_a Π ω_a) the energy is U = ⟨E⟩_w + κkT and
//!
//!   C(T) = κ k_B + Var_w(E) / (k_B T²),
//!
//! the total (kinetic + potential) heat capacity of the cluster with zero momentum and angular
//! momentum, the same as `pelt analyze`'s C. On a transformed landscape φ* = f(φ) every
//! minimum stays a minimum, at E* = f(E), and its Hessian is scaled by s = f′(E), so
//! Π ω* = s^{κ/2} Π ω. Minima with soft modes (not true minima) are left out.

use crate::landscape::Transform;

/// What the superposition needs of one minimum.
#[derive(Clone, Copy, Debug)]
pub struct Well {
    /// φ at the minimum (eV).
    pub energy: f64,
    /// Point-group order.
    pub order: usize,
    /// ln Π ω (ω in rad/ps).
    pub ln_product_frequencies: f64,
}

/// The superposition at one temperature.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Point {
    /// T (K).
    pub temperature: f64,
    /// C (k_B).
    pub heat_capacity: f64,
    /// U − κkT = ⟨E*⟩ over the wells (eV).
    pub mean_minimum_energy: f64,
    /// Probability of the lowest well.
    pub lowest_probability: f64,
}

/// C(T) of the wells at `temperature` (K) on the landscape `transform`, κ = `kappa`.
pub fn at(wells: &[Well], temperature: f64, kb: f64, kappa: usize, transform: &Transform) -> Point {
    let kt = kb * temperature;
    let mut terms: Vec<(f64, f64)> = Vec::with_capacity(wells.len());
    let mut lowest = (f64::INFINITY, 0usize);
    for w in wells {
        let s = transform.factor(w.energy);
        if s.is_nan() || s <= 0.0 {
            continue;
        }
        let e = transform.energy(w.energy);
        let ln_w = -e / kt
            - (w.order.max(1) as f64).ln()
            - (w.ln_product_frequencies + 0.5 * kappa as f64 * s.ln());
        if e < lowest.0 {
            lowest = (e, terms.len());
        }
        terms.push((ln_w, e));
    }
    if terms.is_empty() {
        return Point {
            temperature,
            heat_capacity: f64::NAN,
            mean_minimum_energy: f64::NAN,
            lowest_probability: f64::NAN,
        };
    }
    let top = terms.iter().map(|t| t.0).fold(f64::NEG_INFINITY, f64::max);
    let z: f64 = terms.iter().map(|t| (t.0 - top).exp()).sum();
    let p: Vec<f64> = terms.iter().map(|t| (t.0 - top).exp() / z).collect();
    let mean: f64 = p.iter().zip(&terms).map(|(p, t)| p * t.1).sum();
    let var: f64 = p
        .iter()
        .zip(&terms)
        .map(|(p, t)| p * (t.1 - mean).powi(2))
        .sum();
    Point {
        temperature,
        heat_capacity: kappa as f64 + var / (kt * kt),
        mean_minimum_energy: mean,
        lowest_probability: p[lowest.1],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two wells: C − κ is the two-level Schottky peak with the entropy difference of the
    /// frequencies and orders: Var = ΔE² p (1 − p), p = 1 / (1 + g e^{ΔE/kT}).
    #[test]
    fn two_wells_give_a_schottky_peak() {
        let kb = crate::units::KB;
        let wells = [
            Well {
                energy: -10.0,
                order: 120,
                ln_product_frequencies: 50.0,
            },
            Well {
                energy: -9.9,
                order: 1,
                ln_product_frequencies: 48.0,
            },
        ];
        let id = Transform::identity();
        for t in [100.0, 400.0, 900.0] {
            let kt = kb * t;
            // Relative weight of the upper well: g e^{−ΔE/kT}, g = 120 e^{50 − 48}.
            let g = 120.0 * (2.0f64).exp();
            let q = g * (-0.1 / kt).exp();
            let p_up = q / (1.0 + q);
            let want = 159.0 + 0.01 * p_up * (1.0 - p_up) / (kt * kt);
            let got = at(&wells, t, kb, 159, &id);
            assert!(
                (got.heat_capacity - want).abs() < 1e-9 * want,
                "{t}: {got:?}"
            );
            assert!((got.lowest_probability - (1.0 - p_up)).abs() < 1e-12);
        }
    }

    /// On a transformed landscape each well moves to E* = φ*(E) and its frequencies scale
    /// by s(E)^{1/2}: the superposition equals that of the moved wells on φ.
    #[test]
    fn transformed_wells() {
        let kb = crate::units::KB;
        let tr = Transform::new(2e-4, -150.0, 4).unwrap();
        let wells = [
            Well {
                energy: -154.6,
                order: 120,
                ln_product_frequencies: 568.6,
            },
            Well {
                energy: -154.3,
                order: 2,
                ln_product_frequencies: 567.0,
            },
        ];
        let moved: Vec<Well> = wells
            .iter()
            .map(|w| Well {
                energy: tr.energy(w.energy),
                order: w.order,
                ln_product_frequencies: w.ln_product_frequencies
                    + 0.5 * 159.0 * tr.factor(w.energy).ln(),
            })
            .collect();
        assert!(
            (tr.factor(-154.6) - 1.0).abs() > 0.01,
            "the transform must act"
        );
        for t in [300.0, 700.0] {
            let a = at(&wells, t, kb, 159, &tr);
            let b = at(&moved, t, kb, 159, &Transform::identity());
            assert!(
                (a.heat_capacity - b.heat_capacity).abs() < 1e-9,
                "{a:?} {b:?}"
            );
            assert!((a.lowest_probability - b.lowest_probability).abs() < 1e-12);
            let c = at(&wells, t, kb, 159, &Transform::identity());
            assert!((a.lowest_probability - c.lowest_probability).abs() > 1e-4);
        }
    }
}
