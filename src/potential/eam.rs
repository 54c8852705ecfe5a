use super::packed::Packed;
use super::{scalar, Evaluation, Format, Kernel, Potential, Precision, Spline};
use crate::system::Coords;

/// The tables of a single-element EAM potential on LAMMPS's grids, before interpolation.
#[derive(Clone, Debug)]
pub struct EamTables {
    /// Element symbol.
    pub element: String,
    /// Atomic mass (amu).
    pub mass: f64,
    /// Embedding energy F(ρ) at ρ_k = k·drho (eV).
    pub embed: Vec<f64>,
    /// Density grid spacing.
    pub drho: f64,
    /// Density function ρ(r) at r_k = k·dr.
    pub density: Vec<f64>,
    /// r·φ(r) at r_k = k·dr (eV·Å).
    pub rphi: Vec<f64>,
    /// Distance grid spacing (Å).
    pub dr: f64,
    /// Cutoff (Å): a pair interacts when r² < cutoff².
    pub cutoff: f64,
}

/// A single-element tabulated EAM / glue potential, interpolated as LAMMPS does.
#[derive(Clone, Debug)]
pub struct Eam {
    name: String,
    format: Format,
    element: String,
    mass: f64,
    cutoff: f64,
    pub(super) cutsq: f64,
    pub(super) embed: Spline,
    pub(super) rho_max: f64,
    pub(super) density: Spline,
    pub(super) rphi: Spline,
    packed: Packed,
    kernel: Kernel,
    /// The kernel was chosen by the caller, not by default.
    kernel_chosen: bool,
    precision: Precision,
    skin: f64,
    cell_list_from: usize,
}

/// The neighbour-list skin of the SIMD kernels (Å): the list holds the chunks with a pair
/// closer than r_c + skin and is rebuilt when an atom has moved skin/2. Results do not
/// depend on it (see `scratch::ChunkList`); speed does (`cargo bench --bench energy --
/// skin`, BENCHMARKS.md).
pub const DEFAULT_SKIN: f64 = 0.5;

impl Eam {
    /// Build the splines from tables.
    ///
    /// # Panics
    /// If a table has fewer than 5 points or a spacing is not positive (see [`Spline::new`]);
    /// tables from [`load`](super::load) always satisfy both.
    pub fn new(name: String, format: Format, t: EamTables) -> Eam {
        let embed = Spline::new(&t.embed, t.drho);
        let density = Spline::new(&t.density, t.dr);
        let rphi = Spline::new(&t.rphi, t.dr);
        let rho_max = (t.embed.len() - 1) as f64 * t.drho;
        Eam {
            name,
            format,
            element: t.element,
            mass: t.mass,
            cutoff: t.cutoff,
            cutsq: t.cutoff * t.cutoff,
            rho_max,
            packed: Packed::new(&density, &rphi, &embed, rho_max),
            embed,
            density,
            rphi,
            kernel: Kernel::default_choice(),
            kernel_chosen: false,
            precision: Precision::Double,
            skin: DEFAULT_SKIN,
            cell_list_from: super::CELL_LIST_MIN_ATOMS,
        }
    }

    /// The precision of the pair terms (see [`Precision`]).
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// This potential with pair terms in `precision`. Unless a kernel was chosen with
    /// [`Eam::set_kernel`], the kernel becomes [`Kernel::default_choice_for`] the precision.
    /// The scalar kernel ignores the precision and computes in double;
    /// [`Eam::effective_precision`] says which applies.
    pub fn with_precision(mut self, precision: Precision) -> Eam {
        self.precision = precision;
        if !self.kernel_chosen {
            self.kernel = Kernel::default_choice_for(precision);
        }
        self
    }

    /// The precision evaluations actually use: [`Precision::Double`] with the scalar kernel.
    pub fn effective_precision(&self) -> Precision {
        match self.kernel {
            Kernel::Scalar => Precision::Double,
            _ => self.precision,
        }
    }

    /// The neighbour-list skin (Å).
    pub fn skin(&self) -> f64 {
        self.skin
    }

    /// This potential with its neighbour list built from a cell list from `atoms` atoms up
    /// (default [`CELL_LIST_MIN_ATOMS`](super::CELL_LIST_MIN_ATOMS), where the cell list
    /// becomes faster than the all-pairs sweep). Results do not depend on it.
    pub fn with_cell_list_from(mut self, atoms: usize) -> Eam {
        self.cell_list_from = atoms;
        self
    }

    /// This potential with neighbour-list skin `skin` (Å, ≥ 0; results are the same for
    /// any skin, only speed changes).
    pub fn with_skin(mut self, skin: f64) -> Eam {
        self.skin = skin.max(0.0);
        self
    }

    /// The kernel that evaluates energy and forces.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Evaluate with `kernel` from now on.
    ///
    /// # Errors
    /// The kernel back when this CPU cannot run it.
    pub fn set_kernel(&mut self, kernel: Kernel) -> Result<(), Kernel> {
        if kernel.is_supported() {
            self.kernel = kernel;
            self.kernel_chosen = true;
            Ok(())
        } else {
            Err(kernel)
        }
    }

    /// This potential, evaluated with `kernel`.
    ///
    /// # Panics
    /// If this CPU cannot run `kernel` (see [`Kernel::is_supported`]).
    pub fn with_kernel(mut self, kernel: Kernel) -> Eam {
        if let Err(k) = self.set_kernel(kernel) {
            panic!("this CPU cannot run the {k} kernel");
        }
        self
    }

    /// File name the potential was read from.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Element symbol.
    pub fn element(&self) -> &str {
        &self.element
    }

    /// Atomic mass (amu).
    pub fn mass(&self) -> f64 {
        self.mass
    }

    /// End of the embedding table, ρ_max = (Nrho − 1)·drho; F continues linearly beyond.
    pub fn rho_max(&self) -> f64 {
        self.rho_max
    }

    /// Embedding energy F(ρ) and F'(ρ), with LAMMPS's linear continuation past ρ_max.
    #[inline(always)]
    pub fn embedding(&self, rho: f64) -> (f64, f64) {
        let (k, p) = self.embed.locate(rho);
        let fp = self.embed.derivative_at(k, p);
        let mut f = self.embed.value_at(k, p);
        if rho > self.rho_max {
            f += fp * (rho - self.rho_max);
        }
        (f, fp)
    }

    /// Pair energy φ(r) (eV) and φ'(r), from the tabulated r·φ.
    pub fn pair(&self, r: f64) -> (f64, f64) {
        let (k, p) = self.rphi.locate(r);
        let z2 = self.rphi.value_at(k, p);
        let z2p = self.rphi.derivative_at(k, p);
        let phi = z2 / r;
        (phi, z2p / r - phi / r)
    }

    /// Density function ρ(r) and ρ'(r).
    pub fn density_function(&self, r: f64) -> (f64, f64) {
        self.density.eval(r)
    }
}

impl Potential for Eam {
    fn cutoff(&self) -> f64 {
        self.cutoff
    }

    fn compute(&self, positions: &Coords, out: &mut Evaluation) {
        out.resize(positions.len());
        match self.kernel {
            Kernel::Scalar => scalar::compute(self, positions, out),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 | Kernel::Avx512 => super::simd::compute(
                super::simd::Args {
                    t: &self.packed,
                    cutoff: self.cutoff,
                    skin: self.skin,
                    cell_list_from: self.cell_list_from,
                    pos: positions,
                },
                self.kernel,
                self.precision,
                out,
            ),
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => {
                unreachable!("set_kernel refuses kernels this CPU lacks")
            }
        }
    }
}
