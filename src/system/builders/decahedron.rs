use super::{check_distance, PointSet};
use crate::system::{Coords, StructureError};

/// Decahedron: five fcc tetrahedra sharing the five-fold axis (along z).
///
/// - `edge`: atoms along an edge of the underlying pentagonal bipyramid (and along the
///   five-fold axis); 2 → 7 atoms, 3 → 23, 4 → 54 for the regular decahedron.
/// - `ino`: atomic layers cut from each of the five equatorial edges (Ino truncation), which
///   exposes five {100} facets parallel to the axis.
/// - `marks`: further layers removed along the five twin planes (Marks re-entrance), which
///   opens a re-entrant notch bounded by two {111} facets at every twin boundary.
///
/// Within tetrahedron t with corners A (top of the axis), B (bottom), C_t and C_{t+1} (on the
/// equator), a site is (iA + jB + kC_t + lC_{t+1})/M with i + j + k + l = M = edge − 1. Ino keeps
/// k + l ≤ M − ino; Marks keeps k, l ≤ M − ino − marks. The axis and the axis–equator edges
/// are M·d long; the equatorial edges are 1.8 % longer (the strain that closes the 7.35° gap
/// of five ideal tetrahedra). `d` is the nearest-neighbour distance along the axis.
pub fn decahedron(edge: usize, ino: usize, marks: usize, d: f64) -> Result<Coords, StructureError> {
    check_distance(d)?;
    if !(2..=30).contains(&edge) {
        return Err(StructureError::Builder(format!(
            "decahedron edge of {edge} atoms: expected 2 to 30"
        )));
    }
    let m = edge - 1;
    if ino + marks >= m {
        return Err(StructureError::Builder(format!(
            "decahedron with edge {edge}: Ino truncation ({ino}) plus Marks re-entrance ({marks}) must be below {m} (the number of bonds along an edge)"
        )));
    }
    let mf = m as f64;
    let h = 0.5 * mf * d;
    let r = mf * d * 3f64.sqrt() / 2.0;
    let a = [0.0, 0.0, h];
    let b = [0.0, 0.0, -h];
    let eq: Vec<[f64; 3]> = (0..5)
        .map(|t| {
            let phi = (t as f64) * std::f64::consts::TAU / 5.0;
            [r * phi.cos(), r * phi.sin(), 0.0]
        })
        .collect();
    let mut set = PointSet::new(d);
    let kmax = m - ino - marks;
    for t in 0..5 {
        let (c, e) = (eq[t], eq[(t + 1) % 5]);
        for i in 0..=m {
            for j in 0..=m - i {
                for k in 0..=m - i - j {
                    let l = m - i - j - k;
                    if k + l > m - ino || k > kmax || l > kmax {
                        continue;
                    }
                    let w = [i, j, k, l].map(|x| x as f64 / mf);
                    set.insert(
                        [0, 1, 2].map(|x| w[0] * a[x] + w[1] * b[x] + w[2] * c[x] + w[3] * e[x]),
                    );
                }
            }
        }
    }
    Ok(set.into_coords())
}
