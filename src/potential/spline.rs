//! The piecewise cubic that LAMMPS builds from an evenly spaced table (`PairEAM::interpolate`).

/// A tabulated function on x_k = k·h (k = 0…n−1), interpolated exactly as LAMMPS does:
/// node slopes by the five-point rule (three-point and one-sided at the ends), a cubic
/// Hermite piece on every interval, and lookup that clamps to the last interval at p = 1.
#[derive(Clone, Debug)]
pub struct Spline {
    n: usize,
    inv_h: f64,
    /// Per interval k (0-based): [3c₃/h, 2c₂/h, d/h, c₃, c₂, d, f] as in LAMMPS's `spline[m][0..7]`.
    coeff: Vec<[f64; 7]>,
}

impl Spline {
    /// Build from `f` (at least 5 values) on spacing `h` > 0.
    ///
    /// # Panics
    /// If `f` has fewer than 5 values or `h` is not positive. The file readers check both
    /// and report them as errors before building a spline.
    pub fn new(f: &[f64], h: f64) -> Spline {
        let n = f.len();
        assert!(n >= 5 && h > 0.0, "Spline needs >= 5 points and h > 0");
        let mut d = vec![0.0; n];
        d[0] = f[1] - f[0];
        d[1] = 0.5 * (f[2] - f[0]);
        d[n - 2] = 0.5 * (f[n - 1] - f[n - 3]);
        d[n - 1] = f[n - 1] - f[n - 2];
        for k in 2..n - 2 {
            d[k] = ((f[k - 2] - f[k + 2]) + 8.0 * (f[k + 1] - f[k - 1])) / 12.0;
        }
        let mut coeff = vec![[0.0; 7]; n];
        for k in 0..n {
            let (c2, c3) = if k + 1 < n {
                (
                    3.0 * (f[k + 1] - f[k]) - 2.0 * d[k] - d[k + 1],
                    d[k] + d[k + 1] - 2.0 * (f[k + 1] - f[k]),
                )
            } else {
                (0.0, 0.0)
            };
            coeff[k] = [3.0 * c3 / h, 2.0 * c2 / h, d[k] / h, c3, c2, d[k], f[k]];
        }
        Spline {
            n,
            inv_h: 1.0 / h,
            coeff,
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false (a spline has at least 5 nodes).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The x of the last node, (n − 1)·h.
    pub fn x_max(&self) -> f64 {
        (self.n - 1) as f64 / self.inv_h
    }

    /// LAMMPS's lookup: p = x/h + 1, m = clamp(⌊p⌋, 1, n − 1), p = min(p − m, 1); returns
    /// the 0-based interval m − 1 and p.
    #[inline(always)]
    pub fn locate(&self, x: f64) -> (usize, f64) {
        let p = x * self.inv_h + 1.0;
        let m = (p as i64).clamp(1, self.n as i64 - 1);
        let p = (p - m as f64).min(1.0);
        (m as usize - 1, p)
    }

    /// Value on interval `k` at `p`.
    #[inline(always)]
    pub fn value_at(&self, k: usize, p: f64) -> f64 {
        let c = &self.coeff[k];
        ((c[3] * p + c[4]) * p + c[5]) * p + c[6]
    }

    /// Derivative d/dx on interval `k` at `p`.
    #[inline(always)]
    pub fn derivative_at(&self, k: usize, p: f64) -> f64 {
        let c = &self.coeff[k];
        (c[0] * p + c[1]) * p + c[2]
    }

    /// Value and derivative at `x`.
    #[inline(always)]
    pub fn eval(&self, x: f64) -> (f64, f64) {
        let (k, p) = self.locate(x);
        (self.value_at(k, p), self.derivative_at(k, p))
    }

    /// 1/h, the inverse node spacing.
    pub fn inv_spacing(&self) -> f64 {
        self.inv_h
    }

    /// The coefficient table (for kernels that gather from it).
    pub fn coefficients(&self) -> &[[f64; 7]] {
        &self.coeff
    }
}
