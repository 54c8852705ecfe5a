//! Hops between minima at one temperature (DESIGN.md §1, the paper's E_c and R_c).
//!
//! On a constant-temperature trajectory (one replica, no swap in between: see
//! [`super::diffusion::segments`]), with Δt the window:
//! - E_c(t) = (1/Δt) ∫_t^{t+Δt} φ dt', the mean of the energy samples in [t, t + Δt);
//! - R_c(t) = [(1/N) Σ_i |r_i(t) − r_i(t + Δt)|²]^{1/2}, centre of mass removed.
//!
//! A **hop** is a spike of R_c that comes with a change of E_c:
//! 1. R_c(t) is a local maximum above median + 5 × 1.4826 MAD of R_c (a robust 5σ);
//! 2. |E_c(t + Δt) − E_c(t − Δt)| (the mean energy after against before) exceeds
//!    median + 5 × 1.4826 MAD of the same difference over all t;
//! 3. it is *confirmed* when the inherent-structure energies of the last quench at or
//!    before t and the first at or after t + Δt differ by more than 1 meV.

use super::diffusion;
use super::minima::align::centred;
use super::{Exchanges, TemperatureData};

/// One point of the E_c, R_c series.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Point {
    /// Start of the window (ps).
    pub time: f64,
    /// E_c (eV).
    pub energy: f64,
    /// R_c (Å).
    pub displacement: f64,
}

/// A detected hop.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Hop {
    /// Start of the window with the R_c spike (ps).
    pub time: f64,
    /// R_c there (Å).
    pub displacement: f64,
    /// E_c after minus E_c before (eV).
    pub energy_change: f64,
    /// E_IS before and after (eV; NaN without quenches there).
    pub inherent_before: f64,
    /// E_IS after.
    pub inherent_after: f64,
    /// Whether the inherent structures changed (> 1 meV).
    pub confirmed: bool,
}

/// E_c, R_c and the hops at one temperature.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Hops {
    /// Temperature (K).
    pub temperature: f64,
    /// Window Δt (ps).
    pub window: f64,
    /// One series per constant-temperature segment long enough for the window.
    pub series: Vec<Vec<Point>>,
    /// The hops.
    pub hops: Vec<Hop>,
    /// R_c threshold (Å) and E_c-change threshold (eV) used.
    pub thresholds: (f64, f64),
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Median + 5 robust standard deviations (1.4826 × MAD).
fn robust_threshold(v: &[f64]) -> f64 {
    let mut w = v.to_vec();
    let med = median(&mut w);
    let mut dev: Vec<f64> = v.iter().map(|x| (x - med).abs()).collect();
    med + 5.0 * 1.4826 * median(&mut dev)
}

/// E_c, R_c and hops of temperature `k` with window `window` ps.
pub fn hops(
    k: usize,
    t: &TemperatureData,
    exchanges: &Exchanges,
    timestep_ps: f64,
    window: f64,
) -> Hops {
    let f = &t.frames;
    let interval = f.step.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(0);
    let mut series = Vec::new();
    // Per segment: (E_c, R_c) at each frame that has a frame Δt later in the segment.
    let lag = if interval > 0 {
        ((window / (interval as f64 * timestep_ps)).round() as usize).max(1)
    } else {
        0
    };
    let lag_steps = lag as u64 * interval;
    let ec = |from: u64| -> f64 {
        let s = &t.samples;
        let lo = s.step.partition_point(|&x| x < from);
        let hi = s.step.partition_point(|&x| x < from + lag_steps);
        if hi > lo {
            s.phi[lo..hi].iter().sum::<f64>() / (hi - lo) as f64
        } else {
            f64::NAN
        }
    };
    if lag > 0 {
        for seg in diffusion::segments(k, f, exchanges, interval) {
            if seg.len() <= lag {
                continue;
            }
            let pts: Vec<Point> = (seg.start..seg.end - lag)
                .map(|j| {
                    let d2 = diffusion::displacement2(
                        &centred(&f.positions[j]),
                        &centred(&f.positions[j + lag]),
                    );
                    Point {
                        time: f.step[j] as f64 * timestep_ps,
                        energy: ec(f.step[j]),
                        displacement: d2.sqrt(),
                    }
                })
                .collect();
            series.push(pts);
        }
    }
    let all_r: Vec<f64> = series.iter().flatten().map(|p| p.displacement).collect();
    let changes: Vec<Vec<f64>> = series
        .iter()
        .map(|s| {
            (0..s.len())
                .map(|j| {
                    if j >= lag && j + lag < s.len() {
                        s[j + lag].energy - s[j - lag].energy
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        })
        .collect();
    let abs_changes: Vec<f64> = changes
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .map(|v| v.abs())
        .collect();
    let r_th = robust_threshold(&all_r);
    let e_th = robust_threshold(&abs_changes);
    let q = &t.quenches;
    let mut found = Vec::new();
    for (s, ch) in series.iter().zip(&changes) {
        for j in 1..s.len().saturating_sub(1) {
            let r = s[j].displacement;
            if !(r > r_th && r >= s[j - 1].displacement && r >= s[j + 1].displacement) {
                continue;
            }
            if !(ch[j].is_finite() && ch[j].abs() > e_th) {
                continue;
            }
            let t_step = (s[j].time / timestep_ps).round() as u64;
            let before = q.step.partition_point(|&x| x <= t_step);
            let after = q.step.partition_point(|&x| x < t_step + lag_steps);
            let eb = if before > 0 {
                q.energy[before - 1]
            } else {
                f64::NAN
            };
            let ea = q.energy.get(after).copied().unwrap_or(f64::NAN);
            found.push(Hop {
                time: s[j].time,
                displacement: r,
                energy_change: ch[j],
                inherent_before: eb,
                inherent_after: ea,
                confirmed: (ea - eb).abs() > 1e-3,
            });
        }
    }
    Hops {
        temperature: t.temperature,
        window: lag as f64 * interval as f64 * timestep_ps,
        series,
        hops: found,
        thresholds: (r_th, e_th),
    }
}
