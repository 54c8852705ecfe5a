//! Build the runtime objects of a validated input: structure, potential, transform,
//! containment; check what can only be checked with them (atom count, element, the
//! force-inversion guard, whether the transform acts at all).

use super::{Config, ConfigError};
use crate::dynamics::{degrees_of_freedom, Containment};
use crate::landscape::Transform;
use crate::minimize::{quench, Convergence, Lbfgs};
use crate::potential::{self, Eam, Potential};
use crate::system::{xyz, Structure};
use crate::units::KB;

/// The runtime objects of an input.
pub struct Prepared {
    /// The start structure.
    pub structure: Structure,
    /// The potential φ in double precision: quenches, the reference energy, `pelt energy`.
    pub potential: Eam,
    /// The potential φ at the run's `[dynamics] precision`: MD, swaps and recorded energies.
    pub md_potential: Eam,
    /// The φ* transform.
    pub transform: Transform,
    /// Energy of the start structure's local minimum (eV): the reference for the guard.
    pub reference_energy: f64,
    /// The containment sphere.
    pub containment: Containment,
    /// Things the user should know that do not stop the run.
    pub warnings: Vec<String>,
}

/// The shortest distance two atoms of a start structure may have (Å). Nearest neighbours
/// in metal clusters sit 2.3–3.0 Å apart; below 1.5 Å a structure is broken (two atoms on
/// one site, a unit mix-up), not merely strained.
pub const MIN_START_DISTANCE: f64 = 1.5;

/// The closest pair of atoms (1-based in messages by the caller) and its distance.
fn closest_pair(p: &crate::system::Coords) -> Option<(usize, usize, f64)> {
    let n = p.len();
    let mut best: Option<(usize, usize, f64)> = None;
    for i in 0..n {
        let a = p.get(i);
        for j in i + 1..n {
            let b = p.get(j);
            let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt();
            if best.is_none_or(|(_, _, e)| d < e) {
                best = Some((i, j, d));
            }
        }
    }
    best
}

/// Load the structure and potential of `config` and run the checks that need them.
pub fn prepare(config: &Config) -> Result<Prepared, ConfigError> {
    let path = config.path.clone();
    let value = |key: &'static str, section: &'static str, message: String| ConfigError::Value {
        path: path.clone(),
        section,
        key,
        message,
    };
    let structure =
        xyz::read(&config.system.structure).map_err(|cause| ConfigError::Structure {
            path: path.clone(),
            cause,
        })?;
    let n = structure.positions.len();
    if let Some(expected) = config.system.atoms {
        if expected != n {
            return Err(value(
                "atoms",
                "system",
                format!(
                    "{expected}, but {} holds {n} atoms; make them agree",
                    config.system.structure.display()
                ),
            ));
        }
    }
    if let Some((i, j, d)) = closest_pair(&structure.positions) {
        if d < MIN_START_DISTANCE {
            return Err(value(
                "structure",
                "system",
                format!(
                    "atoms {} and {} of {} are {d:.3} Å apart, closer than {MIN_START_DISTANCE} Å: \
                     no metal cluster has such a pair, and the forces there are meaningless \
                     (two atoms on one site give NaN). Fix the structure (pelt quench or pelt \
                     build make sound ones)",
                    i + 1,
                    j + 1,
                    config.system.structure.display()
                ),
            ));
        }
    }
    if n < 3 {
        return Err(value(
            "structure",
            "system",
            format!("{n} atoms; a cluster needs at least 3"),
        ));
    }
    let pot = match config.potential.format {
        Some(f) => potential::load_as(&config.potential.file, f),
        None => potential::load(&config.potential.file),
    }
    .map_err(|cause| ConfigError::Potential {
        path: path.clone(),
        cause,
    })?;
    if let Some(other) = structure
        .symbols
        .iter()
        .find(|s| s.as_str() != pot.element())
    {
        return Err(value(
            "structure",
            "system",
            format!(
                "{} contains {other} atoms but {} describes {} only",
                config.system.structure.display(),
                config.potential.file.display(),
                pot.element()
            ),
        ));
    }
    let transform = config
        .transform(n)
        .map_err(|e| value("m", "landscape", e.to_string()))?;

    let (_, outcome) = quench(
        &mut Lbfgs::default(),
        &pot,
        &structure.positions,
        Convergence {
            fmax: 1e-4,
            max_iterations: 10_000,
        },
    );
    let e_ref = outcome.energy;
    let t_max = *config
        .tempering
        .ladder
        .temperatures()
        .last()
        .expect("non-empty ladder");
    // Twice the harmonic potential energy at the top of the ladder: room for anharmonicity
    // and melting.
    let e_top = e_ref + degrees_of_freedom(n) as f64 * KB * t_max;
    let mut warnings = Vec::new();
    let per_atom = |e: f64| e / n as f64;
    if let Some(inv) = transform.inversion(e_ref, e_top) {
        let phi_s = inv.stationary_energy;
        let message = format!(
            "force inversion: with epsilon = {:e}, m = {} and phi0 = {} eV/atom the force factor \
             s(phi) = 1 + epsilon·m·(phi − phi0)^(m−1) is ≤ 0 below phi_s = {:.4} eV ({:.5} eV/atom). \
             There forces point uphill: minima of phi become maxima of phi*, and the dynamics \
             is pushed away from them. The start structure quenches to {:.4} eV ({:.5} eV/atom) \
             and the ladder up to {t_max} K samples roughly [{:.4}, {:.4}] eV, which reaches \
             below phi_s. Set allow_force_inversion = true in [landscape] to run anyway, or \
             lower epsilon below {:.3e} (where phi_s meets the reference energy).",
            config.landscape.epsilon,
            config.landscape.m,
            config.landscape.phi0_per_atom,
            phi_s,
            per_atom(phi_s),
            e_ref,
            per_atom(e_ref),
            e_ref,
            e_top,
            transform.critical_epsilon(e_ref),
        );
        if config.landscape.allow_force_inversion {
            warnings.push(message);
        } else {
            return Err(ConfigError::ForceInversion { path, message });
        }
    }
    if transform.eps() != 0.0 && transform.phi0() <= e_ref {
        warnings.push(format!(
            "transform inactive: phi0 = {} eV/atom lies below the start structure's minimum \
             ({:.5} eV/atom), so phi* = phi for every sampled energy",
            config.landscape.phi0_per_atom,
            per_atom(e_ref)
        ));
    }
    let s_ref = transform.factor(e_ref);
    if s_ref.abs() > 2.0 && config.dynamics.timestep > 1.0 {
        warnings.push(format!(
            "forces near the minimum are scaled by s = {s_ref:.2}; a time step of {} fs may be \
             too long (1 fs or less is safe)",
            config.dynamics.timestep
        ));
    }
    let containment = match config.dynamics.containment_radius {
        Some(radius) => Containment {
            radius,
            stiffness: config.dynamics.containment_stiffness,
        },
        None => Containment {
            stiffness: config.dynamics.containment_stiffness,
            ..Containment::around(&structure.positions, pot.cutoff())
        },
    };
    let md_potential = pot.clone().with_precision(config.dynamics.precision);
    Ok(Prepared {
        structure,
        md_potential,
        potential: pot,
        transform,
        reference_energy: e_ref,
        containment,
        warnings,
    })
}
