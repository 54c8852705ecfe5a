//! A temperature ladder with equal rejection between neighbours, from the swap statistics of
//! an earlier run (Syed, Bouchard-Côté, Deligiannidis & Doucet, J. R. Stat. Soc. B 84, 321
//! (2022), section 5.1, as Pigeons does it).
//!
//! The cumulative communication barrier Λ(β) is estimated at the run's inverse temperatures
//! as the sum of the measured rejection rates of the pairs below, interpolated linearly in
//! β between them. A ladder of K temperatures with the same end points puts β_k where
//! Λ(β_k) = k Λ/(K − 1): every pair then expects the rejection Λ/(K − 1).

use super::AnalysisError;

/// A proposed ladder and what it expects.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Proposal {
    /// Temperatures (K), coldest first; the run's end points.
    pub temperatures: Vec<f64>,
    /// The global barrier Λ = Σ r of the run.
    pub barrier: f64,
    /// Expected rejection of every pair, Λ/(K − 1) (a good ladder has it well below 1).
    pub rejection: f64,
}

/// K temperatures between the ends of `ladder` (K, coldest first) with equal expected
/// rejection, from the rejection rates `rejection[k]` of the pairs (k, k + 1).
///
/// # Errors
/// Fewer than 2 temperatures asked or in the run, a ladder not increasing, or a rejection
/// that is not a number in [0, 1] (a pair that was never attempted).
pub fn propose(ladder: &[f64], rejection: &[f64], k: usize) -> Result<Proposal, AnalysisError> {
    let bad = |m: String| Err(AnalysisError::Data(m));
    if k < 2 {
        return bad(format!(
            "--replicas {k}: a ladder needs at least 2 temperatures"
        ));
    }
    if ladder.len() < 2 || rejection.len() + 1 != ladder.len() {
        return bad(format!(
            "a ladder of {} temperatures with {} pair rejection rates",
            ladder.len(),
            rejection.len()
        ));
    }
    if ladder.iter().any(|t| !t.is_finite()) || ladder.windows(2).any(|w| w[1] <= w[0]) {
        return bad("the run's temperatures do not increase".into());
    }
    if let Some((i, r)) = rejection
        .iter()
        .enumerate()
        .find(|(_, r)| !(0.0..=1.0).contains(*r))
    {
        return bad(format!(
            "pair {i} ({} K, {} K) has rejection {r}: it was never attempted (a run with \
             swaps is needed)",
            ladder[i],
            ladder[i + 1]
        ));
    }
    let total: f64 = rejection.iter().sum();
    let old = crate::tempering::Ladder::explicit(ladder.to_vec())
        .map_err(|e| AnalysisError::Data(e.to_string()))?;
    let temperatures = old
        .equal_rejection(rejection, k)
        .ok_or_else(|| AnalysisError::Data("no ladder with equal rejection fits".into()))?
        .temperatures()
        .to_vec();
    Ok(Proposal {
        temperatures,
        barrier: total,
        rejection: total / (k - 1) as f64,
    })
}

/// Grid of inverse temperatures on which [`propose_mbar`] predicts the acceptances.
pub const MBAR_GRID: usize = 400;

/// Energy bins of the predicted energy distributions.
const ENERGY_BINS: usize = 400;

/// A ladder proposed by MBAR: the temperatures and the acceptance predicted for each pair.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MbarProposal {
    /// Temperatures (K), coldest first; the run's end points.
    pub temperatures: Vec<f64>,
    /// Predicted swap acceptance of each pair (k, k + 1).
    pub acceptance: Vec<f64>,
}

/// K temperatures between `lo` and `hi` (K) with equal predicted swap acceptance, from the
/// run's samples reweighted by MBAR (`mbar`, solved on the run) to any temperature under
/// the run's `transform`. The distribution of the sampled energy E = φ* + W is predicted on
/// [`MBAR_GRID`] temperatures even in β, and the acceptance of a pair is
/// ⟨min(1, e^{(β_a − β_b)(E_a − E_b)})⟩ over independent draws from the two distributions
/// (energies binned in [`ENERGY_BINS`] bins; prefix sums make it O(bins)). The ladder is
/// then built greedily from `lo`, each next temperature the hottest grid point with at
/// least the target acceptance, and the target is bisected so that K temperatures end at
/// `hi`.
pub fn propose_mbar(
    mbar: &super::mbar::Mbar,
    transform: crate::landscape::Transform,
    kb: f64,
    (lo, hi): (f64, f64),
    k: usize,
) -> Result<MbarProposal, AnalysisError> {
    if k < 2 || !(lo > 0.0 && hi > lo) {
        return Err(AnalysisError::Data(format!(
            "a ladder of {k} temperatures from {lo} K to {hi} K: expected at least 2 and \
             0 < lo < hi"
        )));
    }
    let (b_hot, b_cold) = (1.0 / (kb * hi), 1.0 / (kb * lo));
    let beta: Vec<f64> = (0..MBAR_GRID)
        .map(|i| b_cold + (b_hot - b_cold) * i as f64 / (MBAR_GRID - 1) as f64)
        .collect();
    let temps: Vec<f64> = beta.iter().map(|b| 1.0 / (kb * b)).collect();
    let (hist, width) = energy_histograms(mbar, transform, &temps);
    let acceptance =
        |i: usize, j: usize| pair_acceptance(&hist[i], &hist[j], beta[i] - beta[j], width);
    // Greedy: from grid point i, the farthest j with acceptance ≥ target.
    let build = |target: f64| -> Vec<usize> {
        let mut path = vec![0usize];
        let mut i = 0;
        while i < MBAR_GRID - 1 {
            let mut j = i + 1;
            while j + 1 < MBAR_GRID && acceptance(i, j + 1) >= target {
                j += 1;
            }
            path.push(j);
            i = j;
        }
        path
    };
    let (mut lo_t, mut hi_t) = (0.0, 1.0);
    let mut best = build(0.0);
    for _ in 0..40 {
        let mid = 0.5 * (lo_t + hi_t);
        let path = build(mid);
        if path.len() <= k {
            lo_t = mid;
            best = path;
        } else {
            hi_t = mid;
        }
    }
    // Fewer steps than asked (a very easy ladder): split the longest steps in β.
    while best.len() < k {
        let (s, _) = best
            .windows(2)
            .enumerate()
            .max_by_key(|(_, w)| w[1] - w[0])
            .expect("two points at least");
        if best[s + 1] - best[s] < 2 {
            break;
        }
        best.insert(s + 1, (best[s] + best[s + 1]) / 2);
    }
    let temperatures: Vec<f64> = best.iter().map(|&i| 1.0 / (kb * beta[i])).collect();
    let acceptance = best.windows(2).map(|w| acceptance(w[0], w[1])).collect();
    Ok(MbarProposal {
        temperatures,
        acceptance,
    })
}

/// The distributions of the sampled energy E = φ* + W at `temperatures` (K), reweighted
/// by MBAR: probabilities in [`ENERGY_BINS`] equal bins over the samples' range, and the
/// bin width (eV).
fn energy_histograms(
    mbar: &super::mbar::Mbar,
    transform: crate::landscape::Transform,
    temperatures: &[f64],
) -> (Vec<Vec<f64>>, f64) {
    let energy: Vec<f64> = mbar
        .samples()
        .iter()
        .map(|s| transform.energy(s.phi) + s.wall)
        .collect();
    let e_lo = energy.iter().cloned().fold(f64::INFINITY, f64::min);
    let e_hi = energy.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let width = ((e_hi - e_lo) / ENERGY_BINS as f64).max(f64::MIN_POSITIVE);
    let bins: Vec<usize> = energy
        .iter()
        .map(|e| (((e - e_lo) / width) as usize).min(ENERGY_BINS - 1))
        .collect();
    let hist = temperatures
        .iter()
        .map(|&temperature| {
            let st = super::mbar::State {
                temperature,
                transform,
            };
            let mut h = vec![0.0; ENERGY_BINS];
            for (w, &b) in mbar.weights(&st).iter().zip(&bins) {
                h[b] += w;
            }
            h
        })
        .collect();
    (hist, width)
}

/// ⟨min(1, e^{d (E_a − E_b)})⟩ for independent E_a ~ `ha`, E_b ~ `hb` (binned, bin
/// `width`), d = β_a − β_b > 0 (a the colder): the swap acceptance of the pair.
fn pair_acceptance(ha: &[f64], hb: &[f64], d: f64, width: f64) -> f64 {
    // For each bin a: the mass of b at or below it (always accepted), and
    // Σ_{b > a} h_b[b] e^{−d (E_b − E_a)}, by the recursion over bins from the top (every
    // factor ≤ 1: no overflow).
    let n = ha.len();
    let step = (-d * width).exp();
    let mut above = vec![0.0; n];
    for a in (0..n.saturating_sub(1)).rev() {
        above[a] = step * (above[a + 1] + hb[a + 1]);
    }
    let mut below = 0.0;
    let mut acc = 0.0;
    for a in 0..n {
        below += hb[a];
        acc += ha[a] * (below + above[a]);
    }
    acc
}

/// The swap acceptance MBAR predicts for each pair of temperatures (K; the first the
/// colder) of a run solved in `mbar`, under `transform`.
pub fn predicted_acceptance(
    mbar: &super::mbar::Mbar,
    transform: crate::landscape::Transform,
    kb: f64,
    pairs: &[(f64, f64)],
) -> Vec<f64> {
    let temps: Vec<f64> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    let (hist, width) = energy_histograms(mbar, transform, &temps);
    pairs
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| {
            pair_acceptance(
                &hist[2 * i],
                &hist[2 * i + 1],
                1.0 / (kb * a) - 1.0 / (kb * b),
                width,
            )
        })
        .collect()
}

/// The adaptive ladder's re-spacing by MBAR: every sample of the adaptation so far (one
/// per temperature per exchange, each round at its own ladder) solved by MBAR over all the
/// temperatures they were drawn at, and [`propose_mbar`]'s ladder of equal predicted
/// acceptance between the same ends. Where the cumulative barrier is linear between the
/// round's temperatures, this sees how the energy distributions actually overlap, so a
/// narrow heat-capacity peak gets its temperatures (docs/ANALYSIS.md, "The adaptive
/// ladder").
#[derive(Clone, Copy, Debug, Default)]
pub struct MbarRespace;

impl crate::tempering::respace::Respace for MbarRespace {
    fn respace(
        &self,
        round: crate::tempering::respace::RoundData,
    ) -> Option<crate::tempering::Ladder> {
        use super::mbar::{Mbar, Sample, State};
        let t = round.ladder.temperatures();
        let k = t.len();
        if k < 3 || round.samples.is_empty() {
            return None;
        }
        // One state per distinct temperature (the ends are in every round).
        let mut temps: Vec<f64> = round.samples.iter().map(|s| s.0).collect();
        temps.sort_by(f64::total_cmp);
        temps.dedup();
        let identity = crate::landscape::Transform::identity();
        let mut per: Vec<Vec<Sample>> = vec![Vec::new(); temps.len()];
        for &(temperature, e) in round.samples {
            let i = temps.partition_point(|&x| x < temperature);
            per[i].push(Sample { phi: e, wall: 0.0 });
        }
        let states: Vec<State> = temps
            .iter()
            .map(|&temperature| State {
                temperature,
                transform: identity,
            })
            .collect();
        let kb = crate::units::KB;
        let mbar = Mbar::solve(kb, states, &per, None).ok()?;
        let mut p = propose_mbar(&mbar, identity, kb, (t[0], t[k - 1]), k).ok()?;
        if p.temperatures.len() != k {
            return None;
        }
        p.temperatures[0] = t[0];
        p.temperatures[k - 1] = t[k - 1];
        crate::tempering::Ladder::explicit(p.temperatures).ok()
    }
}
