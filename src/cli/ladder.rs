//! `pelt ladder RUN.h5 --replicas K`: a ladder with equal swap rejection between neighbours,
//! from an earlier run's swap statistics.

use anyhow::{Context, Result};
use clap::Args;
use pelt::analysis::ladder;
use pelt::output::reader::{self, Parts};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct LadderArgs {
    /// The run file whose swap statistics to use.
    run: PathBuf,
    /// Temperatures of the new ladder (default: as many as the run has).
    #[arg(long)]
    replicas: Option<usize>,
    /// Print one JSON object and nothing else.
    #[arg(long)]
    json: bool,
}

pub fn run(a: LadderArgs) -> Result<()> {
    let data = reader::read(&a.run, Parts::default())?;
    let old = data.ladder();
    let s = &data.swap_statistics;
    let rejection: Vec<f64> = s
        .attempted
        .iter()
        .zip(&s.accepted)
        .map(|(&n, &m)| {
            if n > 0 {
                1.0 - m as f64 / n as f64
            } else {
                f64::NAN
            }
        })
        .collect();
    let k = a.replicas.unwrap_or(old.len());
    let p = ladder::propose(&old, &rejection, k).with_context(|| a.run.display().to_string())?;
    if a.json {
        println!("{}", serde_json::to_string(&p).context("JSON")?);
        return Ok(());
    }
    println!(
        "{}: {} temperatures, rejection {:.2}-{:.2} per pair, global barrier {:.2}",
        a.run.display(),
        old.len(),
        rejection.iter().copied().fold(f64::INFINITY, f64::min),
        rejection.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        p.barrier
    );
    println!(
        "proposed: {k} temperatures with an expected rejection of {:.2} per pair{}",
        p.rejection,
        if p.rejection > 0.8 {
            " (too few replicas: swaps will rarely succeed; ask for more)"
        } else {
            ""
        }
    );
    let list: Vec<String> = p.temperatures.iter().map(|t| format!("{t:.1}")).collect();
    println!("[tempering]\ntemperatures = [{}]", list.join(", "));
    Ok(())
}
