//! `pelt export RUN.h5 -o X.h5md|X.extxyz`: one trajectory of a run — a temperature of the
//! ladder, or one replica followed through its swaps — as H5MD or extended xyz.

use anyhow::{bail, Result};
use clap::Args;
use pelt::output::export::{self, Selection, Spec};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The run file (run.h5).
    run: PathBuf,
    /// Output: X.h5md (H5MD, MDAnalysis opens it without a topology) or X.extxyz (extended
    /// xyz: ASE, OVITO, chemfiles). Never replaced without --force.
    #[arg(short, long)]
    output: PathBuf,
    /// The trajectory at temperature index K of the ladder (0 = coldest).
    #[arg(long, conflicts_with_all = ["temperature", "replica"])]
    temperature_index: Option<usize>,
    /// The trajectory at the ladder temperature T (K; the nearest, within 0.5 K).
    #[arg(long, conflicts_with = "replica")]
    temperature: Option<f64>,
    /// One replica followed through its swaps (continuous in time).
    #[arg(long)]
    replica: Option<usize>,
    /// First MD step to export (inclusive).
    #[arg(long)]
    from_step: Option<u64>,
    /// Last MD step to export (inclusive).
    #[arg(long)]
    to_step: Option<u64>,
    /// Export every N-th record.
    #[arg(long, default_value_t = 1)]
    every: usize,
    /// The quenched minima (inherent structures) instead of the MD frames.
    #[arg(long)]
    inherent_structures: bool,
    /// Replace the output file.
    #[arg(long)]
    force: bool,
}

pub fn run(a: ExportArgs) -> Result<()> {
    let selection = match (a.temperature_index, a.temperature, a.replica) {
        (Some(k), _, _) => Selection::Temperature(k),
        (_, Some(t), _) => {
            // The ladder alone (the export reads the rest once).
            std::fs::File::open(&a.run).map_err(|e| anyhow::anyhow!("{}: {e}", a.run.display()))?;
            let ladder: Vec<f64> = hdf5::File::open(&a.run)
                .and_then(|f| f.dataset("tempering/temperature")?.read_raw::<f64>())
                .map_err(|e| anyhow::anyhow!("{}: /tempering/temperature: {e}", a.run.display()))?;
            match ladder.iter().position(|&x| (x - t).abs() <= 0.5) {
                Some(k) => Selection::Temperature(k),
                None => bail!(
                    "--temperature {t}: no temperature of the ladder of {} within 0.5 K (the \
                     ladder: {} K)",
                    a.run.display(),
                    ladder
                        .iter()
                        .map(|x| format!("{x:.2}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
        (_, _, Some(r)) => Selection::Replica(r),
        _ => bail!("choose the trajectory: --temperature-index K, --temperature T or --replica R"),
    };
    let spec = Spec {
        selection,
        from_step: a.from_step,
        to_step: a.to_step,
        every: a.every,
        inherent: a.inherent_structures,
    };
    let started = Instant::now();
    let mut last = Instant::now();
    let mut progress = |done: usize, total: usize| {
        if last.elapsed() >= Duration::from_secs(2) {
            last = Instant::now();
            log::info!("exported {done}/{total} records");
        }
    };
    let n = export::export(&a.run, spec, &a.output, a.force, &mut progress)?;
    log::info!(
        "wrote {} ({n} {}, {:.1} s)",
        a.output.display(),
        if a.inherent_structures {
            "inherent structures"
        } else {
            "frames"
        },
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
