//! Diffusion from the mean-square displacement (MSD) of the atoms with the centre of mass
//! removed, on segments of constant temperature only, and Arrhenius fits of D(T).
//!
//! A *segment* is a run of consecutive frames at one temperature held by one replica with
//! no exchange that moved it in between: across a swap the trajectory at a temperature
//! jumps to another replica, and a replica that left and came back was heated or cooled
//! meanwhile. Runs with `swap_interval = 0` are one segment per temperature.
//!
//! D = slope / 6 of a least-squares line through MSD(τ) for lags τ in the fit window
//! [τ_1, τ_2] (default 0.5–2.5 ps): past the ballistic start (≲ 0.2 ps in liquid Al) and
//! well before a cluster's MSD saturates at about twice its mean-square radius.

use super::stats::{self, BlockBootstrap, Line};
use super::{Exchanges, Frames};

/// The MSD fit window (ps).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Window {
    /// Shortest lag fitted (ps).
    pub start: f64,
    /// Longest lag fitted (ps).
    pub end: f64,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            start: 0.5,
            end: 2.5,
        }
    }
}

/// 1 Å²/ps in cm²/s.
pub const ANGSTROM2_PER_PS_IN_CM2_PER_S: f64 = 1e-4;

/// Frame index ranges of the constant-temperature segments at temperature `k`.
/// `interval` is the step between frames.
pub fn segments(
    k: usize,
    frames: &Frames,
    exchanges: &Exchanges,
    interval: u64,
) -> Vec<std::ops::Range<usize>> {
    let n = frames.step.len();
    if n == 0 {
        return Vec::new();
    }
    // Replica at temperature k after the last exchange strictly before `step`.
    let holder = |step: u64| -> i64 {
        let e = exchanges.step.partition_point(|&s| s < step);
        if e == 0 {
            k as i64
        } else {
            exchanges.replica_at[e - 1].get(k).copied().unwrap_or(-1)
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    for j in 0..n.saturating_sub(1) {
        let (a, b) = (frames.step[j], frames.step[j + 1]);
        let r = holder(a);
        let lo = exchanges.step.partition_point(|&s| s < a);
        let hi = exchanges.step.partition_point(|&s| s < b);
        let stayed = b == a + interval
            && exchanges.replica_at[lo..hi]
                .iter()
                .all(|row| row.get(k).copied() == Some(r));
        if !stayed {
            out.push(start..j + 1);
            start = j + 1;
        }
    }
    out.push(start..n);
    out
}

/// Mean over atoms of |Δr|² between two centred frames.
pub(crate) fn displacement2(a: &[[f64; 3]], b: &[[f64; 3]]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| (p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2))
        .sum::<f64>()
        / a.len() as f64
}

/// The diffusion estimate at one temperature. In JSON, `coefficient` is D only when it is
/// resolved ([`Diffusion::resolved`]) and null otherwise, with `upper_bound` instead; the
/// raw estimate (which can be negative for a solid) is `estimate`.
#[derive(Clone, Debug, PartialEq)]
pub struct Diffusion {
    /// D (Å²/ps).
    pub coefficient: f64,
    /// Bootstrap standard error of D over pieces of segments (Å²/ps).
    pub error: f64,
    /// MSD(τ) averaged over every origin: (τ in ps, MSD in Å²), lags 1 … the window end.
    pub msd: Vec<(f64, f64)>,
    /// Pieces of segments the MSD was averaged over.
    pub pieces: usize,
    /// Frames in the segments used.
    pub frames: usize,
}

impl serde::Serialize for Diffusion {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let resolved = self.resolved();
        let mut st = ser.serialize_struct("Diffusion", 8)?;
        st.serialize_field("coefficient", &resolved.then_some(self.coefficient))?;
        st.serialize_field("upper_bound", &(!resolved).then(|| self.upper_bound()))?;
        st.serialize_field("resolved", &resolved)?;
        st.serialize_field("estimate", &self.coefficient)?;
        st.serialize_field("error", &self.error)?;
        st.serialize_field("msd", &self.msd)?;
        st.serialize_field("pieces", &self.pieces)?;
        st.serialize_field("frames", &self.frames)?;
        st.end()
    }
}

impl Diffusion {
    /// Whether D is measurably above zero: more than twice its standard error.
    pub fn resolved(&self) -> bool {
        self.coefficient > 2.0 * self.error.max(0.0)
    }

    /// An upper bound on D when it is not resolved: max(D, 0) + 2σ (Å²/ps). A D below its
    /// resolution is reported as this bound, never as its (possibly negative) estimate.
    pub fn upper_bound(&self) -> f64 {
        self.coefficient.max(0.0) + 2.0 * self.error.max(0.0)
    }
}

/// D at one temperature from `frames` cut into `segments`, frames `dt` ps apart.
/// None when no segment spans the window (tempering with frequent swaps: use
/// `swap_interval = 0` for dynamics) or the window holds fewer than two lags.
pub fn diffusion(
    frames: &Frames,
    segments: &[std::ops::Range<usize>],
    dt: f64,
    window: Window,
    resamples: usize,
    seed: u64,
) -> Option<Diffusion> {
    if dt <= 0.0 {
        return None;
    }
    let max_lag = (window.end / dt + 1e-9).floor() as usize;
    let min_lag = ((window.start / dt - 1e-9).ceil() as usize).max(1);
    if max_lag < min_lag + 1 {
        return None;
    }
    // Cut every segment that spans max_lag into pieces of at least 2 × max_lag + 1 frames
    // (as equal as can be): independent blocks for the bootstrap.
    let piece = 2 * max_lag + 1;
    let mut pieces: Vec<Vec<f64>> = Vec::new(); // per piece: summed MSD per lag, then counts
    let mut used = 0;
    for seg in segments {
        let len = seg.len();
        if len <= max_lag {
            continue;
        }
        let count = (len / piece).max(1);
        for p in 0..count {
            let range = seg.start + p * len / count..seg.start + (p + 1) * len / count;
            used += range.len();
            pieces.push(piece_sums(frames, range, max_lag));
        }
    }
    if pieces.is_empty() {
        return None;
    }
    let fit = |idx: &[usize]| -> Option<(Line, Vec<f64>)> {
        let mut sum = vec![0.0; max_lag + 1];
        let mut cnt = vec![0.0; max_lag + 1];
        for &i in idx {
            for l in 1..=max_lag {
                sum[l] += pieces[i][l];
                cnt[l] += pieces[i][max_lag + 1 + l];
            }
        }
        let msd: Vec<f64> = (0..=max_lag)
            .map(|l| {
                if cnt[l] > 0.0 {
                    sum[l] / cnt[l]
                } else {
                    f64::NAN
                }
            })
            .collect();
        let (x, y): (Vec<f64>, Vec<f64>) = (min_lag..=max_lag)
            .filter(|&l| msd[l].is_finite())
            .map(|l| (l as f64 * dt, msd[l]))
            .unzip();
        stats::fit_line(&x, &y).map(|line| (line, msd))
    };
    let all: Vec<usize> = (0..pieces.len()).collect();
    let (line, msd) = fit(&all)?;
    let mut boot = BlockBootstrap::new(seed);
    let mut draws = Vec::new();
    for _ in 0..resamples {
        let idx: Vec<usize> = (0..pieces.len()).map(|_| boot.pick(pieces.len())).collect();
        if let Some((l, _)) = fit(&idx) {
            draws.push(l.slope / 6.0);
        }
    }
    let error = stats::std_dev(&draws);
    Some(Diffusion {
        coefficient: line.slope / 6.0,
        error,
        msd: (1..=max_lag).map(|l| (l as f64 * dt, msd[l])).collect(),
        pieces: pieces.len(),
        frames: used,
    })
}

/// Summed MSD per lag 0…max_lag, then origin counts per lag, over one piece of frames.
fn piece_sums(frames: &Frames, range: std::ops::Range<usize>, max_lag: usize) -> Vec<f64> {
    let x: Vec<Vec<[f64; 3]>> = frames.positions[range]
        .iter()
        .map(|f| super::minima::align::centred(f))
        .collect();
    let mut out = vec![0.0; 2 * (max_lag + 1)];
    for l in 1..=max_lag.min(x.len().saturating_sub(1)) {
        for t in 0..x.len() - l {
            out[l] += displacement2(&x[t], &x[t + l]);
            out[max_lag + 1 + l] += 1.0;
        }
    }
    out
}

/// An Arrhenius fit ln D = ln D_0 − E_a / (k_B T).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Arrhenius {
    /// Activation energy E_a (eV).
    pub activation_energy: f64,
    /// Its standard error from the fit (eV; NaN with two points).
    pub activation_energy_error: f64,
    /// Prefactor D_0 (Å²/ps).
    pub prefactor: f64,
    /// Lowest and highest temperature fitted (K).
    pub range: (f64, f64),
    /// Points fitted.
    pub points: usize,
}

/// Arrhenius fit of the points (T, D) with D > 0 and T in [lo, hi]; None below 2 points.
pub fn arrhenius(t: &[f64], d: &[f64], lo: f64, hi: f64, kb: f64) -> Option<Arrhenius> {
    let (x, y): (Vec<f64>, Vec<f64>) = t
        .iter()
        .zip(d)
        .filter(|(&ti, &di)| di > 0.0 && di.is_finite() && ti >= lo && ti <= hi)
        .map(|(&ti, &di)| (1.0 / (kb * ti), di.ln()))
        .unzip();
    let line = stats::fit_line(&x, &y)?;
    let ts: Vec<f64> = x.iter().map(|b| 1.0 / (kb * b)).collect();
    Some(Arrhenius {
        activation_energy: -line.slope,
        activation_energy_error: line.slope_error,
        prefactor: line.intercept.exp(),
        range: (
            ts.iter().cloned().fold(f64::INFINITY, f64::min),
            ts.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
        ),
        points: line.points,
    })
}
