//! `pelt hops RUN.h5 --temperature T`: E_c(t), R_c(t) and hops between minima.

use super::outdir;
use anyhow::{bail, Result};
use clap::Args;
use pelt::analysis::{hops, plot};
use pelt::output::reader::{self, Parts};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct HopsArgs {
    /// The run file.
    run: PathBuf,
    /// Temperature of the ladder to analyse (K; the nearest within 1 K).
    #[arg(long)]
    temperature: f64,
    /// Window Δt of E_c and R_c (5ps, 500fs, …; a bare number is ps).
    #[arg(long, value_parser = outdir::time_ps, default_value = "5ps")]
    window: f64,
    /// Output folder for hops.csv, hops.json and hops.png (default: `hops/` beside the
    /// run file).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Replace files already in the output folder.
    #[arg(long)]
    force: bool,
}

pub fn run(a: HopsArgs) -> Result<()> {
    let mut data = reader::read(&a.run, Parts::with_frames())?;
    data.drop_equilibration();
    let ladder = data.ladder();
    let Some((k, _)) = ladder
        .iter()
        .enumerate()
        .map(|(k, t)| (k, (t - a.temperature).abs()))
        .filter(|(_, d)| *d <= 1.0)
        .min_by(|x, y| x.1.total_cmp(&y.1))
    else {
        bail!(
            "{}: no temperature within 1 K of --temperature {}; the ladder is {} K",
            a.run.display(),
            a.temperature,
            ladder
                .iter()
                .map(|t| format!("{t:.1}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let t = &data.temperatures[k];
    if t.frames.step.len() < 2 {
        bail!(
            "{}: {} K has {} position frames after equilibration; hops need positions \
             (positions_interval > 0, and much shorter than the window)",
            a.run.display(),
            t.temperature,
            t.frames.step.len()
        );
    }
    let h = hops::hops(k, t, &data.exchanges, data.timestep_ps, a.window);
    let dir = a
        .output
        .clone()
        .unwrap_or_else(|| outdir::beside(&a.run, "hops"));
    let files = ["hops.csv", "hops.json", "hops.png"];
    outdir::prepare(&dir, &files, a.force)?;
    let mut csv = String::from("segment,time_ps,E_c_eV,R_c_A\n");
    for (i, s) in h.series.iter().enumerate() {
        for p in s {
            let _ = writeln!(csv, "{i},{},{},{}", p.time, p.energy, p.displacement);
        }
    }
    std::fs::write(dir.join("hops.csv"), csv)?;
    std::fs::write(
        dir.join("hops.json"),
        serde_json::to_string_pretty(&h)? + "\n",
    )?;
    plot::hops_figure(&h, data.atoms, &dir.join("hops.png"))?;
    let points: usize = h.series.iter().map(Vec::len).sum();
    println!(
        "{} K: window {} ps, {} constant-temperature segment(s), {} points{}",
        t.temperature,
        h.window,
        h.series.len(),
        points,
        if data.swaps {
            " (swaps cut the trajectory: use swap_interval = 0 for long dynamics)"
        } else {
            ""
        }
    );
    println!(
        "thresholds: R_c > {:.3} A and |dE_c| > {:.4} eV; {} hops, {} confirmed by the inherent structures",
        h.thresholds.0,
        h.thresholds.1,
        h.hops.len(),
        h.hops.iter().filter(|x| x.confirmed).count()
    );
    for x in &h.hops {
        println!(
            "  t = {:>10.2} ps  R_c = {:.3} A  dE_c = {:+.4} eV  E_IS {:.4} -> {:.4} eV{}",
            x.time,
            x.displacement,
            x.energy_change,
            x.inherent_before,
            x.inherent_after,
            if x.confirmed { "  confirmed" } else { "" }
        );
    }
    println!("written: {}/{{{}}}", dir.display(), files.join(", "));
    Ok(())
}
