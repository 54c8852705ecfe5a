//! Small statistics: the regularised incomplete gamma function (the CDF of the kinetic
//! energy in the canonical ensemble) and the Kolmogorov–Smirnov test.

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; relative error ~1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularised lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a), a > 0, x ≥ 0:
/// the CDF of a Gamma(a, 1) variable.
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if x < a + 1.0 {
        gamma_series(a, x)
    } else {
        1.0 - gamma_continued_fraction(a, x)
    }
}

/// Q(a, x) = 1 − P(a, x), accurate also where P is close to 1.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        1.0
    } else if x < a + 1.0 {
        1.0 - gamma_series(a, x)
    } else {
        gamma_continued_fraction(a, x)
    }
}

/// P(a, x) by its power series (converges fast for x < a + 1).
fn gamma_series(a: f64, x: f64) -> f64 {
    let mut term = 1.0 / a;
    let mut sum = term;
    let mut ap = a;
    for _ in 0..10_000 {
        ap += 1.0;
        term *= x / ap;
        sum += term;
        if term.abs() < sum.abs() * 1e-16 {
            break;
        }
    }
    sum * (-x + a * x.ln() - ln_gamma(a)).exp()
}

/// Q(a, x) by the Legendre continued fraction, modified Lentz evaluation (x ≥ a + 1).
fn gamma_continued_fraction(a: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-x + a * x.ln() - ln_gamma(a)).exp() * h
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials_and_sqrt_pi() {
        let mut f = 1.0f64;
        for n in 1..20 {
            assert!((ln_gamma(n as f64) - f.ln()).abs() < 1e-12 * f.ln().abs().max(1.0));
            f *= n as f64;
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
    }

    #[test]
    fn incomplete_gamma_matches_closed_forms() {
        // a = 1: P = 1 − e^−x. a = 2: P = 1 − (1 + x) e^−x.
        for &x in &[0.01f64, 0.5, 1.0, 2.0, 3.5, 10.0, 40.0] {
            assert!((gamma_p(1.0, x) - (1.0 - (-x).exp())).abs() < 1e-14);
            assert!((gamma_p(2.0, x) - (1.0 - (1.0 + x) * (-x).exp())).abs() < 1e-14);
            assert!((gamma_p(2.0, x) + gamma_q(2.0, x) - 1.0).abs() < 1e-14);
        }
        // Median of Gamma(k) ≈ k − 1/3 for large k.
        assert!((gamma_p(80.0, 80.0 - 1.0 / 3.0 + 8.0 / (405.0 * 80.0)) - 0.5).abs() < 1e-5);
    }

    #[test]
    fn ks_p_value_has_the_known_critical_values() {
        // Asymptotic 5 % and 1 % critical values: λ = 1.358 and 1.628.
        let n = 1_000_000;
        assert!((ks_p_value(1.358 / (n as f64).sqrt(), n) - 0.05).abs() < 1e-3);
        assert!((ks_p_value(1.628 / (n as f64).sqrt(), n) - 0.01).abs() < 1e-3);
    }
}
