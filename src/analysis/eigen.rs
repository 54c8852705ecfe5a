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

/// The eigenvalues of the symmetric `n × n` matrix `a` (row-major), ascending, without
/// eigenvectors: Householder reduction to tridiagonal form (Golub & Van Loan §8.3.1,
/// ~4/3 n³), then bisection on Sturm sequences (§8.4.1), which finds every eigenvalue to an
/// absolute accuracy of a few rounding units of the largest. For the Hessian of a cluster
/// (n = 3N, a few hundred) this is ten times faster than [`symmetric`], and the count of
/// negative eigenvalues comes from the same Sturm sequences.
pub fn symmetric_eigenvalues(a: &[f64], n: usize) -> Vec<f64> {
    assert_eq!(
        a.len(),
        n * n,
        "eigen::symmetric_eigenvalues: a is not n × n"
    );
    let (d, e) = tridiagonal(a, n);
    if n == 0 {
        return Vec::new();
    }
    // Gershgorin bounds of the tridiagonal matrix.
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..n {
        let r = if i > 0 { e[i - 1].abs() } else { 0.0 } + if i + 1 < n { e[i].abs() } else { 0.0 };
        lo = lo.min(d[i] - r);
        hi = hi.max(d[i] + r);
    }
    if !(lo.is_finite() && hi.is_finite()) {
        return vec![f64::NAN; n];
    }
    let scale = lo.abs().max(hi.abs()).max(f64::MIN_POSITIVE);
    let tol = 4.0 * f64::EPSILON * scale;
    (0..n)
        .map(|k| {
            // The k-th eigenvalue (0-based, ascending): the smallest x with more than k
            // eigenvalues below it.
            let (mut a, mut b) = (lo - tol, hi + tol);
            while b - a > tol {
                let mid = 0.5 * (a + b);
                if mid <= a || mid >= b {
                    break;
                }
                if sturm_count(&d, &e, mid) > k {
                    b = mid;
                } else {
                    a = mid;
                }
            }
            0.5 * (a + b)
        })
        .collect()
}

/// The number of eigenvalues below `x` of the symmetric tridiagonal matrix with diagonal `d`
/// and off-diagonal `e` (Sylvester's law of inertia on the LDLᵀ pivots of T − x).
fn sturm_count(d: &[f64], e: &[f64], x: f64) -> usize {
    let mut count = 0;
    let mut q = 1.0;
    for i in 0..d.len() {
        let off = if i > 0 { e[i - 1] * e[i - 1] / q } else { 0.0 };
        q = d[i] - x - off;
        if q == 0.0 {
            q = -f64::EPSILON * (d[i].abs() + x.abs()).max(f64::MIN_POSITIVE);
        }
        if q < 0.0 {
            count += 1;
        }
    }
    count
}

/// Householder reduction of a symmetric matrix to tridiagonal form: the diagonal and the
/// off-diagonal (length n − 1) of T = Qᵀ A Q.
fn tridiagonal(a: &[f64], n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut m: Vec<f64> = (0..n * n)
        .map(|ij| 0.5 * (a[ij] + a[(ij % n) * n + ij / n]))
        .collect();
    let mut e = vec![0.0; n.saturating_sub(1)];
    let mut v = vec![0.0; n];
    let mut p = vec![0.0; n];
    for k in 0..n.saturating_sub(2) {
        // The reflector H = 1 − 2 v vᵀ that maps column k below the diagonal onto e₁.
        let norm = (k + 1..n).map(|i| m[i * n + k].powi(2)).sum::<f64>().sqrt();
        if norm == 0.0 {
            e[k] = 0.0;
            continue;
        }
        let x0 = m[(k + 1) * n + k];
        let alpha = if x0 > 0.0 { -norm } else { norm };
        for i in k + 1..n {
            v[i] = m[i * n + k];
        }
        v[k + 1] -= alpha;
        let vn = (k + 1..n).map(|i| v[i] * v[i]).sum::<f64>().sqrt();
        if vn == 0.0 {
            e[k] = x0;
            continue;
        }
        for x in &mut v[k + 1..n] {
            *x /= vn;
        }
        // H A H = A − 2 v wᵀ − 2 w vᵀ with p = A v and w = p − (vᵀ p) v.
        for i in k + 1..n {
            p[i] = (k + 1..n).map(|j| m[i * n + j] * v[j]).sum();
        }
        let vp: f64 = (k + 1..n).map(|i| v[i] * p[i]).sum();
        for i in k + 1..n {
            p[i] -= vp * v[i];
        }
        for i in k + 1..n {
            for j in k + 1..n {
                m[i * n + j] -= 2.0 * (v[i] * p[j] + p[i] * v[j]);
            }
        }
        e[k] = alpha;
    }
    if n >= 2 {
        e[n - 2] = m[(n - 1) * n + n - 2];
    }
    ((0..n).map(|i| m[i * n + i]).collect(), e)
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

    /// The eigenvalues alone (Householder + bisection) agree with Jacobi's, including
    /// degenerate and zero ones.
    #[test]
    fn eigenvalues_alone_match_jacobi() {
        for (n, seed) in [(1, 11), (2, 12), (3, 13), (17, 14), (60, 15), (129, 16)] {
            let a = random_symmetric(n, seed);
            let mut want = symmetric(&a, n).0;
            want.sort_by(f64::total_cmp);
            let got = symmetric_eigenvalues(&a, n);
            let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            for (g, w) in got.iter().zip(&want) {
                assert!(
                    (g - w).abs() < 1e-12 * scale * n as f64,
                    "n {n}: {g} vs {w}"
                );
            }
        }
        // A projector (eigenvalues 0 once and 1 four times) and a diagonal with repeats.
        let n = 5;
        let p: Vec<f64> = (0..n * n)
            .map(|ij| if ij % (n + 1) == 0 { 1.0 } else { 0.0 } - 1.0 / n as f64)
            .collect();
        let l = symmetric_eigenvalues(&p, n);
        assert!(l[0].abs() < 1e-14 && l[1..].iter().all(|x| (x - 1.0).abs() < 1e-14));
        let d = [3.0, -1.0, 3.0, 0.0];
        let a: Vec<f64> = (0..16)
            .map(|ij| if ij % 5 == 0 { d[ij / 5] } else { 0.0 })
            .collect();
        let l = symmetric_eigenvalues(&a, 4);
        for (g, w) in l.iter().zip([-1.0, 0.0, 3.0, 3.0]) {
            assert!((g - w).abs() < 1e-14, "{l:?}");
        }
    }
}
