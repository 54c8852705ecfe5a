//! Versions of pelt and of the MPI and HDF5 libraries it is linked against.

/// pelt's own version (from Cargo.toml).
pub const PELT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The MPI library's own description, e.g. "Open MPI v4.1.4, ...", first line only.
/// `MPI_Get_library_version` may be called before `MPI_Init`.
pub fn mpi_library() -> String {
    let (major, minor) = mpi::environment::version();
    let lib = mpi::environment::library_version().unwrap_or_else(|_| "unknown".into());
    let first = lib
        .lines()
        .next()
        .unwrap_or("unknown")
        .trim()
        .trim_end_matches(',');
    format!("{first} (MPI standard {major}.{minor})")
}

/// The HDF5 library version, e.g. "1.10.8".
pub fn hdf5_library() -> String {
    let (a, b, c) = hdf5::library_version();
    format!("{a}.{b}.{c}")
}

/// The multi-line text that `pelt --version` prints.
pub fn long_version() -> String {
    format!(
        "{PELT_VERSION}\nMPI:  {}\nHDF5: {} (built with MPI-IO: parallel HDF5)",
        mpi_library(),
        hdf5_library()
    )
}
