use super::LandscapeError;

/// The φ* transform with parameters (ε, φ0, m). φ0 is a total energy (eV); use
/// [`Transform::per_atom`] for φ0 given per atom.
///
/// The paper's Al55 at ε = 2e-4 (m = 4, φ0 = −2.58 eV/atom): forces reverse below
/// φ_s ≈ −152.67 eV, above the relaxed icosahedron (−154.6127 eV), where s < 0.
/// ```
/// use pelt::landscape::Transform;
/// let t = Transform::per_atom(2e-4, -2.58, 4, 55).unwrap();
/// let phi_s = t.stationary_energy().unwrap();
/// assert!((phi_s + 152.672).abs() < 1e-3);
/// assert!(t.factor(-154.6127) < 0.0);
/// assert_eq!(t.factor(phi_s + 1e-9).signum(), 1.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Transform {
    eps: f64,
    phi0: f64,
    m: u32,
}

/// Where the force factor s is ≤ 0 inside an energy window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Inversion {
    /// φ_s (eV): s ≤ 0 for every φ ≤ φ_s.
    pub stationary_energy: f64,
    /// Lower end of the window's part with s ≤ 0 (eV).
    pub from: f64,
    /// Upper end of that part (eV): min(φ_s, window top).
    pub to: f64,
}

impl Transform {
    /// φ* with total φ0 (eV). Errors for m odd or < 2, and for non-finite ε or φ0.
    pub fn new(eps: f64, phi0: f64, m: u32) -> Result<Self, LandscapeError> {
        if m < 2 || !m.is_multiple_of(2) {
            return Err(LandscapeError::Exponent(m));
        }
        for (name, value) in [("eps", eps), ("phi0", phi0)] {
            if !value.is_finite() {
                return Err(LandscapeError::NotFinite { name, value });
            }
        }
        Ok(Transform { eps, phi0, m })
    }

    /// φ* with φ0 given per atom (eV/atom) for a cluster of `natoms`.
    pub fn per_atom(
        eps: f64,
        phi0_per_atom: f64,
        m: u32,
        natoms: usize,
    ) -> Result<Self, LandscapeError> {
        if natoms == 0 {
            return Err(LandscapeError::NoAtoms);
        }
        Transform::new(eps, phi0_per_atom * natoms as f64, m)
    }

    /// The identity (ε = 0).
    pub fn identity() -> Self {
        Transform {
            eps: 0.0,
            phi0: 0.0,
            m: 2,
        }
    }

    /// ε.
    pub fn eps(&self) -> f64 {
        self.eps
    }

    /// φ0, total (eV).
    pub fn phi0(&self) -> f64 {
        self.phi0
    }

    /// m.
    pub fn m(&self) -> u32 {
        self.m
    }

    /// True when ε = 0 (φ* = φ everywhere).
    pub fn is_identity(&self) -> bool {
        self.eps == 0.0
    }

    /// φ*(φ).
    #[inline]
    pub fn energy(&self, phi: f64) -> f64 {
        if phi <= self.phi0 {
            phi + self.eps * (phi - self.phi0).powi(self.m as i32)
        } else {
            phi
        }
    }

    /// s(φ) = dφ*/dφ = 1 + εm(φ − φ0)^{m−1} for φ ≤ φ0, else 1.
    #[inline]
    pub fn factor(&self, phi: f64) -> f64 {
        if phi <= self.phi0 {
            1.0 + self.eps * self.m as f64 * (phi - self.phi0).powi(self.m as i32 - 1)
        } else {
            1.0
        }
    }

    /// Transform an evaluation in place: scale `forces` (any layout) by s(φ) and return
    /// (φ*, s). At ε = 0 the forces are left untouched.
    #[inline]
    pub fn apply(&self, phi: f64, forces: &mut [f64]) -> (f64, f64) {
        let s = self.factor(phi);
        if s != 1.0 {
            forces.iter_mut().for_each(|f| *f *= s);
        }
        (self.energy(phi), s)
    }

    /// φ_s = φ0 − (1/(εm))^{1/(m−1)}, the energy below which s ≤ 0; `None` when ε ≤ 0
    /// (then s ≥ 1 for every φ ≤ φ0 and the transform adds no stationary points).
    pub fn stationary_energy(&self) -> Option<f64> {
        (self.eps > 0.0).then(|| {
            self.phi0 - (1.0 / (self.eps * self.m as f64)).powf(1.0 / (self.m as f64 - 1.0))
        })
    }

    /// The ε (same m and φ0) at which φ_s equals `reference`: ε_c = 1 / (m (φ0 −
    /// reference)^(m−1)). Above ε_c a structure at `reference` sits where s ≤ 0 (its
    /// minimum becomes a maximum of φ*); ∞ when `reference` ≥ φ0 (never).
    pub fn critical_epsilon(&self, reference: f64) -> f64 {
        let d = self.phi0 - reference;
        if d <= 0.0 {
            f64::INFINITY
        } else {
            1.0 / (self.m as f64 * d.powi(self.m as i32 - 1))
        }
    }

    /// Whether s ≤ 0 anywhere in the energy window [lo, hi] (eV, total), and where.
    pub fn inversion(&self, lo: f64, hi: f64) -> Option<Inversion> {
        let phi_s = self.stationary_energy()?;
        (lo <= phi_s).then_some(Inversion {
            stationary_energy: phi_s,
            from: lo,
            to: phi_s.min(hi),
        })
    }
}
