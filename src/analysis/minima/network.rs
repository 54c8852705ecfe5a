//! Hops between minima: from consecutive quenches of one replica that stayed at one
//! temperature in between (with swaps, the index process tells; without, every pair of
//! consecutive quenches of a temperature qualifies).
//!
//! The quenches see the trajectory every `quench_interval` steps, so a hop A → B → A inside
//! one interval is missed and A → B → C reads as A → C: the network is that of the run's
//! quench interval. For each minimum, the observed time in it is the sum of the intervals
//! that start there; its mean waiting time is that time over the hops out of it, and the
//! rate of an edge A → B is its count over A's time.

use crate::analysis::Exchanges;

/// One quench of one temperature, filed.
#[derive(Clone, Copy, Debug)]
pub struct Visit {
    /// MD step.
    pub step: u64,
    /// The replica quenched.
    pub replica: i64,
    /// Its minimum (None: the quench did not converge).
    pub minimum: Option<usize>,
}

/// An observed transition.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Edge {
    /// From this minimum.
    pub from: usize,
    /// To this one.
    pub to: usize,
    /// How often.
    pub count: usize,
    /// count / (time observed in `from`) (ps⁻¹).
    pub rate: f64,
}

/// Time observed in one minimum at one temperature.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Residence {
    /// The minimum.
    pub minimum: usize,
    /// Time observed there (ps).
    pub time: f64,
    /// Hops out of it.
    pub exits: usize,
    /// time / exits (ps; infinite without exits).
    pub mean_wait: f64,
}

/// The hops of temperature `k` from its visits (in step order).
pub fn network(
    k: usize,
    visits: &[Visit],
    exchanges: &Exchanges,
    timestep_ps: f64,
) -> (Vec<Edge>, Vec<Residence>) {
    use std::collections::BTreeMap;
    let mut edges: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut stay: BTreeMap<usize, (f64, usize)> = BTreeMap::new();
    for w in visits.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (Some(ma), Some(mb)) = (a.minimum, b.minimum) else {
            continue;
        };
        if a.replica != b.replica {
            continue;
        }
        // Exchanges at steps in [a.step, b.step) come after quench a and before quench b.
        let lo = exchanges.step.partition_point(|&s| s < a.step);
        let hi = exchanges.step.partition_point(|&s| s < b.step);
        if exchanges.replica_at[lo..hi]
            .iter()
            .any(|row| row.get(k).copied() != Some(a.replica))
        {
            continue;
        }
        let dt = (b.step - a.step) as f64 * timestep_ps;
        let s = stay.entry(ma).or_insert((0.0, 0));
        s.0 += dt;
        if ma != mb {
            s.1 += 1;
            *edges.entry((ma, mb)).or_insert(0) += 1;
        }
    }
    let edges = edges
        .into_iter()
        .map(|((from, to), count)| Edge {
            from,
            to,
            count,
            rate: count as f64 / stay[&from].0,
        })
        .collect();
    let res = stay
        .into_iter()
        .map(|(minimum, (time, exits))| Residence {
            minimum,
            time,
            exits,
            mean_wait: if exits > 0 {
                time / exits as f64
            } else {
                f64::INFINITY
            },
        })
        .collect();
    (edges, res)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hops counted only while the replica stays: a swap in between breaks the chain.
    #[test]
    fn counts_hops_of_a_replica_that_stays() {
        let v = |step, replica, m| Visit {
            step,
            replica,
            minimum: Some(m),
        };
        let visits = [
            v(10, 0, 0),
            v(20, 0, 1),
            v(30, 0, 1),
            v(40, 1, 0),
            v(50, 1, 2),
        ];
        // Replica 0 at temperature 0 until the exchange at step 35 brings replica 1.
        let ex = Exchanges {
            step: vec![5, 15, 25, 35, 45],
            replica_at: vec![vec![0, 1], vec![0, 1], vec![0, 1], vec![1, 0], vec![1, 0]],
        };
        let (e, r) = network(0, &visits, &ex, 0.002);
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].from, e[0].to, e[0].count), (0, 1, 1));
        assert_eq!((e[1].from, e[1].to, e[1].count), (0, 2, 1));
        // Minimum 0: 10 steps from 10 and 10 from 40; minimum 1: 10 steps from 20.
        let r0 = r.iter().find(|x| x.minimum == 0).unwrap();
        assert!((r0.time - 0.04).abs() < 1e-12 && r0.exits == 2);
        let r1 = r.iter().find(|x| x.minimum == 1).unwrap();
        assert!((r1.time - 0.02).abs() < 1e-12 && r1.exits == 0);
        // Had replica 0 left at step 25 and come back, 20 → 30 would not count.
        let ex2 = Exchanges {
            step: vec![25, 27],
            replica_at: vec![vec![1, 0], vec![0, 1]],
        };
        let (_, r) = network(0, &visits[..3], &ex2, 0.002);
        assert!(r.iter().all(|x| x.minimum != 1));
    }
}
