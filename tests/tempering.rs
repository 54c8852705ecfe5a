//! Parallel tempering: swap acceptance against exactly solvable replicas, where acceptance
//! falls on a ladder, round trips, DEO against SEO, and identical results however replicas
//! are spread over processes.

mod common;

use common::potential;
use common::stats;
use pelt::dynamics::thermostat::Bussi;
use pelt::dynamics::{Containment, Md};
use pelt::landscape::Transform;
use pelt::minimize::{Convergence, Lbfgs};
use pelt::potential::Potential;
use pelt::rng::{self, Stream};
use pelt::system::builders;
use pelt::tempering::{
    acceptance, Deo, Exchange, Ladder, Local, MdWalker, Outcome, Quench, QuenchSettings, Recorder,
    ReplicaState, Sample, Seo, Settings, Statistics, Summary, SwapSchedule, Tempering,
    TemperingState, Threads, Walker,
};
use pelt::units::KB;

/// A replica whose potential energy is drawn afresh from the canonical distribution of a
/// system with a given density of states at every step: exact, independent samples.
struct Exact {
    temperature: f64,
    rng: Stream,
    energy: f64,
    model: Model,
}

#[derive(Clone, Copy)]
enum Model {
    /// `dof` harmonic degrees of freedom: E/k_BT ~ Gamma(dof/2).
    Harmonic { dof: usize },
    /// Two harmonic basins with `dof` degrees of freedom each; the upper one lies `gap` eV
    /// higher and is `degeneracy` times more numerous (a melting-like transition at
    /// T* = gap / (k_B ln degeneracy)).
    TwoBasins {
        dof: usize,
        gap: f64,
        degeneracy: f64,
    },
}

impl Exact {
    fn new(model: Model, temperature: f64, seed: u64, replica: usize) -> Exact {
        let mut w = Exact {
            temperature,
            rng: rng::stream(seed, replica as u64),
            energy: 0.0,
            model,
        };
        w.step(0);
        w
    }
}

impl Walker for Exact {
    fn step(&mut self, _step: u64) {
        let kt = KB * self.temperature;
        self.energy = match self.model {
            Model::Harmonic { dof } => kt * rng::gamma(&mut self.rng, dof as f64 / 2.0),
            Model::TwoBasins {
                dof,
                gap,
                degeneracy,
            } => {
                let upper = 1.0 / (1.0 + (gap / kt - degeneracy.ln()).exp());
                let offset = if rng::uniform(&mut self.rng) < upper {
                    gap
                } else {
                    0.0
                };
                offset + kt * rng::gamma(&mut self.rng, dof as f64 / 2.0)
            }
        };
    }
    fn energy(&self) -> f64 {
        self.energy
    }
    fn sample(&self) -> Sample {
        Sample {
            phi: self.energy,
            phi_star: self.energy,
            temperature: self.temperature,
            ..Sample::default()
        }
    }
    fn retarget(&mut self, _from: f64, to: f64) {
        self.temperature = to;
    }
    fn quench(&mut self) -> Option<Quench> {
        None
    }
}

fn settings(steps: u64, seed: u64) -> Settings {
    Settings {
        steps,
        swap_interval: 1,
        swaps: true,
        sample_interval: 1,
        quench_interval: 0,
        frame_interval: 0,
        seed,
    }
}

fn run_exact(
    model: Model,
    ladder: &Ladder,
    schedule: Box<dyn SwapSchedule>,
    steps: u64,
    recorder: &mut dyn Recorder,
) -> Statistics {
    let seed = 99;
    let mut t = Tempering::new(settings(steps, seed), ladder.clone(), schedule).unwrap();
    let mut walkers: Vec<(usize, Exact)> = (0..ladder.len())
        .map(|r| (r, Exact::new(model, ladder.get(r), seed, r)))
        .collect();
    t.run(
        &mut walkers,
        &mut Local::new(ladder.len()),
        recorder,
        u64::MAX,
        &mut || false,
    );
    t.statistics().clone()
}

/// Analytic acceptance between harmonic replicas with `dof` degrees of freedom at t1 < t2:
/// with x = E_1/k_BT_1, y = E_2/k_BT_2 ~ Gamma(k), the exponent is a − b·y with
/// a = (1 − T_1/T_2) x and b = T_2/T_1 − 1, and
/// E_y[min(1, e^{a−by})] = P(k, a/b) + e^a (1+b)^{−k} Q(k, (1+b) a/b).
fn harmonic_acceptance(dof: usize, t1: f64, t2: f64) -> f64 {
    let k = dof as f64 / 2.0;
    let b = t2 / t1 - 1.0;
    let inner = |x: f64| {
        let a = (1.0 - t1 / t2) * x;
        stats::gamma_p(k, a / b)
            + (a - k * (1.0 + b).ln()).exp() * stats::gamma_q(k, (1.0 + b) * a / b)
    };
    let pdf = |x: f64| ((k - 1.0) * x.ln() - x - stats::ln_gamma(k)).exp();
    // Simpson's rule over [0, k + 40√k].
    let (n, hi) = (4000, k + 40.0 * k.sqrt());
    let h = hi / n as f64;
    let f = |i: usize| {
        let x = i as f64 * h;
        if x == 0.0 {
            0.0
        } else {
            pdf(x) * inner(x)
        }
    };
    let mut s = f(0) + f(n);
    for i in 1..n {
        s += f(i) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0
}

#[test]
fn equal_temperatures_always_swap_and_downhill_swaps_always_accept() {
    for (ei, ej) in [(-150.0, -140.0), (-140.0, -150.0), (3.0, 3.0)] {
        assert_eq!(acceptance(300.0, 300.0, ei, ej), 1.0);
    }
    // The colder replica holding the higher energy: always accepted.
    assert_eq!(acceptance(300.0, 400.0, -140.0, -150.0), 1.0);
    let p = acceptance(300.0, 400.0, -150.0, -140.0);
    let expected = (-(1.0 / (KB * 300.0) - 1.0 / (KB * 400.0)) * 10.0f64).exp();
    assert!((p - expected).abs() < 1e-15 * expected.max(1e-300));
}

#[test]
fn harmonic_replicas_swap_with_the_analytic_acceptance() {
    let dof = 159; // Al55: 3N − 6
    let ladder = Ladder::geometric(300.0, 420.0, 4).unwrap();
    let steps = 40_000;
    let stats = run_exact(
        Model::Harmonic { dof },
        &ladder,
        Box::new(Deo),
        steps,
        &mut (),
    );
    for k in 0..3 {
        let exact = harmonic_acceptance(dof, ladder.get(k), ladder.get(k + 1));
        let n = stats.attempts[k] as f64;
        let p = stats.acceptance(k);
        let sigma = (exact * (1.0 - exact) / n).sqrt();
        println!(
            "pair {k} ({:.1} K, {:.1} K): measured {p:.4}, analytic {exact:.4} ± {sigma:.4} ({} attempts)",
            ladder.get(k),
            ladder.get(k + 1),
            stats.attempts[k]
        );
        assert!((p - exact).abs() < 4.0 * sigma, "pair {k}: {p} vs {exact}");
    }
}

#[test]
fn harmonic_acceptance_integral_matches_monte_carlo() {
    // The analytic formula itself against brute force, so the test above cannot agree with
    // a wrong integral by accident.
    let (dof, t1, t2) = (30, 300.0, 360.0);
    let mut r = rng::stream(5, 5);
    let n = 400_000;
    let mut sum = 0.0;
    for _ in 0..n {
        let e1 = KB * t1 * rng::gamma(&mut r, dof as f64 / 2.0);
        let e2 = KB * t2 * rng::gamma(&mut r, dof as f64 / 2.0);
        sum += acceptance(t1, t2, e1, e2);
    }
    let mc = sum / n as f64;
    let exact = harmonic_acceptance(dof, t1, t2);
    println!("dof {dof}: integral {exact:.5}, Monte Carlo {mc:.5}");
    assert!((mc - exact).abs() < 3e-3);
}

/// Heat capacity per temperature from the recorded samples.
#[derive(Default)]
struct Moments {
    sums: Vec<[f64; 3]>,
}

impl Recorder for Moments {
    fn sample(&mut self, _step: u64, t: usize, _r: usize, s: &Sample) {
        if self.sums.len() <= t {
            self.sums.resize(t + 1, [0.0; 3]);
        }
        let e = s.phi_star;
        let m = &mut self.sums[t];
        m[0] += 1.0;
        m[1] += e;
        m[2] += e * e;
    }
}

#[test]
fn acceptance_falls_where_the_heat_capacity_peaks() {
    // Two basins: transition at T* = gap / (k_B ln g) = 1.5 / (k_B · 36) ≈ 484 K.
    let model = Model::TwoBasins {
        dof: 30,
        gap: 1.5,
        degeneracy: 36f64.exp(),
    };
    let ladder = Ladder::geometric(300.0, 800.0, 10).unwrap();
    let mut moments = Moments::default();
    let stats = run_exact(model, &ladder, Box::new(Deo), 20_000, &mut moments);
    let cv: Vec<f64> = moments
        .sums
        .iter()
        .zip(ladder.temperatures())
        .map(|(m, t)| (m[2] / m[0] - (m[1] / m[0]).powi(2)) / (KB * t * KB * t))
        .collect();
    let acc: Vec<f64> = (0..ladder.len() - 1).map(|k| stats.acceptance(k)).collect();
    let peak = (0..cv.len())
        .max_by(|&a, &b| cv[a].total_cmp(&cv[b]))
        .unwrap();
    let worst = (0..acc.len())
        .min_by(|&a, &b| acc[a].total_cmp(&acc[b]))
        .unwrap();
    for (k, c) in cv.iter().enumerate() {
        println!(
            "T {:7.1} K  C/kB {c:7.1}  acc {}",
            ladder.get(k),
            acc.get(k).map_or("-".into(), |a| format!("{a:.3}"))
        );
    }
    assert!(
        worst == peak || worst + 1 == peak,
        "lowest acceptance at pair {worst}, heat-capacity peak at temperature {peak}"
    );
    assert!(acc[worst] < 0.5 * acc[0] && acc[worst] < 0.5 * acc[acc.len() - 1]);
}

#[test]
fn deterministic_even_odd_makes_more_round_trips_than_stochastic() {
    let model = Model::Harmonic { dof: 60 };
    let ladder = Ladder::geometric(300.0, 900.0, 12).unwrap();
    let deo = run_exact(model, &ladder, Box::new(Deo), 20_000, &mut ());
    let seo = run_exact(model, &ladder, Box::new(Seo), 20_000, &mut ());
    let mean_acc = |s: &Statistics| (0..11).map(|k| s.acceptance(k)).sum::<f64>() / 11.0;
    println!(
        "round trips: DEO {} (acc {:.3}), SEO {} (acc {:.3})",
        deo.total_round_trips(),
        mean_acc(&deo),
        seo.total_round_trips(),
        mean_acc(&seo)
    );
    assert!(deo.total_round_trips() > 2 * seo.total_round_trips());
    // Every exchange attempts the pairs of one parity only.
    let total = |s: &Statistics| s.attempts.iter().sum::<u64>();
    assert_eq!(total(&deo), 10_000 * 6 + 10_000 * 5);
}

/// A replica whose energy never changes.
struct Fixed(f64);

impl Walker for Fixed {
    fn step(&mut self, _: u64) {}
    fn energy(&self) -> f64 {
        self.0
    }
    fn sample(&self) -> Sample {
        Sample::default()
    }
    fn retarget(&mut self, _: f64, _: f64) {}
    fn quench(&mut self) -> Option<Quench> {
        None
    }
}

#[test]
fn round_trips_count_cold_hot_cold() {
    // Equal energies: every attempt is accepted. With two temperatures DEO swaps the pair at
    // exchanges 0, 2, 4: replica 0 goes hot, cold (one round trip), hot; replica 1 starts hot
    // (not yet half a trip), goes cold, hot, cold (one round trip).
    let ladder = Ladder::explicit(vec![300.0, 400.0]).unwrap();
    let mut t = Tempering::new(settings(5, 1), ladder, Box::new(Deo)).unwrap();
    let mut walkers = vec![(0, Fixed(-1.0)), (1, Fixed(-1.0))];
    t.run(
        &mut walkers,
        &mut Local::new(2),
        &mut (),
        u64::MAX,
        &mut || false,
    );
    let s = t.statistics();
    assert_eq!(s.attempts, vec![3]);
    assert_eq!(s.accepted, vec![3]);
    assert_eq!(s.replica_at, vec![1, 0]);
    assert_eq!(s.round_trips, vec![1, 1]);
    // The record survives a round trip through its words (checkpoints).
    let back = Statistics::from_words(2, &s.to_words()).unwrap();
    assert_eq!(back.to_words(), s.to_words());
    assert_eq!(back.temperature_of, s.temperature_of);
}

/// Al13 replicas with Bussi thermostats and quenches.
fn al13_walkers<'a>(
    pot: &'a dyn Potential,
    ladder: &Ladder,
    replicas: &[usize],
    seed: u64,
) -> Vec<(usize, MdWalker<'a>)> {
    let start = builders::icosahedron(1, 2.75).unwrap();
    replicas
        .iter()
        .map(|&r| {
            let md = Md {
                potential: pot,
                transform: Transform::per_atom(1e-3, -2.58, 4, 13).unwrap(),
                containment: Some(Containment::around(&start, pot.cutoff())),
                timestep: 2.0,
            };
            let w = MdWalker::new(
                md,
                start.clone(),
                26.982,
                ladder.get(r),
                Box::new(Bussi::new(ladder.get(r), 100.0)),
                seed,
                r,
            )
            .with_quench(QuenchSettings {
                minimizer: Box::new(Lbfgs::default()),
                convergence: Convergence {
                    fmax: 1e-5,
                    max_iterations: 2000,
                },
            });
            (r, w)
        })
        .collect()
}

/// Final positions (bits) of each replica held, statistics words and summary-row bits.
type Bits = (Vec<(usize, Vec<u64>)>, Vec<u64>, Vec<u64>);

/// The summary rows of the Al13 runs (33 degrees of freedom) as bits.
fn row_bits(summary: &Summary, ladder: &Ladder) -> Vec<u64> {
    summary
        .rows(ladder.temperatures(), 33)
        .iter()
        .flat_map(|r| {
            [
                r.phi,
                r.phi_star,
                r.kinetic_temperature,
                r.heat_capacity,
                r.inherent_energy,
            ]
        })
        .map(f64::to_bits)
        .collect()
}

/// The Al13 tempering runs: 3000 steps, swaps every 50, quenches every 500.
const MD_SETTINGS: Settings = Settings {
    steps: 3_000,
    swap_interval: 50,
    swaps: true,
    sample_interval: 10,
    quench_interval: 500,
    frame_interval: 0,
    seed: 2024,
};

fn run_md(replicas: &[usize], ladder: &Ladder, exchange: &mut dyn Exchange) -> Bits {
    let pot = potential("Al_EA.eam.alloy");
    let settings = MD_SETTINGS;
    let mut t = Tempering::new(settings, ladder.clone(), Box::new(Deo)).unwrap();
    let mut walkers = al13_walkers(&pot, ladder, replicas, settings.seed);
    let mut summary = Summary::new(ladder.len(), 1000);
    t.run(&mut walkers, exchange, &mut summary, u64::MAX, &mut || {
        false
    });
    summary.reduce(exchange);
    let row_bits = row_bits(&summary, ladder);
    let positions = walkers
        .iter()
        .map(|(r, w)| {
            (
                *r,
                w.state
                    .positions
                    .as_flat()
                    .iter()
                    .map(|x| x.to_bits())
                    .collect(),
            )
        })
        .collect();
    (positions, t.statistics().to_words(), row_bits)
}

#[test]
fn results_do_not_depend_on_how_replicas_are_spread() {
    let ladder = Ladder::geometric(300.0, 900.0, 4).unwrap();
    let (one, stats_one, rows_one) = run_md(&[0, 1, 2, 3], &ladder, &mut Local::new(4));
    let mut ends = Threads::group(2, 4);
    let second = ends.pop().unwrap();
    let first = ends.pop().unwrap();
    let l2 = ladder.clone();
    let handle = std::thread::spawn(move || {
        let mut ex = second;
        run_md(&[1, 3], &l2, &mut ex)
    });
    let mut ex = first;
    let (a, stats_a, rows_a) = run_md(&[0, 2], &ladder, &mut ex);
    let (b, stats_b, rows_b) = handle.join().unwrap();
    let mut split: Vec<(usize, Vec<u64>)> = a.into_iter().chain(b).collect();
    split.sort_by_key(|(r, _)| *r);
    let accepted: u64 = stats_one[..3]
        .iter()
        .zip(&stats_one[3..6])
        .map(|(_, a)| a)
        .sum();
    println!(
        "accepted swaps: {accepted} (attempts {:?})",
        &stats_one[..3]
    );
    assert!(
        accepted > 0,
        "no swap was accepted: the test would prove nothing"
    );
    assert_eq!(one, split, "positions differ between 1 and 2 processes");
    assert_eq!(stats_one, stats_a);
    assert_eq!(stats_one, stats_b);
    assert_eq!(rows_one, rows_a);
    assert_eq!(rows_one, rows_b);
}

/// Run the Al13 replicas to `stop_at`, save everything a checkpoint holds, rebuild every
/// object from scratch, restore, and finish: the result must be the uninterrupted run's.
#[test]
fn a_checkpoint_continues_bit_for_bit() {
    let ladder = Ladder::geometric(300.0, 900.0, 4).unwrap();
    let all = [0, 1, 2, 3];
    let (straight, stats_straight, rows_straight) = run_md(&all, &ladder, &mut Local::new(4));

    let pot = potential("Al_EA.eam.alloy");
    let settings = MD_SETTINGS;
    // First half, stopped at a step that is not a quench step.
    let (saved_t, saved_w, saved_s) = {
        let mut t = Tempering::new(settings, ladder.clone(), Box::new(Deo)).unwrap();
        let mut walkers = al13_walkers(&pot, &ladder, &all, settings.seed);
        let mut summary = Summary::new(4, 1000);
        let outcome = t.run(
            &mut walkers,
            &mut Local::new(4),
            &mut summary,
            1_350,
            &mut || false,
        );
        assert_eq!(outcome, Outcome::Paused);
        assert_eq!(t.steps_done(), 1_350);
        let w: Vec<_> = walkers.iter().map(|(r, w)| w.save(*r)).collect();
        (t.save(), w, summary.to_bits())
    };
    // Round trip through JSON, as the checkpoint file does.
    let saved_w: Vec<ReplicaState> =
        serde_json::from_str(&serde_json::to_string(&saved_w).unwrap()).unwrap();
    let saved_t: TemperingState =
        serde_json::from_str(&serde_json::to_string(&saved_t).unwrap()).unwrap();

    let mut t = Tempering::new(settings, ladder.clone(), Box::new(Deo)).unwrap();
    t.restore(&saved_t).unwrap();
    let mut walkers = al13_walkers(&pot, &ladder, &all, settings.seed);
    for (r, w) in walkers.iter_mut() {
        let temp = ladder.get(t.statistics().temperature_of[*r]);
        w.restore(&saved_w[*r], temp).unwrap();
    }
    let mut summary = Summary::new(4, 1000);
    assert!(summary.restore_bits_for(&saved_s, |_| true));
    let outcome = t.run(
        &mut walkers,
        &mut Local::new(4),
        &mut summary,
        u64::MAX,
        &mut || false,
    );
    assert_eq!(outcome, Outcome::Finished);
    let positions: Vec<(usize, Vec<u64>)> = walkers
        .iter()
        .map(|(r, w)| {
            let bits = w.state.positions.as_flat().iter().map(|x| x.to_bits());
            (*r, bits.collect())
        })
        .collect();
    assert_eq!(positions, straight);
    assert_eq!(t.statistics().to_words(), stats_straight);
    assert_eq!(row_bits(&summary, &ladder), rows_straight);
}

/// A stop request on one process travels with the next exchange: both stop after it.
#[test]
fn a_stop_request_on_one_process_stops_all_after_the_same_exchange() {
    let ladder = Ladder::geometric(300.0, 900.0, 4).unwrap();
    let settings = Settings {
        steps: 1_000,
        swap_interval: 10,
        swaps: true,
        sample_interval: 10,
        quench_interval: 0,
        frame_interval: 0,
        seed: 5,
    };
    let mut ends = Threads::group(2, 4);
    let second = ends.pop().unwrap();
    let first = ends.pop().unwrap();
    let run = move |mut ex: Threads, replicas: [usize; 2], stop_after: Option<u64>| {
        let l = Ladder::geometric(300.0, 900.0, 4).unwrap();
        let mut t = Tempering::new(settings, l.clone(), Box::new(Deo)).unwrap();
        let mut walkers: Vec<(usize, Fixed)> =
            replicas.iter().map(|&r| (r, Fixed(-(r as f64)))).collect();
        let mut asked = 0u64;
        let outcome = t.run(&mut walkers, &mut ex, &mut (), u64::MAX, &mut || {
            asked += 1;
            stop_after.is_some_and(|n| asked > n)
        });
        (outcome, t.steps_done(), t.statistics().exchanges)
    };
    let h = std::thread::spawn(move || run(second, [1, 3], None));
    let a = run(first, [0, 2], Some(37));
    let b = h.join().unwrap();
    assert_eq!(a, (Outcome::Stopped, 380, 38));
    assert_eq!(a, b);
    let _ = ladder;
}

/// The adaptive ladder on the two-basin model, whose geometric ladder has a bottleneck at
/// the transition: after adaptation (rounds during the first 8176 exchanges) the pair
/// acceptances of the production part are even (smallest ≥ 0.75 × the mean), the ends are
/// kept, and the replicas make more round trips than on the geometric ladder.
#[test]
fn the_adaptive_ladder_evens_out_the_acceptance() {
    let model = Model::TwoBasins {
        dof: 30,
        gap: 1.5,
        degeneracy: 36f64.exp(),
    };
    let ladder = Ladder::geometric(300.0, 800.0, 10).unwrap();
    let ends = pelt::tempering::adaptation_rounds(10_000);
    assert_eq!(ends, vec![16, 48, 112, 240, 496, 1008, 2032, 4080, 8176]);
    let freeze = *ends.last().unwrap();
    let steps = 40_000;
    let seed = 99;
    let production = |adaptive: Option<Rule>| {
        let mut t = Tempering::new(settings(steps, seed), ladder.clone(), Box::new(Deo)).unwrap();
        if let Some(rule) = adaptive {
            t = t.with_adaptation(ends.clone()).with_respace(rule.respace());
        }
        let mut walkers: Vec<(usize, Exact)> = (0..ladder.len())
            .map(|r| (r, Exact::new(model, ladder.get(r), seed, r)))
            .collect();
        let mut local = Local::new(ladder.len());
        t.run(&mut walkers, &mut local, &mut (), freeze, &mut || false);
        let before = t.statistics().clone();
        assert!(t.frozen());
        t.run(&mut walkers, &mut local, &mut (), u64::MAX, &mut || false);
        let after = t.statistics();
        // Every replica sits at its index's temperature of the final ladder.
        for (r, w) in &walkers {
            assert_eq!(w.temperature, t.ladder().get(after.temperature_of[*r]));
        }
        let acc: Vec<f64> = (0..ladder.len() - 1)
            .map(|k| {
                (after.accepted[k] - before.accepted[k]) as f64
                    / (after.attempts[k] - before.attempts[k]) as f64
            })
            .collect();
        let trips = after.total_round_trips() - before.total_round_trips();
        (t.ladder().clone(), acc, trips, t.rounds().len())
    };
    let (fixed_ladder, fixed_acc, fixed_trips, _) = production(None);
    let mean = |a: &[f64]| a.iter().sum::<f64>() / a.len() as f64;
    let min = |a: &[f64]| a.iter().cloned().fold(f64::INFINITY, f64::min);
    println!("geometric: {:?}", fixed_ladder.temperatures());
    println!("  acceptance {fixed_acc:.3?}, {fixed_trips} round trips");
    assert!(
        min(&fixed_acc) < 0.75 * mean(&fixed_acc),
        "the geometric ladder is uneven"
    );
    for rule in [Rule::Barrier, Rule::Mbar] {
        let (adapted, acc, trips, rounds) = production(Some(rule));
        println!("{rule:?} ({rounds} rounds): {:.1?}", adapted.temperatures());
        println!("  acceptance {acc:.3?}, {trips} round trips");
        assert_eq!(rounds, ends.len());
        assert_eq!(adapted.get(0), 300.0);
        assert_eq!(adapted.get(9), 800.0);
        assert!(
            min(&acc) >= 0.75 * mean(&acc),
            "{rule:?}: smallest acceptance {} against the mean {}",
            min(&acc),
            mean(&acc)
        );
        assert!(
            trips > fixed_trips,
            "{rule:?}: {trips} round trips against {fixed_trips}"
        );
    }
}

/// The two re-spacing rules of the adaptive ladder.
#[derive(Clone, Copy, Debug)]
enum Rule {
    Barrier,
    Mbar,
}

impl Rule {
    fn respace(self) -> Box<dyn pelt::tempering::respace::Respace> {
        match self {
            Rule::Barrier => Box::new(pelt::tempering::respace::Barrier),
            Rule::Mbar => Box::new(pelt::analysis::ladder::MbarRespace),
        }
    }
}

/// A run with an adaptive ladder stopped and continued from its checkpoint, in the middle
/// of the adaptation (past the window of energies it keeps), ends bit for bit like the
/// uninterrupted run, with either re-spacing rule.
#[test]
fn an_adaptive_ladder_continues_bit_for_bit_from_a_checkpoint() {
    let model = Model::TwoBasins {
        dof: 30,
        gap: 1.5,
        degeneracy: 36f64.exp(),
    };
    let ladder = Ladder::geometric(300.0, 800.0, 8).unwrap();
    let ends = pelt::tempering::adaptation_rounds(5000);
    let seed = 5;
    for rule in [Rule::Barrier, Rule::Mbar] {
        let make = || {
            Tempering::new(settings(6000, seed), ladder.clone(), Box::new(Deo))
                .unwrap()
                .with_adaptation(ends.clone())
                .with_respace(rule.respace())
        };
        let walkers = || -> Vec<(usize, Exact)> {
            (0..ladder.len())
                .map(|r| (r, Exact::new(model, ladder.get(r), seed, r)))
                .collect()
        };
        let mut whole = make();
        let mut ww = walkers();
        whole.run(&mut ww, &mut Local::new(8), &mut (), u64::MAX, &mut || {
            false
        });

        let mut first = make();
        let mut w1 = walkers();
        first.run(&mut w1, &mut Local::new(8), &mut (), 3000, &mut || false);
        let state: TemperingState =
            serde_json::from_str(&serde_json::to_string(&first.save()).unwrap()).unwrap();
        assert_eq!(state.rounds.len(), 7, "stopped inside the adaptation");
        assert_eq!(ends.len(), 8);
        // More exchanges than the window of energies the adaptation keeps.
        assert_eq!(
            state.adaptation_energies.len() as u64,
            pelt::tempering::ADAPTATION_WINDOW * 8
        );
        let mut second = make();
        second.restore(&state).unwrap();
        // The walkers continue where they were (their own state is the walker's business).
        second.run(&mut w1, &mut Local::new(8), &mut (), u64::MAX, &mut || {
            false
        });
        assert_eq!(second.ladder(), whole.ladder());
        assert_eq!(second.rounds(), whole.rounds());
        assert_eq!(
            second.statistics().to_words(),
            whole.statistics().to_words()
        );
        let e = |w: &[(usize, Exact)]| {
            w.iter()
                .map(|(_, x)| x.energy.to_bits())
                .collect::<Vec<_>>()
        };
        assert_eq!(e(&w1), e(&ww), "{rule:?}");
        // A checkpoint from another adaptation schedule is refused.
        let mut other = Tempering::new(settings(6000, seed), ladder.clone(), Box::new(Deo))
            .unwrap()
            .with_adaptation(pelt::tempering::adaptation_rounds(100));
        assert!(other.restore(&state).is_err());
    }
}
