//! Dynamics as physics: energy conservation in NVE, the canonical kinetic-energy
//! distribution of each stochastic thermostat, equipartition, conserved momenta, the
//! containment wall and evaporation detection.

mod common;

use common::stats;
use common::{potential, repo};
use pelt::dynamics::thermostat::{Bussi, Langevin, NoseHooverChain, Nve};
use pelt::dynamics::{
    angular_momentum, degrees_of_freedom, linear_momentum, Containment, Md, State, Thermostat,
};
use pelt::landscape::Transform;
use pelt::minimize::{quench, Convergence, Lbfgs};
use pelt::potential::{Eam, Potential, Precision};
use pelt::rng;
use pelt::system::{builders, xyz, Coords};
use pelt::units::KB;

fn structure(name: &str) -> Coords {
    xyz::read(&repo(&format!("inputs/structures/{name}")))
        .expect("structure")
        .positions
}

fn al13() -> Coords {
    builders::icosahedron(1, 2.75).expect("Al13")
}

fn md<'a>(pot: &'a Eam, transform: Transform, dt: f64, positions: &Coords) -> Md<'a> {
    Md {
        potential: pot,
        transform,
        containment: Some(Containment::around(positions, pot.cutoff())),
        timestep: dt,
    }
}

fn start(
    md: &Md,
    positions: Coords,
    mass: f64,
    temperature: f64,
    seed: u64,
) -> (State, rng::Stream) {
    let mut r = rng::stream(seed, 0);
    let mut s = State::at_rest(positions, mass);
    s.thermalize(temperature, &mut r);
    md.evaluate(&mut s);
    (s, r)
}

/// Least-squares slope of y against x.
fn slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    sxy / sxx
}

/// Bound on the NVE drift of H* over 100 ps at 1 fs (eV per cluster).
///
/// The tabulated EAM functions, interpolated exactly as LAMMPS does, are continuous in
/// energy but not in force at the cutoff: V'(r_c⁻) = 1.3e-3 eV/Å and ρ'(r_c⁻) = −4.6e-4 /Å
/// for Al_EA. Each pair crossing r_c mid-step then costs an energy error of order
/// ΔF·v·dt/√12 ≈ 5e-6 eV with a random sign; Al55 at 700 K has ~1.7 crossings per fs, so H
/// random-walks by ≈ √(1.7e5)·5e-6 ≈ 2e-3 eV in 100 ps, growing ∝ dt. LAMMPS 2021 on the
/// same cluster and potential (fix nve, 1 fs) moves H by 3.6e-3 eV in 100 ps. The bound
/// leaves room for that random walk and still catches any integrator error (a wrong kick or
/// drift gives drifts of 0.1 eV and more).
const DRIFT_BOUND: f64 = 1e-2;

/// Run NVE for `steps` after `equilibrate` Bussi steps at `temperature`; returns the drift of
/// the linear fit of H* over the run, the RMS fluctuation of H*, and ⟨T_kin⟩.
fn nve_drift(
    pot: &Eam,
    transform: Transform,
    positions: Coords,
    temperature: f64,
    equilibrate: usize,
    steps: usize,
) -> (f64, f64, f64) {
    let md = md(pot, transform, 1.0, &positions);
    let (mut s, mut r) = start(&md, positions, pot.mass(), temperature, 3);
    let mut bath = Bussi::new(temperature, 100.0);
    for _ in 0..equilibrate {
        md.step(&mut s, &mut bath, &mut r);
    }
    let mut nve = Nve;
    let (mut t, mut h, mut temp) = (Vec::new(), Vec::new(), 0.0);
    for i in 0..steps {
        md.step(&mut s, &mut nve, &mut r);
        if i % 10 == 0 {
            t.push(i as f64);
            h.push(md.hamiltonian(&s));
            temp += s.temperature();
        }
    }
    let mean = h.iter().sum::<f64>() / h.len() as f64;
    let rms = (h.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / h.len() as f64).sqrt();
    (slope(&t, &h) * steps as f64, rms, temp / h.len() as f64)
}

#[test]
fn nve_conserves_energy_for_liquid_al55() {
    let pot = potential("Al_EA.eam.alloy");
    let (drift, rms, temp) = nve_drift(
        &pot,
        Transform::identity(),
        structure("al55_ih.xyz"),
        700.0,
        20_000,
        100_000,
    );
    println!("Al55 NVE 100 ps, dt 1 fs: <T> = {temp:.1} K, drift {drift:.3e} eV, rms {rms:.3e} eV");
    assert!((550.0..850.0).contains(&temp), "<T> = {temp}");
    assert!(drift.abs() < DRIFT_BOUND, "drift {drift} eV");
    assert!(rms < 5e-3, "rms {rms} eV");
}

#[test]
fn nve_conserves_the_transformed_energy_for_al43_at_negative_eps() {
    let pot = potential("Al_EA.eam.alloy");
    let t = Transform::per_atom(-4e-5, -2.58, 6, 43).unwrap();
    let (drift, rms, temp) =
        nve_drift(&pot, t, structure("al43_start.xyz"), 600.0, 20_000, 100_000);
    println!("Al43 eps=-4e-5 m=6 NVE 100 ps, dt 1 fs: <T> = {temp:.1} K, drift {drift:.3e} eV, rms {rms:.3e} eV");
    assert!(drift.abs() < DRIFT_BOUND, "drift {drift} eV");
    assert!(rms < 5e-3, "rms {rms} eV");
}

/// Kinetic energies of Al13 at 300 K sampled every `every` steps of 2 fs, and the largest
/// |P| and |L| seen (amu·Å/fs, amu·Å²/fs).
fn kinetic_samples(
    pot: &Eam,
    thermostat: &mut dyn Thermostat,
    samples: usize,
    every: usize,
) -> (Vec<f64>, f64, f64) {
    let md = md(pot, Transform::identity(), 2.0, &al13());
    let (mut s, mut r) = start(&md, al13(), pot.mass(), 300.0, 11);
    for _ in 0..5_000 {
        md.step(&mut s, thermostat, &mut r);
    }
    let (mut k, mut pmax, mut lmax) = (Vec::new(), 0.0f64, 0.0f64);
    let norm = |v: [f64; 3]| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    for i in 0..samples * every {
        md.step(&mut s, thermostat, &mut r);
        if i % every == 0 {
            k.push(s.kinetic_energy());
            pmax = pmax.max(s.mass * norm(linear_momentum(&s.velocities)));
            lmax = lmax.max(s.mass * norm(angular_momentum(&s.positions, &s.velocities)));
        }
    }
    (k, pmax, lmax)
}

fn check_canonical(name: &str, thermostat: &mut dyn Thermostat, precision: Precision) {
    let t = 300.0;
    let pot = potential("Al_EA.eam.alloy").with_precision(precision);
    let (k, pmax, lmax) = kinetic_samples(&pot, thermostat, 8_000, 50);
    let name = format!("{name} ({precision})");
    let shape = degrees_of_freedom(13) as f64 / 2.0;
    let kt = KB * t;
    let d = stats::ks_statistic(&k, |x| stats::gamma_p(shape, x / kt));
    let p = stats::ks_p_value(d, k.len());
    let (mean, err) = stats::mean_and_block_error(&k, 20);
    let tkin = mean / (shape * KB);
    println!(
        "{name}: KS D = {d:.4}, p = {p:.3}; <T_kin> = {tkin:.2} ± {:.2} K; max|P| = {pmax:.1e}, max|L| = {lmax:.1e}",
        err / (shape * KB)
    );
    assert!(
        p > 0.01,
        "{name}: kinetic energy is not Gamma((3N-6)/2): KS p = {p}"
    );
    assert!((tkin - t).abs() < 0.01 * t, "{name}: <T_kin> = {tkin}");
    assert!(
        pmax < 1e-10 && lmax < 1e-10,
        "{name}: |P| {pmax}, |L| {lmax}"
    );
}

#[test]
fn bussi_samples_the_canonical_kinetic_energy() {
    for p in Precision::ALL {
        check_canonical("bussi", &mut Bussi::new(300.0, 50.0), p);
    }
}

#[test]
fn langevin_samples_the_canonical_kinetic_energy() {
    for p in Precision::ALL {
        check_canonical("langevin", &mut Langevin::new(300.0, 200.0), p);
    }
}

#[test]
fn nose_hoover_chain_holds_temperature_and_conserves_its_extended_energy() {
    let pot = potential("Al_EA.eam.alloy");
    let md = md(&pot, Transform::identity(), 2.0, &al13());
    let (mut s, mut r) = start(&md, al13(), pot.mass(), 300.0, 5);
    let mut nhc = NoseHooverChain::new(300.0, 100.0, 3);
    let ext = |s: &State, nhc: &NoseHooverChain| md.hamiltonian(s) + nhc.energy();
    for _ in 0..2_000 {
        md.step(&mut s, &mut nhc, &mut r);
    }
    let e0 = ext(&s, &nhc);
    let (mut temps, mut dev) = (Vec::new(), 0.0f64);
    for _ in 0..200_000 {
        md.step(&mut s, &mut nhc, &mut r);
        temps.push(s.temperature());
        dev = dev.max((ext(&s, &nhc) - e0).abs());
    }
    let (mean, err) = stats::mean_and_block_error(&temps, 20);
    let l = angular_momentum(&s.positions, &s.velocities);
    println!(
        "nose-hoover: <T_kin> = {mean:.2} ± {err:.2} K; max |ΔH_ext| = {dev:.2e} eV; L = {l:?}"
    );
    assert!((mean - 300.0).abs() < 3.0, "<T_kin> = {mean}");
    assert!(dev < DRIFT_BOUND, "extended energy moved by {dev} eV");
    assert!(l.iter().all(|x| x.abs() * s.mass < 1e-10));
}

#[test]
fn al55_at_100k_obeys_equipartition() {
    let pot = potential("Al_EA.eam.alloy");
    let pos = structure("al55_ih.xyz");
    let (_, min) = quench(&mut Lbfgs::default(), &pot, &pos, Convergence::default());
    let t = 100.0;
    let md = md(&pot, Transform::identity(), 2.0, &pos);
    let (mut s, mut r) = start(&md, pos, pot.mass(), t, 17);
    let mut bath = Bussi::new(t, 100.0);
    for _ in 0..5_000 {
        md.step(&mut s, &mut bath, &mut r);
    }
    let mut phi = Vec::new();
    for i in 0..100_000 {
        md.step(&mut s, &mut bath, &mut r);
        if i % 10 == 0 {
            phi.push(s.phi() - min.energy);
        }
    }
    let (mean, err) = stats::mean_and_block_error(&phi, 20);
    let expected = degrees_of_freedom(55) as f64 * KB * t / 2.0;
    println!(
        "Al55 100 K: <phi> - E_min = {mean:.4} ± {err:.4} eV, (3N-6)kT/2 = {expected:.4} eV ({:+.2} %)",
        100.0 * (mean / expected - 1.0)
    );
    assert!((mean / expected - 1.0).abs() < 0.03);
}

#[test]
fn containment_wall_forces_match_finite_differences_and_conserve_momentum() {
    let mut pos = al13();
    pos.set(0, [9.0, 1.0, -0.5]);
    pos.set(5, [-2.0, 7.5, 3.0]);
    let wall = Containment {
        radius: 4.0,
        stiffness: 0.7,
    };
    let mut f = Coords::zeros(13);
    let e = wall.apply(&pos, &mut f);
    assert!(e > 0.0);
    let h = 1e-6;
    for i in 0..13 {
        for a in 0..3 {
            let mut p = pos.clone();
            let mut q = p.get(i);
            q[a] += h;
            p.set(i, q);
            let ep = wall.apply(&p, &mut Coords::zeros(13));
            q[a] -= 2.0 * h;
            p.set(i, q);
            let em = wall.apply(&p, &mut Coords::zeros(13));
            assert!((-(ep - em) / (2.0 * h) - f.get(i)[a]).abs() < 1e-7);
        }
    }
    let total = linear_momentum(&f);
    let torque = angular_momentum(&pos, &f);
    assert!(total.iter().chain(&torque).all(|x| x.abs() < 1e-12));
}

#[test]
fn hot_cluster_stays_together_inside_the_wall_and_evaporation_is_detected() {
    let pot = potential("Al_EA.eam.alloy");
    let pos = al13();
    let md = md(&pot, Transform::identity(), 2.0, &pos);
    let radius = md.containment.unwrap().radius;
    let (mut s, mut r) = start(&md, pos, pot.mass(), 3000.0, 23);
    let mut bath = Bussi::new(3000.0, 50.0);
    let mut monitor = pelt::dynamics::EvaporationMonitor::default();
    let mut far = 0.0f64;
    for step in 0..50_000u64 {
        md.step(&mut s, &mut bath, &mut r);
        if step % 100 == 0 {
            monitor.check(&s.positions, pot.cutoff(), "Al13 3000 K", step);
            let c = s.positions.centroid();
            for i in 0..13 {
                let p = s.positions.get(i);
                let d =
                    ((p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2) + (p[2] - c[2]).powi(2)).sqrt();
                far = far.max(d);
            }
        }
    }
    println!(
        "Al13 at 3000 K: wall radius {radius:.2} Å, farthest atom {far:.2} Å, evaporation events {}",
        monitor.events()
    );
    assert!(far < radius + 2.0, "an atom got {far} Å from the centre");
    // Pull one atom far away: the monitor names it.
    let mut p = s.positions.clone();
    p.set(4, [40.0, 0.0, 0.0]);
    let before = monitor.events();
    assert_eq!(pelt::dynamics::isolated_atoms(&p, pot.cutoff()), vec![4]);
    monitor.check(&p, pot.cutoff(), "test", 0);
    assert_eq!(monitor.events(), before + 1);
}

/// The test statistics themselves (tests/common/stats.rs).
#[test]
fn incomplete_gamma_matches_closed_forms() {
    // a = 1: P = 1 − e^−x. a = 2: P = 1 − (1 + x) e^−x.
    for &x in &[0.01f64, 0.5, 1.0, 2.0, 3.5, 10.0, 40.0] {
        assert!((stats::gamma_p(1.0, x) - (1.0 - (-x).exp())).abs() < 1e-13);
        assert!((stats::gamma_p(2.0, x) - (1.0 - (1.0 + x) * (-x).exp())).abs() < 1e-13);
        assert!((stats::gamma_p(2.0, x) + stats::gamma_q(2.0, x) - 1.0).abs() < 1e-13);
    }
}

#[test]
fn ks_p_value_has_the_known_critical_values() {
    // Asymptotic 5 % and 1 % critical values: λ = 1.358 and 1.628.
    let n = 1_000_000;
    assert!((stats::ks_p_value(1.358 / (n as f64).sqrt(), n) - 0.05).abs() < 1e-3);
    assert!((stats::ks_p_value(1.628 / (n as f64).sqrt(), n) - 0.01).abs() < 1e-3);
}
