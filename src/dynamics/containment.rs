//! A soft spherical wall around the centre of mass: U = ½k Σ_i (d_i − R)² for d_i > R,
//! d_i = |r_i − r_c|. Differentiating through r_c makes the forces sum to zero and exert no
//! torque, so the wall conserves linear and angular momentum.

use crate::system::Coords;

/// The containment sphere.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Containment {
    /// Radius R (Å) around the centre of mass.
    pub radius: f64,
    /// Stiffness k (eV/Å²).
    pub stiffness: f64,
}

impl Containment {
    /// Default stiffness (eV/Å²).
    pub const DEFAULT_STIFFNESS: f64 = 1.0;

    /// The default sphere for a start structure: its largest distance from the centre of
    /// mass plus the potential's cutoff. A compact cluster (solid or liquid) never reaches
    /// it; an atom that boils off is pushed back towards the cluster instead of leaving.
    pub fn around(positions: &Coords, cutoff: f64) -> Containment {
        let c = positions.centroid();
        let rmax = (0..positions.len())
            .map(|i| {
                let p = positions.get(i);
                ((p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2) + (p[2] - c[2]).powi(2)).sqrt()
            })
            .fold(0.0, f64::max);
        Containment {
            radius: rmax + cutoff,
            stiffness: Self::DEFAULT_STIFFNESS,
        }
    }

    /// Add the wall forces to `forces` and return the wall energy (eV).
    pub fn apply(&self, positions: &Coords, forces: &mut Coords) -> f64 {
        let n = positions.len();
        let c = positions.centroid();
        let mut energy = 0.0;
        let mut mean = [0.0; 3];
        let mut any = false;
        let radius_sq = self.radius * self.radius;
        for i in 0..n {
            let p = positions.get(i);
            let r = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
            let d2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
            // Most steps no atom touches the wall: compare squares, take roots only past it.
            if d2 > radius_sq {
                let d = d2.sqrt();
                any = true;
                let excess = d - self.radius;
                energy += 0.5 * self.stiffness * excess * excess;
                let g = self.stiffness * excess / d;
                let mut f = forces.get(i);
                for a in 0..3 {
                    f[a] -= g * r[a];
                    mean[a] += g * r[a];
                }
                forces.set(i, f);
            }
        }
        if any {
            let (fx, fy, fz) = forces.xyz_mut();
            for (comp, m) in [fx, fy, fz].into_iter().zip(mean) {
                let m = m / n as f64;
                comp.iter_mut().for_each(|f| *f += m);
            }
        }
        energy
    }
}
