//! The landscape transform φ* = φ + ε(φ − φ0)^m for φ ≤ φ0 (φ* = φ above φ0), its force
//! factor s(φ) = dφ*/dφ, the extra stationary energy φ_s where s = 0, and the guard that
//! tells whether s ≤ 0 can be reached.
//!
//! Because φ* depends on the configuration only through φ, every stationary point of φ
//! stays stationary (∇φ* = s∇φ), and forces scale by one global factor: F* = s·F. With
//! ε > 0 (m even) the factor falls below zero for φ < φ_s = φ0 − (1/(εm))^{1/(m−1)}: there
//! forces point uphill and minima of φ become maxima of φ*. With ε < 0, s ≥ 1 everywhere.

mod transform;

pub use transform::{Inversion, Transform};

/// Errors from invalid transform parameters.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LandscapeError {
    /// m is odd or below 2.
    #[error("m = {0}: the exponent must be even and at least 2 (2, 4, 6, …)")]
    Exponent(u32),
    /// A parameter is NaN or infinite.
    #[error("{name} = {value}: expected a finite number")]
    NotFinite {
        /// Parameter name.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// The atom count for a per-atom φ0 is zero.
    #[error("natoms = 0: a per-atom φ0 needs at least one atom")]
    NoAtoms,
}
