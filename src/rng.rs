//! Random numbers: one `Xoshiro256PlusPlus` stream per use, derived from a seed.

use rand_xoshiro::rand_core::{Rng, SeedableRng};
pub use rand_xoshiro::Xoshiro256PlusPlus as Stream;

/// A stream for `(seed, index)`: the index (a replica, a builder call) selects an
/// independent stream, so results do not depend on the order streams are created in.
pub fn stream(seed: u64, index: u64) -> Stream {
    // SplitMix-style mixing of the pair into one 64-bit seed; seed_from_u64 expands it
    // with SplitMix64 into the 256-bit state.
    let mut z = seed ^ index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    Stream::seed_from_u64(z ^ (z >> 31))
}

/// A uniform number in [0, 1) with 53 random bits.
pub fn uniform(rng: &mut Stream) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal number (Box–Muller, one of the pair).
pub fn normal(rng: &mut Stream) -> f64 {
    loop {
        let u = uniform(rng);
        if u > 0.0 {
            let v = uniform(rng);
            return (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
        }
    }
}
