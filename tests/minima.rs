//! The landscape from the quenches (issue 17): minimum identity by permutational distance,
//! `pelt compare`, and `pelt minima` on a short Al55 tempering run: the icosahedron below
//! melting (point group 120, no soft modes), many minima above, occupations that sum to 1,
//! PATHSAMPLE files that read back, the harmonic superposition C at 300 K, and a catalogue
//! that grows with a resumed run without renumbering.

mod common;

use common::{pelt, repo, scratch_dir};
use pelt::analysis::minima::align::{self, P3};
use pelt::analysis::minima::catalogue::{compare, Tolerances};
use pelt::analysis::minima::pathsample;
use pelt::minimize::{self, Convergence};
use pelt::potential::Potential;
use pelt::rng;
use pelt::system::{xyz, Coords};
use std::path::{Path, PathBuf};

fn points(name: &str) -> Vec<P3> {
    xyz::read(&repo(&format!("inputs/structures/{name}")))
        .unwrap()
        .positions
        .to_points()
}

/// `x` rotated, translated by up to 5 Å, its atoms permuted, mirrored if asked, and each
/// coordinate moved by `noise` Å (Gaussian): the same minimum as `x`.
fn disguise(x: &[P3], r: &mut rng::Stream, mirror: bool, noise: f64) -> Vec<P3> {
    let rot = align::random_rotation(r);
    let t = [0.0; 3].map(|_: f64| 5.0 * (rng::uniform(r) - 0.5));
    let mut perm: Vec<usize> = (0..x.len()).collect();
    for i in (1..perm.len()).rev() {
        let j = ((rng::uniform(r) * (i + 1) as f64) as usize).min(i);
        perm.swap(i, j);
    }
    perm.iter()
        .map(|&i| {
            let p = align::apply(&rot, x[i]);
            let s = if mirror { -1.0 } else { 1.0 };
            [0, 1, 2].map(|a| s * p[a] + t[a] + noise * rng::normal(r))
        })
        .collect()
}

/// Distinct minima of one size: quenches of `x` shaken by `shake` Å, kept when at least
/// 10 meV from every one kept before (so each is a different minimum for certain).
fn distinct_minima(x: &[P3], count: usize, shake: f64, seed: u64) -> Vec<(f64, Vec<P3>)> {
    let pot = common::potential("Al_EA.eam.alloy");
    let mut r = rng::stream(seed, 0);
    let mut out: Vec<(f64, Vec<P3>)> = vec![(pot.energy(&Coords::from_points(x)), x.to_vec())];
    let mut tries = 0;
    while out.len() < count && tries < 20 * count {
        tries += 1;
        let shaken: Vec<P3> = x
            .iter()
            .map(|p| p.map(|v| v + shake * rng::normal(&mut r)))
            .collect();
        let mut lb = minimize::Lbfgs::default();
        let (q, outcome) = minimize::quench(
            &mut lb,
            &pot,
            &Coords::from_points(&shaken),
            Convergence {
                fmax: 1e-5,
                max_iterations: 20000,
            },
        );
        if outcome.termination != minimize::Termination::Converged {
            continue;
        }
        let e = pot.energy(&q);
        if out.iter().all(|m| (m.0 - e).abs() > 0.01) {
            out.push((e, q.to_points()));
        }
    }
    assert_eq!(out.len(), count, "found {} distinct minima", out.len());
    out
}

/// 1000 random pairs with known answers: half a minimum against itself disguised
/// (rotation, translation, permutation, a mirror image half of the time, 1e-4 Å of noise),
/// half two distinct minima of the same size (energies 10 meV or more apart, compared by
/// geometry alone, so the distance has to tell them apart), over Al13, Al43 and Al55.
#[test]
fn thousand_random_pairs_with_known_answers() {
    let pools = [
        distinct_minima(&points("al13_ih.xyz"), 4, 1.0, 1),
        distinct_minima(&points("al43_gm.xyz"), 6, 0.7, 2),
        distinct_minima(&points("al55_ih.xyz"), 4, 0.6, 3),
    ];
    let tol = Tolerances::default();
    let mut r = rng::stream(99, 0);
    let (mut same_ok, mut diff_ok, mut worst_same, mut closest_diff) = (0, 0, 0.0f64, f64::MAX);
    for pair in 0..1000 {
        let pool = &pools[pair % 3];
        let i = (rng::uniform(&mut r) * pool.len() as f64) as usize % pool.len();
        let mirror = rng::uniform(&mut r) < 0.5;
        if pair % 2 == 0 {
            let y = disguise(&pool[i].1, &mut r, mirror, 1e-4);
            let v = compare(&pool[i].1, pool[i].0, &y, pool[i].0, tol);
            worst_same = worst_same.max(v.distance);
            same_ok += usize::from(v.same);
        } else {
            let j =
                (i + 1 + (rng::uniform(&mut r) * (pool.len() - 1) as f64) as usize) % pool.len();
            let y = disguise(&pool[j].1, &mut r, mirror, 0.0);
            let v = compare(&pool[i].1, f64::NAN, &y, f64::NAN, tol);
            closest_diff = closest_diff.min(v.distance);
            diff_ok += usize::from(!v.same);
        }
    }
    println!(
        "same: {same_ok}/500 (largest distance {worst_same:.2e} A); different: {diff_ok}/500 \
         (smallest distance {closest_diff:.3} A)"
    );
    assert_eq!(same_ok, 500);
    assert_eq!(diff_ok, 500);
}

fn write_xyz(path: &Path, x: &[P3]) {
    let mut s = format!("{}\ndisguised\n", x.len());
    for p in x {
        s += &format!("Al {:.12} {:.12} {:.12}\n", p[0], p[1], p[2]);
    }
    std::fs::write(path, s).unwrap();
}

fn compare_json(a: &Path, b: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--json",
    ];
    let pot = repo("inputs/potentials/Al_EA.eam.alloy");
    let pot = pot.to_str().unwrap().to_string();
    args.extend(["--potential", &pot]);
    args.extend(extra);
    let (code, out, err) = pelt(&args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(out.trim()).unwrap()
}

/// `pelt compare`: "same" for Al13, Al43 and Al55 against themselves disguised and against
/// their mirror images; "different" for the Al43 ground state and the minimum 56 meV above
/// it (tests/data/al43_second.xyz), and for a chiral cluster against its mirror image when
/// enantiomers are kept apart.
#[test]
fn compare_cli_verdicts() {
    let d = scratch_dir("minima", "compare");
    let mut r = rng::stream(7, 0);
    for name in ["al13_ih.xyz", "al43_gm.xyz", "al55_ih.xyz"] {
        let x = points(name);
        for mirror in [false, true] {
            let f = d.join(format!("{name}.{mirror}.xyz"));
            write_xyz(&f, &disguise(&x, &mut r, mirror, 0.0));
            let v = compare_json(&repo(&format!("inputs/structures/{name}")), &f, &[]);
            assert_eq!(v["same"], true, "{name} mirror {mirror}: {v}");
            assert!(v["distance"].as_f64().unwrap() < 1e-6, "{v}");
            assert!(v["energy_difference"].as_f64().unwrap().abs() < 1e-9, "{v}");
        }
    }
    let gm = repo("inputs/structures/al43_gm.xyz");
    let second = repo("tests/data/al43_second.xyz");
    let v = compare_json(&gm, &second, &[]);
    assert_eq!(v["same"], false, "{v}");
    let de = v["energy_difference"].as_f64().unwrap();
    assert!((de - 0.0562).abs() < 5e-4, "56 meV apart: {v}");
    // A chiral arrangement (Al13 with random displacements) and its mirror image.
    let chiral: Vec<P3> = points("al13_ih.xyz")
        .iter()
        .map(|p| p.map(|v| v + 0.3 * rng::normal(&mut r)))
        .collect();
    let (a, b) = (d.join("chiral.xyz"), d.join("chiral_mirror.xyz"));
    write_xyz(&a, &chiral);
    write_xyz(&b, &disguise(&chiral, &mut r, true, 0.0));
    assert_eq!(compare_json(&a, &b, &[])["same"], true);
    let apart = compare_json(&a, &b, &["--distinguish-enantiomers"]);
    assert_eq!(apart["same"], false, "{apart}");
    assert!(apart["distance"].as_f64().unwrap() > 0.1);
    // Bad input: different sizes, a missing file.
    let (code, _, err) = pelt(&["compare", gm.to_str().unwrap(), a.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(err.contains("43 atoms") && err.contains("13"), "{err}");
    let (code, _, err) = pelt(&["compare", gm.to_str().unwrap(), "/nonexistent.xyz"]);
    assert_ne!(code, 0);
    assert!(err.contains("/nonexistent.xyz"), "{err}");
}

/// A short Al55 run at the quickstart's ladder (300–900 K, 8 replicas).
fn al55_input(steps: u64) -> String {
    format!(
        r#"[system]
structure = "{}"
[potential]
file = "{}"
[dynamics]
timestep = "2 fs"
thermostat = "bussi"
tau = "100 fs"
[tempering]
t_min = "300 K"
t_max = "900 K"
replicas = 8
swap_interval = 500
steps = {steps}
equilibration = 20000
seed = 2026
[quench]
interval = 2500
[output]
energy_interval = 50
positions_interval = 0
checkpoint_interval = 20
"#,
        repo("inputs/structures/al55_ih.xyz").display(),
        repo("inputs/potentials/Al_EA.eam.alloy").display()
    )
}

fn csv(path: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn al55_catalogue_from_a_tempering_run() {
    let d = scratch_dir("minima", "al55");
    let toml = d.join("al55.toml");
    std::fs::write(&toml, al55_input(150_000)).unwrap();
    let out: PathBuf = d.join("run");
    let (code, _, err) = pelt(&[
        "run",
        toml.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let h5 = out.join("run.h5");
    let (code, stdout, err) = pelt(&["minima", h5.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    println!("{stdout}");
    let dir = out.join("minima");
    let cat = csv(&dir.join("catalogue.csv"));
    // Minimum 1 is the icosahedron: its energy, point group Ih, no soft mode.
    assert!(
        (cat[0][1].parse::<f64>().unwrap() + 154.6127437595).abs() < 1e-6,
        "{:?}",
        cat[0]
    );
    assert_eq!(cat[0][2], "120");
    assert_eq!(cat[0][7], "0");
    // Below 500 K every quench is the icosahedron; at 900 K many minima; every minimum has
    // no soft mode.
    let quenches = csv(&dir.join("quenches.csv"));
    let cold: Vec<_> = quenches
        .iter()
        .filter(|q| q[0].parse::<f64>().unwrap() < 500.0)
        .collect();
    assert!(cold.len() > 200);
    assert!(
        cold.iter().all(|q| q[4] == "1"),
        "a cold quench off the icosahedron"
    );
    let occ = csv(&dir.join("occupation.csv"));
    let mut ladder: Vec<f64> = occ.iter().map(|r| r[0].parse().unwrap()).collect();
    ladder.dedup();
    assert_eq!(ladder.len(), 8);
    for t in &ladder {
        let rows: Vec<_> = occ
            .iter()
            .filter(|r| r[0].parse::<f64>().unwrap() == *t)
            .collect();
        let sum: f64 = rows.iter().map(|r| r[3].parse::<f64>().unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-12, "{t} K: occupations sum to {sum}");
        if *t > 850.0 {
            assert!(rows.len() >= 10, "{t} K: {} distinct minima", rows.len());
        }
    }
    assert!(cat.iter().all(|m| m[7] == "0"), "a minimum with soft modes");
    // PATHSAMPLE: min.data reads back, line i is minimum i, and points.min holds its
    // coordinates: the potential gives back the energy.
    let md = pathsample::read_min_data(
        &std::fs::read_to_string(dir.join("min.data")).unwrap(),
        "min.data",
    )
    .unwrap();
    let pts = pathsample::read_points_min(
        &std::fs::read(dir.join("points.min")).unwrap(),
        55,
        "points.min",
    )
    .unwrap();
    assert_eq!(md.len(), cat.len());
    assert_eq!(pts.len(), cat.len());
    let pot = common::potential("Al_EA.eam.alloy");
    for (i, (m, x)) in md.iter().zip(&pts).enumerate() {
        assert_eq!(m.energy, cat[i][1].parse::<f64>().unwrap());
        assert_eq!(m.order.to_string(), cat[i][2]);
        let e = pot.energy(&Coords::from_points(x));
        assert!(
            (e - m.energy).abs() < 1e-8,
            "minimum {}: {e} vs {}",
            i + 1,
            m.energy
        );
        let lnf: f64 = cat[i][6].parse().unwrap();
        assert!((m.ln_product_eigenvalues - 2.0 * lnf).abs() < 1e-9);
    }
    // The harmonic superposition at 300 K: one well, C = 3N − 6 = 159 k_B; the tempering C
    // exceeds it by the anharmonic part, measured on 16 ns of Al55 at 100–450 K as
    // (0.0169 ± 0.0020) k_B/K × T, 5.1 ± 0.6 k_B at 300 K (docs/ANALYSIS.md, "Minima").
    let sp = csv(&dir.join("superposition.csv"));
    let c_hsa: f64 = sp[0][1].parse().unwrap();
    let (c_pt, c_err): (f64, f64) = (sp[0][3].parse().unwrap(), sp[0][4].parse().unwrap());
    assert!((c_hsa - 159.0).abs() < 0.01, "{c_hsa}");
    let anharmonic = 0.0169 * 300.0;
    assert!(
        (c_pt - c_hsa - anharmonic).abs() < 4.0 * (c_err * c_err + 0.61f64.powi(2)).sqrt(),
        "C = {c_pt} ± {c_err} k_B against {c_hsa} + {anharmonic}"
    );

    // Again: nothing new. Then resume the run for more steps: only the new quenches are
    // filed, and the minima already there keep their ids.
    let before = std::fs::read_to_string(dir.join("min.data")).unwrap();
    let (code, stdout, err) = pelt(&["minima", h5.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("(0 new,"), "{stdout}");
    let (code, _, err) = pelt(&[
        "run",
        toml.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--resume",
        "--steps",
        "200000",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, stdout, err) = pelt(&["minima", h5.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("(160 new,"), "{stdout}");
    let after = std::fs::read_to_string(dir.join("min.data")).unwrap();
    assert!(after.starts_with(&before), "ids of the minima changed");
    assert_eq!(csv(&dir.join("quenches.csv")).len(), 8 * 80);
    // Another rule, or another run, is refused and changes nothing; --force starts afresh.
    let (code, _, err) = pelt(&[
        "minima",
        h5.to_str().unwrap(),
        "--distance-tolerance",
        "0.2",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("--force") && err.contains("0.2"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("min.data")).unwrap(),
        after
    );
    // Hessians from another potential than the run's are refused.
    let other = repo("inputs/potentials/Al99.eam.alloy");
    let (code, _, err) = pelt(&[
        "minima",
        h5.to_str().unwrap(),
        "--potential",
        other.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("Al99.eam.alloy") && err.contains("SHA-256"),
        "{err}"
    );
    let (code, _, err) = pelt(&[
        "minima",
        h5.to_str().unwrap(),
        "--distance-tolerance",
        "0.2",
        "--force",
    ]);
    assert_eq!(code, 0, "{err}");
}
