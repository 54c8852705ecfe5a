//! Which implementation evaluates energy and forces, chosen at run time.

use std::fmt;

/// An energy + force kernel. Every kernel gives the same numbers to rounding; they differ in
/// speed and in the CPUs that run them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// Portable two-pass loop, operation for operation as LAMMPS's `PairEAM::compute`.
    Scalar,
    /// AVX2 and FMA: four pairs per instruction in double precision, eight in mixed
    /// (x86-64 only).
    Avx2,
    /// AVX-512F: eight pairs per instruction in double precision, sixteen in mixed (x86-64
    /// only).
    Avx512,
}

/// The environment variable that overrides the kernel choice (`scalar`, `avx2`, `avx512` or
/// `auto`).
pub const KERNEL_ENV: &str = "PELT_KERNEL";

impl Kernel {
    /// Every kernel, fastest last.
    pub const ALL: [Kernel; 3] = [Kernel::Scalar, Kernel::Avx2, Kernel::Avx512];

    /// The name used in `PELT_KERNEL`, logs and run files.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Scalar => "scalar",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512",
        }
    }

    /// The kernel called `name`, if any.
    pub fn from_name(name: &str) -> Option<Kernel> {
        Kernel::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether this CPU can run the kernel.
    pub fn is_supported(self) -> bool {
        match self {
            Kernel::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => super::lanes::avx2::supported(),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => super::lanes::avx512::supported(),
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => false,
        }
    }

    /// The kernels this CPU can run.
    pub fn available() -> Vec<Kernel> {
        Kernel::ALL
            .into_iter()
            .filter(|k| k.is_supported())
            .collect()
    }

    /// The fastest kernel this CPU runs.
    pub fn fastest() -> Kernel {
        *Kernel::available().last().unwrap_or(&Kernel::Scalar)
    }

    /// The fastest kernel this CPU runs at `precision`. In mixed precision that is AVX2
    /// where present: the density and force stages run in the chunks' lanes, and
    /// sixteen-lane AVX-512 chunks of a 55-atom cluster hold a third of their lanes inside
    /// r_c (eight-lane ones a half); AVX-512 measured 7 % (MD step) to 11 % (kernel) slower
    /// on the AMD EPYC of BENCHMARKS.md. In double precision, the widest.
    pub fn fastest_for(precision: Precision) -> Kernel {
        match precision {
            Precision::Mixed if Kernel::Avx2.is_supported() => Kernel::Avx2,
            _ => Kernel::fastest(),
        }
    }

    /// The kernel a potential at `precision` uses: `PELT_KERNEL` when it names one this
    /// CPU runs, [`Kernel::fastest_for`] otherwise.
    pub fn default_choice_for(precision: Precision) -> Kernel {
        Kernel::requested()
            .ok()
            .flatten()
            .unwrap_or_else(|| Kernel::fastest_for(precision))
    }

    /// The kernel `PELT_KERNEL` asks for (`Ok(None)` when it is unset or `auto`), or why the
    /// request cannot be met.
    pub fn requested() -> Result<Option<Kernel>, String> {
        let Ok(value) = std::env::var(KERNEL_ENV) else {
            return Ok(None);
        };
        let value = value.trim();
        if value.is_empty() || value == "auto" {
            return Ok(None);
        }
        let names: Vec<&str> = Kernel::ALL.iter().map(|k| k.name()).collect();
        match Kernel::from_name(value) {
            None => Err(format!(
                "{KERNEL_ENV}={value:?}: expected auto or one of {}",
                names.join(", ")
            )),
            Some(k) if !k.is_supported() => Err(format!(
                "{KERNEL_ENV}={value}: this CPU cannot run the {value} kernel; available: {}",
                Kernel::available()
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Some(k) => Ok(Some(k)),
        }
    }

    /// The kernel a new potential uses: `PELT_KERNEL` when it names one this CPU runs, the
    /// fastest otherwise. (The command line reports an unusable `PELT_KERNEL` as an error
    /// before any potential is built.)
    pub fn default_choice() -> Kernel {
        Kernel::requested()
            .ok()
            .flatten()
            .unwrap_or_else(Kernel::fastest)
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The precision of the pair terms.
///
/// `Double` computes everything in f64 and matches LAMMPS to ~1e-12 eV. `Mixed` computes
/// the pair terms (r, the table lookup, ρ(r), φ(r) and their derivatives, the force
/// products) in f32 and accumulates densities, forces and energies in f64, with the
/// embedding function in f64; it matches LAMMPS to ~1e-6 eV (`tests/lammps_reference.rs`)
/// and is twice as wide per instruction. The scalar kernel always computes in double.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// f64 throughout.
    #[default]
    Double,
    /// f32 pair terms, f64 sums and embedding.
    Mixed,
}

impl Precision {
    /// Both precisions.
    pub const ALL: [Precision; 2] = [Precision::Double, Precision::Mixed];

    /// The name used in input files, the command line, logs and run files.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Double => "double",
            Precision::Mixed => "mixed",
        }
    }

    /// The precision called `name`, if any.
    pub fn from_name(name: &str) -> Option<Precision> {
        Precision::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
