//! The scalar all-pairs EAM kernel, in two passes as LAMMPS's `PairEAM::compute`:
//! densities first, then embedding derivatives, then pair forces. It reads positions as
//! three component slices (structure of arrays); a SIMD kernel can replace it behind
//! [`Potential::compute`](super::Potential::compute) without touching callers.

use super::{Eam, Evaluation};
use crate::system::Coords;

pub(super) fn compute(eam: &Eam, pos: &Coords, out: &mut Evaluation) {
    let n = pos.len();
    if !pos.as_flat().iter().all(|c| c.is_finite()) {
        // A NaN pair fails `r2 < cutsq` and would silently drop out of every sum.
        out.energy = f64::NAN;
        out.density.fill(f64::NAN);
        out.embedding_derivative.fill(f64::NAN);
        out.forces.as_flat_mut().fill(f64::NAN);
        return;
    }
    let (x, y, z) = (pos.x(), pos.y(), pos.z());
    let rho = &mut out.density;
    rho.fill(0.0);
    for i in 0..n {
        let (xi, yi, zi) = (x[i], y[i], z[i]);
        let mut rho_i = 0.0;
        for j in i + 1..n {
            let (dx, dy, dz) = (xi - x[j], yi - y[j], zi - z[j]);
            let r2 = dx * dx + dy * dy + dz * dz;
            if r2 < eam.cutsq {
                let (k, p) = eam.density.locate(r2.sqrt());
                let v = eam.density.value_at(k, p);
                rho_i += v;
                rho[j] += v;
            }
        }
        rho[i] += rho_i;
    }

    let mut energy = 0.0;
    for (&rho_i, fp_i) in rho.iter().zip(out.embedding_derivative.iter_mut()) {
        let (f, fp) = eam.embedding(rho_i);
        *fp_i = fp;
        energy += f;
    }

    let fp = &out.embedding_derivative;
    let (fx, fy, fz) = out.forces.xyz_mut();
    fx.fill(0.0);
    fy.fill(0.0);
    fz.fill(0.0);
    for i in 0..n {
        let (xi, yi, zi, fpi) = (x[i], y[i], z[i], fp[i]);
        let (mut fxi, mut fyi, mut fzi) = (0.0, 0.0, 0.0);
        for j in i + 1..n {
            let (dx, dy, dz) = (xi - x[j], yi - y[j], zi - z[j]);
            let r2 = dx * dx + dy * dy + dz * dz;
            if r2 < eam.cutsq {
                let r = r2.sqrt();
                let (k, p) = eam.density.locate(r);
                let rhop = eam.density.derivative_at(k, p);
                let z2p = eam.rphi.derivative_at(k, p);
                let z2 = eam.rphi.value_at(k, p);
                let recip = 1.0 / r;
                let phi = z2 * recip;
                let phip = z2p * recip - phi * recip;
                let psip = fpi * rhop + fp[j] * rhop + phip;
                let fpair = -psip * recip;
                fxi += dx * fpair;
                fyi += dy * fpair;
                fzi += dz * fpair;
                fx[j] -= dx * fpair;
                fy[j] -= dy * fpair;
                fz[j] -= dz * fpair;
                energy += phi;
            }
        }
        fx[i] += fxi;
        fy[i] += fyi;
        fz[i] += fzi;
    }
    out.energy = energy;
}
