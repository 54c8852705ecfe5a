//! Total linear and angular momentum of a cluster of equal masses, and their removal.
//! Momenta are reported per unit mass (Å/fs and Å²/fs); multiply by m for amu·Å/fs.

use crate::system::Coords;

/// Σ v (Å/fs): the total linear momentum divided by the atomic mass.
pub fn linear_momentum(velocities: &Coords) -> [f64; 3] {
    [velocities.x(), velocities.y(), velocities.z()].map(|c| c.iter().sum())
}

/// Σ (r − r_c) × v (Å²/fs) about the centroid r_c: the angular momentum divided by the mass.
pub fn angular_momentum(positions: &Coords, velocities: &Coords) -> [f64; 3] {
    let c = positions.centroid();
    let mut l = [0.0; 3];
    for i in 0..positions.len() {
        let r = positions.get(i);
        let (x, y, z) = (r[0] - c[0], r[1] - c[1], r[2] - c[2]);
        let v = velocities.get(i);
        l[0] += y * v[2] - z * v[1];
        l[1] += z * v[0] - x * v[2];
        l[2] += x * v[1] - y * v[0];
    }
    l
}

/// Subtract the mean velocity.
pub fn remove_linear_momentum(velocities: &mut Coords) {
    let n = velocities.len();
    if n == 0 {
        return;
    }
    let p = linear_momentum(velocities);
    let (vx, vy, vz) = velocities.xyz_mut();
    for (c, p) in [vx, vy, vz].into_iter().zip(p) {
        let mean = p / n as f64;
        c.iter_mut().for_each(|v| *v -= mean);
    }
}

/// Subtract the rigid rotation ω × (r − r_c) with ω = I⁻¹ L. A collinear cluster (singular
/// inertia tensor) is left alone.
pub fn remove_angular_momentum(positions: &Coords, velocities: &mut Coords) {
    let n = positions.len();
    if n < 2 {
        return;
    }
    let c = positions.centroid();
    let l = angular_momentum(positions, velocities);
    let mut inertia = [[0.0; 3]; 3];
    for i in 0..n {
        let p = positions.get(i);
        let r = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
        let r2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
        for a in 0..3 {
            for b in 0..3 {
                inertia[a][b] += if a == b { r2 } else { 0.0 } - r[a] * r[b];
            }
        }
    }
    let Some(w) = solve3(inertia, l) else {
        return;
    };
    for i in 0..n {
        let p = positions.get(i);
        let r = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
        let mut v = velocities.get(i);
        v[0] -= w[1] * r[2] - w[2] * r[1];
        v[1] -= w[2] * r[0] - w[0] * r[2];
        v[2] -= w[0] * r[1] - w[1] * r[0];
        velocities.set(i, v);
    }
}

/// Remove linear, then angular momentum (the second does not bring back the first: Σ ω × r'
/// vanishes about the centroid).
pub fn zero_momenta(positions: &Coords, velocities: &mut Coords) {
    remove_linear_momentum(velocities);
    remove_angular_momentum(positions, velocities);
}

/// Solve the symmetric 3×3 system A x = b by Cramer's rule; `None` when A is singular.
fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(a);
    let scale = a[0][0].abs() + a[1][1].abs() + a[2][2].abs();
    if d.abs() <= 1e-12 * scale * scale * scale {
        return None;
    }
    let mut x = [0.0; 3];
    for (k, xk) in x.iter_mut().enumerate() {
        let mut m = a;
        for r in 0..3 {
            m[r][k] = b[r];
        }
        *xk = det(m) / d;
    }
    Some(x)
}
