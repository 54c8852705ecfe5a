//! `pelt run INPUT.toml`: parse the arguments, start MPI, install the signal handlers, run
//! ([`pelt::run::execute`]) and print. The run itself lives in the library (`src/run/`).

use super::{signals, Reported};
use anyhow::{anyhow, Result};
use clap::Args;
use mpi::topology::Communicator;
use pelt::parallel;
use pelt::run::{self, Ending, Options, RunError};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Input file (TOML); see inputs/quickstart.toml for every key.
    input: PathBuf,
    /// Output folder (overrides [output] directory).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Replace the files of an earlier run in the output folder.
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Continue the run in the output folder from its last checkpoint.
    #[arg(long)]
    resume: bool,
    /// Run this many steps in all instead of [tempering] steps (equilibration is capped at
    /// half); with --resume, extends or shortens the run.
    #[arg(long)]
    steps: Option<u64>,
    /// Seconds between progress lines in the log.
    #[arg(long, default_value_t = 30.0)]
    progress_every: f64,
}

pub fn run(a: RunArgs) -> Result<()> {
    let universe = mpi::initialize().ok_or_else(|| anyhow!("MPI could not be initialised"))?;
    let world = universe.world();
    let (rank, size) = (world.rank(), world.size());
    parallel::set_log_rank(rank, size);
    parallel::abort_on_panic(rank, size);
    signals::install().map_err(|e| anyhow!("installing signal handlers: {e}"))?;
    let options = Options {
        input: a.input.clone(),
        output: a.output,
        force: a.force,
        resume: a.resume,
        steps: a.steps,
        progress_every: a.progress_every,
    };
    let mut stop = || signals::received().is_some();
    match run::execute(&world, &options, &mut stop) {
        Ok(Ending::Finished { report }) => {
            print!("{report}");
            Ok(())
        }
        Ok(Ending::Stopped {
            step,
            exchanges,
            file,
        }) => {
            if rank == 0 {
                log::info!(
                    "stopped by {} after exchange {exchanges} (step {step}): checkpoint written, {} closed; continue with `pelt run {} --resume`",
                    signals::received().unwrap_or("a signal"),
                    file.display(),
                    a.input.display()
                );
            }
            Ok(())
        }
        Err(e) => {
            // Set-up errors come back on every rank: the lowest failing rank prints, the
            // others wait until it has, so that mpirun does not end the job first.
            if !matches!(e, RunError::Reported) {
                eprintln!("error: {e}");
            }
            mpi::collective::CommunicatorCollectives::barrier(&world);
            Err(Reported.into())
        }
    }
}
