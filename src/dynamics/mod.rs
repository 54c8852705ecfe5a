//! Molecular dynamics of an isolated cluster on the φ* landscape: velocity Verlet on the
//! transformed forces s(φ)·F, thermostats (one file each), momentum removal, a soft
//! containment sphere and evaporation detection.
//!
//! Units: positions Å, velocities Å/fs, masses amu, energies eV, time fs. An acceleration is
//! F/m · [`ACCEL`] (Å/fs² per eV/(Å·amu)); a kinetic energy is ½mv² / [`ACCEL`] (eV).
//!
//! One step is split so that every thermostat fits one scheme:
//! `T(dt/2) · B(dt/2) · A(dt/2) · O(dt) · A(dt/2) · B(dt/2) · T(dt/2)`, where B kicks the
//! velocities with the forces, A drifts the positions, T is the thermostat's half step
//! (Nosé–Hoover chains) and O its mid step (Langevin, giving BAOAB; Bussi's exact kinetic
//! energy update over dt, once per step). NVE leaves both out, which is plain velocity
//! Verlet.

mod containment;
mod evaporation;
pub mod guard;
mod momentum;
pub mod thermostat;

pub use containment::Containment;
pub use evaporation::{isolated_atoms, EvaporationMonitor};
pub use guard::{Breach, Guard, GuardLimits};
pub use momentum::{
    angular_momentum, linear_momentum, remove_angular_momentum, remove_linear_momentum,
    zero_momenta,
};
pub use thermostat::Thermostat;

use crate::landscape::Transform;
use crate::potential::{Evaluation, Potential};
use crate::rng::{self, Stream};
use crate::system::Coords;
use crate::units::{ACCEL, KB};

/// Degrees of freedom of an isolated cluster of `n` atoms with zero linear and angular
/// momentum: 3N − 6 (a dimer: 1; a single atom: 0).
pub fn degrees_of_freedom(n: usize) -> usize {
    match n {
        0 | 1 => 0,
        2 => 1,
        _ => 3 * n - 6,
    }
}

/// The dynamical state of one cluster: positions, velocities, and the energies and total
/// forces at the current positions.
#[derive(Clone, Debug)]
pub struct State {
    /// Positions (Å).
    pub positions: Coords,
    /// Velocities (Å/fs).
    pub velocities: Coords,
    /// Mass of every atom (amu; single-element clusters).
    pub mass: f64,
    eval: Evaluation,
    phi: f64,
    phi_star: f64,
    scale: f64,
    wall: f64,
}

impl State {
    /// A state at rest at `positions`; call [`Md::evaluate`] (or [`Md::start`]) before
    /// stepping.
    pub fn at_rest(positions: Coords, mass: f64) -> State {
        let n = positions.len();
        State {
            velocities: Coords::zeros(n),
            positions,
            mass,
            eval: Evaluation::new(n),
            phi: f64::NAN,
            phi_star: f64::NAN,
            scale: f64::NAN,
            wall: 0.0,
        }
    }

    /// Number of atoms.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether the cluster has no atoms.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Untransformed potential energy φ (eV).
    pub fn phi(&self) -> f64 {
        self.phi
    }

    /// Transformed potential energy φ* (eV).
    pub fn phi_star(&self) -> f64 {
        self.phi_star
    }

    /// The force factor s(φ).
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Energy of the containment wall (eV); zero while no atom touches it.
    pub fn wall_energy(&self) -> f64 {
        self.wall
    }

    /// The potential energy the dynamics samples: φ* plus the wall (eV). Tempering swaps
    /// use this.
    pub fn potential_energy(&self) -> f64 {
        self.phi_star + self.wall
    }

    /// Total forces s·F + wall forces (eV/Å) at the current positions.
    pub fn forces(&self) -> &Coords {
        &self.eval.forces
    }

    /// The potential's last evaluation (energy φ; forces already transformed, see
    /// [`State::forces`]; densities).
    pub fn evaluation(&self) -> &Evaluation {
        &self.eval
    }

    /// Kinetic energy ½ Σ m v² (eV).
    pub fn kinetic_energy(&self) -> f64 {
        let v2: f64 = self.velocities.as_flat().iter().map(|v| v * v).sum();
        0.5 * self.mass * v2 / ACCEL
    }

    /// Kinetic temperature 2K / (N_f k_B) with N_f = 3N − 6 (K).
    pub fn temperature(&self) -> f64 {
        let dof = degrees_of_freedom(self.len());
        if dof == 0 {
            0.0
        } else {
            2.0 * self.kinetic_energy() / (dof as f64 * KB)
        }
    }

    /// Scale every velocity by `factor`.
    pub fn scale_velocities(&mut self, factor: f64) {
        self.velocities
            .as_flat_mut()
            .iter_mut()
            .for_each(|v| *v *= factor);
    }

    /// Draw Maxwell–Boltzmann velocities at `temperature`, remove linear and angular
    /// momentum, and rescale so that the kinetic temperature is exactly `temperature`.
    pub fn thermalize(&mut self, temperature: f64, rng: &mut Stream) {
        let sigma = (KB * temperature * ACCEL / self.mass).sqrt();
        for v in self.velocities.as_flat_mut() {
            *v = sigma * rng::normal(rng);
        }
        zero_momenta(&self.positions, &mut self.velocities);
        let t = self.temperature();
        if t > 0.0 {
            self.scale_velocities((temperature / t).sqrt());
        }
    }
}

/// The velocity-Verlet integrator of one cluster on the φ* landscape.
pub struct Md<'a> {
    /// The untransformed potential φ.
    pub potential: &'a dyn Potential,
    /// The landscape transform (identity for ε = 0).
    pub transform: Transform,
    /// The soft containment sphere, if any.
    pub containment: Option<Containment>,
    /// Time step (fs).
    pub timestep: f64,
}

impl Md<'_> {
    /// Energies and total forces at the current positions.
    pub fn evaluate(&self, state: &mut State) {
        self.potential.compute(&state.positions, &mut state.eval);
        state.phi = state.eval.energy;
        let (phi_star, s) = self
            .transform
            .apply(state.phi, state.eval.forces.as_flat_mut());
        state.phi_star = phi_star;
        state.scale = s;
        state.wall = match &self.containment {
            Some(c) => c.apply(&state.positions, &mut state.eval.forces),
            None => 0.0,
        };
    }

    /// H* = K + φ* + wall (eV), conserved by NVE.
    pub fn hamiltonian(&self, state: &State) -> f64 {
        state.kinetic_energy() + state.potential_energy()
    }

    /// One step of length `timestep` under `thermostat`.
    pub fn step(&self, state: &mut State, thermostat: &mut dyn Thermostat, rng: &mut Stream) {
        let dt = self.timestep;
        thermostat.half_step(state, 0.5 * dt, rng);
        self.kick(state, 0.5 * dt);
        self.drift(state, 0.5 * dt);
        thermostat.mid_step(state, dt, rng);
        self.drift(state, 0.5 * dt);
        self.evaluate(state);
        self.kick(state, 0.5 * dt);
        thermostat.half_step(state, 0.5 * dt, rng);
    }

    /// v += h · F/m.
    fn kick(&self, state: &mut State, h: f64) {
        let c = h * ACCEL / state.mass;
        let f = state.eval.forces.as_flat();
        for (v, f) in state.velocities.as_flat_mut().iter_mut().zip(f) {
            *v += c * f;
        }
    }

    /// x += h · v.
    fn drift(&self, state: &mut State, h: f64) {
        let v = state.velocities.as_flat();
        for (x, v) in state.positions.as_flat_mut().iter_mut().zip(v) {
            *x += h * v;
        }
    }
}
