//! The multistate Bennett acceptance ratio (MBAR; Shirts & Chodera, J. Chem. Phys. 129,
//! 124105 (2008)), the binless limit of multiple-histogram reweighting (WHAM).
//!
//! Every thermodynamic state here is a temperature T and a transform (ε, φ0, m). A sample
//! is the pair (φ, W) of its untransformed potential energy and containment-wall energy;
//! its reduced energy in state k is u_k = β_k (φ*_k(φ) + W). Since φ* depends on φ alone,
//! the configurational density of states is the same in every state, and all samples of
//! all states, at any ε, estimate it together. The kinetic energy separates exactly: it
//! adds (3N − 6)/2 k_B to every heat capacity.
//!
//! The free energies f_k solve the MBAR equations; pelt finds them as the minimum of the
//! convex function A(f) = Σ_n ln Σ_l N_l e^{f_l − u_l(x_n)} − Σ_l N_l f_l (f_0 = 0) by
//! Newton's method with a backtracking line search.

use super::stats::{self, BlockBootstrap};
use super::{par_map, AnalysisError};
use crate::landscape::Transform;

/// A thermodynamic state: temperature and transform.
#[derive(Clone, Copy, Debug)]
pub struct State {
    /// Temperature (K).
    pub temperature: f64,
    /// The landscape transform.
    pub transform: Transform,
}

/// One sample: untransformed potential energy φ and wall energy W (eV).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sample {
    /// φ (eV).
    pub phi: f64,
    /// Containment-wall energy (eV).
    pub wall: f64,
}

impl State {
    /// The potential energy the state samples with: φ*(φ) + W (eV).
    pub fn energy(&self, s: &Sample) -> f64 {
        self.transform.energy(s.phi) + s.wall
    }

    /// Reduced energy β (φ* + W) with k_B = `kb`.
    fn reduced(&self, s: &Sample, kb: f64) -> f64 {
        self.energy(s) / (kb * self.temperature)
    }
}

/// Newton iterations at most.
const MAX_ITERATIONS: usize = 200;
/// Converged when every |∂A/∂f_k| ≤ this × N_k (the free energies are then off by about
/// this much, far below their statistical errors), or when Newton's predicted decrease of
/// A is below [`DECREMENT`] (A ~ 1e8 for 30 000 samples: rounding stops progress there).
const TOLERANCE: f64 = 1e-7;
/// See [`TOLERANCE`].
const DECREMENT: f64 = 1e-9;
/// [`TOLERANCE`] of the solution on decorrelated samples behind the asymptotic errors.
const ERROR_TOLERANCE: f64 = 1e-5;

/// A solved MBAR: the sampled states, all samples, and the free energies.
#[derive(Clone, Debug)]
pub struct Mbar {
    kb: f64,
    states: Vec<State>,
    counts: Vec<usize>,
    samples: Vec<Sample>,
    f: Vec<f64>,
    log_denominator: Vec<f64>,
    iterations: usize,
}

fn log_sum_exp(v: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = v.clone().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + v.map(|x| (x - m).exp()).sum::<f64>().ln()
}

impl Mbar {
    /// Solve the MBAR equations for `states`, `per_state[k]` holding the samples drawn in
    /// state k. `start` is an optional first guess of the free energies (a bootstrap
    /// passes the full solution).
    pub fn solve(
        kb: f64,
        states: Vec<State>,
        per_state: &[Vec<Sample>],
        start: Option<&[f64]>,
    ) -> Result<Mbar, AnalysisError> {
        Self::solve_to(kb, states, per_state, start, TOLERANCE)
    }

    /// [`Mbar::solve`] converged to |∂A/∂f_k| ≤ `tolerance` × N_k.
    fn solve_to(
        kb: f64,
        states: Vec<State>,
        per_state: &[Vec<Sample>],
        start: Option<&[f64]>,
        tolerance: f64,
    ) -> Result<Mbar, AnalysisError> {
        let k = states.len();
        if k == 0 || per_state.len() != k {
            return Err(AnalysisError::Data("MBAR needs at least one state".into()));
        }
        let counts: Vec<usize> = per_state.iter().map(Vec::len).collect();
        if let Some(i) = counts.iter().position(|&c| c == 0) {
            return Err(AnalysisError::Data(format!(
                "state {i} ({} K) has no samples",
                states[i].temperature
            )));
        }
        let samples: Vec<Sample> = per_state.iter().flatten().copied().collect();
        let n = samples.len();
        // u[l * n + j]: reduced energy of sample j in state l.
        let mut u = vec![0.0; k * n];
        for (l, st) in states.iter().enumerate() {
            for (j, s) in samples.iter().enumerate() {
                u[l * n + j] = st.reduced(s, kb);
            }
        }
        let ln_n: Vec<f64> = counts.iter().map(|&c| (c as f64).ln()).collect();
        let mut f = match start {
            Some(f) if f.len() == k => f.to_vec(),
            _ => first_guess(&states, &counts, &u, n),
        };
        // The sums over samples run on every core, in CHUNKS fixed pieces added in order:
        // the result does not depend on the number of threads.
        let objective = |f: &[f64], log_d: &mut Vec<f64>| -> f64 {
            let parts = chunked(n, |r| {
                r.map(|j| log_sum_exp((0..k).map(|l| ln_n[l] + f[l] - u[l * n + j])))
                    .collect::<Vec<f64>>()
            });
            log_d.clear();
            let mut total = 0.0;
            for p in parts {
                total += p.iter().sum::<f64>();
                log_d.extend(p);
            }
            total
                - f.iter()
                    .zip(&counts)
                    .map(|(fl, &c)| fl * c as f64)
                    .sum::<f64>()
        };
        let mut log_d = Vec::with_capacity(n);
        let mut a = objective(&f, &mut log_d);
        let mut iterations = 0;
        loop {
            // Gradient and Hessian in the gauge f_0 = 0 (indices 1..k).
            let parts = chunked(n, |r| {
                let mut grad = vec![0.0; k];
                let mut hess = vec![0.0; k * k];
                let mut p = vec![0.0; k];
                for j in r {
                    for l in 0..k {
                        p[l] = (ln_n[l] + f[l] - u[l * n + j] - log_d[j]).exp();
                        grad[l] += p[l];
                    }
                    for l in 1..k {
                        for m in 1..k {
                            hess[l * k + m] -= p[l] * p[m];
                        }
                    }
                }
                (grad, hess)
            });
            let mut grad = vec![0.0; k];
            let mut hess = vec![0.0; k * k];
            for (g, h) in parts {
                for (a, b) in grad.iter_mut().zip(g) {
                    *a += b;
                }
                for (a, b) in hess.iter_mut().zip(h) {
                    *a += b;
                }
            }
            for l in 0..k {
                hess[l * k + l] += grad[l];
                grad[l] -= counts[l] as f64;
            }
            log::trace!(
                "MBAR iteration {iterations}: A = {a}, max |grad|/N = {:e}",
                (1..k)
                    .map(|l| grad[l].abs() / counts[l] as f64)
                    .fold(0.0, f64::max)
            );
            let converged = (1..k).all(|l| grad[l].abs() <= tolerance * counts[l] as f64);
            if converged || k == 1 {
                break;
            }
            if iterations >= MAX_ITERATIONS {
                return Err(AnalysisError::Data(format!(
                    "MBAR did not converge in {MAX_ITERATIONS} Newton iterations; \
                     the states may not overlap"
                )));
            }
            iterations += 1;
            let m = k - 1;
            let mut h = vec![0.0; m * m];
            let mut rhs = vec![0.0; m];
            for l in 0..m {
                rhs[l] = -grad[l + 1];
                for q in 0..m {
                    h[l * m + q] = hess[(l + 1) * k + q + 1];
                }
                // A tiny ridge keeps a state without overlap from making H singular.
                h[l * m + l] += 1e-12 * counts[l + 1] as f64 + 1e-300;
            }
            let step = solve_linear(&mut h, &mut rhs, m).ok_or_else(|| {
                AnalysisError::Data("MBAR: singular Hessian (states do not overlap)".into())
            })?;
            let slope: f64 = (0..m).map(|l| grad[l + 1] * step[l]).sum();
            if -slope < DECREMENT {
                break;
            }
            let mut t = 1.0;
            let mut stalled = false;
            let mut trial = f.clone();
            let mut trial_d = Vec::with_capacity(n);
            loop {
                for l in 1..k {
                    trial[l] = f[l] + t * step[l - 1];
                }
                let at = objective(&trial, &mut trial_d);
                if at <= a + 1e-4 * t * slope {
                    a = at;
                    break;
                }
                t *= 0.5;
                if t < 1e-6 {
                    // No descent left at this precision: the minimum is reached.
                    stalled = true;
                    break;
                }
            }
            if stalled {
                break;
            }
            f = trial;
            std::mem::swap(&mut log_d, &mut trial_d);
        }
        Ok(Mbar {
            kb,
            states,
            counts,
            samples,
            f,
            log_denominator: log_d,
            iterations,
        })
    }

    /// Free energies f_k (reduced, f_0 = 0).
    pub fn free_energies(&self) -> &[f64] {
        &self.f
    }

    /// Newton iterations the solution took.
    pub fn iterations(&self) -> usize {
        self.iterations
    }

    /// The sampled states.
    pub fn states(&self) -> &[State] {
        &self.states
    }

    /// Samples per state.
    pub fn counts(&self) -> &[usize] {
        &self.counts
    }

    /// All samples, state by state.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// Normalised weights of every sample in `target` (sum 1).
    pub fn weights(&self, target: &State) -> Vec<f64> {
        let lw: Vec<f64> = self
            .samples
            .iter()
            .zip(&self.log_denominator)
            .map(|(s, d)| -target.reduced(s, self.kb) - d)
            .collect();
        let m = lw.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let mut w: Vec<f64> = lw.iter().map(|v| (v - m).exp()).collect();
        let sum: f64 = w.iter().sum();
        for v in &mut w {
            *v /= sum;
        }
        w
    }

    /// Averages in `target` for a cluster with `dof` degrees of freedom.
    pub fn predict(&self, target: &State, dof: usize) -> Prediction {
        self.predict_from(target, dof, &self.weights(target))
    }

    /// [`Mbar::predict`] with the target's weights `w` already computed.
    fn predict_from(&self, target: &State, dof: usize, w: &[f64]) -> Prediction {
        let mut phi = 0.0;
        let mut e = 0.0;
        let mut star = 0.0;
        let mut sw2 = 0.0;
        for (s, wi) in self.samples.iter().zip(w) {
            let ps = target.transform.energy(s.phi);
            let en = ps + s.wall;
            phi += wi * s.phi;
            star += wi * ps;
            e += wi * en;
            sw2 += wi * wi;
        }
        // Var(U) from centred sums: U ~ −150 eV, its variance ~ 1 eV².
        let var: f64 = self
            .samples
            .iter()
            .zip(w)
            .map(|(s, wi)| wi * (target.energy(s) - e).powi(2))
            .sum();
        let kt = self.kb * target.temperature;
        Prediction {
            temperature: target.temperature,
            phi,
            phi_star: star,
            heat_capacity: 0.5 * dof as f64 + var / (kt * kt),
            effective_samples: 1.0 / sw2,
        }
    }
}

/// MBAR's estimate of averages in one state.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Prediction {
    /// Temperature (K).
    pub temperature: f64,
    /// ⟨φ⟩ (eV).
    pub phi: f64,
    /// ⟨φ*⟩ (eV).
    pub phi_star: f64,
    /// Heat capacity C = (3N − 6)/2 + Var(φ* + W)/(k_B T)² in units of k_B.
    pub heat_capacity: f64,
    /// Kish's effective sample size (Σw)²/Σw²: how many samples carry the estimate.
    pub effective_samples: f64,
}

/// How the errors of MBAR's estimates are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErrorMethod {
    /// MBAR's asymptotic covariance (Shirts & Chodera 2008, Eq. D.8; pymbar's
    /// `compute_expectations`), on every state's samples thinned to one per statistical
    /// inefficiency g_k, the recipe of pymbar's `timeseries` tools. Fast.
    Asymptotic,
    /// The spread over block-bootstrap resamples of every state's time series
    /// ([`BlockBootstrap`]), each solved anew. Slow, and free of the asymptotic
    /// (Gaussian) approximation.
    Bootstrap,
}

impl std::fmt::Display for ErrorMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ErrorMethod::Asymptotic => "asymptotic",
            ErrorMethod::Bootstrap => "bootstrap",
        })
    }
}

/// How to find the errors.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Errors {
    /// The method.
    pub method: ErrorMethod,
    /// Bootstrap resamples ([`ErrorMethod::Bootstrap`] only).
    pub resamples: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
}

impl Default for Errors {
    fn default() -> Self {
        Errors {
            method: ErrorMethod::Asymptotic,
            resamples: 100,
            seed: 1,
        }
    }
}

/// Fewest independent samples ([`Estimate::independent_samples`]) for which an error is
/// reported; see [`supported`].
pub const MIN_INDEPENDENT_SAMPLES: f64 = 30.0;

/// Independent samples from which an estimate of any [`Estimate::support`] gets an error.
pub const AMPLE_INDEPENDENT_SAMPLES: f64 = 200.0;

/// Whether an estimate of this support and this many independent samples gets an error:
/// at least [`MIN_INDEPENDENT_SAMPLES`], and either support ≥ [`MIN_SUPPORT`], or support
/// ≥ [`MIN_SUPPORT`]/3 with at least [`AMPLE_INDEPENDENT_SAMPLES`].
pub fn supported(support: f64, independent: f64) -> bool {
    independent >= MIN_INDEPENDENT_SAMPLES
        && (support >= MIN_SUPPORT
            || (support >= MIN_SUPPORT / 3.0 && independent >= AMPLE_INDEPENDENT_SAMPLES))
}

/// Fewest [`Estimate::support`] for which an error is reported with fewer than
/// [`AMPLE_INDEPENDENT_SAMPLES`]. Where the samples barely reach a target (reweighting
/// beyond the ladder or to another transform), the estimate is biased by the tail that was
/// not sampled, and no error bar captures that. Measured on the gamma-distributed system of
/// `tests/mbar_errors.rs`, where the exact answers are known, with 150, 400 and 2000 samples
/// per state: the spread of C over independent runs exceeds the reported error by 1.5–10×
/// at low support and few (≲ 150) independent samples, and stays within 1.5× where the
/// rule of [`supported`] holds (docs/ANALYSIS.md, "Error bars").
pub const MIN_SUPPORT: f64 = 0.3;

/// Predictions with errors.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// The estimate from all samples.
    pub value: Prediction,
    /// Standard error of ⟨φ⟩ (eV; NaN below [`MIN_INDEPENDENT_SAMPLES`]).
    pub phi_error: f64,
    /// Standard error of ⟨φ*⟩ (eV).
    pub phi_star_error: f64,
    /// Standard error of C (k_B).
    pub heat_capacity_error: f64,
    /// Independent samples behind the estimate: 1 / Σ_n g_k(n) w_n², Kish's effective
    /// sample size with every sample of state k counted 1/g_k times (g_k: the statistical
    /// inefficiency of state k's energy series).
    pub independent_samples: f64,
    /// The overlap of the target with the samples: Kish's effective sample size of the
    /// estimate over that of a sampled state's own estimate (the median over the sampled
    /// states). ~1 inside the sampled range, ≪ 1 where the samples barely reach the target.
    pub support: f64,
}

/// Estimates as CSV (one row per state; empty fields for NaN errors), the table of
/// `pelt analyze` (`mbar.csv`) and of `pelt reweight` (`reweight.csv`), for clusters of
/// `atoms` atoms: heat capacities per cluster and per atom.
pub fn csv(estimates: &[Estimate], atoms: usize) -> String {
    let num = |v: f64| {
        if v.is_finite() {
            v.to_string()
        } else {
            String::new()
        }
    };
    let n = atoms as f64;
    let mut s = String::from(
        "temperature_K,phi_eV,phi_err_eV,phi_star_eV,phi_star_err_eV,\
         heat_capacity_mbar_per_cluster_kB,heat_capacity_mbar_per_cluster_err_kB,\
         heat_capacity_mbar_per_atom_kB,heat_capacity_mbar_per_atom_err_kB,effective_samples,\
         independent_samples,support\n",
    );
    for e in estimates {
        let v = e.value;
        s += &format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n",
            v.temperature,
            v.phi,
            num(e.phi_error),
            v.phi_star,
            num(e.phi_star_error),
            v.heat_capacity,
            num(e.heat_capacity_error),
            v.heat_capacity / n,
            num(e.heat_capacity_error / n),
            v.effective_samples,
            e.independent_samples,
            e.support
        );
    }
    s
}

/// What [`estimate`] finds.
#[derive(Clone, Debug)]
pub struct Estimated {
    /// MBAR solved on every sample.
    pub mbar: Mbar,
    /// The predictions at the targets, with errors.
    pub estimates: Vec<Estimate>,
    /// Statistical inefficiency g_k of every state's energy series (the larger of the
    /// energy's and its squared deviation's).
    pub inefficiency: Vec<f64>,
    /// Samples per state after thinning to one per g_k (what the asymptotic errors use).
    pub decorrelated: Vec<usize>,
}

/// Pieces the sums over samples are cut into (fixed, so that results do not depend on the
/// number of threads).
const CHUNKS: usize = 16;

/// `f` on each of [`CHUNKS`] consecutive pieces of `0..n`, on every core; results in order.
fn chunked<R: Send>(n: usize, f: impl Fn(std::ops::Range<usize>) -> R + Sync) -> Vec<R> {
    let ranges: Vec<std::ops::Range<usize>> = (0..CHUNKS)
        .map(|c| c * n / CHUNKS..(c + 1) * n / CHUNKS)
        .collect();
    par_map(&ranges, |r| f(r.clone()))
}

/// The statistical inefficiency of state `st`'s samples `x` (in time order): the larger of
/// that of its energy φ* + W and of the squared deviation of it (which carries C).
pub fn inefficiency(st: &State, x: &[Sample]) -> f64 {
    let e: Vec<f64> = x.iter().map(|s| st.energy(s)).collect();
    let m = stats::mean(&e);
    let d2: Vec<f64> = e.iter().map(|v| (v - m) * (v - m)).collect();
    let g = stats::statistical_inefficiency(&e).max(stats::statistical_inefficiency(&d2));
    if g.is_finite() {
        g
    } else {
        1.0
    }
}

/// Every g-th sample of `x` (rounded positions 0, g, 2g, … as pymbar's
/// `subsample_correlated_data`): uncorrelated samples.
fn thin(x: &[Sample], g: f64) -> Vec<Sample> {
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < x.len() {
        out.push(x[i]);
        i = ((out.len() as f64 * g).round() as usize).max(i + 1);
    }
    out
}

/// Solve MBAR on `per_state` (every state's samples in time order) and predict `targets`,
/// with errors by `errors`. Estimates carried by fewer than [`MIN_INDEPENDENT_SAMPLES`]
/// independent samples get no error (NaN).
pub fn estimate(
    kb: f64,
    states: &[State],
    per_state: &[Vec<Sample>],
    targets: &[State],
    dof: usize,
    errors: &Errors,
) -> Result<Estimated, AnalysisError> {
    let clock = std::time::Instant::now();
    let mbar = Mbar::solve(kb, states.to_vec(), per_state, None)?;
    log::debug!(
        "MBAR solved in {} Newton iterations: {:.2} s",
        mbar.iterations(),
        clock.elapsed().as_secs_f64()
    );
    let indices: Vec<usize> = (0..states.len()).collect();
    let inefficiency: Vec<f64> = par_map(&indices, |&k| inefficiency(&states[k], &per_state[k]));
    let g_of_sample: Vec<f64> = per_state
        .iter()
        .zip(&inefficiency)
        .flat_map(|(x, &g)| std::iter::repeat_n(g, x.len()))
        .collect();
    // One pass of weights per target for the prediction and its independent samples.
    let values: Vec<(Prediction, f64)> = par_map(targets, |t| {
        let w = mbar.weights(t);
        let independent = 1.0
            / w.iter()
                .zip(&g_of_sample)
                .map(|(w, g)| w * w * g)
                .sum::<f64>();
        (mbar.predict_from(t, dof, &w), independent)
    });
    // Overlap with the samples, free of their correlation: Kish's effective sample size
    // over that of a sampled state's own estimate (the median over the sampled states).
    let mut own: Vec<f64> = par_map(states, |t| mbar.predict(t, dof).effective_samples);
    own.sort_by(f64::total_cmp);
    let reference = own[own.len() / 2];
    let thinned: Vec<Vec<Sample>> = per_state
        .iter()
        .zip(&inefficiency)
        .map(|(x, &g)| thin(x, g))
        .collect();
    let decorrelated: Vec<usize> = thinned.iter().map(Vec::len).collect();
    log::debug!("predictions: {:.2} s", clock.elapsed().as_secs_f64());
    let errs: Vec<[f64; 3]> = match errors.method {
        ErrorMethod::Asymptotic => {
            // The decorrelated solution only feeds the covariance: free energies to 1e-5 of
            // N_k (far inside their errors) suffice, and spare the line searches that
            // rounding stalls near 1e-6 on half a million samples.
            let sub = Mbar::solve_to(
                kb,
                states.to_vec(),
                &thinned,
                Some(mbar.free_energies()),
                ERROR_TOLERANCE,
            )?;
            log::debug!(
                "MBAR on decorrelated samples, {} Newton iterations: {:.2} s",
                sub.iterations(),
                clock.elapsed().as_secs_f64()
            );
            sub.asymptotic_errors(targets)
        }
        ErrorMethod::Bootstrap => bootstrap_errors(&mbar, per_state, targets, dof, errors),
    };
    let estimates = values
        .iter()
        .zip(errs)
        .map(|(&(v, independent), e)| {
            let support = v.effective_samples / reference;
            let e = if supported(support, independent) {
                e
            } else {
                [f64::NAN; 3]
            };
            Estimate {
                value: v,
                phi_error: e[0],
                phi_star_error: e[1],
                heat_capacity_error: e[2],
                independent_samples: independent,
                support,
            }
        })
        .collect();
    Ok(Estimated {
        mbar,
        estimates,
        inefficiency,
        decorrelated,
    })
}

/// Errors of ⟨φ⟩, ⟨φ*⟩ and C at `targets` from a block bootstrap.
fn bootstrap_errors(
    mbar: &Mbar,
    per_state: &[Vec<Sample>],
    targets: &[State],
    dof: usize,
    errors: &Errors,
) -> Vec<[f64; 3]> {
    let resamples = errors.resamples;
    // The resamples are drawn here, in order, from one stream, and solved on every core:
    // the draws and their order do not depend on the number of threads.
    let mut boot = BlockBootstrap::new(errors.seed);
    let picks: Vec<Vec<Vec<usize>>> = (0..resamples)
        .map(|_| per_state.iter().map(|s| boot.resample(s.len())).collect())
        .collect();
    let solved = par_map(&picks, |pick| -> Option<Vec<Prediction>> {
        let resampled: Vec<Vec<Sample>> = per_state
            .iter()
            .zip(pick)
            .map(|(s, idx)| idx.iter().map(|&i| s[i]).collect())
            .collect();
        let m = Mbar::solve(
            mbar.kb,
            mbar.states.clone(),
            &resampled,
            Some(mbar.free_energies()),
        )
        .ok()?;
        log::debug!(
            "MBAR bootstrap resample: {} Newton iterations",
            m.iterations()
        );
        Some(targets.iter().map(|t| m.predict(t, dof)).collect())
    });
    let draws: Vec<Vec<Prediction>> = solved.into_iter().flatten().collect();
    let sd = |i: usize, get: &dyn Fn(&Prediction) -> f64| -> f64 {
        stats::std_dev(&draws.iter().map(|d| get(&d[i])).collect::<Vec<_>>())
    };
    (0..targets.len())
        .map(|i| {
            [
                sd(i, &|p| p.phi),
                sd(i, &|p| p.phi_star),
                sd(i, &|p| p.heat_capacity),
            ]
        })
        .collect()
}

impl Mbar {
    /// Asymptotic standard errors of ⟨φ⟩, ⟨φ*⟩ and C at every target, from the samples of
    /// this solution (which must be uncorrelated: thin them first).
    ///
    /// For each target the K sampled states are extended by five weighting functions of
    /// the samples (N_k = 0): the target's weights w_n and w_n·a_n for a = φ, φ*, E and E²
    /// (E = φ* + W, each shifted to be positive, which changes no error). With W the
    /// N × (K + 5) matrix of normalised weights, Θ = Wᵀ (1 − W N Wᵀ)⁺ W, computed from
    /// the eigen-decomposition of WᵀW = V Σ² Vᵀ as Θ = VΣ (1 − ΣVᵀNVΣ)⁺ ΣVᵀ (pymbar's
    /// "svd-ew"). Then δ²⟨a⟩ = ⟨a⟩²(Θ_aa + Θ_ll − 2Θ_al) and
    /// cov(⟨a⟩, ⟨b⟩) = ⟨a⟩⟨b⟩(Θ_ab − Θ_al − Θ_bl + Θ_ll); C = (3N − 6)/2 +
    /// (⟨E²⟩ − ⟨E⟩²)/(kT)² by the delta method.
    pub fn asymptotic_errors(&self, targets: &[State]) -> Vec<[f64; 3]> {
        let k = self.states.len();
        let n = self.samples.len();
        let mut w = vec![0.0; n * k];
        for (j, s) in self.samples.iter().enumerate() {
            for l in 0..k {
                w[j * k + l] =
                    (self.f[l] - self.states[l].reduced(s, self.kb) - self.log_denominator[j])
                        .exp();
            }
        }
        let mut gss = vec![0.0; k * k];
        for row in w.chunks_exact(k) {
            for a in 0..k {
                for b in a..k {
                    gss[a * k + b] += row[a] * row[b];
                }
            }
        }
        for a in 0..k {
            for b in 0..a {
                gss[a * k + b] = gss[b * k + a];
            }
        }
        par_map(targets, |t| self.asymptotic_target(t, &w, &gss))
    }

    fn asymptotic_target(&self, t: &State, w: &[f64], gss: &[f64]) -> [f64; 3] {
        const EXTRA: usize = 5;
        let k = self.states.len();
        let n = self.samples.len();
        let kk = k + EXTRA;
        let wt = self.weights(t);
        let shifted = |a: Vec<f64>| -> Vec<f64> {
            let lo = a.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = a.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let s = (hi - lo).max(1e-12 * lo.abs().max(1.0));
            a.iter().map(|v| v - lo + s).collect()
        };
        let phi = shifted(self.samples.iter().map(|s| s.phi).collect());
        let star = shifted(
            self.samples
                .iter()
                .map(|s| t.transform.energy(s.phi))
                .collect(),
        );
        let e = shifted(self.samples.iter().map(|s| t.energy(s)).collect());
        let e2: Vec<f64> = e.iter().map(|v| v * v).collect();
        let mut cols: Vec<Vec<f64>> = vec![wt.clone()];
        let mut means = vec![1.0];
        for a in [&phi, &star, &e, &e2] {
            let c: Vec<f64> = wt.iter().zip(a.iter()).map(|(w, a)| w * a).collect();
            let m: f64 = c.iter().sum();
            means.push(m);
            cols.push(c.iter().map(|v| v / m).collect());
        }
        let mut g = vec![0.0; kk * kk];
        for a in 0..k {
            for b in 0..k {
                g[a * kk + b] = gss[a * k + b];
            }
        }
        // Cross terms Σ_j W[j][l] col_c[j] in one contiguous pass over the rows of W.
        let mut cross = vec![0.0; EXTRA * k];
        for (j, row) in w.chunks_exact(k).enumerate() {
            for (c, col) in cols.iter().enumerate() {
                let v = col[j];
                if v == 0.0 {
                    continue;
                }
                for (acc, &x) in cross[c * k..(c + 1) * k].iter_mut().zip(row) {
                    *acc += x * v;
                }
            }
        }
        debug_assert_eq!(w.len(), n * k);
        for (c, col) in cols.iter().enumerate() {
            for l in 0..k {
                let v = cross[c * k + l];
                g[l * kk + k + c] = v;
                g[(k + c) * kk + l] = v;
            }
            for (d, other) in cols.iter().enumerate().skip(c) {
                let v: f64 = col.iter().zip(other).map(|(a, b)| a * b).sum();
                g[(k + c) * kk + k + d] = v;
                g[(k + d) * kk + k + c] = v;
            }
        }
        let (lam, v) = super::eigen::symmetric(&g, kk);
        // VΣ, column q scaled by σ_q = √λ_q (λ < 0 is rounding of a zero).
        let vs: Vec<f64> = (0..kk * kk)
            .map(|iq| v[iq] * lam[iq % kk].max(0.0).sqrt())
            .collect();
        let counts: Vec<f64> = (0..kk)
            .map(|i| self.counts.get(i).map_or(0.0, |&c| c as f64))
            .collect();
        let mut b = vec![0.0; kk * kk];
        for p in 0..kk {
            for q in 0..kk {
                let a: f64 = (0..kk)
                    .map(|i| vs[i * kk + p] * counts[i] * vs[i * kk + q])
                    .sum();
                b[p * kk + q] = if p == q { 1.0 } else { 0.0 } - a;
            }
        }
        let bi = super::eigen::pseudo_inverse(&b, kk, 1e-10);
        let theta = |i: usize, j: usize| -> f64 {
            let mut s = 0.0;
            for p in 0..kk {
                let left = vs[i * kk + p];
                if left == 0.0 {
                    continue;
                }
                for q in 0..kk {
                    s += left * bi[p * kk + q] * vs[j * kk + q];
                }
            }
            s
        };
        let l = k;
        let cov = |a: usize, b: usize| -> f64 {
            means[a - k] * means[b - k] * (theta(a, b) - theta(a, l) - theta(b, l) + theta(l, l))
        };
        let sd = |var: f64| if var >= 0.0 { var.sqrt() } else { f64::NAN };
        let (ie, ie2) = (k + 3, k + 4);
        let me = means[3];
        let var_c = cov(ie2, ie2) - 4.0 * me * cov(ie2, ie) + 4.0 * me * me * cov(ie, ie);
        let kt = self.kb * t.temperature;
        [
            sd(cov(k + 1, k + 1)),
            sd(cov(k + 2, k + 2)),
            sd(var_c) / (kt * kt),
        ]
    }
}

/// A first guess of the free energies: states in order of temperature, each linked to the
/// one before by the overlap-sampling estimate
/// Δf = −ln⟨e^{−Δu/2}⟩_a + ln⟨e^{+Δu/2}⟩_b (Δu = u_b − u_a), which is good wherever
/// neighbours overlap; Newton's method does the rest.
fn first_guess(states: &[State], counts: &[usize], u: &[f64], n: usize) -> Vec<f64> {
    let k = states.len();
    let mut offset = vec![0; k];
    for l in 1..k {
        offset[l] = offset[l - 1] + counts[l - 1];
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| states[a].temperature.total_cmp(&states[b].temperature));
    let mut f = vec![0.0; k];
    let half_average = |from: usize, a: usize, b: usize, sign: f64| -> f64 {
        // ln⟨exp(sign · (u_b − u_a)/2)⟩ over the samples of state `from`.
        let r = offset[from]..offset[from] + counts[from];
        let v = r.map(move |j| sign * 0.5 * (u[b * n + j] - u[a * n + j]));
        log_sum_exp(v) - (counts[from] as f64).ln()
    };
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        let df = -half_average(a, a, b, -1.0) + half_average(b, a, b, 1.0);
        f[b] = f[a] + if df.is_finite() { df } else { 0.0 };
    }
    let f0 = f[0];
    f.iter().map(|v| v - f0).collect()
}

/// Solve the m × m system `a x = b` by Gaussian elimination with partial pivoting (`a`, `b`
/// are overwritten). None when singular.
fn solve_linear(a: &mut [f64], b: &mut [f64], m: usize) -> Option<Vec<f64>> {
    for c in 0..m {
        let piv = (c..m).max_by(|&i, &j| a[i * m + c].abs().total_cmp(&a[j * m + c].abs()))?;
        if a[piv * m + c].abs() < 1e-300 {
            return None;
        }
        if piv != c {
            for q in 0..m {
                a.swap(c * m + q, piv * m + q);
            }
            b.swap(c, piv);
        }
        for r in c + 1..m {
            let fac = a[r * m + c] / a[c * m + c];
            if fac != 0.0 {
                for q in c..m {
                    a[r * m + q] -= fac * a[c * m + q];
                }
                b[r] -= fac * b[c];
            }
        }
    }
    let mut x = vec![0.0; m];
    for r in (0..m).rev() {
        let s: f64 = (r + 1..m).map(|q| a[r * m + q] * x[q]).sum();
        x[r] = (b[r] - s) / a[r * m + r];
    }
    Some(x)
}
