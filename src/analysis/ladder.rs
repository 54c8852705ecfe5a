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
