//! The analysis pieces against exact answers: MBAR on samples of a known density of
//! states, convex-hull volumes of known solids, blocking errors of a correlated series,
//! the two-line fit, and diffusion of random walkers.

use pelt::analysis::diffusion::{self, Window};
use pelt::analysis::mbar::{self, Sample, State};
use pelt::analysis::{hull, stats, Exchanges, Frames};
use pelt::landscape::Transform;
use pelt::rng;

const KB: f64 = 8.617333262e-5;

/// A "harmonic cluster" with d degrees of freedom: g(φ) ∝ φ^{d/2 − 1}, so at T the
/// energy is Gamma(d/2, k_B T) distributed, ⟨φ⟩ = (d/2) k_B T and C_conf = d/2 k_B.
/// MBAR from three temperatures must recover both at temperatures in between, and the
/// ⟨φ⟩ of a transformed landscape (by direct numerical integration over g).
#[test]
fn mbar_recovers_a_known_density_of_states() {
    let d = 30.0;
    let temps = [200.0, 300.0, 450.0];
    let mut r = rng::stream(3, 0);
    let per_state: Vec<Vec<Sample>> = temps
        .iter()
        .map(|&t| {
            (0..20_000)
                .map(|_| Sample {
                    phi: rng::gamma(&mut r, d / 2.0) * KB * t,
                    wall: 0.0,
                })
                .collect()
        })
        .collect();
    let id = Transform::identity();
    let states: Vec<State> = temps
        .iter()
        .map(|&t| State {
            temperature: t,
            transform: id,
        })
        .collect();
    // Targets: two temperatures between the sampled ones, and a steepened landscape.
    let phi0 = 0.5;
    let steep = Transform::new(-2.0, phi0, 4).unwrap();
    let targets = [
        State {
            temperature: 250.0,
            transform: id,
        },
        State {
            temperature: 380.0,
            transform: id,
        },
        State {
            temperature: 300.0,
            transform: steep,
        },
    ];
    // dof = 0: C is then the configurational part alone.
    let solved = mbar::estimate(
        KB,
        &states,
        &per_state,
        &targets,
        0,
        &mbar::Errors::default(),
    )
    .unwrap();
    let (m, est) = (&solved.mbar, &solved.estimates);
    assert!(m.iterations() < 20);
    // Free energies: f(T) − f(T0) = −ln(Z/Z0) = −(d/2) ln(T/T0) for this g.
    let f = m.free_energies();
    for (k, &t) in temps.iter().enumerate() {
        let exact = -(d / 2.0) * (t / temps[0]).ln();
        assert!((f[k] - exact).abs() < 0.05, "f_{k} = {} vs {exact}", f[k]);
    }
    for (e, t) in est.iter().take(2).zip([250.0, 380.0]) {
        let exact = d / 2.0 * KB * t;
        assert!(
            (e.value.phi - exact).abs() < 3.0 * e.phi_error,
            "{t} K: {} ± {} vs {exact}",
            e.value.phi,
            e.phi_error
        );
        assert!(
            (e.value.heat_capacity - d / 2.0).abs() < 3.0 * e.heat_capacity_error,
            "{t} K: C = {} ± {}",
            e.value.heat_capacity,
            e.heat_capacity_error
        );
    }
    // ⟨φ⟩ under φ* at 300 K by quadrature over g(φ) e^{−φ*(φ)/kT}.
    let beta = 1.0 / (KB * 300.0);
    let (mut z, mut zphi) = (0.0, 0.0);
    let h = 1e-5;
    for i in 1..200_000 {
        let phi = i as f64 * h;
        let w = phi.powf(d / 2.0 - 1.0) * (-beta * steep.energy(phi)).exp();
        z += w;
        zphi += w * phi;
    }
    let exact = zphi / z;
    let plain = d / 2.0 * KB * 300.0;
    let e = est[2];
    assert!(
        (e.value.phi - exact).abs() < 3.0 * e.phi_error,
        "steep: {} ± {} vs {exact}",
        e.value.phi,
        e.phi_error
    );
    assert!(
        plain - exact > 10.0 * e.phi_error,
        "the transform must matter"
    );
}

#[test]
fn convex_hull_volumes_of_known_solids() {
    // Unit cube corners plus points inside and on faces.
    let mut pts: Vec<[f64; 3]> = (0..8)
        .map(|i| [(i & 1) as f64, ((i >> 1) & 1) as f64, ((i >> 2) & 1) as f64])
        .collect();
    pts.extend([
        [0.5, 0.5, 0.5],
        [0.5, 0.5, 0.0],
        [0.2, 0.7, 0.4],
        [1.0, 0.3, 0.3],
    ]);
    assert!((hull::volume(&pts) - 1.0).abs() < 1e-12);
    // Regular icosahedron of edge a: V = 5(3 + √5)/12 a³ (13-atom Mackay cluster's hull).
    let g = (1.0 + 5f64.sqrt()) / 2.0;
    let mut ico = vec![[0.0, 0.0, 0.0]];
    for s1 in [-1.0, 1.0] {
        for s2 in [-1.0, 1.0] {
            ico.push([0.0, s1, s2 * g]);
            ico.push([s1, s2 * g, 0.0]);
            ico.push([s2 * g, 0.0, s1]);
        }
    }
    let exact = 5.0 * (3.0 + 5f64.sqrt()) / 12.0 * 8.0; // edge 2
    assert!((hull::volume(&ico) - exact).abs() < 1e-10 * exact);
    // Random points in a ball: the hull approaches 4π/3 from below.
    let mut r = rng::stream(9, 1);
    let mut ball = Vec::new();
    while ball.len() < 4000 {
        let p = [
            2.0 * rng::uniform(&mut r) - 1.0,
            2.0 * rng::uniform(&mut r) - 1.0,
            2.0 * rng::uniform(&mut r) - 1.0,
        ];
        if p[0] * p[0] + p[1] * p[1] + p[2] * p[2] <= 1.0 {
            ball.push(p);
        }
    }
    let v = hull::volume(&ball);
    let sphere = 4.0 / 3.0 * std::f64::consts::PI;
    assert!(v < sphere && v > 0.9 * sphere, "{v}");
    // Random small sets against brute force: a triangle of points is a facet when every
    // other point lies on one side of its plane.
    for seed in 0..20 {
        let mut r = rng::stream(100 + seed, 1);
        let p: Vec<[f64; 3]> = (0..18)
            .map(|_| {
                [
                    rng::normal(&mut r),
                    rng::normal(&mut r),
                    0.3 * rng::normal(&mut r),
                ]
            })
            .collect();
        let c = p.iter().fold([0.0; 3], |s, q| {
            [s[0] + q[0] / 18.0, s[1] + q[1] / 18.0, s[2] + q[2] / 18.0]
        });
        let sub = |a: [f64; 3], b: [f64; 3]| [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
        let det = |a: [f64; 3], b: [f64; 3], d: [f64; 3]| {
            a[0] * (b[1] * d[2] - b[2] * d[1]) - a[1] * (b[0] * d[2] - b[2] * d[0])
                + a[2] * (b[0] * d[1] - b[1] * d[0])
        };
        let mut brute = 0.0;
        for i in 0..18 {
            for j in i + 1..18 {
                for k in j + 1..18 {
                    let (u, v) = (sub(p[j], p[i]), sub(p[k], p[i]));
                    let side: Vec<f64> = (0..18)
                        .filter(|&l| l != i && l != j && l != k)
                        .map(|l| det(u, v, sub(p[l], p[i])))
                        .collect();
                    if side.iter().all(|&x| x > 0.0) || side.iter().all(|&x| x < 0.0) {
                        brute += det(sub(p[i], c), sub(p[j], c), sub(p[k], c)).abs() / 6.0;
                    }
                }
            }
        }
        let v = hull::volume(&p);
        assert!(
            (v - brute).abs() < 1e-12 * brute,
            "seed {seed}: {v} vs {brute}"
        );
    }
    // A flat set has no volume; moving it does not change a volume.
    assert_eq!(
        hull::volume(&[[0.0; 3], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]]),
        0.0
    );
    let moved: Vec<[f64; 3]> = ico
        .iter()
        .map(|p| [p[0] + 7.0, p[1] - 3.0, p[2] + 1.0])
        .collect();
    assert!((hull::volume(&moved) - exact).abs() < 1e-10 * exact);
    // The gyration ellipsoid of a uniform ball of radius R has radii √(R²/5): volume 4π/3 R³.
    let rg = (1.0f64 / 5.0).sqrt();
    assert!((hull::gyration_ellipsoid_volume([rg, rg, rg]) - sphere).abs() < 1e-12);
}

/// An AR(1) series x_t = a x_{t−1} + noise has an integrated correlation time
/// (1 + a)/(1 − a): blocking must find the true error of the mean, not the naive one.
#[test]
fn blocking_error_of_a_correlated_series() {
    let a: f64 = 0.9;
    let n = 1 << 18;
    let mut r = rng::stream(4, 2);
    let mut x = vec![0.0; n];
    for t in 1..n {
        x[t] = a * x[t - 1] + rng::normal(&mut r);
    }
    let var = 1.0 / (1.0 - a * a);
    let exact = (var * (1.0 + a) / (1.0 - a) / n as f64).sqrt();
    let naive = (var / n as f64).sqrt();
    let b = stats::blocking_error(&x);
    assert!((b / exact - 1.0).abs() < 0.2, "blocking {b}, exact {exact}");
    assert!(b > 3.0 * naive);
}

#[test]
fn two_line_fit_finds_the_crossing() {
    let t: Vec<f64> = (0..10).map(|i| 300.0 + 50.0 * i as f64).collect();
    let y: Vec<f64> = t
        .iter()
        .map(|&x| {
            if x < 520.0 {
                1e-3 * x
            } else {
                0.52 + 4e-3 * (x - 520.0)
            }
        })
        .collect();
    let f = stats::two_lines(&t, &y).unwrap();
    assert!((f.crossing - 520.0).abs() < 1e-6, "{}", f.crossing);
    assert_eq!(f.split, 5);
}

/// Independent Gaussian random walkers: per frame each coordinate moves by N(0, σ²), so
/// MSD(τ) = 3σ² (1 − 1/N) τ/dt with the centre of mass removed: D = σ²(1 − 1/N)/(2 dt).
/// A frame cut by a swap (another replica at this temperature) starts a new segment.
#[test]
fn diffusion_of_random_walkers() {
    let (n, frames, sigma, dt) = (20, 4000, 0.1, 0.1);
    let mut r = rng::stream(8, 3);
    let mut x = vec![[0.0f64; 3]; n];
    let mut f = Frames::default();
    for j in 0..frames {
        for p in x.iter_mut() {
            for c in p.iter_mut() {
                *c += sigma * rng::normal(&mut r);
            }
        }
        f.step.push(10 * (j as u64 + 1));
        f.positions.push(x.clone());
    }
    // Temperature 0's replica leaves after the frame of step 20 000 (frame 1999) and is
    // back at step 20 015: frame 2000 (step 20 010) belongs to another replica.
    let ex = Exchanges {
        step: vec![20_000, 20_015],
        replica_at: vec![vec![1, 0], vec![0, 1]],
    };
    let segs = diffusion::segments(0, &f, &ex, 10);
    assert_eq!(segs, vec![0..2000, 2000..2001, 2001..4000]);
    let d = diffusion::diffusion(
        &f,
        &segs,
        dt,
        Window {
            start: 0.5,
            end: 2.0,
        },
        50,
        1,
    )
    .unwrap();
    let exact = sigma * sigma * (1.0 - 1.0 / n as f64) / (2.0 * dt);
    assert!(
        (d.coefficient - exact).abs() < 3.0 * d.error && d.error < 0.1 * exact,
        "D = {} ± {} vs {exact}",
        d.coefficient,
        d.error
    );
    // A window longer than every segment gives no estimate.
    let short = vec![std::ops::Range { start: 0, end: 10 }];
    assert!(diffusion::diffusion(&f, &short, dt, Window::default(), 10, 1).is_none());
}

/// The split-half check: an AR(1) series in equilibrium passes, the same series with a slow
/// drift of a few of its standard errors (a run that has not mixed) fails, for many seeds.
#[test]
fn the_split_half_check_catches_a_drift_and_passes_equilibrium() {
    use pelt::analysis::observables::Halves;
    let mut passed = 0;
    for seed in 0..20 {
        let mut r = rng::stream(seed, 7);
        let mut x = 0.0;
        let xs: Vec<f64> = (0..20_000)
            .map(|_| {
                x = 0.9 * x + rng::normal(&mut r);
                x
            })
            .collect();
        let h = Halves::of(&xs);
        passed += usize::from(!h.disagree());
        // σ of the mean of one half: √(g σ²/n) = √(19 · 5.26 / 10 000) ≈ 0.1 (blocking reads
        // a little more); a drift of 2 over the run moves the halves' means apart by 1, about
        // seven combined errors.
        let drifting: Vec<f64> = xs
            .iter()
            .enumerate()
            .map(|(i, v)| v + 2.0 * i as f64 / xs.len() as f64)
            .collect();
        let d = Halves::of(&drifting);
        assert!(d.disagree(), "seed {seed}: drift missed, z = {}", d.z);
    }
    // |z| ≤ 3 for ~99.7 % of equilibrium series.
    assert!(passed >= 19, "{passed} of 20 equilibrium series passed");
}

/// Round trips against the DEO bound: three pairs at acceptance 1/2 give Λ = 1.5 and a bound
/// of 1/(2 + 2·3) round trips per replica per exchange; no attempts, no verdict.
#[test]
fn mixing_against_the_deo_bound() {
    use pelt::analysis::observables::Mixing;
    use pelt::analysis::SwapStatistics;
    let s = SwapStatistics {
        attempted: vec![100, 100, 100],
        accepted: vec![50, 50, 50],
        round_trips: vec![1, 0, 2, 1],
        exchanges: 200,
        adapted_rounds: 0,
    };
    let ladder = [300.0, 400.0, 500.0, 600.0];
    let m = Mixing::of(&s, &ladder, KB).unwrap();
    // λ on the first pair: 0.5 / (1/(k_B 300) − 1/(k_B 400)).
    let db = 1.0 / (KB * 300.0) - 1.0 / (KB * 400.0);
    assert!((m.local_barrier[0].1 - 0.5 / db).abs() < 1e-12);
    assert!((m.local_barrier[0].0 - (300.0f64 * 400.0).sqrt()).abs() < 1e-9);
    // Σ λ Δβ = Λ.
    let total: f64 = m
        .local_barrier
        .iter()
        .zip(ladder.windows(2))
        .map(|(l, t)| l.1 * (1.0 / (KB * t[0]) - 1.0 / (KB * t[1])))
        .sum();
    assert!((total - m.barrier).abs() < 1e-12);
    assert!((m.barrier - 1.5).abs() < 1e-12);
    assert!((m.deo_bound - 0.125).abs() < 1e-12);
    assert_eq!(m.round_trips, 4);
    assert!((m.round_trip_rate - 4.0 / (4.0 * 200.0)).abs() < 1e-15);
    assert!(Mixing::of(
        &SwapStatistics {
            attempted: vec![0, 0, 0],
            accepted: vec![0, 0, 0],
            round_trips: vec![0; 4],
            exchanges: 200,
            adapted_rounds: 0,
        },
        &ladder,
        KB
    )
    .is_none());
}

/// The proposed ladder: equal rejections give back a ladder evenly spaced in β, a barrier
/// concentrated in one pair draws the temperatures there, and a pair never attempted is an
/// error.
#[test]
fn a_ladder_with_equal_rejection() {
    use pelt::analysis::ladder::propose;
    let ladder = [300.0, 400.0, 500.0, 600.0, 700.0];
    // Evenly spaced in β with equal rejections: the same ladder back.
    let even: Vec<f64> = (0..5)
        .map(|i| 1.0 / (1.0 / 300.0 + (1.0 / 700.0 - 1.0 / 300.0) * i as f64 / 4.0))
        .collect();
    let p = propose(&even, &[0.3; 4], 5).unwrap();
    for (a, b) in p.temperatures.iter().zip(&even) {
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
    }
    assert!((p.barrier - 1.2).abs() < 1e-12 && (p.rejection - 0.3).abs() < 1e-12);
    // All the barrier between 400 and 500 K: every inner temperature lands there.
    let p = propose(&ladder, &[0.0, 0.9, 0.0, 0.0], 5).unwrap();
    assert_eq!((p.temperatures[0], p.temperatures[4]), (300.0, 700.0));
    for t in &p.temperatures[1..4] {
        assert!((400.0..=500.0).contains(t), "{:?}", p.temperatures);
    }
    assert!(p.temperatures.windows(2).all(|w| w[1] > w[0]));
    assert!(propose(&ladder, &[0.1, f64::NAN, 0.1, 0.1], 5).is_err());
    assert!(propose(&ladder, &[0.1; 4], 1).is_err());
}
