//! Random numbers: one `Xoshiro256PlusPlus` stream per use, derived from a seed; normal,
//! Gamma and χ² numbers from `rand_distr` (since 0.6.0; the checkpoint format changed with
//! the streams).

use rand_distr::{ChiSquared, Distribution, Gamma, StandardNormal};
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

/// A standard normal number (`rand_distr`'s ziggurat: one 64-bit draw almost always,
/// no logarithm or cosine).
pub fn normal(rng: &mut Stream) -> f64 {
    StandardNormal.sample(rng)
}

/// A Gamma(shape, 1) number (`rand_distr`: Marsaglia–Tsang with ziggurat normals).
///
/// # Panics
/// If `shape` is not positive and finite.
pub fn gamma(rng: &mut Stream, shape: f64) -> f64 {
    Gamma::new(shape, 1.0)
        .expect("a positive, finite Gamma shape")
        .sample(rng)
}

/// The sum of `n` squared standard normal numbers (a χ² number with `n` degrees of freedom).
pub fn chi_squared(rng: &mut Stream, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        ChiSquared::new(n as f64)
            .expect("n > 0 degrees of freedom")
            .sample(rng)
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
    fn normal_and_chi_squared_have_the_right_moments() {
        let mut r = stream(2, 0);
        let n = 400_000;
        let xs: Vec<f64> = (0..n).map(|_| normal(&mut r)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
        let k4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / n as f64 / (v * v);
        assert!(m.abs() < 5.0 / (n as f64).sqrt(), "mean {m}");
        assert!((v - 1.0).abs() < 0.01, "variance {v}");
        assert!((k4 - 3.0).abs() < 0.05, "kurtosis {k4}");
        for k in [1usize, 2, 162] {
            let xs: Vec<f64> = (0..100_000).map(|_| chi_squared(&mut r, k)).collect();
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            assert!((m / k as f64 - 1.0).abs() < 0.02, "chi2({k}) mean {m}");
        }
        assert_eq!(chi_squared(&mut r, 0), 0.0);
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
