//! Volume of the convex hull of a set of points (the cluster's atoms): an incremental
//! 3-D hull. Each point outside the current hull removes the faces it sees and joins the
//! horizon of those faces to itself. Points on a face's plane count as inside, so flat
//! sets of atoms (facets of an icosahedron) do no harm to the volume.

use std::collections::HashSet;

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
fn norm(a: [f64; 3]) -> f64 {
    dot(a, a).sqrt()
}

/// Volume (Å³ for positions in Å) of the convex hull of `points`; 0 for fewer than 4
/// points or a flat set.
pub fn volume(points: &[[f64; 3]]) -> f64 {
    let n = points.len();
    if n < 4 {
        return 0.0;
    }
    // Centre on the centroid: smaller numbers, less rounding in the volume sum.
    let c = points.iter().fold([0.0; 3], |s, p| {
        [
            s[0] + p[0] / n as f64,
            s[1] + p[1] / n as f64,
            s[2] + p[2] / n as f64,
        ]
    });
    let p: Vec<[f64; 3]> = points.iter().map(|&q| sub(q, c)).collect();
    let scale = p.iter().map(|&q| norm(q)).fold(0.0, f64::max);
    if scale == 0.0 {
        return 0.0;
    }
    let tol = 1e-10 * scale;

    // A first tetrahedron as large as can be found cheaply.
    let i0 = (0..n).min_by(|&a, &b| p[a][0].total_cmp(&p[b][0])).unwrap();
    let i1 = (0..n)
        .max_by(|&a, &b| norm(sub(p[a], p[i0])).total_cmp(&norm(sub(p[b], p[i0]))))
        .unwrap();
    let d01 = sub(p[i1], p[i0]);
    if norm(d01) <= tol {
        return 0.0;
    }
    let line = |q: [f64; 3]| norm(cross(d01, sub(q, p[i0]))) / norm(d01);
    let i2 = (0..n)
        .max_by(|&a, &b| line(p[a]).total_cmp(&line(p[b])))
        .unwrap();
    if line(p[i2]) <= tol {
        return 0.0;
    }
    let normal = cross(d01, sub(p[i2], p[i0]));
    let plane = |q: [f64; 3]| dot(normal, sub(q, p[i0])) / norm(normal);
    let i3 = (0..n)
        .max_by(|&a, &b| plane(p[a]).abs().total_cmp(&plane(p[b]).abs()))
        .unwrap();
    if plane(p[i3]).abs() <= tol {
        return 0.0;
    }

    // Faces as index triples, counter-clockwise seen from outside (normal outward).
    let mut faces: Vec<[usize; 3]> = Vec::new();
    let inside = {
        let s = [p[i0], p[i1], p[i2], p[i3]];
        [
            (s[0][0] + s[1][0] + s[2][0] + s[3][0]) / 4.0,
            (s[0][1] + s[1][1] + s[2][1] + s[3][1]) / 4.0,
            (s[0][2] + s[1][2] + s[2][2] + s[3][2]) / 4.0,
        ]
    };
    for f in [[i0, i1, i2], [i0, i1, i3], [i0, i2, i3], [i1, i2, i3]] {
        let nf = cross(sub(p[f[1]], p[f[0]]), sub(p[f[2]], p[f[0]]));
        if dot(nf, sub(inside, p[f[0]])) > 0.0 {
            faces.push([f[0], f[2], f[1]]);
        } else {
            faces.push(f);
        }
    }
    let mut alive = vec![true; 4];

    for (q, &pt) in p.iter().enumerate() {
        if q == i0 || q == i1 || q == i2 || q == i3 {
            continue;
        }
        let visible: Vec<usize> = (0..faces.len())
            .filter(|&f| {
                alive[f] && {
                    let [a, b, c] = faces[f];
                    let nf = cross(sub(p[b], p[a]), sub(p[c], p[a]));
                    dot(nf, sub(pt, p[a])) > tol * norm(nf)
                }
            })
            .collect();
        if visible.is_empty() {
            continue;
        }
        let mut edges: HashSet<(usize, usize)> = HashSet::new();
        for &f in &visible {
            let [a, b, c] = faces[f];
            edges.extend([(a, b), (b, c), (c, a)]);
            alive[f] = false;
        }
        let mut horizon: Vec<(usize, usize)> = edges
            .iter()
            .filter(|&&(a, b)| !edges.contains(&(b, a)))
            .copied()
            .collect();
        // A HashSet iterates in a per-process random order; sorted, the faces and so the
        // last bits of the volume are the same in every run.
        horizon.sort_unstable();
        for (a, b) in horizon {
            faces.push([a, b, q]);
            alive.push(true);
        }
    }

    faces
        .iter()
        .zip(&alive)
        .filter(|(_, &a)| a)
        .map(|(&[a, b, c], _)| dot(p[a], cross(p[b], p[c])) / 6.0)
        .sum()
}

/// Volume of the uniform solid ellipsoid with the same gyration tensor as the atoms:
/// semi-axes √5 R_i for principal radii of gyration R_i, so V = (4π/3) 5^{3/2} R_1 R_2 R_3.
pub fn gyration_ellipsoid_volume(radii: [f64; 3]) -> f64 {
    4.0 / 3.0 * std::f64::consts::PI * 5f64.powf(1.5) * radii[0] * radii[1] * radii[2]
}
