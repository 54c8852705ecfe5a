//! A molecular-dynamics replica: one cluster on the φ* landscape with its thermostat, its
//! random stream, inherent-structure quenches and evaporation monitoring.

use super::{Quench, Sample, Walker};
use crate::dynamics::{EvaporationMonitor, Md, State, Thermostat};
use crate::minimize::{self, Convergence, Minimizer};
use crate::rng::{self, Stream};
use crate::system::Coords;

/// How a replica quenches: the minimiser and when it has converged.
pub struct QuenchSettings {
    /// The minimiser (L-BFGS or FIRE) on the untransformed φ.
    pub minimizer: Box<dyn Minimizer>,
    /// Convergence on max |F|.
    pub convergence: Convergence,
}

/// Steps between evaporation checks.
const EVAPORATION_CHECK: u64 = 100;

/// One MD replica.
pub struct MdWalker<'a> {
    /// The integrator (potential, transform, containment, time step).
    pub md: Md<'a>,
    /// Positions, velocities, energies, forces.
    pub state: State,
    /// The heat bath.
    pub thermostat: Box<dyn Thermostat>,
    /// This replica's random stream, (seed, replica).
    pub rng: Stream,
    quench: Option<QuenchSettings>,
    evaporation: EvaporationMonitor,
    label: String,
}

impl<'a> MdWalker<'a> {
    /// Replica `replica` of a run with `seed`: starts at `positions` with Maxwell–Boltzmann
    /// velocities at `temperature` (exactly, with P = L = 0).
    pub fn new(
        md: Md<'a>,
        positions: Coords,
        mass: f64,
        temperature: f64,
        thermostat: Box<dyn Thermostat>,
        seed: u64,
        replica: usize,
    ) -> MdWalker<'a> {
        let mut rng = rng::stream(seed, replica as u64);
        let mut state = State::at_rest(positions, mass);
        state.thermalize(temperature, &mut rng);
        md.evaluate(&mut state);
        MdWalker {
            md,
            state,
            thermostat,
            rng,
            quench: None,
            evaporation: EvaporationMonitor::default(),
            label: format!("replica {replica}"),
        }
    }

    /// Quench copies of the configuration with `settings` when asked.
    pub fn with_quench(mut self, settings: QuenchSettings) -> MdWalker<'a> {
        self.quench = Some(settings);
        self
    }
}

impl Walker for MdWalker<'_> {
    fn step(&mut self, step: u64) {
        self.md
            .step(&mut self.state, self.thermostat.as_mut(), &mut self.rng);
        if step % EVAPORATION_CHECK == 0 {
            let cutoff = self.md.potential.cutoff();
            self.evaporation
                .check(&self.state.positions, cutoff, &self.label, step);
        }
    }

    fn energy(&self) -> f64 {
        self.state.potential_energy()
    }

    fn sample(&self) -> Sample {
        let kinetic = self.state.kinetic_energy();
        Sample {
            phi: self.state.phi(),
            phi_star: self.state.phi_star(),
            wall: self.state.wall_energy(),
            kinetic,
            temperature: self.state.temperature(),
            conserved: kinetic + self.state.potential_energy() + self.thermostat.energy(),
            scale: self.state.scale(),
        }
    }

    fn retarget(&mut self, from: f64, to: f64) {
        self.state.scale_velocities((to / from).sqrt());
        self.thermostat.set_temperature(to);
    }

    fn quench(&mut self) -> Option<Quench> {
        let q = self.quench.as_mut()?;
        let (positions, outcome) = minimize::quench(
            q.minimizer.as_mut(),
            self.md.potential,
            &self.state.positions,
            q.convergence,
        );
        Some(Quench {
            energy: outcome.energy,
            max_force: outcome.max_force,
            force_evaluations: outcome.force_evaluations,
            converged: outcome.termination == minimize::Termination::Converged,
            positions,
        })
    }

    fn evaporations(&self) -> u64 {
        self.evaporation.events()
    }
}
