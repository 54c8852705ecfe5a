//! Units and physical constants. Internally pelt uses eV, Å, fs, amu and K.

/// Boltzmann constant in eV/K (CODATA 2018).
pub const KB: f64 = 8.617333262e-5;

/// Acceleration of 1 eV/(Å·amu) expressed in Å/fs².
pub const ACCEL: f64 = 9.64853321e-3;

/// LAMMPS's constant for funcfl files: r·φ(r) = 27.2 · 0.529 · Z_i(r) Z_j(r)
/// (Hartree in eV times Bohr in Å, with the rounded values LAMMPS uses).
pub const FUNCFL_HARTREE_BOHR: f64 = 27.2 * 0.529;
