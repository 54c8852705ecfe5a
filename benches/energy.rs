//! Energy + forces with every kernel this CPU runs (Ercolessi–Adams Al), in double and mixed
//! precision, for Mackay icosahedra of 13, 55, 147, 309 and 561 atoms and for Al43, and one
//! MD step of Al55 and Al43 per kernel, precision and thermostat. Run: `cargo bench --bench
//! energy` (add a filter, e.g. `-- md_step`).

use criterion::{criterion_group, criterion_main, Criterion};
use pelt::dynamics::thermostat::{Bussi, Langevin, NoseHooverChain, Nve};
use pelt::dynamics::{Containment, Md, State, Thermostat};
use pelt::landscape::Transform;
use pelt::potential::{self, Eam, Evaluation, Kernel, Potential, Precision};
use pelt::system::{builders, xyz, Coords};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn eam(kernel: Kernel) -> Eam {
    potential::load(&root().join("inputs/potentials/Al_EA.eam.alloy"))
        .unwrap()
        .with_kernel(kernel)
}

/// Every (kernel, precision) this CPU runs; the scalar kernel only in double.
fn variants() -> Vec<(Kernel, Precision)> {
    Kernel::available()
        .into_iter()
        .flat_map(|k| {
            let ps: &[Precision] = if k == Kernel::Scalar {
                &[Precision::Double]
            } else {
                &Precision::ALL
            };
            ps.iter().map(move |p| (k, *p))
        })
        .collect()
}

fn structure(file: &str) -> Coords {
    xyz::read(&root().join("inputs/structures").join(file))
        .unwrap()
        .positions
}

/// Energy and forces of clusters of 13 to 309 atoms. The icosahedra are built with the
/// Al_EA nearest-neighbour distance (2.76 Å) and heated a little so that no two pairs sit
/// at the same distance.
fn energy_forces(c: &mut Criterion) {
    let mut clusters: Vec<(String, Coords)> = (1..=5)
        .map(|shells| {
            let mut pos = builders::icosahedron(shells, 2.76).unwrap();
            for (k, v) in pos.as_flat_mut().iter_mut().enumerate() {
                *v += 0.05 * ((k as f64) * 0.77).sin();
            }
            (format!("Ih{}", pos.len()), pos)
        })
        .collect();
    clusters.push(("Al43".into(), structure("al43_start.xyz")));
    for (kernel, precision) in variants() {
        let pot = eam(kernel).with_precision(precision);
        let mut group = c.benchmark_group(format!("energy_forces_{kernel}_{precision}"));
        group.measurement_time(Duration::from_secs(3));
        for (name, pos) in &clusters {
            let mut ev = Evaluation::new(pos.len());
            group.bench_function(name.as_str(), |b| {
                b.iter(|| {
                    pot.compute(black_box(pos), &mut ev);
                    black_box(ev.energy)
                })
            });
        }
        group.finish();
    }
}

/// One velocity-Verlet step at 2 fs of liquid-like Al55 and Al43 (started at 600 K),
/// containment wall on, ε = 0: every thermostat with the fastest kernel, Bussi with each.
fn md_step(c: &mut Criterion) {
    let thermostat = |name: &str| -> Box<dyn Thermostat> {
        match name {
            "nve" => Box::new(Nve),
            "bussi" => Box::new(Bussi::new(600.0, 100.0)),
            "langevin" => Box::new(Langevin::new(600.0, 100.0)),
            _ => Box::new(NoseHooverChain::new(600.0, 100.0, 3)),
        }
    };
    let mut cases: Vec<(&str, (Kernel, Precision), &str)> = variants()
        .into_iter()
        .map(|k| ("bussi", k, "al55_ih.xyz"))
        .collect();
    for name in ["nve", "langevin", "nose-hoover"] {
        let k = Kernel::fastest_for(Precision::Mixed);
        cases.push((name, (k, Precision::Mixed), "al55_ih.xyz"));
    }
    for k in variants() {
        cases.push(("bussi", k, "al43_start.xyz"));
    }
    let mut group = c.benchmark_group("md_step");
    group.measurement_time(Duration::from_secs(3));
    for (name, (kernel, precision), file) in cases {
        let pot = eam(kernel).with_precision(precision);
        let pos = structure(file);
        let md = Md {
            potential: &pot,
            transform: Transform::identity(),
            containment: Some(Containment::around(&pos, pot.cutoff())),
            timestep: 2.0,
        };
        let mut bath = thermostat(name);
        let mut r = pelt::rng::stream(1, 0);
        let mut state = State::at_rest(pos.clone(), pot.mass());
        state.thermalize(600.0, &mut r);
        md.evaluate(&mut state);
        let cluster = if pos.len() == 55 { "Al55" } else { "Al43" };
        group.bench_function(format!("{cluster}/{name}/{kernel}_{precision}"), |b| {
            b.iter(|| {
                md.step(&mut state, bath.as_mut(), &mut r);
                black_box(state.phi())
            })
        });
    }
    group.finish();
}

/// The guards' cost per MD step: [`Guard::check`] over 100 consecutive steps (99 light
/// checks, one full one) on an Al55 state, divided by 100, next to the MD step it guards.
fn guard(c: &mut Criterion) {
    use pelt::dynamics::{Guard, GuardLimits};
    let pot = eam(Kernel::fastest_for(pelt::potential::Precision::Mixed))
        .with_precision(Precision::Mixed);
    let pos = structure("al55_ih.xyz");
    let md = Md {
        potential: &pot,
        transform: Transform::identity(),
        containment: Some(Containment::around(&pos, pot.cutoff())),
        timestep: 2.0,
    };
    let mut bath = Bussi::new(600.0, 100.0);
    let mut r = pelt::rng::stream(1, 0);
    let mut state = State::at_rest(pos.clone(), pot.mass());
    state.thermalize(600.0, &mut r);
    md.evaluate(&mut state);
    let mut group = c.benchmark_group("guard");
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("Al55/md_step", |b| {
        b.iter(|| {
            md.step(&mut state, &mut bath, &mut r);
            black_box(state.phi())
        })
    });
    let mut g = Guard::new(GuardLimits::default(), state.len());
    let mut step = 0u64;
    group.bench_function("Al55/checks_of_100_steps", |b| {
        b.iter(|| {
            for _ in 0..Guard::EVERY {
                step += 1;
                black_box(g.check(step, &state, 0.0, 2.0, 600.0)).ok();
            }
        })
    });
    group.finish();
}

criterion_group!(benches, energy_forces, md_step, guard);
criterion_main!(benches);
