//! A molecular-dynamics replica: one cluster on the φ* landscape with its thermostat, its
//! random stream, inherent-structure quenches and evaporation monitoring.

use super::{Quench, Sample, Walker};
use crate::dynamics::{Breach, EvaporationMonitor, Guard, GuardLimits, Md, State, Thermostat};
use crate::minimize::{self, Convergence, Minimizer};
use crate::potential::Potential;
use crate::rng::{self, Stream};
use crate::system::{geometry, Coords};

/// How a replica quenches: the minimiser and when it has converged.
pub struct QuenchSettings {
    /// The minimiser (L-BFGS or FIRE) on the untransformed φ.
    pub minimizer: Box<dyn Minimizer>,
    /// Convergence on max |F|.
    pub convergence: Convergence,
}

/// Steps between evaporation checks (and the guard's full checks).
const EVAPORATION_CHECK: u64 = Guard::EVERY;

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
    quench_potential: Option<&'a dyn Potential>,
    evaporation: EvaporationMonitor,
    label: String,
    guard: Guard,
    target: f64,
    breach: Option<Breach>,
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
        let atoms = state.len();
        MdWalker {
            md,
            state,
            thermostat,
            rng,
            quench: None,
            quench_potential: None,
            // Sized now, so the step loop never allocates.
            evaporation: EvaporationMonitor::restore(vec![false; atoms], 0),
            label: format!("replica {replica}"),
            guard: Guard::new(GuardLimits::default(), atoms),
            target: temperature,
            breach: None,
        }
    }

    /// The guards' checks after `step` ([`Guard::check`]).
    fn check(&mut self, step: u64) -> Result<(), Breach> {
        let bath = self.thermostat.energy();
        self.guard
            .check(step, &self.state, bath, self.md.timestep, self.target)
    }

    /// Quench copies of the configuration with `settings` when asked.
    pub fn with_quench(mut self, settings: QuenchSettings) -> MdWalker<'a> {
        self.quench = Some(settings);
        self
    }

    /// Quench on `potential` instead of the MD potential: a mixed-precision run quenches
    /// in double, so inherent structures and their energies are exact.
    pub fn with_quench_potential(mut self, potential: &'a dyn Potential) -> MdWalker<'a> {
        self.quench_potential = Some(potential);
        self
    }
}

impl Walker for MdWalker<'_> {
    fn step(&mut self, step: u64) {
        if self.breach.is_some() {
            return;
        }
        self.md
            .step(&mut self.state, self.thermostat.as_mut(), &mut self.rng);
        if let Err(b) = self.check(step) {
            self.breach = Some(b);
            return;
        }
        if step.is_multiple_of(EVAPORATION_CHECK) {
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
            radii: geometry::principal_radii(&self.state.positions),
        }
    }

    fn retarget(&mut self, from: f64, to: f64) {
        self.state.scale_velocities((to / from).sqrt());
        self.thermostat.set_temperature(to);
        self.target = to;
        self.guard.reset();
    }

    fn breach(&self) -> Option<&Breach> {
        self.breach.as_ref()
    }

    fn quench(&mut self) -> Option<Quench> {
        let q = self.quench.as_mut()?;
        let (positions, outcome) = minimize::quench(
            q.minimizer.as_mut(),
            self.quench_potential.unwrap_or(self.md.potential),
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

    fn configuration(&self) -> Option<(&Coords, &Coords)> {
        Some((&self.state.positions, &self.state.velocities))
    }
}

/// Everything a replica needs to continue bit for bit (a checkpoint record). Floating-point
/// numbers are kept as their IEEE-754 bit patterns so that no text round trip can change
/// them.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReplicaState {
    /// Replica index.
    pub replica: usize,
    /// Positions, the [`Coords`] buffer as bits.
    pub positions: Vec<u64>,
    /// Velocities, the [`Coords`] buffer as bits.
    pub velocities: Vec<u64>,
    /// [`crate::dynamics::Thermostat::state`] as bits.
    pub thermostat: Vec<u64>,
    /// The replica's random stream.
    pub rng: [u64; 4],
    /// Atoms isolated at the last evaporation check.
    pub isolated: Vec<bool>,
    /// Evaporation events so far.
    pub evaporations: u64,
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn floats(v: &[u64]) -> Vec<f64> {
    v.iter().map(|&b| f64::from_bits(b)).collect()
}

impl MdWalker<'_> {
    /// The replica's state for a checkpoint, as `replica`.
    pub fn save(&self, replica: usize) -> ReplicaState {
        let (isolated, evaporations) = self.evaporation.save();
        ReplicaState {
            replica,
            positions: bits(self.state.positions.as_flat()),
            velocities: bits(self.state.velocities.as_flat()),
            thermostat: bits(&self.thermostat.state()),
            rng: rng::save(&self.rng),
            isolated,
            evaporations,
        }
    }

    /// Continue from `saved` at `temperature` (K): positions, velocities, thermostat,
    /// random stream and evaporation record; energies and forces are recomputed (they are
    /// functions of the positions, so they come back bit for bit).
    pub fn restore(&mut self, saved: &ReplicaState, temperature: f64) -> Result<(), String> {
        let n = self.state.positions.as_flat().len();
        if saved.positions.len() != n || saved.velocities.len() != n {
            return Err(format!(
                "replica {}: checkpoint holds {} coordinates, the run has {n}",
                saved.replica,
                saved.positions.len()
            ));
        }
        self.state
            .positions
            .as_flat_mut()
            .copy_from_slice(&floats(&saved.positions));
        self.state
            .velocities
            .as_flat_mut()
            .copy_from_slice(&floats(&saved.velocities));
        self.thermostat.set_temperature(temperature);
        if !self.thermostat.set_state(&floats(&saved.thermostat)) {
            return Err(format!(
                "replica {}: checkpoint thermostat state does not fit the {} thermostat",
                saved.replica,
                self.thermostat.name()
            ));
        }
        self.rng = rng::restore(saved.rng);
        self.evaporation = EvaporationMonitor::restore(saved.isolated.clone(), saved.evaporations);
        self.target = temperature;
        self.guard.reset();
        self.breach = None;
        self.md.evaluate(&mut self.state);
        Ok(())
    }
}
