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

use super::align::{apply, centred, matmul, transpose, M3, P3};

/// Atoms within this distance (Å) of each other after an operation count as mapped; it
/// must exceed how well the minima are converged (quenches to 1e-4 eV/Å agree to ~1e-3 Å)
/// and stay below any real distortion.
pub const TOLERANCE: f64 = 0.02;

fn radius(p: P3) -> f64 {
    (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt()
}

/// The frame (columns) of `a` and the part of `b` normal to it, the third axis reversed for
/// improper operations.
fn frame(a: P3, b: P3, improper: bool) -> Option<M3> {
    let na = radius(a);
    let e1 = [a[0] / na, a[1] / na, a[2] / na];
    let d = b[0] * e1[0] + b[1] * e1[1] + b[2] * e1[2];
    let w = [b[0] - d * e1[0], b[1] - d * e1[1], b[2] - d * e1[2]];
    let nw = radius(w);
    if !(na > 0.0 && nw > 1e-6) {
        return None;
    }
    let e2 = [w[0] / nw, w[1] / nw, w[2] / nw];
    let s = if improper { -1.0 } else { 1.0 };
    let e3 = [
        s * (e1[1] * e2[2] - e1[2] * e2[1]),
        s * (e1[2] * e2[0] - e1[0] * e2[2]),
        s * (e1[0] * e2[1] - e1[1] * e2[0]),
    ];
    Some(transpose(&[e1, e2, e3]))
}

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
            let d = [q[0] - r[0], q[1] - r[1], q[2] - r[2]];
            if d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= t2 {
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
    let r: Vec<f64> = c.iter().map(|&p| radius(p)).collect();
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
    let ua = [c[a][0] / r[a], c[a][1] / r[a], c[a][2] / r[a]];
    let off_axis = |i: usize| {
        let u = [c[i][0] / r[i], c[i][1] / r[i], c[i][2] / r[i]];
        let x = [
            ua[1] * u[2] - ua[2] * u[1],
            ua[2] * u[0] - ua[0] * u[2],
            ua[0] * u[1] - ua[1] * u[0],
        ];
        radius(x) * r[i] > off_centre
    };
    let Some(b) = pick(&off_axis) else {
        let inversion = [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]];
        return if maps(&inversion, &c, tolerance, &mut used) {
            2
        } else {
            1
        };
    };
    let dot_ab = c[a][0] * c[b][0] + c[a][1] * c[b][1] + c[a][2] * c[b][2];
    let mut count = 0;
    for &a2 in &orbit(a) {
        for &b2 in &orbit(b) {
            if b2 == a2 {
                continue;
            }
            let d = c[a2][0] * c[b2][0] + c[a2][1] * c[b2][1] + c[a2][2] * c[b2][2];
            if (d - dot_ab).abs() > tolerance * (r[a] + r[b]) {
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
            .max_by(|&i, &j| radius(c[i]).total_cmp(&radius(c[j])))
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
