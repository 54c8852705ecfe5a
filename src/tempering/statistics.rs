//! What tells a user whether tempering works: acceptance per neighbour pair, round trips of
//! each replica between the coldest and the hottest temperature, and the replica ↔
//! temperature index process.

/// The last end of the ladder a replica visited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    None = 0,
    Cold = 1,
    /// At the hot end after a visit to the cold end: half of a round trip done.
    Hot = 2,
    /// At the hot end, never at the cold end yet (the start of the run).
    HotOnly = 3,
}

/// Tempering statistics. Every process holds the same copy: swap decisions are global.
#[derive(Clone, Debug)]
pub struct Statistics {
    /// Swap attempts of pair (k, k+1), k = 0 … K−2.
    pub attempts: Vec<u64>,
    /// Accepted swaps of pair (k, k+1).
    pub accepted: Vec<u64>,
    /// Completed round trips cold → hot → cold of each replica.
    pub round_trips: Vec<u64>,
    /// Replica at each temperature: `replica_at[k]`.
    pub replica_at: Vec<usize>,
    /// Temperature index of each replica: `temperature_of[r]`.
    pub temperature_of: Vec<usize>,
    /// Exchanges made.
    pub exchanges: u64,
    last_end: Vec<End>,
}

impl Statistics {
    /// Replica k at temperature k, nothing counted yet.
    pub fn new(replicas: usize) -> Statistics {
        let mut s = Statistics {
            attempts: vec![0; replicas.saturating_sub(1)],
            accepted: vec![0; replicas.saturating_sub(1)],
            round_trips: vec![0; replicas],
            replica_at: (0..replicas).collect(),
            temperature_of: (0..replicas).collect(),
            exchanges: 0,
            last_end: vec![End::None; replicas],
        };
        s.visit_ends();
        s
    }

    /// Acceptance ratio of pair (k, k+1); NaN before the first attempt.
    pub fn acceptance(&self, k: usize) -> f64 {
        self.accepted[k] as f64 / self.attempts[k] as f64
    }

    /// Total round trips of all replicas.
    pub fn total_round_trips(&self) -> u64 {
        self.round_trips.iter().sum()
    }

    /// Record a swap attempt of pair (k, k+1); on acceptance exchange the two replicas.
    pub(crate) fn attempt(&mut self, k: usize, accept: bool) {
        self.attempts[k] += 1;
        if accept {
            self.accepted[k] += 1;
            let (a, b) = (self.replica_at[k], self.replica_at[k + 1]);
            self.replica_at.swap(k, k + 1);
            self.temperature_of[a] = k + 1;
            self.temperature_of[b] = k;
        }
    }

    /// Close an exchange: count visits to the ends of the ladder.
    pub(crate) fn finish_exchange(&mut self) {
        self.exchanges += 1;
        self.visit_ends();
    }

    fn visit_ends(&mut self) {
        let k = self.replica_at.len();
        if k < 2 {
            return;
        }
        let cold = self.replica_at[0];
        if self.last_end[cold] == End::Hot {
            self.round_trips[cold] += 1;
        }
        self.last_end[cold] = End::Cold;
        let hot = self.replica_at[k - 1];
        self.last_end[hot] = match self.last_end[hot] {
            End::Cold | End::Hot => End::Hot,
            End::None | End::HotOnly => End::HotOnly,
        };
    }

    /// The state as integers (for checkpoints): attempts, accepted, round trips, replica_at,
    /// last ends, exchanges.
    pub fn to_words(&self) -> Vec<u64> {
        let mut w = Vec::new();
        w.extend(&self.attempts);
        w.extend(&self.accepted);
        w.extend(&self.round_trips);
        w.extend(self.replica_at.iter().map(|&r| r as u64));
        w.extend(self.last_end.iter().map(|e| *e as u64));
        w.push(self.exchanges);
        w
    }

    /// Inverse of [`Statistics::to_words`]; `None` if the words do not fit `replicas`.
    pub fn from_words(replicas: usize, w: &[u64]) -> Option<Statistics> {
        let p = replicas.saturating_sub(1);
        if w.len() != 2 * p + 3 * replicas + 1 {
            return None;
        }
        let mut s = Statistics::new(replicas);
        s.attempts = w[..p].to_vec();
        s.accepted = w[p..2 * p].to_vec();
        s.round_trips = w[2 * p..2 * p + replicas].to_vec();
        let at = &w[2 * p + replicas..2 * p + 2 * replicas];
        s.replica_at = at.iter().map(|&r| r as usize).collect();
        for (k, &r) in s.replica_at.iter().enumerate() {
            *s.temperature_of.get_mut(r)? = k;
        }
        s.last_end = w[2 * p + 2 * replicas..2 * p + 3 * replicas]
            .iter()
            .map(|&e| match e {
                1 => End::Cold,
                2 => End::Hot,
                3 => End::HotOnly,
                _ => End::None,
            })
            .collect();
        s.exchanges = w[w.len() - 1];
        Some(s)
    }
}
