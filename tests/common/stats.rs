//! Statistics the tests use to judge distributions: the regularised incomplete gamma
//! function (from `statrs`), the one-sample Kolmogorov–Smirnov test and blocking errors.
//! The KS p-value and the blocking error are written here because `statrs` has no
//! Kolmogorov distribution and no blocking analysis.
#![allow(dead_code)]

/// ln Γ(x).
pub fn ln_gamma(x: f64) -> f64 {
    statrs::function::gamma::ln_gamma(x)
}

/// The regularised lower incomplete gamma function P(a, x).
pub fn gamma_p(a: f64, x: f64) -> f64 {
    statrs::function::gamma::gamma_lr(a, x)
}

/// The regularised upper incomplete gamma function Q(a, x) = 1 − P(a, x).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    statrs::function::gamma::gamma_ur(a, x)
}

/// The one-sample Kolmogorov–Smirnov statistic D = sup |F_n(x) − F(x)| of `samples`
/// against the continuous CDF `cdf`.
pub fn ks_statistic(samples: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let mut xs = samples.to_vec();
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter().enumerate().fold(0.0, |d, (i, &x)| {
        let f = cdf(x);
        d.max(f - i as f64 / n).max((i + 1) as f64 / n - f)
    })
}

/// The asymptotic p-value of a KS statistic `d` from `n` samples (Kolmogorov's series with
/// Stephens' small-sample correction).
pub fn ks_p_value(d: f64, n: usize) -> f64 {
    let sn = (n as f64).sqrt();
    let lambda = (sn + 0.12 + 0.11 / sn) * d;
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for j in 1..=200 {
        let j = j as f64;
        let term = 2.0
            * (if j % 2.0 == 1.0 { 1.0 } else { -1.0 })
            * (-2.0 * j * j * lambda * lambda).exp();
        sum += term;
        if term.abs() < 1e-16 {
            break;
        }
    }
    sum.clamp(0.0, 1.0)
}

/// Mean and standard error of the mean of `xs`, the latter from blocking into `blocks`
/// consecutive blocks (so that correlated time series get an honest error bar).
pub fn mean_and_block_error(xs: &[f64], blocks: usize) -> (f64, f64) {
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n.max(1) as f64;
    let blocks = blocks.min(n).max(2);
    let size = n / blocks;
    if size == 0 {
        return (mean, f64::NAN);
    }
    let means: Vec<f64> = (0..blocks)
        .map(|b| xs[b * size..(b + 1) * size].iter().sum::<f64>() / size as f64)
        .collect();
    let m = means.iter().sum::<f64>() / blocks as f64;
    let var = means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (blocks - 1) as f64;
    (mean, (var / blocks as f64).sqrt())
}
