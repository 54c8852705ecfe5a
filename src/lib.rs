//! pelt — parallel-tempering molecular dynamics of metal nanoclusters on a reshaped
//! potential energy landscape (PEL).
//!
//! The physics core (`potential`, `landscape`, `system`) knows nothing of MPI, HDF5, TOML
//! or the command line. See `DESIGN.md` in the shared folder for the physics and the shape of
//! the code; `README.md` for how to run it.
#![warn(missing_docs)]

pub mod analysis;
pub mod config;
pub mod dynamics;
pub mod fault;
pub mod landscape;
pub mod minimize;
pub mod output;
pub mod parallel;
pub mod potential;
pub mod rng;
pub mod run;
pub mod system;
pub mod tempering;
pub mod units;
pub mod version;
