//! `pelt reweight RUN.h5 [MORE.h5 …]`: MBAR over every sample of every run, predicted at
//! other temperatures and under another transform (ε, φ0, m).

use super::outdir;
use anyhow::{bail, Context, Result};
use clap::Args;
use pelt::analysis::mbar::{self, ErrorMethod, Errors, Sample, State, MIN_INDEPENDENT_SAMPLES};
use pelt::analysis::observables::mbar_input;
use pelt::analysis::plot::{self, Panel, Series, Style, COLORS};
use pelt::analysis::stats;
use pelt::landscape::Transform;
use pelt::output::reader::{self, Parts};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ReweightArgs {
    /// Run files; all must hold the same cluster size and potential.
    #[arg(required = true)]
    runs: Vec<PathBuf>,
    /// Target temperatures (K), comma-separated (default: the first run's ladder).
    #[arg(long, value_delimiter = ',')]
    temperatures: Vec<f64>,
    /// Target ε (eV^(1−m)); default: the first run's.
    #[arg(long, allow_hyphen_values = true)]
    eps: Option<f64>,
    /// Target m (even, ≥ 2); default: the first run's.
    #[arg(long)]
    m: Option<u32>,
    /// Target φ0 per atom (eV/atom); default: the first run's.
    #[arg(long, allow_hyphen_values = true)]
    phi0_per_atom: Option<f64>,
    /// How the errors are found: MBAR's asymptotic covariance on decorrelated samples
    /// (fast), or a block bootstrap (slow).
    #[arg(long, value_parser = outdir::error_method, default_value = "asymptotic")]
    errors: ErrorMethod,
    /// Bootstrap resamples (with --errors bootstrap).
    #[arg(long, default_value_t = 50)]
    resamples: usize,
    /// At most this many samples per temperature of each run (evenly thinned; default:
    /// every sample).
    #[arg(long)]
    max_samples: Option<usize>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write reweight.csv, phi_histogram.csv, reweight.json and reweight.png here.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Replace files already in the output folder.
    #[arg(long)]
    force: bool,
    /// Print one JSON object and nothing else.
    #[arg(long)]
    json: bool,
}

pub fn run(a: ReweightArgs) -> Result<()> {
    let mut runs = Vec::new();
    for p in &a.runs {
        let mut r = reader::read(p, Parts::default())?;
        r.drop_equilibration();
        runs.push(r);
    }
    let first = &runs[0];
    for r in &runs[1..] {
        if r.atoms != first.atoms {
            bail!(
                "{}: {} atoms, but {} has {}; runs combined must be of the same cluster size",
                r.source,
                r.atoms,
                first.source,
                first.atoms
            );
        }
        if r.potential_sha256 != first.potential_sha256 {
            bail!(
                "{}: its potential (SHA-256 {}) differs from {}'s ({}); g(φ) is not shared",
                r.source,
                r.potential_sha256,
                first.source,
                first.potential_sha256
            );
        }
    }
    let n = first.atoms;
    let t0 = first.transform;
    let target = Transform::per_atom(
        a.eps.unwrap_or(t0.eps()),
        a.phi0_per_atom.unwrap_or(t0.phi0() / n as f64),
        a.m.unwrap_or(t0.m()),
        n,
    )
    .context("--eps, --phi0-per-atom, --m")?;
    let temps = if a.temperatures.is_empty() {
        first.ladder()
    } else {
        a.temperatures.clone()
    };
    if let Some(t) = temps.iter().find(|t| !(t.is_finite() && **t > 0.0)) {
        bail!("--temperatures: {t} K; expected positive temperatures");
    }
    let mut states: Vec<State> = Vec::new();
    let mut samples: Vec<Vec<Sample>> = Vec::new();
    for r in &runs {
        let (s, x) = mbar_input(r, a.max_samples);
        states.extend(s);
        samples.extend(x);
    }
    let targets: Vec<State> = temps
        .iter()
        .map(|&t| State {
            temperature: t,
            transform: target,
        })
        .collect();
    let dof = first.dof();
    // Where the samples barely reach a target (mbar::supported), the estimate gets no
    // error: empty in the CSV, null in the JSON, no bar in the plot.
    let solved = mbar::estimate(
        first.kb,
        &states,
        &samples,
        &targets,
        dof,
        &Errors {
            method: a.errors,
            resamples: a.resamples,
            seed: a.seed,
        },
    )?;
    let (m, est) = (&solved.mbar, &solved.estimates);
    // φ histograms at the targets over the range of all samples.
    let phis: Vec<f64> = m.samples().iter().map(|s| s.phi).collect();
    let lo = phis.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = phis.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let hists: Vec<(f64, Vec<f64>, Vec<f64>)> = targets
        .iter()
        .map(|t| {
            let w = m.weights(t);
            let (c, d) = stats::histogram(&phis, Some(&w), lo, hi, 60);
            (t.temperature, c, d)
        })
        .collect();

    let json = serde_json::json!({
        "runs": a.runs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "atoms": n,
        "target": {"epsilon": target.eps(), "phi0": target.phi0(),
                   "phi0_per_atom": target.phi0() / n as f64, "m": target.m()},
        "sampled_states": states.iter().map(|s| serde_json::json!({
            "temperature": s.temperature, "epsilon": s.transform.eps(),
            "phi0": s.transform.phi0(), "m": s.transform.m()})).collect::<Vec<_>>(),
        "samples": m.counts(),
        "newton_iterations": m.iterations(),
        "errors": a.errors,
        "statistical_inefficiency": solved.inefficiency,
        "decorrelated_samples": solved.decorrelated,
        "minimum_independent_samples": MIN_INDEPENDENT_SAMPLES,
        "minimum_support": mbar::MIN_SUPPORT,
        "ample_independent_samples": mbar::AMPLE_INDEPENDENT_SAMPLES,
        "predictions": est,
    });
    if a.json {
        println!("{}", serde_json::to_string(&json).context("JSON")?);
        return Ok(());
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "MBAR over {} states ({} samples) from {} run file(s), {} Newton iterations",
        states.len(),
        m.samples().len(),
        runs.len(),
        m.iterations()
    );
    let _ = writeln!(
        s,
        "target: epsilon = {:e}, phi0 = {:.4} eV/atom, m = {}",
        target.eps(),
        target.phi0() / n as f64,
        target.m()
    );
    let _ = writeln!(
        s,
        "errors: {} ({}), from every state's samples thinned to one per statistical \
         inefficiency g ({} to {} independent samples per state)",
        a.errors,
        match a.errors {
            ErrorMethod::Asymptotic => "MBAR's asymptotic covariance".to_string(),
            ErrorMethod::Bootstrap => format!("block bootstrap, {} resamples", a.resamples),
        },
        solved.decorrelated.iter().min().unwrap_or(&0),
        solved.decorrelated.iter().max().unwrap_or(&0),
    );
    let _ = writeln!(
        s,
        "{:>8} {:>24} {:>24} {:>18} {:>9} {:>9}",
        "T (K)", "<phi> (eV)", "<phi*> (eV)", "C (kB)", "n_eff", "n_indep"
    );
    for e in est {
        let v = e.value;
        let pm = |x: f64, err: f64, digits: usize| {
            if err.is_finite() {
                format!("{x:.digits$} ± {err:.digits$}")
            } else {
                format!("{x:.digits$}    ")
            }
        };
        let _ = writeln!(
            s,
            "{:>8.1} {:>24} {:>24} {:>18} {:>9.0} {:>9.1}{}",
            v.temperature,
            pm(v.phi, e.phi_error, 4),
            pm(v.phi_star, e.phi_star_error, 4),
            pm(v.heat_capacity, e.heat_capacity_error, 1),
            v.effective_samples,
            e.independent_samples,
            if !mbar::supported(e.support, e.independent_samples) {
                "  (little overlap: not supported by the samples; no error estimate)"
            } else {
                ""
            }
        );
    }
    print!("{s}");
    if let Some(dir) = &a.output {
        let files = [
            "reweight.csv",
            "phi_histogram.csv",
            "reweight.json",
            "reweight.png",
        ];
        outdir::prepare(dir, &files, a.force)?;
        let mut hcsv = String::from("temperature_K,phi_eV,density_per_eV\n");
        for (t, c, d) in &hists {
            for (x, y) in c.iter().zip(d) {
                let _ = writeln!(hcsv, "{t},{x},{y}");
            }
        }
        let w = |name: &str, text: String| -> Result<()> {
            std::fs::write(dir.join(name), text)
                .with_context(|| format!("writing {}", dir.join(name).display()))
        };
        w("reweight.csv", mbar::csv(est, n))?;
        w("phi_histogram.csv", hcsv)?;
        w("reweight.json", serde_json::to_string_pretty(&json)? + "\n")?;
        let nn = n as f64;
        let phi_panel = Panel {
            title: format!("Reweighted to ε = {}", plot::epsilon_text(target.eps())),
            x_label: "T (K)".into(),
            y_label: "⟨φ⟩ per atom (eV)".into(),
            series: vec![Series {
                label: "MBAR ± 1σ".into(),
                points: est
                    .iter()
                    .map(|e| (e.value.temperature, e.value.phi / nn, e.phi_error / nn))
                    .collect(),
                style: Style::Markers,
                color: COLORS[0],
            }],
            ..Panel::default()
        };
        let cv_panel = Panel {
            title: "Heat capacity".into(),
            x_label: "T (K)".into(),
            y_label: "C / (N k_B)".into(),
            series: vec![Series {
                label: "MBAR ± 1σ".into(),
                points: est
                    .iter()
                    .map(|e| {
                        (
                            e.value.temperature,
                            e.value.heat_capacity / nn,
                            e.heat_capacity_error / nn,
                        )
                    })
                    .collect(),
                style: Style::Markers,
                color: COLORS[1],
            }],
            ..Panel::default()
        };
        let (tlo, thi) = (temps[0], temps[temps.len() - 1]);
        let hist_panel = Panel {
            title: "φ distribution".into(),
            x_label: "φ per atom (eV)".into(),
            y_label: "density (1/eV per atom)".into(),
            series: hists
                .iter()
                .map(|(t, c, d)| Series {
                    label: format!("{t:.0} K"),
                    points: c
                        .iter()
                        .zip(d)
                        .map(|(&x, &y)| (x / nn, y * nn, f64::NAN))
                        .collect(),
                    style: Style::Line,
                    color: plot::heat(if thi > tlo {
                        (t - tlo) / (thi - tlo)
                    } else {
                        0.0
                    }),
                })
                .collect(),
            ..Panel::default()
        };
        plot::draw(
            &dir.join("reweight.png"),
            &[phi_panel, cv_panel, hist_panel],
            3,
            (2100, 620),
        )?;
        println!("written: {}/{{{}}}", dir.display(), files.join(", "));
    }
    Ok(())
}
