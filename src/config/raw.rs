//! The input file as written: serde structures that reject unknown keys. Validation and
//! units happen in [`super::Config::from_raw`].

use super::quantity::Quantity;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Raw {
    pub system: System,
    pub potential: Potential,
    #[serde(default)]
    pub landscape: Landscape,
    #[serde(default)]
    pub dynamics: Dynamics,
    pub tempering: Tempering,
    #[serde(default)]
    pub quench: Quench,
    #[serde(default)]
    pub output: Output,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    pub structure: PathBuf,
    pub atoms: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Potential {
    pub file: PathBuf,
    pub format: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Landscape {
    pub epsilon: Option<f64>,
    pub phi0: Option<Quantity>,
    pub m: Option<i64>,
    pub allow_force_inversion: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dynamics {
    pub timestep: Option<Quantity>,
    pub thermostat: Option<String>,
    pub tau: Option<Quantity>,
    pub chain_length: Option<i64>,
    pub containment_radius: Option<Quantity>,
    pub containment_stiffness: Option<Quantity>,
    pub precision: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tempering {
    pub temperatures: Option<Vec<Quantity>>,
    pub t_min: Option<Quantity>,
    pub t_max: Option<Quantity>,
    pub replicas: Option<i64>,
    pub ladder: Option<String>,
    pub schedule: Option<String>,
    pub swap_interval: Option<i64>,
    pub steps: i64,
    pub equilibration: Option<i64>,
    pub seed: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quench {
    pub interval: Option<i64>,
    pub minimizer: Option<String>,
    pub fmax: Option<Quantity>,
    pub max_iterations: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    pub directory: Option<PathBuf>,
    pub energy_interval: Option<i64>,
    pub positions_interval: Option<i64>,
    pub velocities: Option<bool>,
    pub checkpoint_interval: Option<i64>,
}
