use super::{check_distance, PointSet};
use crate::system::{Coords, StructureError};

/// fcc sites (i, j, k)·a/2 with i + j + k ≡ `parity` (mod 2) inside the polyhedron
/// |i| + |j| + |k| ≤ `octa` (octahedron) and max(|i|, |j|, |k|) ≤ `cube` (cube), where
/// a/2 = d/√2. Parity 0 centres the cluster on an atom, parity 1 on an octahedral hole.
fn fcc_polyhedron(parity: i64, octa: i64, cube: i64, d: f64) -> Coords {
    let unit = d / 2f64.sqrt();
    let mut set = PointSet::new(d);
    for i in -cube..=cube {
        for j in -cube..=cube {
            for k in -cube..=cube {
                if (i + j + k).rem_euclid(2) == parity && i.abs() + j.abs() + k.abs() <= octa {
                    set.insert([i as f64 * unit, j as f64 * unit, k as f64 * unit]);
                }
            }
        }
    }
    set.into_coords()
}

/// Number of shells of the cuboctahedron with `n` atoms (the same magic numbers as the
/// Mackay icosahedron: 13, 55, 147, …).
pub fn cuboctahedron_shells_for(n: usize) -> Option<usize> {
    super::icosahedron_shells_for(n)
}

/// Cuboctahedron with `shells` shells around a central atom: an fcc cluster bounded by six
/// {100} squares and eight {111} triangles; shell s has 10s² + 2 atoms.
pub fn cuboctahedron(shells: usize, d: f64) -> Result<Coords, StructureError> {
    check_distance(d)?;
    if shells > 20 {
        return Err(StructureError::Builder(format!(
            "{shells} cuboctahedral shells requested; at most 20 are built"
        )));
    }
    let s = shells as i64;
    Ok(fcc_polyhedron(0, 2 * s, s, d))
}

/// Truncated octahedron: the fcc octahedron with `edge` atoms per edge, with `cut` atomic
/// layers removed at each of its six vertices. `cut = 0` is the octahedron
/// (edge·(2·edge² + 1)/3 atoms); edge = 3·cut + 1 is the regular truncated octahedron
/// (38 atoms for edge 4, cut 1; 201 for edge 7, cut 2).
pub fn truncated_octahedron(edge: usize, cut: usize, d: f64) -> Result<Coords, StructureError> {
    check_distance(d)?;
    if !(2..=40).contains(&edge) {
        return Err(StructureError::Builder(format!(
            "octahedron edge of {edge} atoms: expected 2 to 40"
        )));
    }
    let l = edge as i64 - 1;
    let c = cut as i64;
    if 2 * c > l {
        return Err(StructureError::Builder(format!(
            "cutting {cut} layers from each vertex of an octahedron with edge {edge}: at most {} layers keep its {{111}} facets",
            l / 2
        )));
    }
    Ok(fcc_polyhedron(l.rem_euclid(2), l, l - c, d))
}
