//! Analysis of a run: the observables of the paper per temperature, heat capacity from
//! fluctuations and by MBAR, reweighting to any temperature and transform, the
//! characteristic temperatures, diffusion, hops between minima, and plots.
//!
//! Everything here works on [`RunData`], plain vectors read from the run file by
//! [`crate::output::reader`]; nothing here knows HDF5 or MPI.

pub mod characteristic;
pub mod diffusion;
pub mod eigen;
pub mod hops;
pub mod hull;
pub mod ladder;
pub mod mbar;
pub mod minima;
pub mod observables;
pub mod plot;
pub mod stats;

use crate::landscape::Transform;

/// `f(item)` for every item on every core (scoped threads, each taking every
/// `threads`-th item); the results, in order, do not depend on the number of threads.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let mut out: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let f = &f;
                scope.spawn(move || {
                    (t..items.len())
                        .step_by(threads)
                        .map(|i| (i, f(&items[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for (i, r) in h.join().expect("an analysis thread panicked") {
                out[i] = Some(r);
            }
        }
    });
    out.into_iter()
        .map(|r| r.expect("every item mapped"))
        .collect()
}

/// Errors of the analysis.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The data cannot answer the question (too few samples, no overlap, …).
    #[error("{0}")]
    Data(String),
    /// A figure could not be drawn or written.
    #[error("plot {path}: {message}")]
    Plot {
        /// The figure's file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// One run file, read into memory.
#[derive(Clone, Debug)]
pub struct RunData {
    /// Where it came from (for messages).
    pub source: String,
    /// Atoms N.
    pub atoms: usize,
    /// k_B the run used (eV/K).
    pub kb: f64,
    /// The run's landscape transform φ* = φ + ε(φ − φ0)^m (φ0 total, eV).
    pub transform: Transform,
    /// MD time step (ps).
    pub timestep_ps: f64,
    /// Steps left out of averages.
    pub equilibration: u64,
    /// Whether the run attempted swaps (false: `swap_interval = 0`).
    pub swaps: bool,
    /// SHA-256 of the potential file (runs combined by reweighting must share it).
    pub potential_sha256: String,
    /// The potential file as the run named it (`/parameters` attribute `potential_file`).
    pub potential_file: String,
    /// Per temperature, coldest first.
    pub temperatures: Vec<TemperatureData>,
    /// The index process: steps of the exchanges and the replica at each temperature after
    /// each exchange (row-major, K per row).
    pub exchanges: Exchanges,
    /// Swap attempts, acceptances and round trips over the whole run (`/tempering`).
    pub swap_statistics: SwapStatistics,
}

/// The run's swap counts as `/tempering` holds them (whole run, equilibration included).
#[derive(Clone, Debug, Default)]
pub struct SwapStatistics {
    /// Attempts of the pair (k, k + 1).
    pub attempted: Vec<i64>,
    /// Acceptances of the pair (k, k + 1).
    pub accepted: Vec<i64>,
    /// Round trips (coldest → hottest → coldest) per replica.
    pub round_trips: Vec<i64>,
    /// Exchanges done.
    pub exchanges: i64,
    /// Rounds of an adaptive ladder (0: a fixed ladder); the counts above are then those
    /// after the last round, on the final ladder.
    pub adapted_rounds: usize,
}

/// The replica ↔ temperature index process.
#[derive(Clone, Debug, Default)]
pub struct Exchanges {
    /// Step of each exchange.
    pub step: Vec<u64>,
    /// Replica at each temperature after each exchange: `replica_at[e][k]`.
    pub replica_at: Vec<Vec<i64>>,
}

/// Everything recorded at one temperature of the ladder.
#[derive(Clone, Debug, Default)]
pub struct TemperatureData {
    /// Temperature (K).
    pub temperature: f64,
    /// Energy samples (every `energy_interval` steps).
    pub samples: Samples,
    /// Position frames (every `positions_interval` steps).
    pub frames: Frames,
    /// Inherent-structure quenches.
    pub quenches: Quenches,
}

/// Energy samples at one temperature.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    /// MD step of each sample.
    pub step: Vec<u64>,
    /// φ (eV).
    pub phi: Vec<f64>,
    /// φ* (eV).
    pub phi_star: Vec<f64>,
    /// Containment-wall energy (eV).
    pub wall: Vec<f64>,
    /// Kinetic energy (eV).
    pub kinetic: Vec<f64>,
    /// H* = φ* + wall + K (eV).
    pub total: Vec<f64>,
    /// s(φ), the force scale.
    pub force_scale: Vec<f64>,
    /// Replica at this temperature.
    pub replica: Vec<i64>,
    /// Principal radii of gyration, ascending (Å).
    pub radii: Vec<[f64; 3]>,
}

/// Position frames at one temperature.
#[derive(Clone, Debug, Default)]
pub struct Frames {
    /// MD step of each frame.
    pub step: Vec<u64>,
    /// Positions (Å), one `Vec` of N points per frame.
    pub positions: Vec<Vec<[f64; 3]>>,
}

/// Inherent structures of one temperature.
#[derive(Clone, Debug, Default)]
pub struct Quenches {
    /// MD step of each quench.
    pub step: Vec<u64>,
    /// E_IS (eV).
    pub energy: Vec<f64>,
    /// The replica quenched.
    pub replica: Vec<i64>,
    /// Whether the quench converged (max |F| ≤ fmax).
    pub converged: Vec<bool>,
    /// The minima's positions (Å), one `Vec` of N points per quench; empty unless read
    /// with [`crate::output::reader::Parts::quench_positions`].
    pub positions: Vec<Vec<[f64; 3]>>,
}

impl Samples {
    /// Keep only the samples with `keep(step)`.
    fn retain(&mut self, keep: impl Fn(u64) -> bool) {
        let idx: Vec<usize> = (0..self.step.len())
            .filter(|&i| keep(self.step[i]))
            .collect();
        fn pick<T: Copy>(v: &mut Vec<T>, idx: &[usize]) {
            if v.is_empty() {
                return;
            }
            *v = idx.iter().map(|&i| v[i]).collect();
        }
        pick(&mut self.step, &idx);
        pick(&mut self.phi, &idx);
        pick(&mut self.phi_star, &idx);
        pick(&mut self.wall, &idx);
        pick(&mut self.kinetic, &idx);
        pick(&mut self.total, &idx);
        pick(&mut self.force_scale, &idx);
        pick(&mut self.replica, &idx);
        pick(&mut self.radii, &idx);
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.step.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.step.is_empty()
    }
}

impl RunData {
    /// Drop every record of the equilibration (steps ≤ `equilibration`).
    pub fn drop_equilibration(&mut self) {
        let eq = self.equilibration;
        for t in &mut self.temperatures {
            t.samples.retain(|s| s > eq);
            let keep: Vec<bool> = t.frames.step.iter().map(|&s| s > eq).collect();
            let mut i = 0;
            t.frames.positions.retain(|_| {
                i += 1;
                keep[i - 1]
            });
            t.frames.step.retain(|&s| s > eq);
            let keep: Vec<bool> = t.quenches.step.iter().map(|&s| s > eq).collect();
            fn retain<T>(v: &mut Vec<T>, keep: &[bool]) {
                if v.len() != keep.len() {
                    return;
                }
                let mut i = 0;
                v.retain(|_| {
                    i += 1;
                    keep[i - 1]
                });
            }
            retain(&mut t.quenches.energy, &keep);
            retain(&mut t.quenches.replica, &keep);
            retain(&mut t.quenches.converged, &keep);
            retain(&mut t.quenches.positions, &keep);
            t.quenches.step.retain(|&s| s > eq);
        }
    }

    /// Degrees of freedom 3N − 6 of an isolated cluster (zero momentum and angular
    /// momentum), as in the run's kinetic temperature.
    pub fn dof(&self) -> usize {
        (3 * self.atoms).saturating_sub(6).max(1)
    }

    /// The ladder (K).
    pub fn ladder(&self) -> Vec<f64> {
        self.temperatures.iter().map(|t| t.temperature).collect()
    }
}
