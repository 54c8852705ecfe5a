use super::check_distance;
use crate::rng::{stream, uniform};
use crate::system::{Coords, StructureError};

/// A random compact cluster of `n` atoms: points drawn uniformly in a sphere, each accepted
/// only if it is at least `min_distance` from every atom placed so far. The sphere starts at
/// the radius that holds the atoms at a packing fraction of 0.35 (hard spheres of diameter
/// `min_distance`) and grows by 2 % whenever 2000 draws in a row are rejected, so every atom
/// ends near the others. The result is centred on its centroid and depends only on
/// (`n`, `min_distance`, `seed`).
pub fn random_compact(n: usize, min_distance: f64, seed: u64) -> Result<Coords, StructureError> {
    check_distance(min_distance)?;
    if n == 0 || n > 100_000 {
        return Err(StructureError::Builder(format!(
            "random cluster of {n} atoms: expected 1 to 100000"
        )));
    }
    let mut rng = stream(seed, 0x7261_6e64);
    let mut radius = min_distance * (n as f64 / (8.0 * 0.35)).cbrt();
    let d2 = min_distance * min_distance;
    let mut pts: Vec<[f64; 3]> = Vec::with_capacity(n);
    let mut rejected = 0;
    while pts.len() < n {
        let p = loop {
            let q = [0; 3].map(|_| 2.0 * uniform(&mut rng) - 1.0);
            if q.iter().map(|v| v * v).sum::<f64>() <= 1.0 {
                break q.map(|v| v * radius);
            }
        };
        let ok = pts
            .iter()
            .all(|a| (a[0] - p[0]).powi(2) + (a[1] - p[1]).powi(2) + (a[2] - p[2]).powi(2) >= d2);
        if ok {
            pts.push(p);
            rejected = 0;
        } else {
            rejected += 1;
            if rejected == 2000 {
                radius *= 1.02;
                rejected = 0;
            }
        }
    }
    let mut c = Coords::from_points(&pts);
    let g = c.centroid();
    c.translate(g.map(|v| -v));
    Ok(c)
}
