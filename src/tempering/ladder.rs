//! The temperature ladder T_0 < T_1 < … < T_{K−1}.

use super::TemperingError;

/// An increasing list of positive temperatures (K).
#[derive(Clone, Debug, PartialEq)]
pub struct Ladder {
    temperatures: Vec<f64>,
}

impl Ladder {
    /// K temperatures spaced geometrically from `lowest` to `highest`, T_k = T_0 r^k
    /// (constant acceptance for a constant heat capacity).
    pub fn geometric(lowest: f64, highest: f64, count: usize) -> Result<Ladder, TemperingError> {
        if count == 0 {
            return Err(TemperingError::Ladder(
                "a ladder needs at least one temperature".into(),
            ));
        }
        if count == 1 {
            return Ladder::explicit(vec![lowest]);
        }
        if highest.partial_cmp(&lowest) != Some(std::cmp::Ordering::Greater) {
            return Err(TemperingError::Ladder(format!(
                "the highest temperature ({highest} K) must be above the lowest ({lowest} K)"
            )));
        }
        let ratio = (highest / lowest).powf(1.0 / (count - 1) as f64);
        let mut t: Vec<f64> = (0..count).map(|k| lowest * ratio.powi(k as i32)).collect();
        t[count - 1] = highest;
        Ladder::explicit(t)
    }

    /// The given temperatures, which must be positive, finite and strictly increasing.
    pub fn explicit(temperatures: Vec<f64>) -> Result<Ladder, TemperingError> {
        if temperatures.is_empty() {
            return Err(TemperingError::Ladder(
                "a ladder needs at least one temperature".into(),
            ));
        }
        if let Some((k, t)) = temperatures
            .iter()
            .enumerate()
            .find(|(_, t)| !(t.is_finite() && **t > 0.0))
        {
            return Err(TemperingError::Ladder(format!(
                "temperature {k} is {t} K; every temperature must be finite and > 0 K"
            )));
        }
        if let Some(k) = (1..temperatures.len()).find(|&k| temperatures[k] <= temperatures[k - 1]) {
            return Err(TemperingError::Ladder(format!(
                "temperatures must increase strictly: T[{}] = {} K follows T[{}] = {} K",
                k,
                temperatures[k],
                k - 1,
                temperatures[k - 1]
            )));
        }
        Ok(Ladder { temperatures })
    }

    /// The temperatures (K), lowest first.
    pub fn temperatures(&self) -> &[f64] {
        &self.temperatures
    }

    /// Number of temperatures K.
    pub fn len(&self) -> usize {
        self.temperatures.len()
    }

    /// Always false: a ladder has at least one temperature.
    pub fn is_empty(&self) -> bool {
        self.temperatures.is_empty()
    }

    /// Temperature `k` (K).
    pub fn get(&self, k: usize) -> f64 {
        self.temperatures[k]
    }
}
