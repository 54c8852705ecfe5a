//! Mixed precision leaves the physics unchanged: NVE energy conservation of liquid Al55
//! over 100 ps (five seeds) is no worse than in double precision, and ⟨φ⟩ and the heat
//! capacity at 300, 600 and 900 K agree with double precision within their errors.
//! (The thermostat KS tests run in both precisions in `tests/dynamics.rs`; accuracy
//! against LAMMPS is in `tests/lammps_reference.rs`.)

mod common;

use common::stats;
use common::{potential, repo};
use pelt::dynamics::thermostat::{Bussi, Nve};
use pelt::dynamics::{Containment, Md, State};
use pelt::landscape::Transform;
use pelt::potential::{Eam, Kernel, Potential, Precision};
use pelt::rng;
use pelt::system::{xyz, Coords};
use pelt::units::KB;

fn al55() -> Coords {
    xyz::read(&repo("inputs/structures/al55_ih.xyz"))
        .expect("Al55")
        .positions
}

fn eam(precision: Precision) -> Eam {
    potential("Al_EA.eam.alloy").with_precision(precision)
}

fn md(pot: &Eam, dt: f64) -> Md<'_> {
    Md {
        potential: pot,
        transform: Transform::identity(),
        containment: Some(Containment::around(&al55(), pot.cutoff())),
        timestep: dt,
    }
}

fn start(md: &Md, mass: f64, temperature: f64, seed: u64) -> (State, rng::Stream) {
    let mut r = rng::stream(seed, 0);
    let mut s = State::at_rest(al55(), mass);
    s.thermalize(temperature, &mut r);
    md.evaluate(&mut s);
    (s, r)
}

/// |drift| of H over 100 ps of NVE at 1 fs after 20 ps of Bussi at 800 K (liquid), from
/// the linear fit, and the RMS of H.
fn nve(precision: Precision, seed: u64) -> (f64, f64) {
    let pot = eam(precision);
    let md = md(&pot, 1.0);
    let (mut s, mut r) = start(&md, pot.mass(), 800.0, seed);
    let mut bath = Bussi::new(800.0, 100.0);
    for _ in 0..20_000 {
        md.step(&mut s, &mut bath, &mut r);
    }
    let (mut t, mut h) = (Vec::new(), Vec::new());
    for i in 0..100_000 {
        md.step(&mut s, &mut Nve, &mut r);
        if i % 10 == 0 {
            t.push(i as f64);
            h.push(md.hamiltonian(&s));
        }
    }
    let n = t.len() as f64;
    let (mt, mh) = (t.iter().sum::<f64>() / n, h.iter().sum::<f64>() / n);
    let sxy: f64 = t.iter().zip(&h).map(|(a, b)| (a - mt) * (b - mh)).sum();
    let sxx: f64 = t.iter().map(|a| (a - mt).powi(2)).sum();
    let rms = (h.iter().map(|x| (x - mh).powi(2)).sum::<f64>() / n).sqrt();
    ((sxy / sxx * 100_000.0).abs(), rms)
}

#[test]
fn mixed_precision_conserves_energy_as_well_as_double() {
    if Kernel::default_choice() == Kernel::Scalar {
        eprintln!("no SIMD kernel on this CPU: mixed precision is double here");
        return;
    }
    let seeds = [1u64, 2, 3, 4, 5];
    let mut mean = [0.0; 2];
    for (k, p) in [Precision::Double, Precision::Mixed]
        .into_iter()
        .enumerate()
    {
        for &seed in &seeds {
            let (drift, rms) = nve(p, seed);
            println!("{p:6} seed {seed}: |drift| {drift:.2e} eV / 100 ps, rms {rms:.2e} eV");
            assert!(drift < 1e-2 && rms < 5e-3, "{p} seed {seed}: {drift} {rms}");
            mean[k] += drift / seeds.len() as f64;
        }
    }
    println!(
        "mean |drift| over 100 ps: double {:.2e} eV, mixed {:.2e} eV",
        mean[0], mean[1]
    );
    // Both are random walks from the force discontinuity at r_c (tests/dynamics.rs); a
    // systematic f32 error would add a drift many times larger.
    assert!(
        mean[1] <= 2.0 * mean[0] + 1e-3,
        "mixed drifts more: {:e} vs {:e}",
        mean[1],
        mean[0]
    );
}

/// ⟨φ⟩ and C = (⟨E²⟩ − ⟨E⟩²)/(k T²) with E = φ + K, from 300 ps of Bussi NVT after 40 ps:
/// returns (⟨φ⟩, its error, C/(N k_B) (mean of 20 blocks), its error).
fn canonical(precision: Precision, t: f64) -> (f64, f64, f64, f64) {
    let pot = eam(precision);
    let md = md(&pot, 2.0);
    let (mut s, mut r) = start(&md, pot.mass(), t, 7);
    let mut bath = Bussi::new(t, 100.0);
    for _ in 0..20_000 {
        md.step(&mut s, &mut bath, &mut r);
    }
    let (mut phi, mut e) = (Vec::new(), Vec::new());
    for i in 0..150_000 {
        md.step(&mut s, &mut bath, &mut r);
        if i % 10 == 0 {
            phi.push(s.phi());
            e.push(s.phi() + s.kinetic_energy());
        }
    }
    let (mp, ep) = stats::mean_and_block_error(&phi, 20);
    // C per block, then mean and error over blocks.
    let blocks = 20;
    let size = e.len() / blocks;
    let cs: Vec<f64> = (0..blocks)
        .map(|b| {
            let x = &e[b * size..(b + 1) * size];
            let m = x.iter().sum::<f64>() / size as f64;
            let var = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / size as f64;
            var / (KB * t * t) / KB / 55.0
        })
        .collect();
    let (mc, ec) = stats::mean_and_block_error(&cs, blocks);
    (mp, ep, mc, ec)
}

#[test]
fn mixed_precision_gives_the_same_thermodynamics() {
    if Kernel::default_choice() == Kernel::Scalar {
        eprintln!("no SIMD kernel on this CPU: mixed precision is double here");
        return;
    }
    let mut within_2 = 0;
    for t in [300.0, 600.0, 900.0] {
        let (pd, epd, cd, ecd) = canonical(Precision::Double, t);
        let (pm, epm, cm, ecm) = canonical(Precision::Mixed, t);
        let zp = (pm - pd) / (epd * epd + epm * epm).sqrt();
        let zc = (cm - cd) / (ecd * ecd + ecm * ecm).sqrt();
        println!(
            "{t} K: <phi> double {pd:.4} ± {epd:.4}, mixed {pm:.4} ± {epm:.4} eV (z = {zp:+.2}); \
             C/(N k_B) double {cd:.3} ± {ecd:.3}, mixed {cm:.3} ± {ecm:.3} (z = {zc:+.2})"
        );
        within_2 += (zp.abs() <= 2.0) as usize + (zc.abs() <= 2.0) as usize;
        // Six comparisons: 3σ each keeps a chance failure below 2 %; a systematic f32
        // error of 1e-5 eV per pair would be ~0.01 eV in φ, far outside.
        assert!(zp.abs() <= 3.0, "{t} K: <phi> differs by {zp:.2} sigma");
        assert!(zc.abs() <= 3.0, "{t} K: C differs by {zc:.2} sigma");
    }
    println!("{within_2} of 6 comparisons within 2 sigma");
}
