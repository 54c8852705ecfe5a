use super::{check_distance, PointSet};
use crate::system::{Coords, StructureError};

/// The 12 vertices of an icosahedron of circumradius 1.
pub(crate) fn icosahedron_vertices() -> Vec<[f64; 3]> {
    let g = (1.0 + 5f64.sqrt()) / 2.0;
    let norm = (1.0 + g * g).sqrt();
    let mut v = Vec::with_capacity(12);
    for s1 in [-1.0, 1.0] {
        for s2 in [-1.0, 1.0] {
            v.push([0.0, s1, s2 * g]);
            v.push([s1, s2 * g, 0.0]);
            v.push([s2 * g, 0.0, s1]);
        }
    }
    v.into_iter().map(|p| p.map(|c| c / norm)).collect()
}

/// The 20 faces of the icosahedron from [`icosahedron_vertices`], as vertex triples.
fn faces(v: &[[f64; 3]]) -> Vec<[usize; 3]> {
    let dist = |a: [f64; 3], b: [f64; 3]| {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    };
    let edge = (0..12)
        .skip(1)
        .map(|j| dist(v[0], v[j]))
        .fold(f64::INFINITY, f64::min);
    let near = |a: usize, b: usize| (dist(v[a], v[b]) - edge).abs() < 1e-9;
    let mut f = Vec::new();
    for a in 0..12 {
        for b in a + 1..12 {
            for c in b + 1..12 {
                if near(a, b) && near(b, c) && near(a, c) {
                    f.push([a, b, c]);
                }
            }
        }
    }
    f
}

/// Number of shells `k` of the Mackay icosahedron with `n` atoms,
/// n = (10k³ + 15k² + 11k + 3)/3, if `n` is such a number.
pub fn icosahedron_shells_for(n: usize) -> Option<usize> {
    (0..=20).find(|&k| (10 * k * k * k + 15 * k * k + 11 * k + 3) / 3 == n)
}

/// Mackay icosahedron with `shells` shells around a central atom (1 → 13 atoms, 2 → 55,
/// 3 → 147). `d` is the radial nearest-neighbour distance (centre to first-shell atom, and
/// between shells along the five-fold axes); distances within a shell are 5.15 % longer.
/// Shell s holds 10s² + 2 atoms on the flat triangular faces of an icosahedron of
/// circumradius s·d.
pub fn icosahedron(shells: usize, d: f64) -> Result<Coords, StructureError> {
    check_distance(d)?;
    if shells > 20 {
        return Err(StructureError::Builder(format!(
            "{shells} icosahedral shells requested; at most 20 are built"
        )));
    }
    let v = icosahedron_vertices();
    let f = faces(&v);
    let mut set = PointSet::new(d);
    set.insert([0.0; 3]);
    for s in 1..=shells {
        for &[a, b, c] in &f {
            for i in 0..=s {
                for j in 0..=s - i {
                    let k = s - i - j;
                    let (fi, fj, fk) = (i as f64, j as f64, k as f64);
                    set.insert([0, 1, 2].map(|x| d * (fi * v[a][x] + fj * v[b][x] + fk * v[c][x])));
                }
            }
        }
    }
    Ok(set.into_coords())
}
