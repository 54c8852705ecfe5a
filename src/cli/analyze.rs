//! `pelt analyze RUN.h5`: the paper's observables per temperature, tables and figures.

use super::outdir;
use anyhow::{Context, Result};
use clap::Args;
use pelt::analysis::diffusion::Window;
use pelt::analysis::observables::{self, Analysis, Options, Value};
use pelt::analysis::plot;
use pelt::output::reader::{self, Parts};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// The run file (run.h5 of `pelt run`).
    run: PathBuf,
    /// Output folder (default: `analysis/` beside the run file).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Replace files already in the output folder.
    #[arg(long)]
    force: bool,
    /// Bootstrap resamples for the errors of C (fluctuations), D, and MBAR with
    /// --errors bootstrap.
    #[arg(long, default_value_t = 100)]
    resamples: usize,
    /// How MBAR's errors are found: its asymptotic covariance on decorrelated samples
    /// (fast), or a block bootstrap (slow).
    #[arg(long, value_parser = outdir::error_method, default_value = "asymptotic")]
    errors: pelt::analysis::mbar::ErrorMethod,
    /// MBAR uses at most this many samples per temperature (evenly thinned; default: every
    /// sample).
    #[arg(long)]
    max_samples: Option<usize>,
    /// MSD fit window START,END (ps) for the diffusion coefficient.
    #[arg(long, value_parser = outdir::window_ps, default_value = "0.5,2.5")]
    msd_window: (f64, f64),
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Tables only, no figures.
    #[arg(long)]
    no_plots: bool,
}

/// Files `pelt analyze` writes.
const FILES: [&str; 12] = [
    "temperatures.csv",
    "mbar.csv",
    "msd.csv",
    "is_energy.csv",
    "analysis.json",
    "energy.png",
    "volume.png",
    "heat_capacity.png",
    "radii.png",
    "diffusion.png",
    "force_scale.png",
    "is_energy.png",
];

pub fn run(a: AnalyzeArgs) -> Result<()> {
    let clock = std::time::Instant::now();
    let mut data = reader::read(&a.run, Parts::with_frames())?;
    log::debug!(
        "read {}: {:.2} s",
        a.run.display(),
        clock.elapsed().as_secs_f64()
    );
    data.drop_equilibration();
    let dir = a
        .output
        .clone()
        .unwrap_or_else(|| outdir::beside(&a.run, "analysis"));
    outdir::prepare(&dir, &FILES, a.force)?;
    let opt = Options {
        resamples: a.resamples,
        mbar_errors: a.errors,
        max_samples: a.max_samples,
        seed: a.seed,
        window: Window {
            start: a.msd_window.0,
            end: a.msd_window.1,
        },
        ..Options::default()
    };
    let an = observables::analyze(&data, &opt).with_context(|| a.run.display().to_string())?;
    let write = |name: &str, text: String| -> Result<()> {
        let p = dir.join(name);
        std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))
    };
    write("temperatures.csv", temperatures_csv(&an))?;
    write(
        "mbar.csv",
        pelt::analysis::mbar::csv(&an.mbar_curve, an.atoms),
    )?;
    write("msd.csv", msd_csv(&an))?;
    write("is_energy.csv", is_csv(&an))?;
    write(
        "analysis.json",
        serde_json::to_string_pretty(&an).context("JSON")? + "\n",
    )?;
    let figures = if a.no_plots {
        Vec::new()
    } else {
        plot::figures(&an, &dir)?
    };
    print!("{}", summary(&an));
    println!(
        "\ntables: {}/{{temperatures.csv, mbar.csv, msd.csv, is_energy.csv, analysis.json}}",
        dir.display()
    );
    if !figures.is_empty() {
        println!(
            "figures: {}/{{{}}}",
            dir.display(),
            figures
                .iter()
                .filter_map(|p| p.file_name().map(|f| f.to_string_lossy().to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

fn temperatures_csv(a: &Analysis) -> String {
    // One name per quantity in every table of pelt (summary.csv, mbar.csv, reweight.csv),
    // the unit last; heat capacities per cluster and per atom (docs/ANALYSIS.md).
    let mut s = String::from(
        "temperature_K,samples,phi_eV,phi_err_eV,phi_star_eV,phi_star_err_eV,total_energy_eV,\
         total_energy_err_eV,kinetic_temperature_K,\
         heat_capacity_fluctuation_per_cluster_kB,heat_capacity_fluctuation_per_cluster_err_kB,\
         heat_capacity_fluctuation_per_atom_kB,heat_capacity_fluctuation_per_atom_err_kB,\
         heat_capacity_mbar_per_cluster_kB,heat_capacity_mbar_per_cluster_err_kB,\
         heat_capacity_mbar_per_atom_kB,heat_capacity_mbar_per_atom_err_kB,\
         hull_volume_A3,hull_volume_err_A3,ellipsoid_volume_A3,ellipsoid_volume_err_A3,\
         R1_A,R1_err_A,R2_A,R2_err_A,R3_A,R3_err_A,delta_R_A,delta_R_err_A,force_scale,\
         force_scale_err,inverted_fraction,phi_minus_phi_s_eV,phi_minus_phi_s_err_eV,\
         inherent_energy_eV,inherent_energy_err_eV,quenches,frames,D_A2_per_ps,D_err_A2_per_ps,\
         D_upper_bound_A2_per_ps,D_cm2_per_s,D_upper_bound_cm2_per_s,msd_pieces,\
         phi_statistical_inefficiency,phi_autocorrelation_time_ps,phi_effective_samples,\
         mbar_samples,mbar_statistical_inefficiency,mbar_decorrelated_samples\n",
    );
    let n = a.atoms as f64;
    let cm = pelt::analysis::diffusion::ANGSTROM2_PER_PS_IN_CM2_PER_S;
    for r in &a.rows {
        let v = |x: Value| format!("{},{}", num(x.value), num(x.error));
        let per_atom = |x: Value| {
            v(Value {
                value: x.value / n,
                error: x.error / n,
            })
        };
        // A D below its resolution is reported as an upper bound only, never negative.
        let (d, de, bound, pieces) = match r.diffusion.as_ref() {
            Some(d) if d.resolved() => (d.coefficient, d.error, f64::NAN, d.pieces),
            Some(d) => (f64::NAN, d.error, d.upper_bound(), d.pieces),
            None => (f64::NAN, f64::NAN, f64::NAN, 0),
        };
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.temperature,
            r.samples,
            v(r.phi),
            v(r.phi_star),
            v(r.total_energy),
            num(r.kinetic_temperature.value),
            v(r.heat_capacity_fluctuation),
            per_atom(r.heat_capacity_fluctuation),
            v(r.heat_capacity_mbar),
            per_atom(r.heat_capacity_mbar),
            v(r.hull_volume),
            v(r.ellipsoid_volume),
            v(r.radii[0]),
            v(r.radii[1]),
            v(r.radii[2]),
            v(r.delta_r),
            v(r.force_scale),
            num(r.inverted_fraction),
            v(r.phi_minus_phi_s),
            v(r.inherent_energy),
            r.quenches,
            r.frames,
            num(d),
            num(de),
            num(bound),
            num(d * cm),
            num(bound * cm),
            pieces,
            num(r.phi_correlation.statistical_inefficiency),
            num(r.phi_correlation.autocorrelation_time_ps),
            num(r.phi_correlation.effective_samples),
            r.mbar_samples,
            num(r.mbar_inefficiency),
            r.mbar_decorrelated
        );
    }
    s
}

fn msd_csv(a: &Analysis) -> String {
    let mut s = String::from("temperature_K,lag_ps,msd_A2\n");
    for r in &a.rows {
        if let Some(d) = &r.diffusion {
            for (t, m) in &d.msd {
                let _ = writeln!(s, "{},{},{}", r.temperature, t, num(*m));
            }
        }
    }
    s
}

fn is_csv(a: &Analysis) -> String {
    let mut s = String::from("temperature_K,inherent_energy_eV,density_per_eV\n");
    for h in &a.inherent_histograms {
        for (c, d) in h.centres.iter().zip(&h.density) {
            let _ = writeln!(s, "{},{},{}", h.temperature, c, d);
        }
    }
    s
}

fn pm(v: Value, scale: f64, digits: usize) -> String {
    if !v.value.is_finite() {
        return "-".into();
    }
    if v.error.is_finite() {
        format!(
            "{:.*}±{:.*}",
            digits,
            v.value / scale,
            digits,
            v.error / scale
        )
    } else {
        format!("{:.*}", digits, v.value / scale)
    }
}

/// The summary printed at the end.
pub fn summary(a: &Analysis) -> String {
    let n = a.atoms as f64;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: N = {}, epsilon = {}, phi0 = {:.4} eV/atom, m = {}{}",
        a.source,
        a.atoms,
        plot::epsilon_text(a.epsilon),
        a.phi0 / n,
        a.m,
        if a.phi_s.is_finite() {
            format!(
                ", phi_s = {:.4} eV/atom (forces reverse below)",
                a.phi_s / n
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        s,
        "{:>7} {:>17} {:>11} {:>11} {:>12} {:>12} {:>12} {:>10} {:>10}",
        "T (K)",
        "<phi> (eV/atom)",
        "C_fl (kB/N)",
        "C_MBAR",
        "V_hull (A^3)",
        "dR (A)",
        "D (cm2/s)",
        "<s>",
        "s<=0"
    );
    for r in &a.rows {
        let d = r.diffusion.as_ref().map_or("-".to_string(), |d| {
            let cm = pelt::analysis::diffusion::ANGSTROM2_PER_PS_IN_CM2_PER_S;
            if d.resolved() {
                format!("{:.2e}", d.coefficient * cm)
            } else {
                format!("<{:.0e}", d.upper_bound() * cm)
            }
        });
        let _ = writeln!(
            s,
            "{:>7.1} {:>17} {:>11} {:>11} {:>12} {:>12} {:>12} {:>10} {:>10.3}",
            r.temperature,
            pm(r.phi, n, 4),
            pm(r.heat_capacity_fluctuation, n, 2),
            pm(r.heat_capacity_mbar, n, 2),
            pm(r.hull_volume, 1.0, 0),
            pm(r.delta_r, 1.0, 3),
            d,
            pm(r.force_scale, 1.0, 3),
            r.inverted_fraction
        );
    }
    // How much independent data the table rests on, and what MBAR used.
    let worst = a.rows.iter().max_by(|x, y| {
        x.phi_correlation
            .statistical_inefficiency
            .total_cmp(&y.phi_correlation.statistical_inefficiency)
    });
    if let Some(w) = worst {
        let least = a
            .rows
            .iter()
            .map(|r| r.phi_correlation.effective_samples)
            .fold(f64::INFINITY, f64::min);
        let _ = writeln!(
            s,
            "sampling: phi is correlated over up to g = {:.1} samples (tau_int {:.2} ps, at {:.0} K); \
             fewest effective samples {:.0}",
            w.phi_correlation.statistical_inefficiency,
            w.phi_correlation.autocorrelation_time_ps,
            w.temperature,
            least
        );
        if let Some(m) = &a.mixing {
            let acc = m.acceptance.iter().copied().filter(|x| x.is_finite());
            let (lo, hi) = acc.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
                (l.min(x), h.max(x))
            });
            let _ = writeln!(
                s,
                "swaps{}: pair acceptance {lo:.2}-{hi:.2}, global barrier Lambda = {:.2}; {} \
                 round trips in {} exchanges = {:.2e} per replica per exchange, {:.0} % of the \
                 DEO bound {:.2e} for these acceptances",
                match a.adapted_rounds {
                    0 => String::new(),
                    n => format!(" (adaptive ladder, after its {n} rounds)"),
                },
                m.barrier,
                m.round_trips,
                m.exchanges,
                m.round_trip_rate,
                100.0 * m.round_trip_rate / m.deo_bound,
                m.deo_bound
            );
        }
        let unmixed: Vec<&pelt::analysis::observables::Row> =
            a.rows.iter().filter(|r| r.phi_halves.disagree()).collect();
        if unmixed.is_empty() {
            let _ = writeln!(
                s,
                "split-half check: <phi> of the first and second halves agree within {} sigma \
                 at every temperature",
                pelt::analysis::observables::SPLIT_HALF_LIMIT
            );
        } else {
            let list: Vec<String> = unmixed
                .iter()
                .map(|r| {
                    format!(
                        "{:.0} K ({:.4} vs {:.4} eV/atom, z = {:+.1})",
                        r.temperature,
                        r.phi_halves.first.value / a.atoms as f64,
                        r.phi_halves.second.value / a.atoms as f64,
                        r.phi_halves.z
                    )
                })
                .collect();
            let advice = if a.mixing.is_some() {
                "run longer (or drop more as equilibration), add replicas around these \
                 temperatures so that swaps connect them, or swap more often"
            } else {
                "this run has no swaps, so each temperature is one trajectory from the start \
                 structure and its averages depend on the observation time; run longer, or \
                 with swaps for equilibrium averages"
            };
            let _ = writeln!(
                s,
                "NOT MIXED: <phi> of the first and second halves differ by more than {} sigma at \
                 {}. The averages there still depend on the start: {advice}.",
                pelt::analysis::observables::SPLIT_HALF_LIMIT,
                list.join(", ")
            );
        }
        let thinned: Vec<&pelt::analysis::observables::Row> = a
            .rows
            .iter()
            .filter(|r| r.mbar_samples < r.samples)
            .collect();
        let used = if let Some(r) = thinned.first() {
            format!(
                "{} of {} samples per temperature (one in {}: --max-samples {})",
                r.mbar_samples,
                r.samples,
                r.samples.div_ceil(r.mbar_samples.max(1)),
                a.options.max_samples.unwrap_or(0)
            )
        } else {
            "every sample".to_string()
        };
        let g_lo = a
            .rows
            .iter()
            .map(|r| r.mbar_inefficiency)
            .fold(f64::INFINITY, f64::min);
        let g_hi = a
            .rows
            .iter()
            .map(|r| r.mbar_inefficiency)
            .fold(0.0, f64::max);
        let d_lo = a
            .rows
            .iter()
            .map(|r| r.mbar_decorrelated)
            .min()
            .unwrap_or(0);
        let d_hi = a
            .rows
            .iter()
            .map(|r| r.mbar_decorrelated)
            .max()
            .unwrap_or(0);
        let how = match a.options.mbar_errors {
            pelt::analysis::mbar::ErrorMethod::Asymptotic => {
                "errors from MBAR's asymptotic covariance".to_string()
            }
            pelt::analysis::mbar::ErrorMethod::Bootstrap => {
                format!(
                    "errors from a block bootstrap ({} resamples)",
                    a.options.resamples
                )
            }
        };
        let _ = writeln!(
            s,
            "MBAR: {used}; {how}, on every temperature's samples thinned to one per \
             statistical inefficiency (g = {g_lo:.1} to {g_hi:.1}: {d_lo} to {d_hi} independent \
             samples); no error where fewer than {} independent samples carry an estimate, \
             or fewer than {} with support under {}",
            pelt::analysis::mbar::MIN_INDEPENDENT_SAMPLES,
            pelt::analysis::mbar::AMPLE_INDEPENDENT_SAMPLES,
            pelt::analysis::mbar::MIN_SUPPORT
        );
    }
    let c = &a.characteristic;
    let t = |v: f64| {
        if v.is_finite() {
            format!("{v:.0} K")
        } else {
            "none".into()
        }
    };
    let range = |r: [f64; 2]| {
        if r[0].is_finite() && r[1].is_finite() {
            format!("{:.0}–{:.0} K", r[0], r[1])
        } else {
            "none".into()
        }
    };
    let _ = writeln!(
        s,
        "T_g: {} from <phi>, {} from dR (crossing of low- and high-T line fits)",
        t(c.tg_energy),
        t(c.tg_delta_r)
    );
    for (name, sp) in [("<phi>", c.tg_energy_spread), ("dR", c.tg_delta_r_spread)] {
        let _ = writeln!(
            s,
            "  T_g from {name}: 95 % bootstrap interval {} ({:.0} % of draws give a T_g), \
             fit windows {} (0–2 temperatures dropped at either end)",
            range(sp.interval),
            100.0 * sp.found,
            range(sp.window)
        );
    }
    let _ = writeln!(
        s,
        "T_s: {} (dR leaves its low-T line by > 3 sigma)",
        t(c.ts)
    );
    match c.cv_peak {
        Some(p) => {
            let _ = writeln!(
                s,
                "T_m: {} (C maximum {:.2} kB/N at {:.0} K, {:.2} ± {:.2} kB/N above the end-to-end line: {})",
                t(c.tm),
                p.height / n,
                p.temperature,
                p.prominence / n,
                p.error / n,
                if p.significant { "a peak" } else { "no peak" }
            );
        }
        None => {
            let _ = writeln!(s, "T_m: none (too few temperatures)");
        }
    }
    if let Some(j) = c.energy_jump {
        let _ = writeln!(
            s,
            "energy jump: {:.4} eV/atom around {:.0} K, {:.1} x the median slope ({})",
            j.rise / n,
            j.temperature,
            j.ratio,
            if j.significant { "a jump" } else { "no jump" }
        );
    }
    for (name, f) in [("below", a.arrhenius_low), ("above", a.arrhenius_high)] {
        if let Some(f) = f {
            let _ = writeln!(
                s,
                "Arrhenius {name} T_g: E_a = {:.3} ± {:.3} eV ({} temperatures, {:.0}-{:.0} K)",
                f.activation_energy, f.activation_energy_error, f.points, f.range.0, f.range.1
            );
        }
    }
    s
}
