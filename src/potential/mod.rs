//! Tabulated glue / EAM potentials: φ = Σ_{i<j} V(r_ij) + Σ_i U(n_i), n_i = Σ_{j≠i} ρ(r_ij).
//!
//! Files in the three single-element LAMMPS formats are read (setfl `eam/alloy`, funcfl
//! `eam`, Finnis–Sinclair setfl `eam/fs`) and interpolated exactly as LAMMPS does, so
//! energies and forces agree with LAMMPS to rounding (see `tests/lammps_reference.rs`).

mod eam;
mod funcfl;
mod kernel;
mod lanes;
mod packed;
mod scalar;
#[cfg(target_arch = "x86_64")]
mod scratch;
mod setfl;
#[cfg(target_arch = "x86_64")]
mod simd;
mod spline;
mod tokens;

pub use eam::{Eam, EamTables, DEFAULT_SKIN};
pub use kernel::{Kernel, Precision, KERNEL_ENV};
pub use spline::Spline;

#[cfg(target_arch = "x86_64")]
pub use simd::CELL_LIST_MIN_ATOMS;
/// Atom count from which the SIMD kernels' neighbour list is built from a cell list.
#[cfg(not(target_arch = "x86_64"))]
pub const CELL_LIST_MIN_ATOMS: usize = 3000;

use crate::system::Coords;
use std::path::{Path, PathBuf};

/// Errors from reading a potential file.
#[derive(Debug, thiserror::Error)]
pub enum PotentialError {
    /// The file could not be read.
    #[error("cannot read potential file {path}: {cause}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        cause: std::io::Error,
    },
    /// A line of the file is not what the format expects.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was found and what was expected.
        message: String,
    },
    /// The file's format cannot be told from its name.
    #[error("{path}: cannot tell the format from the file name; expected a name ending in .eam.alloy or .setfl (setfl, LAMMPS eam/alloy), .eam.fs (Finnis-Sinclair, eam/fs) or .eam (funcfl, eam)")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
}

/// The LAMMPS tabulated formats pelt reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// DYNAMO setfl, LAMMPS `pair_style eam/alloy`.
    Setfl,
    /// DYNAMO funcfl, LAMMPS `pair_style eam`.
    Funcfl,
    /// Finnis–Sinclair setfl, LAMMPS `pair_style eam/fs`.
    FinnisSinclair,
}

impl Format {
    /// The format implied by a file name, if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".alloy") || name.ends_with(".setfl") {
            Some(Format::Setfl)
        } else if name.ends_with(".fs") {
            Some(Format::FinnisSinclair)
        } else if name.ends_with(".eam") || name.ends_with(".funcfl") {
            Some(Format::Funcfl)
        } else {
            None
        }
    }

    /// The LAMMPS pair style that reads this format.
    pub fn lammps_style(self) -> &'static str {
        match self {
            Format::Setfl => "eam/alloy",
            Format::Funcfl => "eam",
            Format::FinnisSinclair => "eam/fs",
        }
    }
}

#[cfg(target_arch = "x86_64")]
use scratch::Scratch;

/// Nothing to keep between evaluations where no SIMD kernel exists.
#[cfg(not(target_arch = "x86_64"))]
#[derive(Clone, Debug, Default)]
struct Scratch;

/// Energy, forces and per-atom densities of one configuration. Buffers are reused between
/// evaluations: create one per replica and pass it to [`Potential::compute`] every step;
/// after the first evaluation no kernel allocates.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    /// Total potential energy φ (eV).
    pub energy: f64,
    /// Forces −∂φ/∂r (eV/Å).
    pub forces: Coords,
    /// Host electron density n_i of every atom (the potential's density units).
    pub density: Vec<f64>,
    /// U'(n_i) of every atom (eV per density unit).
    pub embedding_derivative: Vec<f64>,
    /// Padded working buffers of the SIMD kernel.
    scratch: Scratch,
}

impl Evaluation {
    /// Buffers for `n` atoms.
    pub fn new(n: usize) -> Self {
        Evaluation {
            energy: 0.0,
            forces: Coords::zeros(n),
            density: vec![0.0; n],
            embedding_derivative: vec![0.0; n],
            scratch: Scratch::default(),
        }
    }

    /// Make the buffers fit `n` atoms (allocates only when `n` changes).
    pub fn resize(&mut self, n: usize) {
        if self.forces.len() != n {
            *self = Evaluation::new(n);
        }
    }

    /// How many times the neighbour list of a SIMD kernel was built for these buffers (0
    /// for the scalar kernel, which needs none).
    pub fn list_builds(&self) -> u64 {
        #[cfg(target_arch = "x86_64")]
        {
            self.scratch.list.builds
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            0
        }
    }

    /// Largest force component magnitude, max_i,α |F_iα| (eV/Å).
    pub fn max_force(&self) -> f64 {
        self.forces
            .as_flat()
            .iter()
            .fold(0.0, |m, f| m.max(f.abs()))
    }
}

/// An interatomic potential for isolated clusters (all pairs, no periodic images).
pub trait Potential: Send + Sync {
    /// Interaction cutoff (Å).
    fn cutoff(&self) -> f64;

    /// Energy, forces and densities of `positions` into `out`.
    fn compute(&self, positions: &Coords, out: &mut Evaluation);

    /// Energy only (allocates; not for hot loops).
    fn energy(&self, positions: &Coords) -> f64 {
        let mut e = Evaluation::new(positions.len());
        self.compute(positions, &mut e);
        e.energy
    }
}

/// Read a potential file, telling its format from its name.
///
/// ```
/// use pelt::potential::{load, Potential};
/// use pelt::system::builders::icosahedron;
/// let pot = load(std::path::Path::new("inputs/potentials/Al_EA.eam.alloy")).unwrap();
/// // The LAMMPS reference Ih55 (centre–vertex 2.76 Å): −153.30313870652554 eV.
/// let e = pot.energy(&icosahedron(2, 2.76).unwrap());
/// assert!((e + 153.30313870652554).abs() < 1e-9);
/// ```
pub fn load(path: &Path) -> Result<Eam, PotentialError> {
    let format = Format::from_path(path).ok_or_else(|| PotentialError::UnknownFormat {
        path: path.to_path_buf(),
    })?;
    load_as(path, format)
}

/// Read a potential file in the given format.
pub fn load_as(path: &Path, format: Format) -> Result<Eam, PotentialError> {
    let text = std::fs::read_to_string(path).map_err(|cause| PotentialError::Io {
        path: path.to_path_buf(),
        cause,
    })?;
    parse(&text, path, format)
}

/// Parse the text of a potential file; `path` names it in errors and in [`Eam::name`].
pub fn parse(text: &str, path: &Path, format: Format) -> Result<Eam, PotentialError> {
    let tables = match format {
        // Single-element eam/fs has one ρ block per element, like eam/alloy.
        Format::Setfl | Format::FinnisSinclair => setfl::parse(text, path)?,
        Format::Funcfl => funcfl::parse(text, path)?,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Eam::new(name, format, tables))
}
