//! `pelt ladder RUN.h5 --replicas K`: a ladder with equal swap acceptance between
//! neighbours, from an earlier run: by MBAR (default; the run's samples reweighted to any
//! temperature) or from its swap statistics (`--method swaps`).

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
    /// mbar: predict every pair's acceptance from the run's samples reweighted by MBAR;
    /// swaps: invert the cumulative rejection of the run's own pairs.
    #[arg(long, default_value = "mbar", value_parser = ["mbar", "swaps"])]
    method: String,
    /// Instead of proposing, predict the pair acceptances of this ladder (comma-separated
    /// K, increasing) by MBAR from the run's samples.
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["replicas", "method"])]
    temperatures: Option<Vec<f64>>,
    /// Print one JSON object and nothing else.
    #[arg(long)]
    json: bool,
}

/// `--temperatures`: the acceptances MBAR predicts for a given ladder.
fn evaluate(a: &LadderArgs, temps: &[f64]) -> Result<()> {
    if temps.len() < 2
        || temps
            .windows(2)
            .any(|w| !(w[0] > 0.0 && w[1] > w[0] && w[1].is_finite()))
    {
        anyhow::bail!(
            "--temperatures {temps:?}: expected at least two temperatures, positive and \
             increasing (K)"
        );
    }
    let mut data = reader::read(&a.run, Parts::default())?;
    let old = data.ladder();
    data.drop_equilibration();
    let (states, samples) = pelt::analysis::observables::mbar_input(&data, None);
    let m = pelt::analysis::mbar::Mbar::solve(data.kb, states, &samples, None)
        .with_context(|| a.run.display().to_string())?;
    let pairs: Vec<(f64, f64)> = temps.windows(2).map(|w| (w[0], w[1])).collect();
    let acc = ladder::predicted_acceptance(&m, data.transform, data.kb, &pairs);
    let mean = acc.iter().sum::<f64>() / acc.len() as f64;
    let min = acc.iter().copied().fold(f64::INFINITY, f64::min);
    let outside = temps[0] < old[0] || temps[temps.len() - 1] > old[old.len() - 1];
    if a.json {
        let j = serde_json::json!({"temperatures": temps, "acceptance": acc,
            "evenness": min / mean, "outside_run": outside});
        println!("{}", serde_json::to_string(&j).context("JSON")?);
        return Ok(());
    }
    println!(
        "{}: MBAR over {} samples of {:.1}-{:.1} K",
        a.run.display(),
        m.samples().len(),
        old[0],
        old[old.len() - 1]
    );
    for ((lo, hi), p) in pairs.iter().zip(&acc) {
        println!("  {lo:>8.1} K - {hi:>8.1} K: predicted acceptance {p:.3}");
    }
    println!("smallest / mean: {:.3}", min / mean);
    if outside {
        println!("(the ladder reaches beyond the run's temperatures: the prediction there rests on few samples)");
    }
    Ok(())
}

pub fn run(a: LadderArgs) -> Result<()> {
    if let Some(t) = &a.temperatures {
        return evaluate(&a, t);
    }
    let mut data = reader::read(&a.run, Parts::default())?;
    let old = data.ladder();
    if a.method == "mbar" {
        data.drop_equilibration();
        let (states, samples) = pelt::analysis::observables::mbar_input(&data, None);
        let m = pelt::analysis::mbar::Mbar::solve(data.kb, states, &samples, None)
            .with_context(|| a.run.display().to_string())?;
        let k = a.replicas.unwrap_or(old.len());
        let (lo, hi) = (old[0], old[old.len() - 1]);
        let p = ladder::propose_mbar(&m, data.transform, data.kb, (lo, hi), k)
            .with_context(|| a.run.display().to_string())?;
        let pairs: Vec<(f64, f64)> = old.windows(2).map(|w| (w[0], w[1])).collect();
        let now = ladder::predicted_acceptance(&m, data.transform, data.kb, &pairs);
        if a.json {
            let j = serde_json::json!({"method": "mbar", "temperatures": p.temperatures,
                "acceptance": p.acceptance, "run_ladder": old, "run_predicted_acceptance": now});
            println!("{}", serde_json::to_string(&j).context("JSON")?);
            return Ok(());
        }
        let range = |v: &[f64]| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!("{lo:.2}-{hi:.2}")
        };
        println!(
            "{}: {} temperatures; MBAR over {} samples predicts pair acceptances {} on its \
             ladder",
            a.run.display(),
            old.len(),
            m.samples().len(),
            range(&now)
        );
        println!(
            "proposed: {k} temperatures with predicted acceptances {}{}",
            range(&p.acceptance),
            if p.acceptance.iter().any(|&x| x < 0.1) {
                " (too few replicas: swaps will rarely succeed; ask for more)"
            } else {
                ""
            }
        );
        let list: Vec<String> = p.temperatures.iter().map(|t| format!("{t:.1}")).collect();
        println!("[tempering]\ntemperatures = [{}]", list.join(", "));
        return Ok(());
    }
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
