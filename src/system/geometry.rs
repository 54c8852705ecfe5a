//! Shape descriptors of a cluster: the gyration tensor and its principal radii.

use super::Coords;

/// The gyration tensor S_ab = (1/N) Σ_i (r_ia − c_a)(r_ib − c_b) about the centroid (Å²).
pub fn gyration_tensor(p: &Coords) -> [[f64; 3]; 3] {
    let n = p.len().max(1) as f64;
    let c = p.centroid();
    let mut s = [[0.0; 3]; 3];
    for i in 0..p.len() {
        let q = p.get(i);
        let r = [q[0] - c[0], q[1] - c[1], q[2] - c[2]];
        for a in 0..3 {
            for b in 0..3 {
                s[a][b] += r[a] * r[b] / n;
            }
        }
    }
    s
}

/// Eigenvalues of a symmetric 3×3 matrix, ascending (closed form, trigonometric).
pub fn symmetric_eigenvalues(m: [[f64; 3]; 3]) -> [f64; 3] {
    let p1 = m[0][1].powi(2) + m[0][2].powi(2) + m[1][2].powi(2);
    let q = (m[0][0] + m[1][1] + m[2][2]) / 3.0;
    if p1 == 0.0 {
        let mut e = [m[0][0], m[1][1], m[2][2]];
        e.sort_by(f64::total_cmp);
        return e;
    }
    let p2 = (m[0][0] - q).powi(2) + (m[1][1] - q).powi(2) + (m[2][2] - q).powi(2) + 2.0 * p1;
    let p = (p2 / 6.0).sqrt();
    let mut b = m;
    for (a, row) in b.iter_mut().enumerate() {
        for (c, x) in row.iter_mut().enumerate() {
            *x = (*x - if a == c { q } else { 0.0 }) / p;
        }
    }
    let det = b[0][0] * (b[1][1] * b[2][2] - b[1][2] * b[2][1])
        - b[0][1] * (b[1][0] * b[2][2] - b[1][2] * b[2][0])
        + b[0][2] * (b[1][0] * b[2][1] - b[1][1] * b[2][0]);
    let phi = (det / 2.0).clamp(-1.0, 1.0).acos() / 3.0;
    let e1 = q + 2.0 * p * phi.cos();
    let e3 = q + 2.0 * p * (phi + 2.0 * std::f64::consts::PI / 3.0).cos();
    let e2 = 3.0 * q - e1 - e3;
    let mut e = [e1, e2, e3];
    e.sort_by(f64::total_cmp);
    e
}

/// Principal radii of gyration (Å), ascending: square roots of the gyration tensor's
/// eigenvalues. ΔR = R[2] − R[0] measures how far the cluster is from spherical.
pub fn principal_radii(p: &Coords) -> [f64; 3] {
    symmetric_eigenvalues(gyration_tensor(p)).map(|e| e.max(0.0).sqrt())
}

/// Whether every atom is connected to every other through a chain of neighbours closer
/// than `distance` (Å).
pub fn is_connected(p: &Coords, distance: f64) -> bool {
    let n = p.len();
    if n == 0 {
        return true;
    }
    let d2 = distance * distance;
    let mut seen = vec![false; n];
    let mut stack = vec![0];
    seen[0] = true;
    let mut count = 1;
    while let Some(i) = stack.pop() {
        let a = p.get(i);
        for (j, seen_j) in seen.iter_mut().enumerate() {
            if !*seen_j {
                let b = p.get(j);
                let r2 = (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2);
                if r2 < d2 {
                    *seen_j = true;
                    count += 1;
                    stack.push(j);
                }
            }
        }
    }
    count == n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigenvalues_of_a_rotated_diagonal_matrix() {
        // R diag(1, 2, 5) Rᵀ for a rotation about (1, 1, 1)/√3 by 0.7 rad.
        let (c, s) = (0.7f64.cos(), 0.7f64.sin());
        let u = [1.0 / 3f64.sqrt(); 3];
        let mut r = [[0.0; 3]; 3];
        for a in 0..3 {
            for b in 0..3 {
                let cross = match (a, b) {
                    (0, 1) => -u[2],
                    (0, 2) => u[1],
                    (1, 0) => u[2],
                    (1, 2) => -u[0],
                    (2, 0) => -u[1],
                    (2, 1) => u[0],
                    _ => 0.0,
                };
                r[a][b] = if a == b { c } else { 0.0 } + (1.0 - c) * u[a] * u[b] + s * cross;
            }
        }
        let d = [1.0, 2.0, 5.0];
        let mut m = [[0.0; 3]; 3];
        for a in 0..3 {
            for b in 0..3 {
                m[a][b] = (0..3).map(|k| r[a][k] * d[k] * r[b][k]).sum();
            }
        }
        let e = symmetric_eigenvalues(m);
        for (x, y) in e.iter().zip(d) {
            assert!((x - y).abs() < 1e-12, "{e:?}");
        }
    }
}
