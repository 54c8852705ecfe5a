//! MPI: the rank ↔ replica map, the exchange of swap energies between ranks, and bringing
//! the whole job down when one rank fails.
//!
//! Replicas are spread over ranks in contiguous blocks ([`blocks`]). An exchange moves one
//! number per replica (the energy the swap decision needs) and one stop flag per rank in a
//! single `MPI_Allgatherv`; no configuration ever crosses ranks. Every rank then decides
//! every swap from the same swap stream, so all ranks keep the same replica ↔ temperature
//! map without further messages.

use crate::tempering::Exchange;
use mpi::datatype::PartitionMut;
use mpi::topology::{Communicator, SimpleCommunicator};
use mpi::traits::*;
use std::ops::Range;

/// The contiguous block of replicas each of `ranks` ranks holds, for `replicas` replicas:
/// the first `replicas % ranks` ranks hold one more. `None` if there are more ranks than
/// replicas (a rank would hold nothing) or no ranks.
pub fn blocks(replicas: usize, ranks: usize) -> Option<Vec<Range<usize>>> {
    if ranks == 0 || ranks > replicas {
        return None;
    }
    let (base, extra) = (replicas / ranks, replicas % ranks);
    let mut start = 0;
    Some(
        (0..ranks)
            .map(|q| {
                let len = base + usize::from(q < extra);
                let r = start..start + len;
                start += len;
                r
            })
            .collect(),
    )
}

/// The [`Exchange`] between MPI ranks of a communicator.
pub struct MpiExchange<'a> {
    comm: &'a SimpleCommunicator,
    blocks: Vec<Range<usize>>,
    replicas: usize,
}

impl<'a> MpiExchange<'a> {
    /// The exchange for `replicas` replicas spread over the ranks of `comm` by [`blocks`];
    /// `None` if there are more ranks than replicas.
    pub fn new(comm: &'a SimpleCommunicator, replicas: usize) -> Option<MpiExchange<'a>> {
        let blocks = blocks(replicas, comm.size() as usize)?;
        Some(MpiExchange {
            comm,
            blocks,
            replicas,
        })
    }

    /// The replicas this rank holds.
    pub fn local(&self) -> Range<usize> {
        self.blocks[self.comm.rank() as usize].clone()
    }

    /// Every rank's block.
    pub fn blocks(&self) -> &[Range<usize>] {
        &self.blocks
    }
}

impl Exchange for MpiExchange<'_> {
    fn replicas(&self) -> usize {
        self.replicas
    }

    fn gather(&mut self, local: &[(usize, f64)], stop: bool) -> (Vec<f64>, bool) {
        let mine = self.local();
        // This rank's block in replica order, then its stop flag.
        let mut send = vec![f64::NAN; mine.len() + 1];
        for &(r, v) in local {
            assert!(mine.contains(&r), "replica {r} is not held by this rank");
            send[r - mine.start] = v;
        }
        send[mine.len()] = if stop { 1.0 } else { 0.0 };
        let counts: Vec<i32> = self.blocks.iter().map(|b| b.len() as i32 + 1).collect();
        let displs = displacements(&counts);
        let mut recv = vec![0.0f64; self.replicas + self.blocks.len()];
        {
            let mut part = PartitionMut::new(&mut recv[..], counts, &displs[..]);
            self.comm.all_gather_varcount_into(&send[..], &mut part);
        }
        let mut all = Vec::with_capacity(self.replicas);
        let mut any = false;
        for (b, &d) in self.blocks.iter().zip(&displs) {
            let d = d as usize;
            all.extend_from_slice(&recv[d..d + b.len()]);
            any |= recv[d + b.len()] != 0.0;
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
    use super::blocks;

    #[test]
    fn blocks_are_contiguous_and_balanced() {
        assert_eq!(
            blocks(8, 8).unwrap(),
            (0..8).map(|r| r..r + 1).collect::<Vec<_>>()
        );
        assert_eq!(blocks(8, 3).unwrap(), vec![0..3, 3..6, 6..8]);
        assert_eq!(blocks(5, 1).unwrap(), vec![0..5]);
        assert!(blocks(4, 5).is_none());
        assert!(blocks(4, 0).is_none());
    }
}
