//! The analysis on real runs: reweighting an ε = 0 run predicts a run at ε ≠ 0 (⟨φ⟩(T)
//! within 2σ wherever the samples overlap); the heat capacity from fluctuations agrees
//! with MBAR; `pelt analyze` writes every table and figure; `pelt hops` works on a run
//! without swaps (`swap_interval = 0`), whose replicas never change temperature.

mod common;

use common::{pelt, repo};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn scratch() -> PathBuf {
    common::scratch_root("analysis")
}

/// Al13 on a 6-temperature ladder, 0.8 ns per replica (about 2 s).
fn al13_input(eps: f64, extra: &str) -> String {
    format!(
        r#"[system]
structure = "{}"
[potential]
file = "{}"
[landscape]
epsilon = {eps:e}
phi0 = "-2.1 eV"
m = 4
[dynamics]
timestep = "2 fs"
thermostat = "bussi"
tau = "100 fs"
[tempering]
temperatures = [250, 300, 360, 430, 510, 600]
swap_interval = 100
steps = 400000
equilibration = 20000
seed = 11
[quench]
interval = 0
[output]
energy_interval = 20
positions_interval = 0
checkpoint_interval = 1000
{extra}"#,
        repo("inputs/structures/al13_ih.xyz").display(),
        repo("inputs/potentials/Al_EA.eam.alloy").display()
    )
}

fn run(name: &str, input: &str) -> PathBuf {
    let dir = scratch();
    let toml = dir.join(format!("{name}.toml"));
    std::fs::write(&toml, input).unwrap();
    let out = dir.join(name);
    let _ = std::fs::remove_dir_all(&out);
    let (code, _, stderr) = pelt(&[
        "run",
        toml.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    out.join("run.h5")
}

/// The two runs of the reweighting check, made once per test binary.
fn runs() -> &'static (PathBuf, PathBuf) {
    static RUNS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    RUNS.get_or_init(|| {
        (
            run("eps0", &al13_input(0.0, "")),
            run("eps1", &al13_input(EPS, "")),
        )
    })
}

const EPS: f64 = -1e-3;

fn analysis_json(run: &Path, out: &str) -> Value {
    let dir = scratch().join(out);
    let (code, stdout, stderr) = pelt(&[
        "analyze",
        run.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
        "--force",
        "--no-plots",
        "--resamples",
        "40",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    serde_json::from_str(&std::fs::read_to_string(dir.join("analysis.json")).unwrap()).unwrap()
}

#[test]
fn reweighting_an_eps0_run_predicts_the_run_at_another_eps() {
    let (eps0, eps1) = runs();
    let (code, stdout, stderr) = pelt(&[
        "reweight",
        eps0.to_str().unwrap(),
        "--eps",
        &format!("{EPS:e}"),
        "--m",
        "4",
        "--phi0-per-atom",
        "-2.1",
        "--temperatures",
        "250,300,360,430,510,600",
        "--resamples",
        "40",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let predicted: Value = serde_json::from_str(&stdout).unwrap();
    let direct = analysis_json(eps1, "direct");
    let untransformed = analysis_json(eps0, "untransformed");
    // Another process, the same numbers to the last bit (the bootstrap runs on every core;
    // hull faces were once ordered by a HashSet's per-process random order).
    assert_eq!(
        direct,
        analysis_json(eps1, "again"),
        "analysis is not reproducible"
    );
    // The sampling diagnostics: g ≥ 1, N/g effective samples, MBAR's share of the samples.
    for row in direct["rows"].as_array().unwrap() {
        let n = row["samples"].as_f64().unwrap();
        let c = &row["phi_correlation"];
        let g = c["statistical_inefficiency"].as_f64().unwrap();
        assert!(g >= 1.0, "{row}");
        assert!((c["effective_samples"].as_f64().unwrap() * g - n).abs() < 1e-6 * n);
        assert!(c["autocorrelation_time_ps"].as_f64().unwrap() > 0.0);
        let used = row["mbar_samples"].as_f64().unwrap();
        assert!(used <= n && used >= n.min(5000.0) / 2.0, "{row}");
    }
    // A run with swaps: acceptances, Λ and round trips against the DEO bound.
    let m = &direct["mixing"];
    assert_eq!(m["acceptance"].as_array().unwrap().len(), 5, "{m}");
    let bound = m["deo_bound"].as_f64().unwrap();
    assert!(bound > 0.0 && bound <= 0.5, "{m}");
    assert!(
        m["round_trip_rate"].as_f64().unwrap() <= bound,
        "above the DEO bound: {m}"
    );
    let mut compared = 0;
    let mut shifted = 0;
    for (i, p) in predicted["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let row = &direct["rows"][i];
        let t = row["temperature"].as_f64().unwrap();
        assert_eq!(p["value"]["temperature"].as_f64().unwrap(), t);
        let (mu, smu) = (
            p["value"]["phi"].as_f64().unwrap(),
            p["phi_error"].as_f64().unwrap(),
        );
        let (d, sd) = (
            row["phi"]["value"].as_f64().unwrap(),
            row["phi"]["error"].as_f64().unwrap(),
        );
        let sigma = (smu * smu + sd * sd).sqrt();
        let overlap = p["value"]["effective_samples"].as_f64().unwrap();
        println!(
            "{t} K: reweighted {mu:.4} ± {smu:.4}, direct {d:.4} ± {sd:.4} eV \
             ({:.1} σ, n_eff {overlap:.0})",
            (mu - d).abs() / sigma
        );
        assert!(sigma > 0.0 && sigma < 0.01, "{t} K: σ = {sigma}");
        if overlap >= 50.0 {
            compared += 1;
            assert!(
                (mu - d).abs() <= 2.0 * sigma,
                "{t} K: reweighted ⟨φ⟩ {mu} ± {smu} vs direct {d} ± {sd} eV"
            );
        }
        // The transform must matter: ε = −1e-3 pulls ⟨φ⟩ down by far more than the errors.
        let u = &untransformed["rows"][i]["phi"];
        let (u0, su0) = (u["value"].as_f64().unwrap(), u["error"].as_f64().unwrap());
        if d < u0 - 5.0 * (sd * sd + su0 * su0).sqrt() {
            shifted += 1;
        }
    }
    assert_eq!(compared, 6, "every temperature overlaps in this set-up");
    // Far outside the sampled range: little overlap, and no error bar rather than a wrong one.
    let (code, stdout, stderr) = pelt(&[
        "reweight",
        eps0.to_str().unwrap(),
        "--temperatures",
        "300,2000",
        "--resamples",
        "10",
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let far: Value = serde_json::from_str(&stdout).unwrap();
    let (near, out) = (&far["predictions"][0], &far["predictions"][1]);
    assert!(
        out["value"]["effective_samples"].as_f64().unwrap() < 50.0,
        "{out}"
    );
    assert!(
        out["phi_error"].is_null() && out["heat_capacity_error"].is_null(),
        "{out}"
    );
    assert!(near["phi_error"].as_f64().unwrap() > 0.0, "{near}");
    assert_eq!(shifted, 6, "the transform moves ⟨φ⟩ at every temperature");
}

#[test]
fn heat_capacity_from_fluctuations_agrees_with_mbar() {
    // Each of the 12 differences within 3σ, and together a χ² per point below 2.5 (the
    // 99.5 % quantile of χ²₁₂/12 is 2.3): within their error bars, without a test that
    // fails one time in two from 12 independent 2σ draws.
    let (eps0, eps1) = runs();
    let mut chi2 = 0.0;
    let mut points = 0;
    for (run, name) in [(eps0, "cv0"), (eps1, "cv1")] {
        let a = analysis_json(run, name);
        for row in a["rows"].as_array().unwrap() {
            let f = &row["heat_capacity_fluctuation"];
            let m = &row["heat_capacity_mbar"];
            let (cf, sf) = (f["value"].as_f64().unwrap(), f["error"].as_f64().unwrap());
            let (cm, sm) = (m["value"].as_f64().unwrap(), m["error"].as_f64().unwrap());
            let sigma = (sf * sf + sm * sm).sqrt();
            println!(
                "{name} {} K: C_fl {cf:.2} ± {sf:.2}, C_MBAR {cm:.2} ± {sm:.2} kB",
                row["temperature"]
            );
            assert!(sigma > 0.0 && sigma < 0.05 * cm, "σ = {sigma}");
            assert!(
                (cf - cm).abs() <= 3.0 * sigma,
                "C_fl {cf} ± {sf} vs C_MBAR {cm} ± {sm}"
            );
            chi2 += ((cf - cm) / sigma).powi(2);
            points += 1;
            // A solid-like cluster: C near the harmonic 3N − 6 = 33 k_B.
            assert!(cm > 0.9 * 33.0 && cm < 2.0 * 33.0, "C = {cm} kB for Al13");
        }
    }
    println!(
        "chi2 per point {:.2} over {points} points",
        chi2 / points as f64
    );
    assert!(
        chi2 / (points as f64) < 2.5,
        "χ²/point = {}",
        chi2 / points as f64
    );
}

#[test]
fn a_run_without_swaps_gives_diffusion_hops_and_every_figure() {
    let input = al13_input(0.0, "")
        .replace(
            "temperatures = [250, 300, 360, 430, 510, 600]",
            "temperatures = [300, 600, 900]",
        )
        .replace("swap_interval = 100", "swap_interval = 0")
        .replace("steps = 400000", "steps = 100000")
        .replace("interval = 0\n[output]", "interval = 1000\n[output]")
        .replace("positions_interval = 0", "positions_interval = 50");
    let h5 = run("noswap", &input);
    // No replica ever leaves its temperature; the file says swaps were off.
    let data = pelt::output::reader::read(&h5, pelt::output::reader::Parts::with_frames()).unwrap();
    assert!(!data.swaps);
    for (k, t) in data.temperatures.iter().enumerate() {
        assert!(t.samples.replica.iter().all(|&r| r == k as i64));
        assert_eq!(t.frames.step.len(), 2000);
    }
    assert!(data
        .exchanges
        .replica_at
        .iter()
        .all(|row| row == &[0, 1, 2]));

    let dir = scratch().join("noswap-analysis");
    let _ = std::fs::remove_dir_all(&dir);
    let (code, stdout, stderr) = pelt(&[
        "analyze",
        h5.to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
        "--resamples",
        "20",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("T_g:") && stdout.contains("T_m:"),
        "{stdout}"
    );
    for f in [
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
        "swaps.png",
    ] {
        let bytes = std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        if f.ends_with(".png") {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{f}");
            assert!(bytes.len() > 10_000, "{f}: {} bytes", bytes.len());
        }
    }
    let a: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("analysis.json")).unwrap()).unwrap();
    let rows = a["rows"].as_array().unwrap();
    // One segment per temperature: D is estimated everywhere, and grows with T. A D below
    // its resolution is reported as an upper bound only, never as a negative coefficient.
    let d: Vec<f64> = rows
        .iter()
        .map(|r| r["diffusion"]["estimate"].as_f64().unwrap())
        .collect();
    assert!(d[2] > 0.0 && d[2] > d[0], "D = {d:?}");
    for r in rows {
        let dj = &r["diffusion"];
        match dj["coefficient"].as_f64() {
            Some(c) => assert!(c > 0.0 && dj["resolved"] == true && dj["upper_bound"].is_null()),
            None => assert!(dj["upper_bound"].as_f64().unwrap() >= 0.0 && dj["resolved"] == false),
        }
    }
    // The hull is smaller than the gyration ellipsoid, and both grow with T.
    for r in rows {
        let h = r["hull_volume"]["value"].as_f64().unwrap();
        let e = r["ellipsoid_volume"]["value"].as_f64().unwrap();
        assert!(h > 20.0 && h < e, "hull {h}, ellipsoid {e}");
    }
    // One name per quantity across every table, each with its unit (or a dimensionless
    // name), heat capacities per cluster and per atom, and no negative D anywhere.
    let header = |p: PathBuf| -> Vec<String> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .split(',')
            .map(String::from)
            .collect()
    };
    let summary = header(h5.parent().unwrap().join("summary.csv"));
    let temps = header(dir.join("temperatures.csv"));
    let mbar = header(dir.join("mbar.csv"));
    let dimensionless = [
        "samples",
        "quenches",
        "frames",
        "force_scale",
        "force_scale_err",
        "inverted_fraction",
        "msd_pieces",
        "swap_acceptance_to_next",
        "effective_samples",
        "phi_statistical_inefficiency",
        "phi_effective_samples",
        "mbar_samples",
        "mbar_statistical_inefficiency",
        "mbar_decorrelated_samples",
        "independent_samples",
        "support",
    ];
    let units = [
        "_K",
        "_eV",
        "_kB",
        "_A",
        "_A3",
        "_A2_per_ps",
        "_cm2_per_s",
        "_ps",
    ];
    for c in summary.iter().chain(&temps).chain(&mbar) {
        assert!(
            dimensionless.contains(&c.as_str()) || units.iter().any(|u| c.ends_with(u)),
            "column {c} has no unit"
        );
    }
    for c in &summary {
        assert!(
            c == "swap_acceptance_to_next" || temps.contains(c),
            "summary.csv's {c} is named otherwise in temperatures.csv"
        );
    }
    for c in &mbar {
        assert!(
            ["effective_samples", "independent_samples", "support"].contains(&c.as_str())
                || temps.contains(c),
            "mbar.csv's {c}"
        );
    }
    for c in [
        "heat_capacity_fluctuation_per_cluster_kB",
        "heat_capacity_fluctuation_per_atom_kB",
        "heat_capacity_mbar_per_atom_kB",
    ] {
        assert!(temps.iter().any(|x| x == c), "{c}");
    }
    let table = std::fs::read_to_string(dir.join("temperatures.csv")).unwrap();
    for line in table.lines().skip(1) {
        for (name, v) in temps.iter().zip(line.split(',')) {
            if name.starts_with("D_") && !v.is_empty() {
                assert!(v.parse::<f64>().unwrap() >= 0.0, "{name} = {v}");
            }
        }
    }
    // A second analysis into the same folder is refused; the files stay.
    let before = std::fs::read(dir.join("analysis.json")).unwrap();
    let (code, _, stderr) = pelt(&["analyze", h5.to_str().unwrap(), "-o", dir.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(stderr.contains("already holds"), "{stderr}");
    assert_eq!(std::fs::read(dir.join("analysis.json")).unwrap(), before);

    let hops = scratch().join("noswap-hops");
    let _ = std::fs::remove_dir_all(&hops);
    let (code, stdout, stderr) = pelt(&[
        "hops",
        h5.to_str().unwrap(),
        "--temperature",
        "900",
        "--window",
        "1ps",
        "-o",
        hops.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("1 constant-temperature segment"),
        "{stdout}"
    );
    let h: Value =
        serde_json::from_str(&std::fs::read_to_string(hops.join("hops.json")).unwrap()).unwrap();
    let series = h["series"][0].as_array().unwrap();
    assert!(series.len() > 1000, "{}", series.len());
    assert!(std::fs::read(hops.join("hops.png"))
        .unwrap()
        .starts_with(b"\x89PNG"));
    // A temperature not on the ladder is an error that lists the ladder.
    let (code, _, stderr) = pelt(&["hops", h5.to_str().unwrap(), "--temperature", "450"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("300.0, 600.0, 900.0"), "{stderr}");

    // The minima of the same run: without swaps every pair of consecutive quenches of a
    // temperature is one replica's, so the observed time at each temperature is all of the
    // 79 intervals of 2 ps after the equilibration.
    let minima = scratch().join("noswap-minima");
    let _ = std::fs::remove_dir_all(&minima);
    let (code, stdout, stderr) = pelt(&[
        "minima",
        h5.to_str().unwrap(),
        "-o",
        minima.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let table = |f: &str| -> Vec<Vec<f64>> {
        std::fs::read_to_string(minima.join(f))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
            .collect()
    };
    let residence = table("residence.csv");
    let hops = table("hops.csv");
    for t in [300.0, 600.0, 900.0] {
        let time: f64 = residence.iter().filter(|r| r[0] == t).map(|r| r[2]).sum();
        assert!(
            (time - 158.0).abs() < 1e-9,
            "{t} K: {time} ps observed\n{stdout}"
        );
    }
    // Al13 stays in its icosahedron (order 120) at all three temperatures for 0.2 ns: one
    // minimum, no hops.
    assert!(hops.is_empty(), "{stdout}");
    assert!(residence.iter().all(|r| r[1] == 1.0 && r[3] == 0.0));
    assert!(stdout.contains("point group order 120"), "{stdout}");
}

/// `pelt ladder` by MBAR: on the run's own ladder it predicts the swap acceptances the run
/// measured (within 3 binomial σ + 0.02), and its proposal has the run's ends and even
/// predicted acceptances.
#[test]
fn the_mbar_ladder_predicts_the_measured_acceptances() {
    let (eps0, _) = runs();
    let (code, stdout, stderr) = pelt(&["ladder", eps0.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let j: Value = serde_json::from_str(&stdout).unwrap();
    let data = pelt::output::reader::read(eps0, Default::default()).unwrap();
    let s = &data.swap_statistics;
    let predicted = j["run_predicted_acceptance"].as_array().unwrap();
    for (k, p) in predicted.iter().enumerate() {
        let p = p.as_f64().unwrap();
        let n = s.attempted[k] as f64;
        let measured = s.accepted[k] as f64 / n;
        let sigma = (measured * (1.0 - measured) / n).sqrt();
        println!("pair {k}: predicted {p:.3}, measured {measured:.3} ± {sigma:.3}");
        assert!(
            (p - measured).abs() <= 3.0 * sigma + 0.02,
            "pair {k}: predicted {p}, measured {measured} ± {sigma}"
        );
    }
    let t: Vec<f64> = j["temperatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(t.len(), 6);
    assert!(
        (t[0] - 250.0).abs() < 1e-9 && (t[5] - 600.0).abs() < 1e-9,
        "{t:?}"
    );
    let acc: Vec<f64> = j["acceptance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let (lo, hi) = acc
        .iter()
        .fold((1.0f64, 0.0f64), |(l, h), &a| (l.min(a), h.max(a)));
    assert!(hi - lo < 0.05, "predicted acceptances {acc:?} are not even");
    // `--temperatures` evaluates any ladder: the proposal gives back its own prediction,
    // the run's ladder the run's.
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    for (ladder, want) in [
        (t.clone(), acc.clone()),
        (
            data.ladder(),
            predicted.iter().map(|v| v.as_f64().unwrap()).collect(),
        ),
    ] {
        let (code, out, err) = pelt(&[
            "ladder",
            eps0.to_str().unwrap(),
            "--json",
            "--temperatures",
            &list(&ladder),
        ]);
        assert_eq!(code, 0, "{err}");
        let e: Value = serde_json::from_str(&out).unwrap();
        let got: Vec<f64> = e["acceptance"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-9, "{got:?} against {want:?}");
        }
    }
}
