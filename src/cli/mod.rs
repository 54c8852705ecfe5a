//! Command line: one file per subcommand.

mod analyze;
mod basin_hop;
mod build;
mod compare;
mod energy;
mod export;
mod hops;
mod ladder;
mod landscape;
mod minima;
mod outdir;
mod quench;
mod reweight;
mod run;
mod signals;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// pelt: parallel-tempering MD of metal nanoclusters on a reshaped potential energy landscape.
#[derive(Parser, Debug)]
#[command(name = "pelt", about, propagate_version = false)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Analyse a run file: observables per temperature, C by fluctuations and MBAR,
    /// volumes, radii, diffusion, T_g / T_s / T_m, tables and figures.
    Analyze(analyze::AnalyzeArgs),
    /// Search for the lowest minimum by basin hopping.
    BasinHop(basin_hop::BasinHopArgs),
    /// Build a cluster (icosahedron, decahedron, cuboctahedron, truncated octahedron, random).
    Build(build::BuildArgs),
    /// Whether two structures are the same minimum: minimum permutational distance and
    /// energy difference.
    Compare(compare::CompareArgs),
    /// Energy (and forces) of a structure with a tabulated EAM / glue potential.
    Energy(energy::EnergyArgs),
    /// One trajectory of a run (a temperature, or a replica through its swaps) as H5MD or
    /// extended xyz.
    Export(export::ExportArgs),
    /// E_c(t), R_c(t) and hops between minima at one temperature of a run.
    Hops(hops::HopsArgs),
    /// Propose a ladder with equal swap rejection between neighbours from an earlier run.
    Ladder(ladder::LadderArgs),
    /// Report the φ* transform: φ0, the stationary energy φ_s, and s at a reference energy.
    Landscape(landscape::LandscapeArgs),
    /// The distinct minima of a run's inherent structures: catalogue, occupation per
    /// temperature, hops, harmonic superposition C(T), PATHSAMPLE files.
    Minima(minima::MinimaArgs),
    /// Quench a structure to a local minimum of φ (L-BFGS or FIRE).
    Quench(quench::QuenchArgs),
    /// Reweight one or more runs (MBAR) to other temperatures and another transform.
    Reweight(reweight::ReweightArgs),
    /// Parallel tempering from a TOML input (under mpirun: replicas spread over ranks).
    Run(run::RunArgs),
}

/// An error already reported by another rank: exit non-zero without printing it again.
#[derive(Debug, thiserror::Error)]
#[error("reported by another rank")]
pub struct Reported;

/// Parse the command line and run the subcommand.
pub fn run() -> anyhow::Result<()> {
    let cmd = Cli::command()
        .version(pelt::version::PELT_VERSION)
        .long_version(pelt::version::long_version());
    let cli = Cli::from_arg_matches(&cmd.get_matches())?;
    // A PELT_KERNEL this CPU cannot honour is an error, not a silent fallback.
    pelt::potential::Kernel::requested().map_err(anyhow::Error::msg)?;
    match cli.command {
        Command::Analyze(a) => analyze::run(a),
        Command::BasinHop(a) => basin_hop::run(a),
        Command::Build(a) => build::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Energy(a) => energy::run(a),
        Command::Export(a) => export::run(a),
        Command::Hops(a) => hops::run(a),
        Command::Ladder(a) => ladder::run(a),
        Command::Landscape(a) => landscape::run(a),
        Command::Minima(a) => minima::run(a),
        Command::Quench(a) => quench::run(a),
        Command::Reweight(a) => reweight::run(a),
        Command::Run(a) => run::run(a),
    }
}
