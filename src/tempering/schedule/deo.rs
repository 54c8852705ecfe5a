//! Deterministic even/odd ("DEO"): even pairs at even exchanges, odd pairs at odd ones.
//! Non-reversible, so replicas travel the ladder ballistically rather than diffusively
//! (Okabe et al., Chem. Phys. Lett. 335, 435, 2001; Syed et al., J. R. Stat. Soc. B 84,
//! 321, 2022).

use super::SwapSchedule;
use crate::rng::Stream;

/// Deterministic even/odd schedule.
#[derive(Clone, Copy, Debug, Default)]
pub struct Deo;

impl SwapSchedule for Deo {
    fn name(&self) -> &'static str {
        "deo"
    }

    fn parity(&mut self, exchange: u64, _rng: &mut Stream) -> usize {
        (exchange % 2) as usize
    }
}
