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
use super::AnalysisError;
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
        let objective = |f: &[f64], log_d: &mut Vec<f64>| -> f64 {
            log_d.clear();
            for j in 0..n {
                log_d.push(log_sum_exp((0..k).map(|l| ln_n[l] + f[l] - u[l * n + j])));
            }
            log_d.iter().sum::<f64>()
                - f.iter()
                    .zip(&counts)
                    .map(|(fl, &c)| fl * c as f64)
                    .sum::<f64>()
        };
        let mut log_d = Vec::with_capacity(n);
        let mut a = objective(&f, &mut log_d);
        let mut iterations = 0;
        let mut p = vec![0.0; k];
        loop {
            // Gradient and Hessian in the gauge f_0 = 0 (indices 1..k).
            let mut grad = vec![0.0; k];
            let mut hess = vec![0.0; k * k];
            for j in 0..n {
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
            let converged = (1..k).all(|l| grad[l].abs() <= TOLERANCE * counts[l] as f64);
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
        let w = self.weights(target);
        let mut phi = 0.0;
        let mut e = 0.0;
        let mut star = 0.0;
        let mut sw2 = 0.0;
        for (s, wi) in self.samples.iter().zip(&w) {
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
            .zip(&w)
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

/// Predictions with bootstrap errors.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// The estimate from all samples.
    pub value: Prediction,
    /// Standard error of ⟨φ⟩ (eV).
    pub phi_error: f64,
    /// Standard error of ⟨φ*⟩ (eV).
    pub phi_star_error: f64,
    /// Standard error of C (k_B).
    pub heat_capacity_error: f64,
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
         heat_capacity_mbar_per_atom_kB,heat_capacity_mbar_per_atom_err_kB,effective_samples\n",
    );
    for e in estimates {
        let v = e.value;
        s += &format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            v.temperature,
            v.phi,
            num(e.phi_error),
            v.phi_star,
            num(e.phi_star_error),
            v.heat_capacity,
            num(e.heat_capacity_error),
            v.heat_capacity / n,
            num(e.heat_capacity_error / n),
            v.effective_samples
        );
    }
    s
}

/// Solve MBAR on `per_state` and predict `targets`, with errors from a block bootstrap of
/// every state's time series ([`BlockBootstrap`], `resamples` resamples, `seed`).
pub fn estimate(
    kb: f64,
    states: &[State],
    per_state: &[Vec<Sample>],
    targets: &[State],
    dof: usize,
    resamples: usize,
    seed: u64,
) -> Result<(Mbar, Vec<Estimate>), AnalysisError> {
    let mbar = Mbar::solve(kb, states.to_vec(), per_state, None)?;
    let values: Vec<Prediction> = targets.iter().map(|t| mbar.predict(t, dof)).collect();
    // The resamples are drawn here, in order, from one stream; they are solved on every
    // core (scoped threads), each thread taking every `threads`-th resample. The draws and
    // their order do not depend on the number of threads, so neither do the errors.
    let mut boot = BlockBootstrap::new(seed);
    let picks: Vec<Vec<Vec<usize>>> = (0..resamples)
        .map(|_| per_state.iter().map(|s| boot.resample(s.len())).collect())
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(resamples.max(1));
    let solve = |pick: &Vec<Vec<usize>>| -> Option<Vec<Prediction>> {
        let resampled: Vec<Vec<Sample>> = per_state
            .iter()
            .zip(pick)
            .map(|(s, idx)| idx.iter().map(|&i| s[i]).collect())
            .collect();
        let m = Mbar::solve(kb, states.to_vec(), &resampled, Some(mbar.free_energies())).ok()?;
        log::debug!(
            "MBAR bootstrap resample: {} Newton iterations",
            m.iterations()
        );
        Some(targets.iter().map(|t| m.predict(t, dof)).collect())
    };
    let mut solved: Vec<Option<Vec<Prediction>>> = vec![None; resamples];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (picks, solve) = (&picks, &solve);
                scope.spawn(move || {
                    (t..resamples)
                        .step_by(threads)
                        .map(|r| (r, solve(&picks[r])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (r, d) in h.join().expect("an MBAR bootstrap thread panicked") {
                solved[r] = d;
            }
        }
    });
    let draws: Vec<Vec<Prediction>> = solved.into_iter().flatten().collect();
    let sd = |i: usize, get: &dyn Fn(&Prediction) -> f64| -> f64 {
        stats::std_dev(&draws.iter().map(|d| get(&d[i])).collect::<Vec<_>>())
    };
    let estimates = values
        .iter()
        .enumerate()
        .map(|(i, v)| Estimate {
            value: *v,
            phi_error: sd(i, &|p| p.phi),
            phi_star_error: sd(i, &|p| p.phi_star),
            heat_capacity_error: sd(i, &|p| p.heat_capacity),
        })
        .collect();
    Ok((mbar, estimates))
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
