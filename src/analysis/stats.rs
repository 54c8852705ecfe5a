//! Statistics of correlated time series: means with blocking errors, block bootstrap,
//! least-squares lines and the two-line (broken-stick) fit.

use crate::rng::{self, Stream};

/// Mean of `x` (NaN when empty).
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    x.iter().sum::<f64>() / x.len() as f64
}

/// Variance of `x` with denominator n (the ensemble fluctuation, not an estimator of a
/// population variance from few samples; n is large here).
pub fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64
}

/// Sample standard deviation (denominator n − 1) of the finite values of `x`; NaN below two.
pub fn std_dev(x: &[f64]) -> f64 {
    let v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if v.len() < 2 {
        return f64::NAN;
    }
    let m = mean(&v);
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// Fewest blocks a blocking level may have to count in [`blocking_error`].
pub const MIN_BLOCKS: usize = 16;

/// Standard error of the mean of a correlated series by blocking (Flyvbjerg & Petersen,
/// J. Chem. Phys. 91, 461 (1989)): average neighbours pairwise again and again; the naive
/// error of the block means grows until the blocks are longer than the correlation time and
/// then stays flat. pelt takes the largest error over the levels with at least
/// [`MIN_BLOCKS`] blocks, a conservative reading of the plateau. NaN below 2 samples.
pub fn blocking_error(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let mut blocks: Vec<f64> = x.to_vec();
    let mut best = 0.0f64;
    loop {
        let n = blocks.len();
        let m = mean(&blocks);
        let var = blocks.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1) as f64;
        best = best.max((var / n as f64).sqrt());
        if n / 2 < MIN_BLOCKS {
            break;
        }
        blocks = blocks
            .chunks_exact(2)
            .map(|p| 0.5 * (p[0] + p[1]))
            .collect();
    }
    best
}

/// Statistical inefficiency g of a correlated series: the number of consecutive samples
/// worth one independent one, g = 1 + 2 Σ_t (1 − t/N) C(t), with the normalised
/// autocorrelation C(t) summed until it first drops to ≤ 0 after t = 3. This is the
/// estimator of pymbar's `timeseries.statistical_inefficiency` (Chodera et al., J. Chem.
/// Theory Comput. 3, 26 (2007)), written here so that no Python is needed; the effective
/// sample size is N/g. At least 1; NaN below 2 samples; 1 for a constant series.
pub fn statistical_inefficiency(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    let d: Vec<f64> = x.iter().map(|v| v - m).collect();
    let sigma2 = d.iter().map(|v| v * v).sum::<f64>() / n as f64;
    if sigma2 <= 0.0 || !sigma2.is_finite() {
        return 1.0;
    }
    const MIN_LAG: usize = 3;
    let mut g = 1.0;
    for t in 1..n - 1 {
        let c = d[..n - t]
            .iter()
            .zip(&d[t..])
            .map(|(a, b)| a * b)
            .sum::<f64>()
            / ((n - t) as f64 * sigma2);
        if c <= 0.0 && t > MIN_LAG {
            break;
        }
        g += 2.0 * c * (1.0 - t as f64 / n as f64);
    }
    g.max(1.0)
}

/// Blocks the bootstrap resamples per time series ([`BlockBootstrap`]).
pub const BOOTSTRAP_BLOCKS: usize = 20;

/// A block bootstrap over one or more time series: each series is cut into
/// [`BOOTSTRAP_BLOCKS`] contiguous blocks, and a resample draws as many blocks, with
/// replacement, from the same series. Blocks much longer than the correlation time keep
/// the correlation inside them, so the spread of an estimate over resamples respects it.
pub struct BlockBootstrap {
    rng: Stream,
}

impl BlockBootstrap {
    /// A bootstrap with its own random stream (`seed`; analyses are reproducible).
    pub fn new(seed: u64) -> BlockBootstrap {
        BlockBootstrap {
            rng: rng::stream(seed, 0xB007),
        }
    }

    /// Indices of one resample of a series of length `n` (length n, or less when n is not
    /// a multiple of the block count: the tail is dropped).
    pub fn resample(&mut self, n: usize) -> Vec<usize> {
        let b = BOOTSTRAP_BLOCKS.min(n.max(1));
        let len = n / b;
        let mut idx = Vec::with_capacity(len * b);
        for _ in 0..b {
            let k = ((rng::uniform(&mut self.rng) * b as f64) as usize).min(b - 1);
            idx.extend(k * len..(k + 1) * len);
        }
        idx
    }

    /// A uniform index in 0 … n − 1.
    pub fn pick(&mut self, n: usize) -> usize {
        ((rng::uniform(&mut self.rng) * n as f64) as usize).min(n.saturating_sub(1))
    }

    /// Standard deviation of `estimate` over `resamples` resamples of one series of length
    /// `n` (the estimate gets the resampled indices).
    pub fn error(
        &mut self,
        n: usize,
        resamples: usize,
        mut estimate: impl FnMut(&[usize]) -> f64,
    ) -> f64 {
        let values: Vec<f64> = (0..resamples)
            .map(|_| estimate(&self.resample(n)))
            .collect();
        std_dev(&values)
    }
}

/// A least-squares line y = a + b x.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Line {
    /// Intercept a.
    pub intercept: f64,
    /// Slope b.
    pub slope: f64,
    /// Standard error of the slope (from the residuals; NaN with 2 points).
    pub slope_error: f64,
    /// Sum of squared residuals.
    pub sse: f64,
    /// Points fitted.
    pub points: usize,
}

impl Line {
    /// y at `x`.
    pub fn at(&self, x: f64) -> f64 {
        self.intercept + self.slope * x
    }
}

/// Ordinary least squares through (x, y); None with fewer than 2 points or one x.
pub fn fit_line(x: &[f64], y: &[f64]) -> Option<Line> {
    let n = x.len();
    if n < 2 || y.len() != n {
        return None;
    }
    let (mx, my) = (mean(x), mean(y));
    let sxx: f64 = x.iter().map(|v| (v - mx) * (v - mx)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let sse: f64 = x
        .iter()
        .zip(y)
        .map(|(a, b)| (b - intercept - slope * a).powi(2))
        .sum();
    let slope_error = if n > 2 {
        (sse / (n - 2) as f64 / sxx).sqrt()
    } else {
        f64::NAN
    };
    Some(Line {
        intercept,
        slope,
        slope_error,
        sse,
        points: n,
    })
}

/// Fewest points on each side of a [`two_lines`] fit.
pub const MIN_POINTS_PER_LINE: usize = 3;

/// A broken-stick fit: one line through the lowest points, one through the rest.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct TwoLines {
    /// Line through the low-x points.
    pub low: Line,
    /// Line through the high-x points.
    pub high: Line,
    /// Points in the low fit (the first `split` points, x ascending).
    pub split: usize,
    /// x where the two lines cross (NaN when parallel).
    pub crossing: f64,
}

/// Fit two lines to (x, y), x ascending: every split with at least
/// [`MIN_POINTS_PER_LINE`] points on each side is tried and the one with the smallest total
/// squared residual kept. The crossing of the two lines is the characteristic x.
pub fn two_lines(x: &[f64], y: &[f64]) -> Option<TwoLines> {
    let n = x.len();
    let mut best: Option<TwoLines> = None;
    for split in MIN_POINTS_PER_LINE..=n.saturating_sub(MIN_POINTS_PER_LINE) {
        let (Some(low), Some(high)) = (
            fit_line(&x[..split], &y[..split]),
            fit_line(&x[split..], &y[split..]),
        ) else {
            continue;
        };
        let crossing = (high.intercept - low.intercept) / (low.slope - high.slope);
        let candidate = TwoLines {
            low,
            high,
            split,
            crossing: if crossing.is_finite() {
                crossing
            } else {
                f64::NAN
            },
        };
        if best.is_none_or(|b| low.sse + high.sse < b.low.sse + b.high.sse) {
            best = Some(candidate);
        }
    }
    best
}

/// A histogram of `x` with weights `w` (None: all 1) on `bins` equal bins over [lo, hi];
/// returns bin centres and densities (integral 1 over the range; values outside dropped).
pub fn histogram(
    x: &[f64],
    w: Option<&[f64]>,
    lo: f64,
    hi: f64,
    bins: usize,
) -> (Vec<f64>, Vec<f64>) {
    let width = (hi - lo) / bins as f64;
    let mut h = vec![0.0; bins];
    let mut total = 0.0;
    for (i, &v) in x.iter().enumerate() {
        let wi = w.map_or(1.0, |w| w[i]);
        total += wi;
        if v < lo || v > hi || width <= 0.0 {
            continue;
        }
        let b = (((v - lo) / width) as usize).min(bins - 1);
        h[b] += wi;
    }
    let centres = (0..bins).map(|b| lo + (b as f64 + 0.5) * width).collect();
    if total > 0.0 && width > 0.0 {
        for v in &mut h {
            *v /= total * width;
        }
    }
    (centres, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An AR(1) series x_{k+1} = a x_k + noise has g = (1 + a)/(1 − a).
    #[test]
    fn statistical_inefficiency_of_an_ar1_series() {
        let mut r = crate::rng::stream(9, 0);
        for a in [0.0, 0.5, 0.9] {
            let mut x = 0.0;
            let xs: Vec<f64> = (0..200_000)
                .map(|_| {
                    x = a * x + crate::rng::normal(&mut r);
                    x
                })
                .collect();
            let g = statistical_inefficiency(&xs);
            let exact = (1.0 + a) / (1.0 - a);
            assert!(
                (g / exact - 1.0).abs() < 0.1,
                "a = {a}: g = {g}, exact {exact}"
            );
        }
        assert_eq!(statistical_inefficiency(&[2.0; 10]), 1.0);
        assert!(statistical_inefficiency(&[1.0]).is_nan());
    }
}
