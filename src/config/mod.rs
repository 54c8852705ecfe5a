//! The TOML input: parse (unknown keys rejected), validate once with messages that name
//! the file, the key and the allowed range, then build the runtime objects
//! ([`Prepared`]). See `inputs/quickstart.toml` for every key with its meaning.

mod prepare;
mod quantity;
mod raw;

pub use prepare::{prepare, Prepared};
pub use quantity::{Dimension, Quantity};

use crate::dynamics::thermostat::{Bussi, Langevin, NoseHooverChain, Nve};
use crate::dynamics::Thermostat;
use crate::landscape::{LandscapeError, Transform};
use crate::minimize::{Convergence, Fire, Lbfgs, Minimizer};
use crate::potential::{Format, PotentialError};
use crate::system::StructureError;
use crate::tempering::{schedule, Ladder, SwapSchedule, TemperingError};
use std::path::{Path, PathBuf};

/// Errors in an input file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {cause}")]
    Io {
        /// The input file.
        path: PathBuf,
        /// What the operating system said.
        cause: std::io::Error,
    },
    /// Not valid TOML, an unknown key, or a value of the wrong type.
    #[error("{path}: {message}")]
    Syntax {
        /// The input file.
        path: PathBuf,
        /// The TOML parser's message (line, column, key).
        message: String,
    },
    /// A key has a value outside its allowed range.
    #[error("{path}: [{section}] {key}: {message}")]
    Value {
        /// The input file.
        path: PathBuf,
        /// Section of the key.
        section: &'static str,
        /// The key.
        key: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The structure file named by the input.
    #[error("{path}: [system] structure: {cause}")]
    Structure {
        /// The input file.
        path: PathBuf,
        /// The structure error.
        cause: StructureError,
    },
    /// The potential file named by the input.
    #[error("{path}: [potential] file: {cause}")]
    Potential {
        /// The input file.
        path: PathBuf,
        /// The potential error.
        cause: PotentialError,
    },
    /// The sampled energies can reach s(φ) ≤ 0 and the input does not allow it.
    #[error("{path}: [landscape] {message}")]
    ForceInversion {
        /// The input file.
        path: PathBuf,
        /// What happens, with φ_s.
        message: String,
    },
}

/// Thermostat choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThermostatKind {
    /// Bussi–Donadio–Parrinello stochastic velocity rescaling.
    Bussi,
    /// Langevin, BAOAB.
    Langevin,
    /// Nosé–Hoover chain.
    NoseHoover,
    /// No thermostat.
    Nve,
}

/// Minimiser choice for quenches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MinimizerKind {
    /// L-BFGS.
    Lbfgs,
    /// FIRE.
    Fire,
}

/// `[system]`.
#[derive(Clone, Debug)]
pub struct SystemConfig {
    /// Start structure (xyz), resolved against the input file's folder.
    pub structure: PathBuf,
    /// Number of atoms the input expects, if given.
    pub atoms: Option<usize>,
}

/// `[potential]`.
#[derive(Clone, Debug)]
pub struct PotentialConfig {
    /// Potential file, resolved against the input file's folder.
    pub file: PathBuf,
    /// Format, if not implied by the file name.
    pub format: Option<Format>,
}

/// `[landscape]`.
#[derive(Clone, Copy, Debug)]
pub struct LandscapeConfig {
    /// ε (eV^(1−m)).
    pub epsilon: f64,
    /// φ0 per atom (eV/atom).
    pub phi0_per_atom: f64,
    /// Exponent m (even, ≥ 2).
    pub m: u32,
    /// Run even where s(φ) ≤ 0 can be reached.
    pub allow_force_inversion: bool,
}

/// `[dynamics]`.
#[derive(Clone, Copy, Debug)]
pub struct DynamicsConfig {
    /// Time step (fs).
    pub timestep: f64,
    /// Thermostat.
    pub thermostat: ThermostatKind,
    /// Thermostat time constant (fs).
    pub tau: f64,
    /// Nosé–Hoover chain length.
    pub chain_length: usize,
    /// Containment radius (Å); `None`: the start structure's extent plus the cutoff.
    pub containment_radius: Option<f64>,
    /// Containment stiffness (eV/Å²).
    pub containment_stiffness: f64,
    /// Precision of the pair terms in MD (quenches are always double).
    pub precision: crate::potential::Precision,
}

/// Steps between the exchanges of a run without swaps (`swap_interval = 0`): the replicas
/// only agree on stopping and checkpoints there, and the index process records them.
pub const NO_SWAP_EXCHANGE_INTERVAL: u64 = 100;

/// `[tempering]`.
#[derive(Clone, Debug)]
pub struct TemperingConfig {
    /// Temperature ladder (the start ladder of an adaptive one).
    pub ladder: Ladder,
    /// `ladder = "adaptive"`: during the equilibration the ladder is re-spaced for equal
    /// swap rejection in rounds of 16, 32, 64, … exchanges
    /// ([`crate::tempering::adaptation_rounds`]), then kept.
    pub adaptive: bool,
    /// "deo" or "seo".
    pub schedule: String,
    /// Steps between exchanges (never 0: with swaps off, the replicas still meet every
    /// [`NO_SWAP_EXCHANGE_INTERVAL`] steps to agree on stopping and checkpoints).
    pub swap_interval: u64,
    /// Whether exchanges attempt swaps (`swap_interval = 0` in the input turns them off:
    /// continuous constant-temperature trajectories for dynamics).
    pub swaps: bool,
    /// MD steps per replica.
    pub steps: u64,
    /// Steps left out of the averages.
    pub equilibration: u64,
    /// Seed of every random stream.
    pub seed: u64,
}

/// `[quench]`.
#[derive(Clone, Copy, Debug)]
pub struct QuenchConfig {
    /// Steps between quenches (0: never).
    pub interval: u64,
    /// Minimiser.
    pub minimizer: MinimizerKind,
    /// Convergence.
    pub convergence: Convergence,
}

/// `[output]`.
#[derive(Clone, Debug)]
pub struct OutputConfig {
    /// Output folder, resolved against the current directory.
    pub directory: PathBuf,
    /// Steps between energy samples (observables).
    pub energy_interval: u64,
    /// Steps between position frames (0: none).
    pub positions_interval: u64,
    /// Store velocities with the positions.
    pub velocities: bool,
    /// Exchanges between checkpoints (and flushes of the run file).
    pub checkpoint_interval: u64,
}

/// A validated input.
#[derive(Clone, Debug)]
pub struct Config {
    /// The input file.
    pub path: PathBuf,
    /// Its text, as read (stored with the results).
    pub text: String,
    /// `[system]`.
    pub system: SystemConfig,
    /// `[potential]`.
    pub potential: PotentialConfig,
    /// `[landscape]`.
    pub landscape: LandscapeConfig,
    /// `[dynamics]`.
    pub dynamics: DynamicsConfig,
    /// `[tempering]`.
    pub tempering: TemperingConfig,
    /// `[quench]`.
    pub quench: QuenchConfig,
    /// `[output]`.
    pub output: OutputConfig,
}

/// Largest time step accepted (fs): beyond it no metal cluster is integrated stably.
pub const MAX_TIMESTEP: f64 = 10.0;

/// Read and validate an input file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Io {
        path: path.to_path_buf(),
        cause,
    })?;
    parse(&text, path)
}

/// Validate the text of an input file; relative paths resolve against `path`'s folder.
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let raw: raw::Raw = toml::from_str(text).map_err(|e| ConfigError::Syntax {
        path: path.to_path_buf(),
        message: e.to_string().trim_end().to_string(),
    })?;
    Config::from_raw(raw, text, path)
}

impl Config {
    fn from_raw(raw: raw::Raw, text: &str, path: &Path) -> Result<Config, ConfigError> {
        let err = |section: &'static str, key: &'static str, message: String| ConfigError::Value {
            path: path.to_path_buf(),
            section,
            key,
            message,
        };
        let q = |section: &'static str, key: &'static str, v: &Quantity, dim: Dimension| {
            v.value(dim).map_err(|m| err(section, key, m))
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        let count = |section: &'static str, key: &'static str, v: i64, min: i64| {
            if v < min {
                Err(err(
                    section,
                    key,
                    format!("{v} is out of range; expected an integer ≥ {min}"),
                ))
            } else {
                Ok(v as u64)
            }
        };

        // [system]
        if raw.system.atoms == Some(0) {
            return Err(err("system", "atoms", "0 atoms; expected ≥ 1".into()));
        }
        let system = SystemConfig {
            structure: resolve(&raw.system.structure),
            atoms: raw.system.atoms,
        };

        // [potential]
        let format = match raw.potential.format.as_deref() {
            None => None,
            Some("setfl" | "eam/alloy") => Some(Format::Setfl),
            Some("funcfl" | "eam") => Some(Format::Funcfl),
            Some("fs" | "eam/fs") => Some(Format::FinnisSinclair),
            Some(other) => {
                return Err(err(
                    "potential",
                    "format",
                    format!("\"{other}\"; expected \"setfl\", \"funcfl\" or \"fs\""),
                ))
            }
        };
        let potential = PotentialConfig {
            file: resolve(&raw.potential.file),
            format,
        };

        // [landscape]
        let l = raw.landscape;
        let epsilon = l.epsilon.unwrap_or(0.0);
        if !epsilon.is_finite() {
            return Err(err(
                "landscape",
                "epsilon",
                format!("{epsilon}; expected a finite number"),
            ));
        }
        let phi0_per_atom = match &l.phi0 {
            Some(v) => q("landscape", "phi0", v, Dimension::Energy)?,
            None => -2.58,
        };
        let m = l.m.unwrap_or(4);
        if m < 2 || m % 2 != 0 || m > 64 {
            return Err(err(
                "landscape",
                "m",
                format!("{m}; expected an even integer from 2 to 64 (φ* must stay below φ0 for both signs of φ − φ0)"),
            ));
        }
        let landscape = LandscapeConfig {
            epsilon,
            phi0_per_atom,
            m: m as u32,
            allow_force_inversion: l.allow_force_inversion.unwrap_or(false),
        };

        // [dynamics]
        let d = raw.dynamics;
        let timestep = match &d.timestep {
            Some(v) => q("dynamics", "timestep", v, Dimension::Time)?,
            None => 2.0,
        };
        if !(timestep > 0.0 && timestep <= MAX_TIMESTEP) {
            return Err(err(
                "dynamics",
                "timestep",
                format!("{timestep} fs; expected 0 < timestep ≤ {MAX_TIMESTEP} fs (1–2 fs for Al)"),
            ));
        }
        let thermostat = match d.thermostat.as_deref().unwrap_or("bussi") {
            "bussi" => ThermostatKind::Bussi,
            "langevin" => ThermostatKind::Langevin,
            "nose-hoover" => ThermostatKind::NoseHoover,
            "nve" => ThermostatKind::Nve,
            other => {
                return Err(err(
                    "dynamics",
                    "thermostat",
                    format!(
                        "\"{other}\"; expected \"bussi\", \"langevin\", \"nose-hoover\" or \"nve\""
                    ),
                ))
            }
        };
        let tau = match &d.tau {
            Some(v) => q("dynamics", "tau", v, Dimension::Time)?,
            None => 100.0,
        };
        if tau <= 0.0 {
            return Err(err("dynamics", "tau", format!("{tau} fs; expected > 0 fs")));
        }
        let chain_length = d.chain_length.unwrap_or(3);
        if !(1..=16).contains(&chain_length) {
            return Err(err(
                "dynamics",
                "chain_length",
                format!("{chain_length}; expected 1 to 16 (3 or more recommended)"),
            ));
        }
        let containment_radius = match &d.containment_radius {
            None => None,
            Some(Quantity::Text(s)) if s.trim() == "auto" => None,
            Some(v) => {
                let r = q("dynamics", "containment_radius", v, Dimension::Length)?;
                if r <= 0.0 {
                    return Err(err(
                        "dynamics",
                        "containment_radius",
                        format!("{r} Å; expected > 0 Å or \"auto\""),
                    ));
                }
                Some(r)
            }
        };
        let containment_stiffness = match &d.containment_stiffness {
            Some(v) => q("dynamics", "containment_stiffness", v, Dimension::Stiffness)?,
            None => crate::dynamics::Containment::DEFAULT_STIFFNESS,
        };
        if containment_stiffness <= 0.0 {
            return Err(err(
                "dynamics",
                "containment_stiffness",
                format!("{containment_stiffness} eV/Å²; expected > 0"),
            ));
        }
        let precision = match d.precision.as_deref() {
            None => crate::potential::Precision::Mixed,
            Some(name) => crate::potential::Precision::from_name(name).ok_or_else(|| {
                err(
                    "dynamics",
                    "precision",
                    format!(
                        "\"{name}\"; expected \"mixed\" (f32 pair terms, f64 sums; the \
                         default) or \"double\""
                    ),
                )
            })?,
        };
        let dynamics = DynamicsConfig {
            timestep,
            thermostat,
            tau,
            chain_length: chain_length as usize,
            containment_radius,
            containment_stiffness,
            precision,
        };

        // [tempering]
        let t = raw.tempering;
        let temperature =
            |key: &'static str, v: &Quantity| q("tempering", key, v, Dimension::Temperature);
        let ladder = match (&t.temperatures, &t.t_min, &t.t_max, t.replicas) {
            (Some(list), None, None, None) => {
                let values = list
                    .iter()
                    .map(|v| temperature("temperatures", v))
                    .collect::<Result<Vec<_>, _>>()?;
                Ladder::explicit(values)
            }
            (None, Some(lo), Some(hi), Some(k)) => {
                let k = count("tempering", "replicas", k, 1)?;
                let (lo, hi) = (temperature("t_min", lo)?, temperature("t_max", hi)?);
                if lo <= 0.0 {
                    return Err(err("tempering", "t_min", format!("{lo} K; expected > 0 K")));
                }
                Ladder::geometric(lo, hi, k as usize)
            }
            _ => {
                return Err(err(
                    "tempering",
                    "temperatures",
                    "give either `temperatures = [...]` or all of `t_min`, `t_max` and `replicas` (a geometric ladder)".into(),
                ))
            }
        }
        .map_err(|e: TemperingError| err("tempering", "temperatures", e.to_string()))?;
        let schedule = t.schedule.unwrap_or_else(|| "deo".into());
        if schedule::by_name(&schedule).is_none() {
            return Err(err(
                "tempering",
                "schedule",
                format!("\"{schedule}\"; expected \"deo\" or \"seo\""),
            ));
        }
        let steps = count("tempering", "steps", t.steps, 1)?;
        let swap_interval = count(
            "tempering",
            "swap_interval",
            t.swap_interval.unwrap_or(100),
            0,
        )?;
        let swaps = swap_interval > 0;
        let swap_interval = if swaps {
            swap_interval
        } else {
            NO_SWAP_EXCHANGE_INTERVAL
        };
        let equilibration = count(
            "tempering",
            "equilibration",
            t.equilibration.unwrap_or(0),
            0,
        )?;
        if equilibration >= steps {
            return Err(err(
                "tempering",
                "equilibration",
                format!("{equilibration} steps; expected fewer than steps = {steps}"),
            ));
        }
        let adaptive = match t.ladder.as_deref().unwrap_or("fixed") {
            "fixed" => false,
            "adaptive" => true,
            other => {
                return Err(err(
                    "tempering",
                    "ladder",
                    format!("\"{other}\"; expected \"fixed\" or \"adaptive\""),
                ))
            }
        };
        if adaptive {
            let rounds = crate::tempering::adaptation_rounds(equilibration / swap_interval);
            if !swaps || ladder.len() < 3 {
                return Err(err(
                    "tempering",
                    "ladder",
                    "\"adaptive\" needs swaps (swap_interval > 0) and at least 3 temperatures"
                        .into(),
                ));
            }
            if rounds.is_empty() {
                return Err(err(
                    "tempering",
                    "ladder",
                    format!(
                        "\"adaptive\" adapts during the equilibration, which is {} exchanges \
                         ({equilibration} steps / swap_interval {swap_interval}); expected at \
                         least {} for one round",
                        equilibration / swap_interval,
                        crate::tempering::FIRST_ROUND_EXCHANGES
                    ),
                ));
            }
        }
        let tempering = TemperingConfig {
            ladder,
            adaptive,
            schedule,
            swap_interval,
            swaps,
            steps,
            equilibration,
            seed: t.seed.unwrap_or(1),
        };

        // [quench]
        let qu = raw.quench;
        let minimizer = match qu.minimizer.as_deref().unwrap_or("lbfgs") {
            "lbfgs" => MinimizerKind::Lbfgs,
            "fire" => MinimizerKind::Fire,
            other => {
                return Err(err(
                    "quench",
                    "minimizer",
                    format!("\"{other}\"; expected \"lbfgs\" or \"fire\""),
                ))
            }
        };
        let fmax = match &qu.fmax {
            Some(v) => q("quench", "fmax", v, Dimension::Force)?,
            None => 1e-4,
        };
        if fmax <= 0.0 {
            return Err(err("quench", "fmax", format!("{fmax} eV/Å; expected > 0")));
        }
        let quench = QuenchConfig {
            interval: count("quench", "interval", qu.interval.unwrap_or(0), 0)?,
            minimizer,
            convergence: Convergence {
                fmax,
                max_iterations: count(
                    "quench",
                    "max_iterations",
                    qu.max_iterations.unwrap_or(5000),
                    1,
                )? as usize,
            },
        };

        // [output]
        let o = raw.output;
        let stem = path
            .file_stem()
            .map_or("pelt".into(), |s| s.to_string_lossy().into_owned());
        let output = OutputConfig {
            directory: o
                .directory
                .unwrap_or_else(|| PathBuf::from(format!("{stem}.out"))),
            energy_interval: count(
                "output",
                "energy_interval",
                o.energy_interval.unwrap_or(10),
                1,
            )?,
            positions_interval: count(
                "output",
                "positions_interval",
                o.positions_interval.unwrap_or(1000),
                0,
            )?,
            velocities: o.velocities.unwrap_or(false),
            checkpoint_interval: count(
                "output",
                "checkpoint_interval",
                o.checkpoint_interval.unwrap_or(1000),
                1,
            )?,
        };

        Ok(Config {
            path: path.to_path_buf(),
            text: text.to_string(),
            system,
            potential,
            landscape,
            dynamics,
            tempering,
            quench,
            output,
        })
    }

    /// The φ* transform for `natoms` atoms.
    pub fn transform(&self, natoms: usize) -> Result<Transform, LandscapeError> {
        let l = self.landscape;
        Transform::per_atom(l.epsilon, l.phi0_per_atom, l.m, natoms)
    }

    /// A thermostat at `temperature` (K).
    pub fn thermostat(&self, temperature: f64) -> Box<dyn Thermostat> {
        let d = self.dynamics;
        match d.thermostat {
            ThermostatKind::Bussi => Box::new(Bussi::new(temperature, d.tau)),
            ThermostatKind::Langevin => Box::new(Langevin::new(temperature, d.tau)),
            ThermostatKind::NoseHoover => {
                Box::new(NoseHooverChain::new(temperature, d.tau, d.chain_length))
            }
            ThermostatKind::Nve => Box::new(Nve),
        }
    }

    /// The minimiser for quenches.
    pub fn minimizer(&self) -> Box<dyn Minimizer> {
        match self.quench.minimizer {
            MinimizerKind::Lbfgs => Box::new(Lbfgs::default()),
            MinimizerKind::Fire => Box::new(Fire::default()),
        }
    }

    /// The swap schedule.
    pub fn schedule(&self) -> Box<dyn SwapSchedule> {
        schedule::by_name(&self.tempering.schedule).expect("validated schedule name")
    }
}
