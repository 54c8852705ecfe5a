//! MPI: the rank ↔ replica map, the exchange of swap energies between ranks, and bringing
//! the whole job down when one rank fails.
//!
//! Replicas are dealt to ranks like cards ([`deal`]: replica r to rank r mod P), so that
//! every rank starts with cold and hot replicas alike: a quench of a hot, liquid replica
//! costs several times one of a cold one, and contiguous blocks left the rank with the
//! cold block waiting at every exchange (9 % of its time in the quickstart on 2 ranks; 1–5 %
//! now). Dealing back and forth (0, 1, 1, 0, …) measured no better: a replica's cost follows
//! its current temperature, which the swaps change, so no fixed map balances every segment.
//! An exchange moves one number per replica (the energy the swap decision needs) and one
//! stop flag per rank in a single `MPI_Allgatherv`; no configuration ever crosses ranks. Every rank then decides
//! every swap from the same swap stream, so all ranks keep the same replica ↔ temperature
//! map without further messages.

use crate::tempering::Exchange;
use mpi::datatype::PartitionMut;
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::*;

/// The replicas each of `ranks` ranks holds, for `replicas` replicas: replica r goes to
/// rank r mod `ranks`, so the first `replicas % ranks` ranks hold one more. `None` if there
/// are more ranks than replicas (a rank would hold nothing) or no ranks.
pub fn deal(replicas: usize, ranks: usize) -> Option<Vec<Vec<usize>>> {
    if ranks == 0 || ranks > replicas {
        return None;
    }
    Some(
        (0..ranks)
            .map(|q| (q..replicas).step_by(ranks).collect())
            .collect(),
    )
}

/// The [`Exchange`] between MPI ranks of a communicator.
pub struct MpiExchange<'a> {
    comm: &'a SimpleCommunicator,
    hands: Vec<Vec<usize>>,
    replicas: usize,
}

impl<'a> MpiExchange<'a> {
    /// The exchange for `replicas` replicas dealt to the ranks of `comm` by [`deal`];
    /// `None` if there are more ranks than replicas.
    pub fn new(comm: &'a SimpleCommunicator, replicas: usize) -> Option<MpiExchange<'a>> {
        let hands = deal(replicas, comm.size() as usize)?;
        Some(MpiExchange {
            comm,
            hands,
            replicas,
        })
    }

    /// The replicas this rank holds, in increasing order.
    pub fn local(&self) -> Vec<usize> {
        self.hands[self.comm.rank() as usize].clone()
    }

    /// Every rank's replicas.
    pub fn hands(&self) -> &[Vec<usize>] {
        &self.hands
    }
}

impl Exchange for MpiExchange<'_> {
    fn replicas(&self) -> usize {
        self.replicas
    }

    fn gather(&mut self, local: &[(usize, f64)], stop: bool) -> (Vec<f64>, bool) {
        let mine = &self.hands[self.comm.rank() as usize];
        // This rank's replicas in increasing order, then its stop flag.
        let mut send = vec![f64::NAN; mine.len() + 1];
        for &(r, v) in local {
            let k = mine
                .binary_search(&r)
                .unwrap_or_else(|_| panic!("replica {r} is not held by this rank"));
            send[k] = v;
        }
        send[mine.len()] = if stop { 1.0 } else { 0.0 };
        let counts: Vec<i32> = self.hands.iter().map(|h| h.len() as i32 + 1).collect();
        let displs = displacements(&counts);
        let mut recv = vec![0.0f64; self.replicas + self.hands.len()];
        {
            let mut part = PartitionMut::new(&mut recv[..], counts, &displs[..]);
            self.comm.all_gather_varcount_into(&send[..], &mut part);
        }
        let mut all = vec![f64::NAN; self.replicas];
        let mut any = false;
        for (h, &d) in self.hands.iter().zip(&displs) {
            let d = d as usize;
            for (k, &r) in h.iter().enumerate() {
                all[r] = recv[d + k];
            }
            any |= recv[d + h.len()] != 0.0;
        }
        (all, any)
    }

    fn sum(&mut self, values: &mut [f64]) {
        let p = self.comm.size() as usize;
        let mut parts = vec![0.0f64; values.len() * p];
        self.comm.all_gather_into(&values[..], &mut parts[..]);
        values.iter_mut().for_each(|v| *v = 0.0);
        if values.is_empty() {
            return;
        }
        // Added in rank order: the same bits on every rank.
        for part in parts.chunks_exact(values.len()) {
            for (v, x) in values.iter_mut().zip(part) {
                *v += x;
            }
        }
    }
}

/// Offsets of consecutive blocks of `counts` elements.
fn displacements(counts: &[i32]) -> Vec<i32> {
    counts
        .iter()
        .scan(0, |acc, &c| {
            let d = *acc;
            *acc += c;
            Some(d)
        })
        .collect()
}

/// Gather every rank's `bytes` at rank 0 (in rank order); `None` on the other ranks.
pub fn gather_bytes(comm: &SimpleCommunicator, bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let root = comm.process_at_rank(0);
    let len = bytes.len() as i32;
    if comm.rank() == 0 {
        let mut lens = vec![0i32; comm.size() as usize];
        root.gather_into_root(&len, &mut lens[..]);
        let displs = displacements(&lens);
        let total: i32 = lens.iter().sum();
        let mut buf = vec![0u8; total as usize];
        {
            let mut part = PartitionMut::new(&mut buf[..], &lens[..], &displs[..]);
            root.gather_varcount_into_root(bytes, &mut part);
        }
        Some(
            lens.iter()
                .zip(&displs)
                .map(|(&l, &d)| buf[d as usize..(d + l) as usize].to_vec())
                .collect(),
        )
    } else {
        root.gather_into(&len);
        root.gather_varcount_into(bytes);
        None
    }
}

/// Every rank's `text` (host names, messages), in rank order, on every rank.
pub fn all_strings(comm: &SimpleCommunicator, text: &str) -> Vec<String> {
    const WIDTH: usize = 256;
    let mut send = [0u8; WIDTH];
    let b = text.as_bytes();
    let n = b.len().min(WIDTH);
    send[..n].copy_from_slice(&b[..n]);
    let mut recv = vec![0u8; WIDTH * comm.size() as usize];
    comm.all_gather_into(&send[..], &mut recv[..]);
    recv.chunks_exact(WIDTH)
        .map(|c| {
            let end = c.iter().position(|&x| x == 0).unwrap_or(WIDTH);
            String::from_utf8_lossy(&c[..end]).into_owned()
        })
        .collect()
}

/// Whether all ranks pass `ok`; every rank learns the lowest failing rank (collective).
pub fn first_failure(comm: &SimpleCommunicator, ok: bool) -> Option<usize> {
    let mut all = vec![0u8; comm.size() as usize];
    comm.all_gather_into(&u8::from(ok), &mut all[..]);
    all.iter().position(|&x| x == 0)
}

/// Make a panic on this rank bring the whole job down: print the panic message with the
/// rank, then `MPI_Abort` (the other ranks are killed by the MPI runtime instead of waiting
/// forever in the next collective).
pub fn abort_on_panic(rank: i32, size: i32) {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default(info);
        if size > 1 {
            eprintln!("pelt: rank {rank} of {size} panicked; aborting the MPI job");
        }
        SimpleCommunicator::world().abort(70)
    }));
}

/// Print `message` as this rank's error and bring the whole job down (exit status `code`).
pub fn abort_with(rank: i32, size: i32, message: &str, code: i32) -> ! {
    if size > 1 {
        eprintln!("error (rank {rank} of {size}): {message}");
    } else {
        eprintln!("error: {message}");
    }
    SimpleCommunicator::world().abort(code)
}

static LOG_RANK: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(-1);

/// Name this process's rank in log lines (only when there is more than one rank).
pub fn set_log_rank(rank: i32, size: i32) {
    let v = if size > 1 { i64::from(rank) } else { -1 };
    LOG_RANK.store(v, std::sync::atomic::Ordering::Relaxed);
}

/// The log-line prefix: "rank R " under mpirun with several ranks, else empty.
pub fn log_prefix() -> String {
    match LOG_RANK.load(std::sync::atomic::Ordering::Relaxed) {
        r if r >= 0 => format!("rank {r} "),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::deal;

    #[test]
    fn replicas_are_dealt_round_robin_and_balanced() {
        assert_eq!(
            deal(8, 8).unwrap(),
            (0..8).map(|r| vec![r]).collect::<Vec<_>>()
        );
        assert_eq!(
            deal(8, 3).unwrap(),
            vec![vec![0, 3, 6], vec![1, 4, 7], vec![2, 5]]
        );
        assert_eq!(
            deal(8, 2).unwrap(),
            vec![vec![0, 2, 4, 6], vec![1, 3, 5, 7]]
        );
        assert_eq!(deal(5, 1).unwrap(), vec![(0..5).collect::<Vec<_>>()]);
        assert!(deal(4, 5).is_none());
        assert!(deal(4, 0).is_none());
    }
}
