//! Eigenvalues and eigenvectors of a small real symmetric matrix by the cyclic Jacobi
//! method (Golub & Van Loan, *Matrix Computations*, 4th ed., §8.5): rotations annihilate
//! the off-diagonal elements one by one until they are below rounding of the diagonal. It
//! is exact to rounding for any symmetric matrix, indefinite or singular, which is what
//! MBAR's covariance (a pseudo-inverse) needs; the cost, ~10 n³ per sweep and a handful of
//! sweeps, is nothing for the few dozen states of a ladder.

/// The eigen-decomposition `a = V diag(λ) Vᵀ` of the symmetric `n × n` matrix `a`
/// (row-major; only its symmetric part is used): eigenvalues λ (unsorted) and the
/// eigenvectors as the columns of `V` (row-major, `v[i * n + k]` is component i of vector
/// k).
pub fn symmetric(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    assert_eq!(a.len(), n * n, "eigen::symmetric: a is not n × n");
    let mut m: Vec<f64> = (0..n * n)
        .map(|ij| 0.5 * (a[ij] + a[(ij % n) * n + ij / n]))
        .collect();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| m[i * n + j] * m[i * n + j])
            .sum();
        let diag: f64 = (0..n).map(|i| m[i * n + i] * m[i * n + i]).sum();
        if off <= 1e-30 * diag || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = m[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let (app, aqq) = (m[p * n + p], m[q * n + q]);
                // The rotation angle that zeroes m[p][q] (the smaller of the two roots).
                let theta = (aqq - app) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (mkp, mkq) = (m[k * n + p], m[k * n + q]);
                    m[k * n + p] = c * mkp - s * mkq;
                    m[k * n + q] = s * mkp + c * mkq;
                }
                for k in 0..n {
                    let (mpk, mqk) = (m[p * n + k], m[q * n + k]);
                    m[p * n + k] = c * mpk - s * mqk;
                    m[q * n + k] = s * mpk + c * mqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..n).map(|i| m[i * n + i]).collect(), v)
}

/// The Moore–Penrose pseudo-inverse of the symmetric `n × n` matrix `a`: eigenvalues with
/// |λ| ≤ `rcond` × max |λ| count as zero.
pub fn pseudo_inverse(a: &[f64], n: usize, rcond: f64) -> Vec<f64> {
    let (l, v) = symmetric(a, n);
    let top = l.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let inv: Vec<f64> = l
        .iter()
        .map(|&x| if x.abs() > rcond * top { 1.0 / x } else { 0.0 })
        .collect();
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            out[i * n + j] = (0..n).map(|k| v[i * n + k] * inv[k] * v[j * n + k]).sum();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_symmetric(n: usize, seed: u64) -> Vec<f64> {
        let mut r = crate::rng::stream(seed, 0);
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let x = crate::rng::normal(&mut r);
                a[i * n + j] = x;
                a[j * n + i] = x;
            }
        }
        a
    }

    /// A V = V diag(λ), Vᵀ V = 1, and the trace is the sum of the eigenvalues.
    #[test]
    fn decomposes_random_symmetric_matrices() {
        for (n, seed) in [(1, 1), (2, 2), (7, 3), (30, 4), (90, 5)] {
            let a = random_symmetric(n, seed);
            let (l, v) = symmetric(&a, n);
            let scale = a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            for k in 0..n {
                for i in 0..n {
                    let av: f64 = (0..n).map(|j| a[i * n + j] * v[j * n + k]).sum();
                    assert!((av - l[k] * v[i * n + k]).abs() < 1e-11 * scale * n as f64);
                }
                for q in 0..n {
                    let d: f64 = (0..n).map(|i| v[i * n + k] * v[i * n + q]).sum();
                    let want = if k == q { 1.0 } else { 0.0 };
                    assert!(
                        (d - want).abs() < 1e-12 * n as f64,
                        "n {n}: VᵀV[{k}][{q}] = {d}"
                    );
                }
            }
            let trace: f64 = (0..n).map(|i| a[i * n + i]).sum();
            assert!((trace - l.iter().sum::<f64>()).abs() < 1e-10 * scale * n as f64);
        }
    }

    /// The pseudo-inverse of a singular matrix satisfies A A⁺ A = A; of a regular one it is
    /// the inverse.
    #[test]
    fn pseudo_inverse_of_singular_and_regular_matrices() {
        // 1 − (1/n) 1 1ᵀ: the projector off the constant vector, singular.
        let n = 5;
        let p: Vec<f64> = (0..n * n)
            .map(|ij| if ij % (n + 1) == 0 { 1.0 } else { 0.0 } - 1.0 / n as f64)
            .collect();
        let pi = pseudo_inverse(&p, n, 1e-10);
        for (x, y) in pi.iter().zip(&p) {
            assert!(
                (x - y).abs() < 1e-12,
                "a projector is its own pseudo-inverse"
            );
        }
        let a = random_symmetric(6, 9);
        let ai = pseudo_inverse(&a, 6, 1e-12);
        for i in 0..6 {
            for j in 0..6 {
                let d: f64 = (0..6).map(|k| a[i * 6 + k] * ai[k * 6 + j]).sum();
                assert!((d - if i == j { 1.0 } else { 0.0 }).abs() < 1e-9);
            }
        }
    }
}
