//! Stochastic even/odd ("SEO"): each exchange picks even or odd pairs with probability ½
//! (reversible; replicas diffuse along the ladder).

use super::SwapSchedule;
use crate::rng::{self, Stream};

/// Stochastic even/odd schedule.
#[derive(Clone, Copy, Debug, Default)]
pub struct Seo;

impl SwapSchedule for Seo {
    fn name(&self) -> &'static str {
        "seo"
    }

    fn parity(&mut self, _exchange: u64, rng: &mut Stream) -> usize {
        usize::from(rng::uniform(rng) >= 0.5)
    }
}
