//! Are MBAR's error bars honest? A system with exact answers: a potential energy whose
//! density of states is g(φ) ∝ φ^(a−1) (a harmonic solid with 2a degrees of freedom), so
//! that at temperature T, φ ~ Gamma(a, k_B T), ⟨φ⟩ = a k_B T and the configurational heat
//! capacity Var(φ)/(k_B T)² = a exactly. Many independent "runs" are solved; the spread
//! of their estimates around the exact values must match the errors each run reports
//! (z = (estimate − exact)/error has RMS 1), for uncorrelated and for correlated samples,
//! with asymptotic and bootstrap errors. Where the samples barely reach a target the errors
//! are withheld (`mbar::supported`); the measurement behind that rule is printed
//! (--nocapture).

use pelt::analysis::mbar::{self, ErrorMethod, Errors, Sample, State};
use pelt::landscape::Transform;
use pelt::rng;
use pelt::units::KB;

const SHAPE: f64 = 40.0;

fn ladder() -> Vec<f64> {
    (0..6).map(|i| 300.0 * 2f64.powf(i as f64 / 5.0)).collect()
}

fn states(t: &[f64]) -> Vec<State> {
    t.iter()
        .map(|&temperature| State {
            temperature,
            transform: Transform::identity(),
        })
        .collect()
}

/// One run: `n` samples per state, each drawn value repeated `repeat` times in a row (a
/// series with statistical inefficiency ≈ `repeat`).
fn run(seed: u64, n: usize, repeat: usize) -> Vec<Vec<Sample>> {
    ladder()
        .iter()
        .enumerate()
        .map(|(k, &t)| {
            let mut r = rng::stream(seed, k as u64);
            let mut x = Vec::with_capacity(n);
            while x.len() < n {
                let phi = rng::gamma(&mut r, SHAPE) * KB * t;
                for _ in 0..repeat.min(n - x.len()) {
                    x.push(Sample { phi, wall: 0.0 });
                }
            }
            x
        })
        .collect()
}

/// z-scores of ⟨φ⟩ and C over `runs` runs at `targets`, with the independent samples of
/// each estimate.
fn z_scores(
    runs: u64,
    n: usize,
    repeat: usize,
    targets: &[f64],
    method: ErrorMethod,
) -> Vec<(f64, f64, f64)> {
    let sampled = states(&ladder());
    let tg = states(targets);
    let errors = Errors {
        method,
        resamples: 60,
        seed: 3,
    };
    let mut out = Vec::new();
    for seed in 0..runs {
        let x = run(1000 + seed, n, repeat);
        let e = mbar::estimate(KB, &sampled, &x, &tg, 0, &errors).expect("MBAR solves");
        for (est, &t) in e.estimates.iter().zip(targets) {
            let zp = (est.value.phi - SHAPE * KB * t) / est.phi_error;
            let zc = (est.value.heat_capacity - SHAPE) / est.heat_capacity_error;
            out.push((zp, zc, est.independent_samples));
        }
    }
    out
}

fn rms(z: impl Iterator<Item = f64>) -> (f64, usize) {
    let v: Vec<f64> = z.filter(|x| x.is_finite()).collect();
    (
        (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt(),
        v.len(),
    )
}

/// Inside the ladder, uncorrelated and correlated: RMS z within [0.8, 1.25] for ⟨φ⟩ and C.
#[test]
fn asymptotic_errors_match_the_spread_over_independent_runs() {
    let targets = [300.0, 400.0, 480.0, 600.0];
    for repeat in [1, 4] {
        let z = z_scores(150, 600, repeat, &targets, ErrorMethod::Asymptotic);
        let (zp, np) = rms(z.iter().map(|z| z.0));
        let (zc, nc) = rms(z.iter().map(|z| z.1));
        println!("asymptotic, g ≈ {repeat}: RMS z of <phi> {zp:.3} ({np}), of C {zc:.3} ({nc})");
        assert_eq!(np, z.len(), "every in-range estimate has an error");
        for (what, v) in [("<phi>", zp), ("C", zc)] {
            assert!(
                (0.8..=1.25).contains(&v),
                "g ≈ {repeat}: RMS z of {what} = {v:.3}: the errors do not match the spread"
            );
        }
    }
}

/// The bootstrap, on fewer runs (it is slow), agrees as well.
#[test]
fn bootstrap_errors_match_the_spread_over_independent_runs() {
    let z = z_scores(40, 400, 3, &[350.0, 550.0], ErrorMethod::Bootstrap);
    let (zp, _) = rms(z.iter().map(|z| z.0));
    let (zc, _) = rms(z.iter().map(|z| z.1));
    println!("bootstrap, g ≈ 3: RMS z of <phi> {zp:.3}, of C {zc:.3}");
    for v in [zp, zc] {
        assert!((0.7..=1.4).contains(&v), "RMS z {v:.3}");
    }
}

/// Outside the ladder the samples thin out. The measurement behind `mbar::supported`: RMS z
/// against the support of the estimate, for 150, 400 and 2000 samples per state. Where
/// errors are reported, RMS z stays ≤ 1.5.
#[test]
fn errors_are_withheld_where_the_samples_barely_reach_the_target() {
    let targets = [
        290.0, 280.0, 270.0, 260.0, 250.0, 240.0, 225.0, 200.0, 700.0, 800.0, 900.0,
    ];
    let sampled = states(&ladder());
    let errors = Errors::default();
    for (n, runs) in [(150, 120u64), (400, 100), (2000, 40)] {
        let mut rows: Vec<(f64, f64, f64, bool)> = Vec::new();
        for seed in 0..runs {
            let x = run(5000 + seed, n, 1);
            let e = mbar::estimate(KB, &sampled, &x, &states(&targets), 0, &errors).unwrap();
            // The errors without the thresholds, from the same samples.
            let raw = e.mbar.asymptotic_errors(&states(&targets));
            for ((est, r), &t) in e.estimates.iter().zip(&raw).zip(&targets) {
                let zp = (est.value.phi - SHAPE * KB * t) / r[0];
                let zc = (est.value.heat_capacity - SHAPE) / r[2];
                let shown = mbar::supported(est.support, est.independent_samples);
                assert_eq!(est.phi_error.is_finite(), shown, "withheld exactly below");
                rows.push((est.support, zp, zc, shown));
            }
        }
        println!("{n} samples per state: support | estimates | RMS z <phi> | RMS z C");
        let bins = [0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, f64::INFINITY];
        for w in bins.windows(2) {
            let sel: Vec<_> = rows.iter().filter(|r| r.0 >= w[0] && r.0 < w[1]).collect();
            if sel.is_empty() {
                continue;
            }
            let (zp, _) = rms(sel.iter().map(|r| r.1));
            let (zc, _) = rms(sel.iter().map(|r| r.2));
            println!(
                "  {:>4} – {:<4} | {:>4} | {zp:.2} | {zc:.2}",
                w[0],
                w[1],
                sel.len()
            );
        }
        let reported: Vec<_> = rows.iter().filter(|r| r.3).collect();
        let (zp, _) = rms(reported.iter().map(|r| r.1));
        let (zc, _) = rms(reported.iter().map(|r| r.2));
        println!(
            "  reported: RMS z {zp:.2} (<phi>), {zc:.2} (C) over {} of {} estimates",
            reported.len(),
            rows.len()
        );
        assert!(
            zp <= 1.5 && zc <= 1.5,
            "{n} per state: reported errors understate the spread: {zp}, {zc}"
        );
        assert!(
            rows.iter().any(|r| !r.3),
            "the test reaches below the threshold"
        );
    }
}
