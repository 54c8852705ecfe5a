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

/// A Gamma(shape, 1) number (Marsaglia–Tsang 2000; shape < 1 by the u^(1/shape) boost).
pub fn gamma(rng: &mut Stream, shape: f64) -> f64 {
    debug_assert!(shape > 0.0);
    if shape < 1.0 {
        let u = loop {
            let u = uniform(rng);
            if u > 0.0 {
                break u;
            }
        };
        return gamma(rng, shape + 1.0) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = uniform(rng);
        if u < 1.0 - 0.0331 * x * x * x * x
            || (u > 0.0 && u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()))
        {
            return d * v;
        }
    }
}

/// The sum of `n` squared standard normal numbers (a χ² number with `n` degrees of freedom).
pub fn chi_squared(rng: &mut Stream, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        2.0 * gamma(rng, 0.5 * n as f64)
    }
}

/// The complete state of a stream (four 64-bit words), for checkpoints.
pub fn save(rng: &Stream) -> [u64; 4] {
    #[derive(serde::Deserialize)]
    struct State {
        s: [u64; 4],
    }
    let value = serde_json::to_value(rng).expect("a xoshiro state serialises");
    let state: State = serde_json::from_value(value).expect("a xoshiro state has four words");
    state.s
}

/// The stream whose state is `words` (the inverse of [`save`]).
pub fn restore(words: [u64; 4]) -> Stream {
    let mut seed = [0u8; 32];
    for (chunk, w) in seed.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    Stream::from_seed(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_and_restore_continue_the_same_sequence() {
        let mut a = stream(7, 3);
        for _ in 0..10 {
            a.next_u64();
        }
        let mut b = restore(save(&a));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn gamma_has_the_right_mean_and_variance() {
        let mut r = stream(1, 0);
        for &k in &[0.5, 1.0, 2.5, 40.0] {
            let n = 200_000;
            let xs: Vec<f64> = (0..n).map(|_| gamma(&mut r, k)).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            assert!(
                (mean - k).abs() < 5.0 * (k / n as f64).sqrt(),
                "k {k} mean {mean}"
            );
            assert!((var - k).abs() < 0.03 * k, "k {k} var {var}");
        }
    }
}
