//! The characteristic temperatures, by fixed, documented rules.
//!
//! - **T_g** (glass transition): the crossing of a line through the low-temperature
//!   points and a line through the high-temperature points ([`stats::two_lines`]: every
//!   split with ≥ 3 points per side, least total squared residual), applied to ⟨φ⟩(T) and
//!   to ΔR(T) separately. A crossing outside the measured temperatures gives no T_g.
//! - **T_m** (melting): the maximum of the MBAR heat capacity C(T) on a fine grid, if it is
//!   a *peak*: inside the range, and higher than the straight line joining C at the two
//!   ends of the range by more than 10 % of that line and by more than 3 bootstrap
//!   standard errors. The **energy jump** is the pair of neighbouring temperatures with the
//!   steepest rise of ⟨φ⟩; it counts as a jump when that slope is more than twice the
//!   median slope of all pairs.
//!   Its uncertainty ([`Spread`]): a 95 % bootstrap interval (every point redrawn within
//!   its standard error, [`TG_RESAMPLES`] times, the rule applied to each draw) and the
//!   window range (the rule applied to every window that drops 0–2 temperatures at either
//!   end of the ladder), since the rule's answer depends on the range fitted.
//! - **T_s** (onset of the change in ΔR): the lowest temperature at which ΔR departs from
//!   the line through the three coldest points by more than three standard errors (the
//!   larger of ΔR's own error and the RMS residual of that line), interpolated linearly
//!   between that temperature and the one below.

use super::mbar::Estimate;
use super::stats::{self, TwoLines};

/// A heat-capacity maximum.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Peak {
    /// Where C is largest (K).
    pub temperature: f64,
    /// C there (k_B).
    pub height: f64,
    /// Height above the line joining the ends of the range (k_B).
    pub prominence: f64,
    /// Bootstrap standard error of C there (k_B).
    pub error: f64,
    /// Whether it passes the rule (a peak, not a rising or flat curve).
    pub significant: bool,
}

/// The steepest rise of ⟨φ⟩ between neighbouring temperatures.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Jump {
    /// Midpoint of the pair (K).
    pub temperature: f64,
    /// Rise of ⟨φ⟩ across the pair (eV).
    pub rise: f64,
    /// Its slope over the median slope of all pairs.
    pub ratio: f64,
    /// Whether ratio > 2.
    pub significant: bool,
}

/// Draws of the T_g bootstrap.
pub const TG_RESAMPLES: usize = 1000;

/// How far a T_g can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Spread {
    /// 2.5 % and 97.5 % quantiles of T_g over the bootstrap draws (K; NaN when fewer than
    /// half the draws give a T_g).
    pub interval: [f64; 2],
    /// Fraction of draws that give a T_g inside the measured range.
    pub found: f64,
    /// Least and greatest T_g over the fit windows (K; NaN when no window gives one).
    pub window: [f64; 2],
}

/// T_g by the two-line rule: the crossing, if inside the temperatures fitted.
fn two_line_tg(t: &[f64], y: &[f64]) -> f64 {
    stats::two_lines(t, y).map_or(f64::NAN, |f| {
        if f.crossing >= t[0] && f.crossing <= t[t.len() - 1] {
            f.crossing
        } else {
            f64::NAN
        }
    })
}

/// The [`Spread`] of the two-line T_g of `y ± err` at `t` (seeded: the same numbers every
/// time).
pub fn spread(t: &[f64], y: &[f64], err: &[f64], seed: u64) -> Spread {
    let mut r = crate::rng::stream(seed, 0x7a);
    let mut draws: Vec<f64> = (0..TG_RESAMPLES)
        .map(|_| {
            let yy: Vec<f64> = y
                .iter()
                .zip(err)
                .map(|(v, e)| {
                    v + if e.is_finite() {
                        e * crate::rng::normal(&mut r)
                    } else {
                        0.0
                    }
                })
                .collect();
            two_line_tg(t, &yy)
        })
        .filter(|v| v.is_finite())
        .collect();
    draws.sort_by(f64::total_cmp);
    let found = draws.len() as f64 / TG_RESAMPLES as f64;
    let q = |p: f64| draws[((p * (draws.len() - 1) as f64).round() as usize).min(draws.len() - 1)];
    let interval = if found >= 0.5 {
        [q(0.025), q(0.975)]
    } else {
        [f64::NAN; 2]
    };
    let n = t.len();
    let windows: Vec<f64> = (0..3)
        .flat_map(|a| (0..3).map(move |b| (a, b)))
        .filter(|&(a, b)| n >= a + b + 2 * stats::MIN_POINTS_PER_LINE)
        .map(|(a, b)| two_line_tg(&t[a..n - b], &y[a..n - b]))
        .filter(|v| v.is_finite())
        .collect();
    let window = if windows.is_empty() {
        [f64::NAN; 2]
    } else {
        [
            windows.iter().cloned().fold(f64::INFINITY, f64::min),
            windows.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
        ]
    };
    Spread {
        interval,
        found,
        window,
    }
}

/// The characteristic temperatures and what they rest on.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Characteristic {
    /// T_g from ⟨φ⟩(T) (K; NaN when fewer than 6 temperatures).
    pub tg_energy: f64,
    /// The two lines behind it.
    pub tg_energy_fit: Option<TwoLines>,
    /// Its bootstrap interval and window range.
    pub tg_energy_spread: Spread,
    /// T_g from ΔR(T) (K).
    pub tg_delta_r: f64,
    /// The two lines behind it.
    pub tg_delta_r_fit: Option<TwoLines>,
    /// Its bootstrap interval and window range.
    pub tg_delta_r_spread: Spread,
    /// T_s (K; NaN when ΔR never departs from its low-temperature line).
    pub ts: f64,
    /// T_m (K): the heat-capacity peak when it is significant, else NaN.
    pub tm: f64,
    /// The heat-capacity maximum.
    pub cv_peak: Option<Peak>,
    /// The steepest rise of ⟨φ⟩.
    pub energy_jump: Option<Jump>,
}

/// Apply the rules to ⟨φ⟩ (`phi`, errors `phi_error`), ΔR (`delta_r`, errors
/// `delta_r_error`) at temperatures `t` (ascending) and to the MBAR heat capacity on a
/// grid (`cv`); `seed` seeds the T_g bootstrap.
pub fn estimate(
    t: &[f64],
    phi: &[f64],
    phi_error: &[f64],
    delta_r: &[f64],
    delta_r_error: &[f64],
    cv: &[Estimate],
    seed: u64,
) -> Characteristic {
    let tg_energy_fit = stats::two_lines(t, phi);
    let tg_delta_r_fit = stats::two_lines(t, delta_r);
    // A crossing outside the temperatures measured is no T_g.
    let inside = |f: Option<TwoLines>| {
        f.map_or(f64::NAN, |f| {
            if f.crossing >= t[0] && f.crossing <= t[t.len() - 1] {
                f.crossing
            } else {
                f64::NAN
            }
        })
    };
    let cv_peak = peak(cv);
    Characteristic {
        tg_energy: inside(tg_energy_fit),
        tg_energy_fit,
        tg_energy_spread: spread(t, phi, phi_error, seed),
        tg_delta_r: inside(tg_delta_r_fit),
        tg_delta_r_fit,
        tg_delta_r_spread: spread(t, delta_r, delta_r_error, seed ^ 1),
        ts: onset(t, delta_r, delta_r_error),
        tm: cv_peak
            .filter(|p| p.significant)
            .map_or(f64::NAN, |p| p.temperature),
        cv_peak,
        energy_jump: jump(t, phi),
    }
}

fn peak(cv: &[Estimate]) -> Option<Peak> {
    if cv.len() < 3 {
        return None;
    }
    let (i, best) = cv
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.value.heat_capacity.total_cmp(&b.1.value.heat_capacity))?;
    let (first, last) = (cv[0].value, cv[cv.len() - 1].value);
    let t = best.value.temperature;
    let base = first.heat_capacity
        + (last.heat_capacity - first.heat_capacity) * (t - first.temperature)
            / (last.temperature - first.temperature);
    let prominence = best.value.heat_capacity - base;
    let error = best.heat_capacity_error;
    let interior = i > 0 && i + 1 < cv.len();
    Some(Peak {
        temperature: t,
        height: best.value.heat_capacity,
        prominence,
        error,
        significant: interior
            && prominence > 0.1 * base
            && (!error.is_finite() || prominence > 3.0 * error),
    })
}

fn jump(t: &[f64], phi: &[f64]) -> Option<Jump> {
    if t.len() < 3 {
        return None;
    }
    let slopes: Vec<f64> = (0..t.len() - 1)
        .map(|i| (phi[i + 1] - phi[i]) / (t[i + 1] - t[i]))
        .collect();
    let mut sorted = slopes.clone();
    sorted.sort_by(f64::total_cmp);
    let median = if sorted.len() % 2 == 1 {
        sorted[sorted.len() / 2]
    } else {
        0.5 * (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2])
    };
    let (i, &s) = slopes
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    let ratio = s / median;
    Some(Jump {
        temperature: 0.5 * (t[i] + t[i + 1]),
        rise: phi[i + 1] - phi[i],
        ratio,
        significant: median > 0.0 && ratio > 2.0,
    })
}

fn onset(t: &[f64], y: &[f64], err: &[f64]) -> f64 {
    const LOW: usize = 3;
    if t.len() <= LOW {
        return f64::NAN;
    }
    let Some(line) = stats::fit_line(&t[..LOW], &y[..LOW]) else {
        return f64::NAN;
    };
    let rms = (line.sse / LOW as f64).sqrt();
    let mut prev = (t[LOW - 1], 0.0);
    for i in LOW..t.len() {
        let sigma = err[i].max(rms).max(f64::MIN_POSITIVE);
        let dev = (y[i] - line.at(t[i])).abs() / sigma;
        if dev > 3.0 {
            // Interpolate where the deviation crosses 3σ.
            let (t0, d0) = prev;
            return t0 + (t[i] - t0) * ((3.0 - d0) / (dev - d0)).clamp(0.0, 1.0);
        }
        prev = (t[i], dev.min(3.0));
    }
    f64::NAN
}
