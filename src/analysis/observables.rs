//! The paper's observables per temperature, from one run: the table `pelt analyze` writes.

use super::characteristic::{self, Characteristic};
use super::diffusion::{self, Arrhenius, Diffusion, Window};
use super::hull;
use super::mbar::{self, ErrorMethod, Errors, Estimate, Sample, State};
use super::stats::{self, BlockBootstrap};
use super::{AnalysisError, RunData};

/// How to analyse.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Options {
    /// Bootstrap resamples for every error from a bootstrap.
    pub resamples: usize,
    /// How MBAR's errors are found (asymptotic by default).
    pub mbar_errors: ErrorMethod,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// MSD fit window.
    pub window: Window,
    /// MBAR uses at most this many samples per temperature (evenly thinned beyond; None:
    /// every sample).
    pub max_samples: Option<usize>,
    /// Temperatures of the MBAR curves (an even grid over the ladder's range).
    pub grid: usize,
    /// Bins of the inherent-structure energy histograms.
    pub bins: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            resamples: 100,
            mbar_errors: ErrorMethod::Asymptotic,
            seed: 1,
            window: Window::default(),
            max_samples: None,
            grid: 61,
            bins: 40,
        }
    }
}

/// The bootstrap stream of temperature `k` (its own, so results do not depend on the
/// number of threads).
pub fn temperature_bootstrap(opt: &Options, k: usize) -> BlockBootstrap {
    BlockBootstrap::new(opt.seed ^ 0x5eed ^ ((k as u64) << 32))
}

/// C = Var(H*)/(k_B T²) (in k_B) from the samples `total` of H* at `temperature`, with the
/// larger of the block-bootstrap error (`resamples` resamples from `boot`) and the error
/// from the statistical inefficiency of the squared deviations, which carry the variance.
pub fn heat_capacity_fluctuation(
    total: &[f64],
    temperature: f64,
    kb: f64,
    boot: &mut BlockBootstrap,
    resamples: usize,
) -> Value {
    let kt2 = kb * temperature * temperature;
    let var = |idx: &[usize]| -> f64 {
        let x: Vec<f64> = idx.iter().map(|&i| total[i]).collect();
        stats::variance(&x) / (kb * kt2)
    };
    let m = stats::mean(total);
    let d2: Vec<f64> = total.iter().map(|e| (e - m) * (e - m)).collect();
    let from_g = (stats::statistical_inefficiency(&d2) * stats::variance(&d2) / d2.len() as f64)
        .sqrt()
        / (kb * kt2);
    let boot_err = boot.error(total.len(), resamples, var);
    Value {
        value: stats::variance(total) / (kb * kt2),
        error: if from_g.is_finite() {
            boot_err.max(from_g)
        } else {
            boot_err
        },
    }
}

/// A value and its standard error.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Value {
    /// The estimate.
    pub value: f64,
    /// Its standard error (NaN when it cannot be estimated).
    pub error: f64,
}

impl Value {
    fn of(x: &[f64]) -> Value {
        Value {
            value: stats::mean(x),
            error: stats::blocking_error(x),
        }
    }
    /// The mean of `x` with the larger of the blocking error and √(g Var(x)/N), g its
    /// statistical inefficiency: blocking alone understates the error when the blocks it
    /// can form (≥ 16) are not much longer than the correlation time, as near a melting
    /// transition in a short run (docs/ANALYSIS.md, "Calibration on the quickstart").
    fn correlated(x: &[f64]) -> Value {
        let v = Value::of(x);
        let g = stats::statistical_inefficiency(x);
        let from_g = (g * stats::variance(x) / x.len() as f64).sqrt();
        Value {
            value: v.value,
            error: if from_g.is_finite() {
                v.error.max(from_g)
            } else {
                v.error
            },
        }
    }
    const NAN: Value = Value {
        value: f64::NAN,
        error: f64::NAN,
    };
}

/// How correlated a time series is.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Correlation {
    /// Statistical inefficiency g ≥ 1 ([`stats::statistical_inefficiency`]).
    pub statistical_inefficiency: f64,
    /// Integrated autocorrelation time τ_int = g·Δt/2 (ps), Δt the sample interval.
    pub autocorrelation_time_ps: f64,
    /// Effective number of independent samples N/g.
    pub effective_samples: f64,
}

impl Correlation {
    fn of(x: &[f64], interval_ps: f64) -> Correlation {
        let g = stats::statistical_inefficiency(x);
        Correlation {
            statistical_inefficiency: g,
            autocorrelation_time_ps: 0.5 * g * interval_ps,
            effective_samples: x.len() as f64 / g,
        }
    }
}

/// ⟨φ⟩ over the first and the second half of the samples, and how far apart they are in
/// units of their combined blocking error: a run that has mixed gives |z| of order 1.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Halves {
    /// ⟨φ⟩ of the first half (eV).
    pub first: Value,
    /// ⟨φ⟩ of the second half (eV).
    pub second: Value,
    /// (second − first) / √(σ₁² + σ₂²).
    pub z: f64,
}

/// |z| beyond which the split-half check says a temperature has not mixed.
pub const SPLIT_HALF_LIMIT: f64 = 3.0;

impl Halves {
    /// The halves of `x` (an odd sample goes to the second).
    pub fn of(x: &[f64]) -> Halves {
        let (a, b) = x.split_at(x.len() / 2);
        let (first, second) = (Value::of(a), Value::of(b));
        let z = (second.value - first.value)
            / (first.error * first.error + second.error * second.error).sqrt();
        Halves { first, second, z }
    }

    /// Whether the two halves disagree beyond [`SPLIT_HALF_LIMIT`] (or cannot be compared).
    pub fn disagree(&self) -> bool {
        self.z.is_nan() || self.z.abs() > SPLIT_HALF_LIMIT
    }
}

/// How well the replicas travel the ladder, from the run's swap counts.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Mixing {
    /// Acceptance of each neighbouring pair (k, k + 1) (NaN where never attempted).
    pub acceptance: Vec<f64>,
    /// The global communication barrier Λ ≈ Σ_k r_k, r_k = 1 − acceptance (Syed et al.,
    /// J. R. Stat. Soc. B 84, 321 (2022)).
    pub barrier: f64,
    /// Round trips (coldest → hottest → coldest) completed, all replicas together.
    pub round_trips: i64,
    /// Exchanges done.
    pub exchanges: i64,
    /// Round trips per replica per exchange.
    pub round_trip_rate: f64,
    /// The round-trip rate of one replica under the DEO schedule for these acceptances,
    /// 1/(2 + 2 Σ_k r_k/(1 − r_k)) (Syed et al., Theorem 3): what the ladder allows.
    pub deo_bound: f64,
    /// The local barrier λ(β) = r_k/(β_k − β_{k+1}) on each pair, β = 1/(k_B T) in 1/eV:
    /// (√(T_k T_{k+1}) in K, λ in eV). Where λ peaks, the ladder needs more replicas.
    pub local_barrier: Vec<(f64, f64)>,
}

impl Mixing {
    /// From a run's swap counts on `ladder` (K, coldest first) with `kb` (eV/K); None without
    /// swaps or attempts.
    pub fn of(s: &super::SwapStatistics, ladder: &[f64], kb: f64) -> Option<Mixing> {
        if s.attempted.iter().all(|&a| a <= 0) || s.exchanges <= 0 || s.round_trips.is_empty() {
            return None;
        }
        let acceptance: Vec<f64> = s
            .attempted
            .iter()
            .zip(&s.accepted)
            .map(|(&a, &b)| if a > 0 { b as f64 / a as f64 } else { f64::NAN })
            .collect();
        let r: Vec<f64> = acceptance.iter().map(|a| 1.0 - a).collect();
        let barrier = r.iter().sum();
        let odds: f64 = r.iter().map(|r| r / (1.0 - r)).sum();
        let round_trips: i64 = s.round_trips.iter().sum();
        let local_barrier = r
            .iter()
            .zip(ladder.windows(2))
            .map(|(r, t)| {
                let db = 1.0 / (kb * t[0]) - 1.0 / (kb * t[1]);
                ((t[0] * t[1]).sqrt(), r / db)
            })
            .collect();
        Some(Mixing {
            local_barrier,
            barrier,
            round_trips,
            exchanges: s.exchanges,
            round_trip_rate: round_trips as f64 / (s.round_trips.len() as f64 * s.exchanges as f64),
            deo_bound: 1.0 / (2.0 + 2.0 * odds),
            acceptance,
        })
    }
}

/// Everything measured at one temperature.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Row {
    /// Temperature (K).
    pub temperature: f64,
    /// Energy samples after equilibration.
    pub samples: usize,
    /// ⟨φ⟩ (eV).
    pub phi: Value,
    /// The autocorrelation of φ: statistical inefficiency, τ_int and effective samples.
    pub phi_correlation: Correlation,
    /// ⟨φ⟩ of the first and second halves of the samples.
    pub phi_halves: Halves,
    /// Samples of this temperature MBAR used (every `samples / mbar_samples`-th, evenly
    /// thinned to at most `Options::max_samples`).
    pub mbar_samples: usize,
    /// Statistical inefficiency g of this temperature's energy for MBAR's errors (the
    /// larger of E's and (E − ⟨E⟩)²'s, E = φ* + W).
    pub mbar_inefficiency: f64,
    /// Samples left after thinning to one per g: what the asymptotic errors rest on.
    pub mbar_decorrelated: usize,
    /// ⟨φ*⟩ (eV).
    pub phi_star: Value,
    /// ⟨H*⟩ = ⟨φ* + wall + K⟩ (eV).
    pub total_energy: Value,
    /// ⟨T_kin⟩ (K).
    pub kinetic_temperature: Value,
    /// C from the fluctuations of H*: Var(H*)/(k_B T²), in k_B (block-bootstrap error).
    pub heat_capacity_fluctuation: Value,
    /// C by MBAR over all temperatures of the run, in k_B.
    pub heat_capacity_mbar: Value,
    /// Convex-hull volume of the atoms (Å³), from the position frames.
    pub hull_volume: Value,
    /// Volume of the ellipsoid with the same gyration tensor (Å³), from every sample.
    pub ellipsoid_volume: Value,
    /// Principal radii of gyration, ascending (Å).
    pub radii: [Value; 3],
    /// ΔR = R_max − R_min (Å).
    pub delta_r: Value,
    /// ⟨s⟩, the mean force scale.
    pub force_scale: Value,
    /// Fraction of samples with s ≤ 0 (forces reversed).
    pub inverted_fraction: f64,
    /// ⟨φ − φ_s⟩ (eV; NaN when the transform has no φ_s).
    pub phi_minus_phi_s: Value,
    /// ⟨E_IS⟩ (eV) and the number of quenches.
    pub inherent_energy: Value,
    /// Quenches after equilibration.
    pub quenches: usize,
    /// Position frames after equilibration.
    pub frames: usize,
    /// Diffusion (None when no constant-temperature segment spans the MSD window).
    pub diffusion: Option<Diffusion>,
}

/// A histogram of inherent-structure energies at one temperature.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Histogram {
    /// Temperature (K).
    pub temperature: f64,
    /// Bin centres (eV).
    pub centres: Vec<f64>,
    /// Probability density (1/eV).
    pub density: Vec<f64>,
}

/// The whole analysis of one run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Analysis {
    /// The run file.
    pub source: String,
    /// N.
    pub atoms: usize,
    /// ε (eV^(1−m)), φ0 (eV), m of the run.
    pub epsilon: f64,
    /// φ0 (eV, the cluster's).
    pub phi0: f64,
    /// m.
    pub m: u32,
    /// φ_s (eV) where forces reverse (NaN when none).
    pub phi_s: f64,
    /// k_B (eV/K).
    pub boltzmann_constant: f64,
    /// How it was analysed.
    pub options: Options,
    /// One row per temperature, coldest first.
    pub rows: Vec<Row>,
    /// MBAR ⟨φ⟩ and C on an even temperature grid.
    pub mbar_curve: Vec<Estimate>,
    /// T_g, T_s, T_m.
    pub characteristic: Characteristic,
    /// Arrhenius fit of D below T_g (from ⟨φ⟩).
    pub arrhenius_low: Option<Arrhenius>,
    /// Arrhenius fit of D above T_g.
    pub arrhenius_high: Option<Arrhenius>,
    /// Inherent-structure energy histograms over a common range.
    pub inherent_histograms: Vec<Histogram>,
    /// Every E_IS (eV) after equilibration, per temperature (K).
    pub inherent: Vec<(f64, Vec<f64>)>,
    /// Swap acceptances, the global barrier and round trips against the DEO bound (None
    /// without swaps).
    pub mixing: Option<Mixing>,
    /// Rounds of an adaptive ladder (0: a fixed ladder); `mixing` then counts the swaps on
    /// the final ladder only.
    pub adapted_rounds: usize,
}

/// MBAR states and samples of one run: every temperature with the run's transform,
/// thinned evenly to at most `max` samples each (None: all).
pub fn mbar_input(run: &RunData, max: Option<usize>) -> (Vec<State>, Vec<Vec<Sample>>) {
    let states = run
        .temperatures
        .iter()
        .map(|t| State {
            temperature: t.temperature,
            transform: run.transform,
        })
        .collect();
    let samples = run
        .temperatures
        .iter()
        .map(|t| {
            let n = t.samples.len();
            let stride = max.map_or(1, |m| n.div_ceil(m.max(1)).max(1));
            (0..n)
                .step_by(stride)
                .map(|i| Sample {
                    phi: t.samples.phi[i],
                    wall: t.samples.wall[i],
                })
                .collect()
        })
        .collect();
    (states, samples)
}

/// Analyse `run` (equilibration already dropped: [`RunData::drop_equilibration`]).
pub fn analyze(run: &RunData, opt: &Options) -> Result<Analysis, AnalysisError> {
    let kb = run.kb;
    let dof = run.dof();
    if let Some(t) = run.temperatures.iter().find(|t| t.samples.len() < 2) {
        return Err(AnalysisError::Data(format!(
            "{}: {} K has {} energy samples after equilibration; at least 2 are needed",
            run.source,
            t.temperature,
            t.samples.len()
        )));
    }
    let ladder = run.ladder();
    let (states, samples) = mbar_input(run, opt.max_samples);
    let at_ladder: Vec<State> = states.clone();
    let (lo, hi) = (ladder[0], ladder[ladder.len() - 1]);
    let grid: Vec<State> = (0..opt.grid)
        .map(|i| State {
            temperature: if opt.grid > 1 {
                lo + (hi - lo) * i as f64 / (opt.grid - 1) as f64
            } else {
                lo
            },
            transform: run.transform,
        })
        .chain(at_ladder.iter().copied())
        .collect();
    let errors = Errors {
        method: opt.mbar_errors,
        resamples: opt.resamples,
        seed: opt.seed,
    };
    let clock = std::time::Instant::now();
    let solved = mbar::estimate(kb, &states, &samples, &grid, dof, &errors)?;
    log::debug!(
        "MBAR and its errors: {:.2} s",
        clock.elapsed().as_secs_f64()
    );
    let mut est = solved.estimates;
    let at_ladder_est = est.split_off(opt.grid);
    let mbar_curve = est;

    let phi_s = run.transform.stationary_energy();
    // Every temperature on its own core (scoped threads); each has its own bootstrap
    // stream, so the numbers do not depend on the number of threads.
    let indices: Vec<usize> = (0..run.temperatures.len()).collect();
    let rows: Vec<Row> = super::par_map(&indices, |&k| {
        let t = &run.temperatures[k];
        let mut boot = temperature_bootstrap(opt, k);
        let s = &t.samples;
        let temp = t.temperature;
        let cv_fl = heat_capacity_fluctuation(&s.total, temp, kb, &mut boot, opt.resamples);
        let column = |c: usize| -> Vec<f64> { s.radii.iter().map(|r| r[c]).collect() };
        let delta: Vec<f64> = s.radii.iter().map(|r| r[2] - r[0]).collect();
        let ell: Vec<f64> = s
            .radii
            .iter()
            .map(|&r| hull::gyration_ellipsoid_volume(r))
            .collect();
        let hv: Vec<f64> = t.frames.positions.iter().map(|p| hull::volume(p)).collect();
        let tkin: Vec<f64> = s
            .kinetic
            .iter()
            .map(|k| 2.0 * k / (dof as f64 * kb))
            .collect();
        let frame_interval = t
            .frames
            .step
            .windows(2)
            .map(|w| w[1] - w[0])
            .min()
            .unwrap_or(0);
        let segs = diffusion::segments(k, &t.frames, &run.exchanges, frame_interval);
        let diff = diffusion::diffusion(
            &t.frames,
            &segs,
            frame_interval as f64 * run.timestep_ps,
            opt.window,
            opt.resamples,
            opt.seed.wrapping_add(k as u64),
        );
        let sample_interval =
            s.step.windows(2).map(|w| w[1] - w[0]).min().unwrap_or(0) as f64 * run.timestep_ps;
        Row {
            temperature: temp,
            samples: s.len(),
            phi: Value::correlated(&s.phi),
            phi_correlation: Correlation::of(&s.phi, sample_interval),
            phi_halves: Halves::of(&s.phi),
            mbar_samples: samples[k].len(),
            mbar_inefficiency: solved.inefficiency[k],
            mbar_decorrelated: solved.decorrelated[k],
            phi_star: Value::correlated(&s.phi_star),
            total_energy: Value::correlated(&s.total),
            kinetic_temperature: Value::of(&tkin),
            heat_capacity_fluctuation: cv_fl,
            heat_capacity_mbar: Value {
                value: at_ladder_est[k].value.heat_capacity,
                error: at_ladder_est[k].heat_capacity_error,
            },
            hull_volume: if hv.is_empty() {
                Value::NAN
            } else {
                Value::of(&hv)
            },
            ellipsoid_volume: Value::of(&ell),
            radii: [
                Value::of(&column(0)),
                Value::of(&column(1)),
                Value::of(&column(2)),
            ],
            delta_r: Value::of(&delta),
            force_scale: Value::of(&s.force_scale),
            inverted_fraction: s.force_scale.iter().filter(|&&v| v <= 0.0).count() as f64
                / s.len() as f64,
            phi_minus_phi_s: match phi_s {
                Some(ps) => Value::of(&s.phi.iter().map(|p| p - ps).collect::<Vec<_>>()),
                None => Value::NAN,
            },
            inherent_energy: if t.quenches.energy.is_empty() {
                Value::NAN
            } else {
                Value::of(&t.quenches.energy)
            },
            quenches: t.quenches.energy.len(),
            frames: t.frames.step.len(),
            diffusion: diff,
        }
    });

    log::debug!(
        "per-temperature observables: {:.2} s",
        clock.elapsed().as_secs_f64()
    );
    let phi: Vec<f64> = rows.iter().map(|r| r.phi.value).collect();
    let dr: Vec<f64> = rows.iter().map(|r| r.delta_r.value).collect();
    let dr_err: Vec<f64> = rows.iter().map(|r| r.delta_r.error).collect();
    let phi_err: Vec<f64> = rows.iter().map(|r| r.phi.error).collect();
    let characteristic =
        characteristic::estimate(&ladder, &phi, &phi_err, &dr, &dr_err, &mbar_curve, opt.seed);

    // Arrhenius fits use D measurably above zero (> 2σ); a solid's D is below detection.
    let d: Vec<f64> = rows
        .iter()
        .map(|r| {
            r.diffusion
                .as_ref()
                .filter(|d| d.resolved())
                .map_or(f64::NAN, |d| d.coefficient)
        })
        .collect();
    let tg = characteristic.tg_energy;
    let (arrhenius_low, arrhenius_high) = if tg.is_finite() {
        (
            diffusion::arrhenius(&ladder, &d, 0.0, tg, kb),
            diffusion::arrhenius(&ladder, &d, tg, f64::INFINITY, kb),
        )
    } else {
        (None, None)
    };

    let all_is: Vec<f64> = run
        .temperatures
        .iter()
        .flat_map(|t| t.quenches.energy.iter().copied())
        .collect();
    let inherent_histograms = if all_is.is_empty() {
        Vec::new()
    } else {
        let lo = all_is.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = all_is.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else {
            (lo - 0.5, hi + 0.5)
        };
        run.temperatures
            .iter()
            .filter(|t| !t.quenches.energy.is_empty())
            .map(|t| {
                let (centres, density) =
                    stats::histogram(&t.quenches.energy, None, lo, hi, opt.bins);
                Histogram {
                    temperature: t.temperature,
                    centres,
                    density,
                }
            })
            .collect()
    };

    Ok(Analysis {
        source: run.source.clone(),
        atoms: run.atoms,
        epsilon: run.transform.eps(),
        phi0: run.transform.phi0(),
        m: run.transform.m(),
        phi_s: phi_s.unwrap_or(f64::NAN),
        boltzmann_constant: kb,
        options: *opt,
        rows,
        mbar_curve,
        characteristic,
        arrhenius_low,
        arrhenius_high,
        inherent_histograms,
        inherent: run
            .temperatures
            .iter()
            .map(|t| (t.temperature, t.quenches.energy.clone()))
            .collect(),
        mixing: Mixing::of(&run.swap_statistics, &ladder, kb),
        adapted_rounds: run.swap_statistics.adapted_rounds,
    })
}
