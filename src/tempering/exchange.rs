//! How the replica loop talks to the replicas held elsewhere. The loop needs two
//! collective operations: gather one number from every replica, and sum arrays over
//! processes. One process holding every replica ([`Local`]) needs no communication; threads
//! sharing memory ([`Threads`]) and MPI ranks (the `parallel` module) are transports.

use std::sync::{Arc, Barrier, Mutex};

/// The collective operations of the replica loop. Every process calls them in the same
/// order.
pub trait Exchange {
    /// Total number of replicas over all processes.
    fn replicas(&self) -> usize;

    /// Given `(replica, value)` for this process's replicas and whether this process asks
    /// to stop, return every replica's value (indexed by replica) and whether any process
    /// asked to stop.
    fn gather(&mut self, local: &[(usize, f64)], stop: bool) -> (Vec<f64>, bool);

    /// Element-wise sum of `values` over all processes, in place, added in process order
    /// (the same result on every process). Arrays whose every element is non-zero on at most
    /// one process sum exactly, whatever the split.
    fn sum(&mut self, values: &mut [f64]);
}

/// One process holds every replica.
#[derive(Clone, Copy, Debug)]
pub struct Local {
    replicas: usize,
}

impl Local {
    /// For `replicas` replicas, all held here.
    pub fn new(replicas: usize) -> Local {
        Local { replicas }
    }
}

impl Exchange for Local {
    fn replicas(&self) -> usize {
        self.replicas
    }

    fn gather(&mut self, local: &[(usize, f64)], stop: bool) -> (Vec<f64>, bool) {
        let mut all = vec![f64::NAN; self.replicas];
        for &(r, v) in local {
            all[r] = v;
        }
        (all, stop)
    }

    fn sum(&mut self, _values: &mut [f64]) {}
}

struct Shared {
    barrier: Barrier,
    values: Mutex<Vec<f64>>,
    stops: Mutex<Vec<bool>>,
    parts: Mutex<Vec<Vec<f64>>>,
}

/// Replicas spread over threads of one process, one `Threads` per thread.
pub struct Threads {
    shared: Arc<Shared>,
    rank: usize,
    replicas: usize,
}

impl Threads {
    /// `threads` connected endpoints for `replicas` replicas; give one to each thread.
    pub fn group(threads: usize, replicas: usize) -> Vec<Threads> {
        let shared = Arc::new(Shared {
            barrier: Barrier::new(threads),
            values: Mutex::new(vec![f64::NAN; replicas]),
            stops: Mutex::new(vec![false; threads]),
            parts: Mutex::new(vec![Vec::new(); threads]),
        });
        (0..threads)
            .map(|rank| Threads {
                shared: Arc::clone(&shared),
                rank,
                replicas,
            })
            .collect()
    }
}

impl Exchange for Threads {
    fn replicas(&self) -> usize {
        self.replicas
    }

    fn gather(&mut self, local: &[(usize, f64)], stop: bool) -> (Vec<f64>, bool) {
        {
            let mut v = self.shared.values.lock().expect("exchange lock");
            for &(r, x) in local {
                v[r] = x;
            }
            self.shared.stops.lock().expect("exchange lock")[self.rank] = stop;
        }
        self.shared.barrier.wait();
        let all = self.shared.values.lock().expect("exchange lock").clone();
        let any = self
            .shared
            .stops
            .lock()
            .expect("exchange lock")
            .iter()
            .any(|&s| s);
        self.shared.barrier.wait();
        (all, any)
    }

    fn sum(&mut self, values: &mut [f64]) {
        self.shared.parts.lock().expect("exchange lock")[self.rank] = values.to_vec();
        self.shared.barrier.wait();
        {
            // Every thread adds the parts in rank order: identical sums everywhere.
            let parts = self.shared.parts.lock().expect("exchange lock");
            values.iter_mut().for_each(|v| *v = 0.0);
            for part in parts.iter() {
                for (v, p) in values.iter_mut().zip(part) {
                    *v += p;
                }
            }
        }
        self.shared.barrier.wait();
    }
}
