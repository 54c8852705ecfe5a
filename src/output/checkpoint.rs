//! Checkpoints: everything needed to continue a run bit for bit, in one JSON file written
//! by rank 0 as a new file, flushed to disk and renamed over the previous checkpoint (a
//! crash leaves either the old or the new one, never half of one). Floating-point state is
//! stored as IEEE-754 bit patterns. The file carries the SHA-256 of its own contents
//! (`checksum`), so an edited or damaged checkpoint is refused, and the SHA-256 of the
//! input, potential and structure it was made from ([`Sources`]).

use crate::tempering::{ReplicaState, TemperingState};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Format tag of the checkpoint file.
pub const FORMAT: &str = "pelt-checkpoint-3";

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
    /// The input file text of the run (a resumed run must run the same physics).
    pub input: String,
    /// What the run was made from.
    pub sources: Sources,
    /// The energy/force kernel (`PELT_KERNEL`) the run uses.
    pub kernel: String,
    /// The precision of the MD pair terms (`double` or `mixed`; `double` with the scalar
    /// kernel).
    pub precision: String,
    /// Total steps the run was set up for (the run file is sized for them).
    pub steps: u64,
    /// The step after which the summary averages.
    pub equilibration: u64,
    /// The tempering loop (steps done, swap stream, statistics).
    pub tempering: TemperingState,
    /// Per-temperature accumulators of the summary, as bits.
    pub summary: Vec<u64>,
    /// Every replica, in replica order.
    pub replicas: Vec<ReplicaState>,
    /// The lowest inherent structure so far.
    pub lowest: Option<Lowest>,
    /// SHA-256 of the checkpoint's JSON with this field empty.
    pub checksum: String,
}

/// The files a run is made from, by SHA-256.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sources {
    /// SHA-256 of the input's meaning: its TOML data, written canonically (comments,
    /// whitespace and key order do not change it).
    pub input: String,
    /// The potential file's path as the input names it.
    pub potential_file: String,
    /// SHA-256 of the potential file.
    pub potential: String,
    /// The start structure's path as the input names it.
    pub structure_file: String,
    /// SHA-256 of the start structure file.
    pub structure: String,
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
        let mut sealed = self.clone();
        sealed.checksum = sealed.digest();
        let text = serde_json::to_vec(&sealed).map_err(|e| io(std::io::Error::other(e)))?;
        {
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(&text).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        crate::fault::point("checkpoint-tmp-written").map_err(|f| io(std::io::Error::other(f)))?;
        std::fs::rename(&tmp, path).map_err(io)?;
        super::writer::sync_parent(path);
        crate::fault::point("checkpoint-renamed").map_err(|f| io(std::io::Error::other(f)))?;
        Ok(())
    }

    /// SHA-256 of the checkpoint's JSON with `checksum` empty.
    fn digest(&self) -> String {
        let mut c = self.clone();
        c.checksum.clear();
        super::sha256_hex(&serde_json::to_vec(&c).expect("a checkpoint serialises"))
    }

    /// Read a checkpoint.
    pub fn read(path: &Path) -> Result<Checkpoint, CheckpointError> {
        let text = std::fs::read(path).map_err(|error| CheckpointError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        let format = |reason: String| CheckpointError::Format {
            path: path.to_path_buf(),
            reason,
        };
        // The format tag first, so that an older checkpoint is named as such.
        let tag: serde_json::Value =
            serde_json::from_slice(&text).map_err(|e| format(e.to_string()))?;
        match tag.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(format(format!(
                    "format {other:?}, expected {FORMAT:?}: it was written by another pelt \
                     version (continue it with that version)"
                )))
            }
            None => return Err(format("no format tag".into())),
        }
        let c: Checkpoint = serde_json::from_value(tag).map_err(|e| format(e.to_string()))?;
        let digest = c.digest();
        if c.checksum != digest {
            return Err(format(format!(
                "its checksum does not match its contents (stored {}, computed {digest}): the \
                 file was edited or damaged after pelt wrote it, so it cannot be trusted",
                if c.checksum.is_empty() {
                    "none"
                } else {
                    &c.checksum
                }
            )));
        }
        Ok(c)
    }
}
