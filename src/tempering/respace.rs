//! How an adaptive ladder is re-spaced at the end of a round (one trait, one file per
//! method: the cumulative-barrier inversion here, the MBAR proposal in
//! `crate::analysis::ladder::MbarRespace`).

use super::Ladder;

/// What a round of the adaptive ladder measured.
#[derive(Clone, Copy, Debug)]
pub struct RoundData<'a> {
    /// The ladder of the round.
    pub ladder: &'a Ladder,
    /// The samples of the adaptation: (temperature K, the sampled energy φ* + W in eV) of
    /// each temperature at each of the last [`super::ADAPTATION_WINDOW`] exchanges of this
    /// and the earlier rounds, before the exchange's swaps. Empty when they are not all
    /// known (a checkpoint of an older pelt).
    pub samples: &'a [(f64, f64)],
    /// Rejection of each pair (k, k + 1): 1 − the mean acceptance probability of its
    /// attempts in the round (NaN: not attempted).
    pub rejection: &'a [f64],
}

/// A rule that re-spaces the ladder between its ends from what a round measured.
pub trait Respace: Send + Sync {
    /// The new ladder of as many temperatures with the same ends, or None when the round
    /// does not tell (the ladder then stays).
    fn respace(&self, round: RoundData) -> Option<Ladder>;
}

/// Equal rejection by inverting the cumulative barrier Λ(β), piecewise linear between the
/// round's temperatures ([`Ladder::equal_rejection`]; Syed et al. 2022, as Pigeons). Needs
/// only the swap attempts.
#[derive(Clone, Copy, Debug, Default)]
pub struct Barrier;

impl Respace for Barrier {
    fn respace(&self, round: RoundData) -> Option<Ladder> {
        round
            .ladder
            .equal_rejection(round.rejection, round.ladder.len())
    }
}
