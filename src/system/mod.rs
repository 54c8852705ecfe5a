//! Cluster state, geometry, structure builders and xyz files.
//!
//! Coordinates are kept as a structure of arrays ([`Coords`]): all x, then all y, then all z,
//! in one contiguous buffer. Force kernels read the three components as separate slices
//! (what a SIMD kernel wants); integrators and minimisers treat the buffer as one flat vector.

pub mod builders;
mod coords;
pub mod geometry;
mod structure;
pub mod xyz;

pub use coords::Coords;
pub use structure::Structure;

use std::path::PathBuf;

/// Errors from reading, writing or building structures.
#[derive(Debug, thiserror::Error)]
pub enum StructureError {
    /// The file could not be read or written.
    #[error("{path}: {cause}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        cause: std::io::Error,
    },
    /// A line of a structure file is not what the format expects.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was found and what was expected.
        message: String,
    },
    /// The file would overwrite an existing one.
    #[error("{path} already exists; not overwriting it (pass --force to replace it)")]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A builder was asked for something it cannot build.
    #[error("{0}")]
    Builder(String),
}

/// The elements pelt knows by name and atomic number (the metals of tabulated EAM files).
pub const ELEMENTS: [(&str, u32); 7] = [
    ("Al", 13),
    ("Ni", 28),
    ("Cu", 29),
    ("Pd", 46),
    ("Ag", 47),
    ("Pt", 78),
    ("Au", 79),
];

/// The atomic number of `symbol`, if pelt knows it.
pub fn atomic_number(symbol: &str) -> Option<u32> {
    ELEMENTS.iter().find(|(s, _)| *s == symbol).map(|&(_, z)| z)
}
