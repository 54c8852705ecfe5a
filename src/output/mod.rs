//! Output: the HDF5 run file (H5MD 1.1 layout, written collectively through MPI-IO),
//! checkpoints for exact restarts, and file provenance (SHA-256).

pub mod checkpoint;
pub mod export;
pub mod h5;
pub mod reader;
mod sha256;
pub mod writer;

pub use checkpoint::{Checkpoint, CheckpointError, Lowest, Sources};
pub use sha256::sha256_hex;
pub use writer::{group_name, Layout, Parameters, Writer};
