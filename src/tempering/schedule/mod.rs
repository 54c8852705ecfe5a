//! Which neighbour pairs attempt a swap at each exchange: pairs (k, k+1) with k even or
//! with k odd. One file per schedule.

mod deo;
mod seo;

pub use deo::Deo;
pub use seo::Seo;

use crate::rng::Stream;

/// Chooses the parity of the pairs that attempt a swap at an exchange.
pub trait SwapSchedule: Send {
    /// Short name ("deo", "seo").
    fn name(&self) -> &'static str;

    /// Parity (0: pairs (0,1), (2,3), …; 1: pairs (1,2), (3,4), …) of exchange number
    /// `exchange` (0, 1, 2, …). `rng` is the swap stream shared by every process.
    fn parity(&mut self, exchange: u64, rng: &mut Stream) -> usize;
}

/// The schedule of a name ("deo" or "seo").
pub fn by_name(name: &str) -> Option<Box<dyn SwapSchedule>> {
    match name {
        "deo" => Some(Box::new(Deo)),
        "seo" => Some(Box::new(Seo)),
        _ => None,
    }
}
