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

    /// K temperatures between this ladder's ends with equal expected swap rejection, from
    /// the measured rejection rates `rejection[k]` of the pairs (k, k + 1) (each in [0, 1]):
    /// the cumulative barrier Λ(β) = Σ of the rejections of the pairs below β, linear in β
    /// between this ladder's temperatures, inverted at Λ(β_k) = k Λ/(K − 1) (Syed,
    /// Bouchard-Côté, Deligiannidis & Doucet, J. R. Stat. Soc. B 84, 321 (2022), §5.1, as
    /// Pigeons does). Without rejection anywhere, equal steps in β. None when the rates do
    /// not fit (wrong count, outside [0, 1]) or K < 2.
    pub fn equal_rejection(&self, rejection: &[f64], k: usize) -> Option<Ladder> {
        let t = &self.temperatures;
        if k < 2
            || t.len() < 2
            || rejection.len() + 1 != t.len()
            || rejection.iter().any(|r| !(0.0..=1.0).contains(r))
        {
            return None;
        }
        let beta: Vec<f64> = t.iter().map(|t| 1.0 / t).collect();
        let mut cumulative = vec![0.0];
        for r in rejection {
            cumulative.push(cumulative[cumulative.len() - 1] + r);
        }
        let total = cumulative[cumulative.len() - 1];
        let mut out = Vec::with_capacity(k);
        for i in 0..k {
            let target = total * i as f64 / (k - 1) as f64;
            let b = if total <= 0.0 {
                beta[0] + (beta[beta.len() - 1] - beta[0]) * i as f64 / (k - 1) as f64
            } else {
                // The first pair whose cumulative barrier reaches the target.
                let j = (1..cumulative.len())
                    .find(|&j| cumulative[j] >= target)
                    .unwrap_or(cumulative.len() - 1);
                let (c0, c1) = (cumulative[j - 1], cumulative[j]);
                let f = if c1 > c0 {
                    (target - c0) / (c1 - c0)
                } else {
                    0.0
                };
                beta[j - 1] + f * (beta[j] - beta[j - 1])
            };
            out.push(1.0 / b);
        }
        out[0] = t[0];
        out[k - 1] = t[t.len() - 1];
        Ladder::explicit(out).ok()
    }
}
