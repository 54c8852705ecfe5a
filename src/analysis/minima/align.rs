//! Alignment of two clusters of identical atoms: the best rotation (Kabsch's problem, solved
//! with Horn's quaternion), the best permutation (the assignment problem), and the minimum
//! permutational distance over both, as OPTIM's `minpermdist` defines it:
//!
//!   D(A, B) = min over R ∈ O(3) (or SO(3)), P, t of |A − (R P B + t)|,
//!
//! the Euclidean norm over all 3N coordinates (Å). The best translation puts both centroids
//! at the origin, so both are centred first. Rotation and permutation are then found by
//! alternating the Hungarian assignment (for a fixed rotation) with Kabsch's rotation (for a
//! fixed permutation) from several starting orientations: every way of laying a pair of
//! atoms of B onto a chosen pair of A with matching radii and angle, and the principal axes
//! of inertia. Improper rotations (mirror images) are reached by inverting B.

use super::assign::assign;

/// A point (Å).
pub type P3 = [f64; 3];
/// A 3 × 3 matrix, row-major.
pub type M3 = [[f64; 3]; 3];

/// Radii differing by less than this (Å) count as matching when pairs of atoms are laid
/// onto each other to start an alignment.
const RADIUS_WINDOW: f64 = 0.3;
/// Cosines of the angle at the centroid differing by less than this match.
const COSINE_WINDOW: f64 = 0.15;
/// At most this many atom-pair starts per handedness (the best-matching first).
const MAX_STARTS: usize = 400;

pub(super) fn sub(a: P3, b: P3) -> P3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}
pub(super) fn dot(a: P3, b: P3) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}
pub(super) fn cross(a: P3, b: P3) -> P3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}
fn scale(a: P3, s: f64) -> P3 {
    [a[0] * s, a[1] * s, a[2] * s]
}
fn unit(a: P3) -> P3 {
    scale(a, 1.0 / length(a))
}

/// |a|.
pub(super) fn length(a: P3) -> f64 {
    dot(a, a).sqrt()
}

/// `m p`.
pub fn apply(m: &M3, p: P3) -> P3 {
    [dot(m[0], p), dot(m[1], p), dot(m[2], p)]
}

/// `a b`.
pub fn matmul(a: &M3, b: &M3) -> M3 {
    let mut c = [[0.0; 3]; 3];
    for (i, row) in c.iter_mut().enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            *x = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    c
}

/// `mᵀ`.
pub fn transpose(m: &M3) -> M3 {
    let mut t = [[0.0; 3]; 3];
    for (i, row) in m.iter().enumerate() {
        for (j, x) in row.iter().enumerate() {
            t[j][i] = *x;
        }
    }
    t
}

/// The identity.
pub const IDENTITY: M3 = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// `x` with its centroid moved to the origin.
pub fn centred(x: &[P3]) -> Vec<P3> {
    let n = x.len().max(1) as f64;
    let mut c = [0.0; 3];
    for p in x {
        for a in 0..3 {
            c[a] += p[a] / n;
        }
    }
    x.iter().map(|&p| sub(p, c)).collect()
}

/// |x|, the Euclidean norm over all 3N coordinates.
pub fn norm(x: &[P3]) -> f64 {
    x.iter().map(|&p| dot(p, p)).sum::<f64>().sqrt()
}

/// The inertia tensor Σ m (|r|² 1 − r rᵀ) of centred points with unit masses (Å²).
pub fn inertia_tensor(x: &[P3]) -> M3 {
    let mut t = [[0.0; 3]; 3];
    for p in x {
        let r2 = dot(*p, *p);
        for a in 0..3 {
            for b in 0..3 {
                t[a][b] += if a == b { r2 } else { 0.0 } - p[a] * p[b];
            }
        }
    }
    t
}

/// The distances of centred points from the origin, ascending.
pub fn sorted_radii(x: &[P3]) -> Vec<f64> {
    let mut r: Vec<f64> = x.iter().map(|&p| dot(p, p).sqrt()).collect();
    r.sort_by(f64::total_cmp);
    r
}

/// A lower bound of D(A, B) from the sorted radii of both (centred): for any rotation and
/// permutation |a_i − R b_π(i)| ≥ ||a_i| − |b_π(i)||, and Σ (|a_i| − |b_π(i)|)² is smallest
/// when both are sorted (the rearrangement inequality).
pub fn radial_bound(ra: &[f64], rb: &[f64]) -> f64 {
    ra.iter()
        .zip(rb)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        .sqrt()
}

/// The proper rotation R minimising Σ |t_i − R m_i|² (points already centred), from the
/// eigenvector of the largest eigenvalue of Horn's 4 × 4 matrix (Horn, J. Opt. Soc. Am. A 4,
/// 629 (1987)), which is always a rotation, never a reflection.
pub fn kabsch(target: &[P3], mobile: &[P3]) -> M3 {
    let mut s = [[0.0; 3]; 3];
    for (t, m) in target.iter().zip(mobile) {
        for a in 0..3 {
            for b in 0..3 {
                s[a][b] += m[a] * t[b];
            }
        }
    }
    let [[xx, xy, xz], [yx, yy, yz], [zx, zy, zz]] = s;
    let n = [
        xx + yy + zz,
        yz - zy,
        zx - xz,
        xy - yx,
        yz - zy,
        xx - yy - zz,
        xy + yx,
        zx + xz,
        zx - xz,
        xy + yx,
        -xx + yy - zz,
        yz + zy,
        xy - yx,
        zx + xz,
        yz + zy,
        -xx - yy + zz,
    ];
    let (l, v) = crate::analysis::eigen::symmetric(&n, 4);
    let k = (0..4).max_by(|&a, &b| l[a].total_cmp(&l[b])).unwrap_or(0);
    let q = [v[k], v[4 + k], v[8 + k], v[12 + k]];
    let qn = q.iter().map(|x| x * x).sum::<f64>().sqrt();
    if qn.is_nan() || qn <= 0.0 {
        return IDENTITY;
    }
    rotation(q.map(|x| x / qn))
}

/// The rotation matrix of the unit quaternion `q` = (w, x, y, z).
pub fn rotation(q: [f64; 4]) -> M3 {
    let [q0, q1, q2, q3] = q;
    [
        [
            q0 * q0 + q1 * q1 - q2 * q2 - q3 * q3,
            2.0 * (q1 * q2 - q0 * q3),
            2.0 * (q1 * q3 + q0 * q2),
        ],
        [
            2.0 * (q1 * q2 + q0 * q3),
            q0 * q0 - q1 * q1 + q2 * q2 - q3 * q3,
            2.0 * (q2 * q3 - q0 * q1),
        ],
        [
            2.0 * (q1 * q3 - q0 * q2),
            2.0 * (q2 * q3 + q0 * q1),
            q0 * q0 - q1 * q1 - q2 * q2 + q3 * q3,
        ],
    ]
}

/// A rotation uniform over SO(3): a normalised Gaussian quaternion.
pub fn random_rotation(r: &mut crate::rng::Stream) -> M3 {
    let q = [0.0; 4].map(|_: f64| crate::rng::normal(r));
    let n = q.iter().map(|x| x * x).sum::<f64>().sqrt();
    rotation(q.map(|x| x / n))
}

/// The orthonormal frame (as columns) spanned by `a` and the part of `b` normal to it, the
/// third axis reversed when `improper` (so that frame × frameᵀ of another pair is an
/// improper operation); None when they are (nearly) collinear or `a` is at the origin.
pub(super) fn frame(a: P3, b: P3, improper: bool) -> Option<M3> {
    let na = length(a);
    if na.is_nan() || na <= 1e-6 {
        return None;
    }
    let e1 = scale(a, 1.0 / na);
    let w = sub(b, scale(e1, dot(b, e1)));
    let nw = length(w);
    if nw.is_nan() || nw <= 1e-3 * length(b).max(1e-6) {
        return None;
    }
    let e2 = scale(w, 1.0 / nw);
    let e3 = scale(cross(e1, e2), if improper { -1.0 } else { 1.0 });
    Some(transpose(&[e1, e2, e3]))
}

/// The rotation that lays the directions of (`ma`, `mb`) onto those of (`ta`, `tb`).
pub fn pair_rotation(ta: P3, tb: P3, ma: P3, mb: P3) -> Option<M3> {
    let ft = frame(ta, tb, false)?;
    let fm = frame(ma, mb, false)?;
    Some(matmul(&ft, &transpose(&fm)))
}

/// How two structures are aligned: `a_i ≈ s R b_π(i)` after centring, s = −1 if `mirrored`.
#[derive(Clone, Debug, PartialEq)]
pub struct Alignment {
    /// D(A, B), Å (the 3N norm).
    pub distance: f64,
    /// R, a proper rotation.
    pub rotation: M3,
    /// Whether B was inverted (an improper operation: the mirror image).
    pub mirrored: bool,
    /// π: atom i of A lies on atom π(i) of B.
    pub permutation: Vec<usize>,
}

/// What [`minimum_distance`] may try.
#[derive(Clone, Copy, Debug)]
pub struct Search {
    /// Allow improper operations (enantiomers are one minimum).
    pub mirror: bool,
    /// Stop as soon as a distance at or below this is found (Å; 0 searches every start).
    pub good_enough: f64,
}

/// The reference atoms of `a` for pair starts: the atom whose radius is matched by the
/// fewest atoms of `b`, then, among atoms well off its axis, the next such atom.
fn reference_pair(a: &[P3], rb: &[f64]) -> Option<(usize, usize)> {
    let matches = |r: f64| {
        rb.iter()
            .filter(|&&x| (x - r).abs() < RADIUS_WINDOW)
            .count()
    };
    let ra: Vec<f64> = a.iter().map(|&p| dot(p, p).sqrt()).collect();
    let key = |i: usize| (matches(ra[i]), std::cmp::Reverse((ra[i] * 1e6) as i64));
    let first = (0..a.len())
        .filter(|&i| ra[i] > 0.5 && matches(ra[i]) > 0)
        .min_by_key(|&i| key(i))?;
    let ua = unit(a[first]);
    let second = (0..a.len())
        .filter(|&j| j != first && ra[j] > 0.5 && matches(ra[j]) > 0)
        .filter(|&j| {
            let c = cross(ua, unit(a[j]));
            dot(c, c).sqrt() > 0.3
        })
        .min_by_key(|&j| key(j))?;
    Some((first, second))
}

/// Starting rotations for laying `b` onto `a` (both centred).
fn starts(a: &[P3], b: &[P3]) -> Vec<M3> {
    let rb: Vec<f64> = b.iter().map(|&p| dot(p, p).sqrt()).collect();
    let mut out = Vec::new();
    if let Some((i, j)) = reference_pair(a, &rb) {
        let (ri, rj) = (dot(a[i], a[i]).sqrt(), dot(a[j], a[j]).sqrt());
        let cij = dot(a[i], a[j]) / (ri * rj);
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for (k, &rk) in rb.iter().enumerate() {
            if (rk - ri).abs() >= RADIUS_WINDOW {
                continue;
            }
            for (l, &rl) in rb.iter().enumerate() {
                if l == k || (rl - rj).abs() >= RADIUS_WINDOW {
                    continue;
                }
                let ckl = dot(b[k], b[l]) / (rk * rl);
                if (ckl - cij).abs() < COSINE_WINDOW {
                    let miss = (rk - ri).abs() + (rl - rj).abs() + (ckl - cij).abs() * ri;
                    pairs.push((miss, k, l));
                }
            }
        }
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
        pairs.truncate(MAX_STARTS);
        out.extend(
            pairs
                .iter()
                .filter_map(|&(_, k, l)| pair_rotation(a[i], a[j], b[k], b[l])),
        );
    }
    // The principal axes of inertia laid onto each other, with the four proper sign choices.
    let axes = |x: &[P3]| -> M3 {
        let t = inertia_tensor(x);
        let flat: Vec<f64> = t.iter().flatten().copied().collect();
        let (l, v) = crate::analysis::eigen::symmetric(&flat, 3);
        let mut idx = [0, 1, 2];
        idx.sort_by(|&p, &q| l[p].total_cmp(&l[q]));
        let col = |k: usize| [v[k], v[3 + k], v[6 + k]];
        let (e1, e2) = (col(idx[0]), col(idx[1]));
        transpose(&[e1, e2, cross(e1, e2)])
    };
    let (fa, fb) = (axes(a), axes(b));
    for s in [
        [1.0, 1.0, 1.0],
        [-1.0, -1.0, 1.0],
        [-1.0, 1.0, -1.0],
        [1.0, -1.0, -1.0],
    ] {
        let d = [[s[0], 0.0, 0.0], [0.0, s[1], 0.0], [0.0, 0.0, s[2]]];
        out.push(matmul(&matmul(&fa, &d), &transpose(&fb)));
    }
    out
}

/// From the rotation `r0`, alternate assignment and rotation until the permutation repeats.
fn refine(a: &[P3], b: &[P3], r0: M3, cost: &mut Vec<f64>) -> (f64, M3, Vec<usize>) {
    let n = a.len();
    let mut rot = r0;
    let mut perm: Vec<usize> = Vec::new();
    for _ in 0..50 {
        let rb: Vec<P3> = b.iter().map(|&p| apply(&rot, p)).collect();
        cost.clear();
        for ai in a {
            cost.extend(rb.iter().map(|&q| {
                let d = sub(*ai, q);
                dot(d, d)
            }));
        }
        let p = assign(cost, n);
        if p == perm {
            break;
        }
        let permuted: Vec<P3> = p.iter().map(|&j| b[j]).collect();
        rot = kabsch(a, &permuted);
        perm = p;
    }
    let d2: f64 = a
        .iter()
        .zip(&perm)
        .map(|(&ai, &j)| {
            let d = sub(ai, apply(&rot, b[j]));
            dot(d, d)
        })
        .sum();
    (d2.sqrt(), rot, perm)
}

/// D(A, B) with the alignment that attains it (the best found from every start).
///
/// Both structures must have the same number of atoms, all finite.
pub fn minimum_distance(a: &[P3], b: &[P3], search: Search) -> Alignment {
    assert_eq!(
        a.len(),
        b.len(),
        "minimum_distance: different numbers of atoms"
    );
    let a = centred(a);
    let b = centred(b);
    let mut best = Alignment {
        distance: f64::INFINITY,
        rotation: IDENTITY,
        mirrored: false,
        permutation: (0..a.len()).collect(),
    };
    if a.is_empty() {
        best.distance = 0.0;
        return best;
    }
    let mut cost = Vec::with_capacity(a.len() * a.len());
    let hands: &[bool] = if search.mirror {
        &[false, true]
    } else {
        &[false]
    };
    for &mirrored in hands {
        let bm: Vec<P3> = if mirrored {
            b.iter().map(|&p| scale(p, -1.0)).collect()
        } else {
            b.clone()
        };
        for r0 in starts(&a, &bm) {
            let (d, rot, perm) = refine(&a, &bm, r0, &mut cost);
            if d < best.distance {
                best = Alignment {
                    distance: d,
                    rotation: rot,
                    mirrored,
                    permutation: perm,
                };
                if d <= search.good_enough {
                    return best;
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kabsch recovers a random rotation exactly.
    #[test]
    fn kabsch_recovers_a_rotation() {
        let mut r = crate::rng::stream(5, 0);
        for _ in 0..20 {
            let x: Vec<P3> = (0..9)
                .map(|_| [0.0; 3].map(|_: f64| crate::rng::normal(&mut r)))
                .collect();
            let x = centred(&x);
            let rot = random_rotation(&mut r);
            let y: Vec<P3> = x.iter().map(|&p| apply(&rot, p)).collect();
            // y = R x, so the R that lays x onto y is rot.
            let got = kabsch(&y, &x);
            for i in 0..3 {
                for j in 0..3 {
                    assert!((got[i][j] - rot[i][j]).abs() < 1e-12, "{got:?} vs {rot:?}");
                }
            }
        }
    }

    /// A structure against itself rotated, translated and permuted: distance 0; against its
    /// mirror image: 0 with mirrors allowed, > 0 without (a chiral set of points).
    #[test]
    fn permutational_distance_of_copies() {
        let mut r = crate::rng::stream(6, 0);
        let x: Vec<P3> = (0..20)
            .map(|_| [0.0; 3].map(|_: f64| 3.0 * crate::rng::normal(&mut r)))
            .collect();
        let rot = random_rotation(&mut r);
        let mut perm: Vec<usize> = (0..20).collect();
        for i in (1..20).rev() {
            let j = (crate::rng::uniform(&mut r) * (i + 1) as f64) as usize;
            perm.swap(i, j.min(i));
        }
        let y: Vec<P3> = perm
            .iter()
            .map(|&i| {
                let p = apply(&rot, x[i]);
                [p[0] + 1.0, p[1] - 2.0, p[2] + 0.5]
            })
            .collect();
        let s = Search {
            mirror: true,
            good_enough: 0.0,
        };
        assert!(minimum_distance(&x, &y, s).distance < 1e-9);
        let m: Vec<P3> = y.iter().map(|p| [-p[0], p[1], p[2]]).collect();
        let al = minimum_distance(&x, &m, s);
        assert!(al.distance < 1e-9 && al.mirrored);
        let chiral = minimum_distance(
            &x,
            &m,
            Search {
                mirror: false,
                good_enough: 0.0,
            },
        );
        assert!(chiral.distance > 1.0, "{}", chiral.distance);
    }
}
