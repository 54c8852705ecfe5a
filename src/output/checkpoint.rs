//! Checkpoints: everything needed to continue a run bit for bit, in one JSON file written
//! by rank 0 as a new file, flushed to disk and renamed over the previous checkpoint (a
//! crash leaves either the old or the new one, never half of one). Floating-point state is
//! stored as IEEE-754 bit patterns.

use crate::tempering::{ReplicaState, TemperingState};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Format tag of the checkpoint file.
pub const FORMAT: &str = "pelt-checkpoint-1";

/// The lowest inherent structure found so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lowest {
    /// Energy bits (eV).
    pub energy: u64,
    /// Step of the quench.
    pub step: u64,
    /// Replica quenched.
    pub replica: usize,
    /// Positions (the `Coords` buffer) as bits.
    pub positions: Vec<u64>,
}

impl Lowest {
    /// The energy (eV).
    pub fn energy(&self) -> f64 {
        f64::from_bits(self.energy)
    }

    /// Whether `self` ranks below `other`: lower energy, then earlier step, then lower
    /// replica (a total order, so every rank split picks the same one).
    pub fn below(&self, other: &Lowest) -> bool {
        (self.energy(), self.step, self.replica) < (other.energy(), other.step, other.replica)
    }
}

/// A checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// [`FORMAT`].
    pub format: String,
    /// pelt version that wrote it.
    pub pelt_version: String,
    /// The input file text of the run (a resumed run must use the same input).
    pub input: String,
    /// Total steps the run was set up for.
    pub steps: u64,
    /// The tempering loop (steps done, swap stream, statistics).
    pub tempering: TemperingState,
    /// Per-temperature accumulators of the summary, as bits.
    pub summary: Vec<u64>,
    /// Every replica, in replica order.
    pub replicas: Vec<ReplicaState>,
    /// The lowest inherent structure so far.
    pub lowest: Option<Lowest>,
}

/// Errors reading or writing checkpoints.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause (in the message, so not also a `source`).
        error: std::io::Error,
    },
    /// The file is not a pelt checkpoint of this format.
    #[error("{path}: not a readable pelt checkpoint ({reason})")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl Checkpoint {
    /// Write to `path` atomically: `path.tmp` is written and synced, then renamed over
    /// `path`, then the folder is synced.
    pub fn write(&self, path: &Path) -> Result<(), CheckpointError> {
        let io = |error| CheckpointError::Io {
            path: path.to_path_buf(),
            error,
        };
        let tmp = path.with_extension("tmp");
        let text = serde_json::to_vec(self).map_err(|e| io(std::io::Error::other(e)))?;
        {
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(&text).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, path).map_err(io)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }

    /// Read a checkpoint.
    pub fn read(path: &Path) -> Result<Checkpoint, CheckpointError> {
        let text = std::fs::read(path).map_err(|error| CheckpointError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        let c: Checkpoint = serde_json::from_slice(&text).map_err(|e| CheckpointError::Format {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        if c.format != FORMAT {
            return Err(CheckpointError::Format {
                path: path.to_path_buf(),
                reason: format!("format {:?}, expected {FORMAT:?}", c.format),
            });
        }
        Ok(c)
    }
}
