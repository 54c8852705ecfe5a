//! The landscape from the inherent structures: which distinct minima a run visited, how
//! often at each temperature, the hops between them, and the thermodynamics of the harmonic
//! superposition over them (docs/ANALYSIS.md, "Minima").
//!
//! - [`align`]: minimum permutational distance (Hungarian assignment in [`assign`]
//!   alternated with Kabsch rotations);
//! - [`catalogue`]: filing structures into distinct minima;
//! - [`symmetry`]: point-group order;
//! - [`modes`]: the Hessian and normal-mode frequencies;
//! - [`network`]: hops between minima;
//! - [`superposition`]: the harmonic superposition heat capacity;
//! - [`pathsample`]: `min.data` and `points.min` for PATHSAMPLE.

pub mod align;
pub mod assign;
pub mod catalogue;
pub mod figures;
pub mod modes;
pub mod network;
pub mod pathsample;
pub mod superposition;
pub mod symmetry;

use crate::potential::Potential;
use align::P3;

/// What the catalogue lists for one minimum.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Properties {
    /// φ (eV).
    pub energy: f64,
    /// Order of the point group.
    pub point_group_order: usize,
    /// Principal moments of inertia (amu Å²), ascending.
    pub inertia: [f64; 3],
    /// ln Π ω over the vibrational modes (ω in rad/ps).
    pub ln_product_frequencies: f64,
    /// Vibrational modes that are zero or negative (0 at a minimum).
    pub soft_modes: usize,
    /// Smallest vibrational Hessian eigenvalue (eV/Å²).
    pub lowest_eigenvalue: f64,
}

/// The properties of the minimum at `x` (energy `energy`, atoms of mass `mass` amu).
pub fn properties(potential: &dyn Potential, x: &[P3], energy: f64, mass: f64) -> Properties {
    let c = align::centred(x);
    let t = align::inertia_tensor(&c);
    let inertia = crate::system::geometry::symmetric_eigenvalues(t).map(|v| v * mass);
    let m = modes::modes(potential, &c, mass);
    Properties {
        energy,
        point_group_order: symmetry::order(&c, symmetry::TOLERANCE),
        inertia,
        ln_product_frequencies: m.ln_product_frequencies,
        soft_modes: m.soft_modes,
        lowest_eigenvalue: m.lowest,
    }
}

/// One quench as the catalogue records it.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Filed {
    /// Temperature index k of the ladder.
    pub temperature: usize,
    /// MD step.
    pub step: u64,
    /// The replica quenched.
    pub replica: i64,
    /// E_IS (eV).
    pub energy: f64,
    /// Its minimum; None when the quench did not converge (not filed).
    pub minimum: Option<usize>,
}

/// The occupation of the minima at one temperature.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Occupation {
    /// T (K).
    pub temperature: f64,
    /// Converged quenches after the equilibration.
    pub quenches: usize,
    /// Quenches that did not converge (left out).
    pub unconverged: usize,
    /// (minimum, quenches there), most visited first.
    pub counts: Vec<(usize, usize)>,
}

impl Occupation {
    /// Distinct minima seen.
    pub fn distinct(&self) -> usize {
        self.counts.len()
    }
}

/// The occupation at every temperature of `ladder` from the quenches after step
/// `equilibration`.
pub fn occupation(filed: &[Filed], ladder: &[f64], equilibration: u64) -> Vec<Occupation> {
    ladder
        .iter()
        .enumerate()
        .map(|(k, &t)| {
            let mut counts = std::collections::BTreeMap::new();
            let (mut n, mut bad) = (0, 0);
            for f in filed
                .iter()
                .filter(|f| f.temperature == k && f.step > equilibration)
            {
                match f.minimum {
                    Some(m) => {
                        *counts.entry(m).or_insert(0usize) += 1;
                        n += 1;
                    }
                    None => bad += 1,
                }
            }
            let mut counts: Vec<(usize, usize)> = counts.into_iter().collect();
            counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Occupation {
                temperature: t,
                quenches: n,
                unconverged: bad,
                counts,
            }
        })
        .collect()
}
