//! The order of the point group of a cluster: how many rotations and improper rotations
//! about its centroid map it onto itself, atoms of one element being interchangeable.
//!
//! Every symmetry operation maps a chosen atom a to an atom a′ at the same distance from the
//! centroid, and a second atom b (off the axis through a) to a b′ with the same radius and
//! the same angle to a′. The operation is fixed by (a′, b′) and its handedness, so trying
//! every such pair with both handednesses and keeping the operations under which every atom
//! lands within `tolerance` of an atom counts the group exactly. a and b are the atoms with
//! the fewest partners at their radius, so an asymmetric cluster costs a handful of trials
//! and the 55-atom icosahedron 288.

use super::align::{apply, centred, cross, dot, frame, length, matmul, sub, transpose, M3, P3};

/// Atoms within this distance (Å) of each other after an operation count as mapped; it
/// must exceed how well the minima are converged (quenches to 1e-4 eV/Å agree to ~1e-3 Å)
/// and stay below any real distortion.
pub const TOLERANCE: f64 = 0.02;

/// Whether `op` maps the centred points `x` onto themselves (a one-to-one match within
/// `tolerance`).
fn maps(op: &M3, x: &[P3], tolerance: f64, used: &mut [bool]) -> bool {
    used.fill(false);
    let t2 = tolerance * tolerance;
    'atoms: for &p in x {
        let q = apply(op, p);
        for (j, &r) in x.iter().enumerate() {
            if used[j] {
                continue;
            }
            let d = sub(q, r);
            if dot(d, d) <= t2 {
                used[j] = true;
                continue 'atoms;
            }
        }
        return false;
    }
    true
}

/// The order of the point group of `x` (identical atoms), counting proper and improper
/// operations: 120 for the Mackay icosahedron, 1 for an asymmetric cluster. A linear
/// arrangement (every atom on one axis) has an infinite group; its finite part that fixes the
/// axis is reported: 2 with a centre of inversion, else 1.
pub fn order(x: &[P3], tolerance: f64) -> usize {
    let c = centred(x);
    let r: Vec<f64> = c.iter().map(|&p| length(p)).collect();
    let n = c.len();
    let orbit = |i: usize| -> Vec<usize> {
        (0..n)
            .filter(|&j| (r[j] - r[i]).abs() <= tolerance)
            .collect()
    };
    let off_centre = 10.0 * tolerance;
    let pick = |allowed: &dyn Fn(usize) -> bool| -> Option<usize> {
        (0..n)
            .filter(|&i| r[i] > off_centre && allowed(i))
            .min_by(|&i, &j| {
                orbit(i)
                    .len()
                    .cmp(&orbit(j).len())
                    .then(r[j].total_cmp(&r[i]))
            })
    };
    let mut used = vec![false; n];
    let Some(a) = pick(&|_| true) else {
        return 1;
    };
    // The distance of atom i from the axis through a.
    let off_axis = |i: usize| length(cross(c[a], c[i])) / r[a] > off_centre;
    let Some(b) = pick(&off_axis) else {
        let inversion = [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]];
        return if maps(&inversion, &c, tolerance, &mut used) {
            2
        } else {
            1
        };
    };
    let dot_ab = dot(c[a], c[b]);
    let mut count = 0;
    for &a2 in &orbit(a) {
        for &b2 in &orbit(b) {
            if b2 == a2 {
                continue;
            }
            if (dot(c[a2], c[b2]) - dot_ab).abs() > tolerance * (r[a] + r[b]) {
                continue;
            }
            for improper in [false, true] {
                let (Some(f), Some(f2)) = (frame(c[a], c[b], false), frame(c[a2], c[b2], improper))
                else {
                    continue;
                };
                let op = matmul(&f2, &transpose(&f));
                if maps(&op, &c, tolerance, &mut used) {
                    count += 1;
                }
            }
        }
    }
    count.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::builders::icosahedron;

    fn points(shells: usize) -> Vec<P3> {
        icosahedron(shells, 2.76).unwrap().to_points()
    }

    /// Known groups: Ih (120) for the Mackay icosahedra, Oh (48) for an octahedron, Td (24)
    /// for a tetrahedron, D∞h's finite part for a dimer, C1 after a displacement.
    #[test]
    fn orders_of_known_shapes() {
        assert_eq!(order(&points(1), TOLERANCE), 120);
        assert_eq!(order(&points(2), TOLERANCE), 120);
        let oct: Vec<P3> = vec![
            [1.0, 0.0, 0.0],
            [-1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, -1.0, 0.0],
            [0.0, 0.0, 1.0],
            [0.0, 0.0, -1.0],
        ];
        assert_eq!(order(&oct, TOLERANCE), 48);
        let tet: Vec<P3> = vec![
            [1.0, 1.0, 1.0],
            [1.0, -1.0, -1.0],
            [-1.0, 1.0, -1.0],
            [-1.0, -1.0, 1.0],
        ];
        assert_eq!(order(&tet, TOLERANCE), 24);
        assert_eq!(order(&[[0.0, 0.0, 0.0], [0.0, 0.0, 2.5]], TOLERANCE), 2);
        // An outer vertex pushed outwards along its axis leaves C5v (order 10).
        let mut p = points(2);
        let c = centred(&p);
        let v = (0..p.len())
            .max_by(|&i, &j| length(c[i]).total_cmp(&length(c[j])))
            .unwrap();
        let centroid = [p[v][0] - c[v][0], p[v][1] - c[v][1], p[v][2] - c[v][2]];
        for a in 0..3 {
            p[v][a] = centroid[a] + 1.05 * c[v][a];
        }
        assert_eq!(order(&p, TOLERANCE), 10);
        p[20][1] += 0.3;
        p[31][2] -= 0.25;
        assert_eq!(order(&p, TOLERANCE), 1);
    }
}
