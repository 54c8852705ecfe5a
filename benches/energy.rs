//! One energy + force evaluation of Al55 (relaxed Mackay icosahedron) and Al43 with the
//! Ercolessi–Adams potential, and one MD step of Al55 with each thermostat.
//! Run: `cargo bench --bench energy`.

use criterion::{criterion_group, criterion_main, Criterion};
use pelt::dynamics::thermostat::{Bussi, Langevin, NoseHooverChain, Nve};
use pelt::dynamics::{Containment, Md, State, Thermostat};
use pelt::landscape::Transform;
use pelt::potential::{self, Evaluation, Potential};
use pelt::system::xyz;
use std::hint::black_box;
use std::path::Path;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pot = potential::load(&root.join("inputs/potentials/Al_EA.eam.alloy")).unwrap();
    let mut group = c.benchmark_group("energy_forces_scalar");
    for (name, file) in [("Al55", "al55_ih.xyz"), ("Al43", "al43_start.xyz")] {
        let s = xyz::read(&root.join("inputs/structures").join(file)).unwrap();
        let mut ev = Evaluation::new(s.len());
        group.bench_function(name, |b| {
            b.iter(|| {
                pot.compute(black_box(&s.positions), &mut ev);
                black_box(ev.energy)
            })
        });
    }
    group.finish();

    let s = xyz::read(&root.join("inputs/structures/al55_ih.xyz")).unwrap();
    let mut group = c.benchmark_group("md_step_al55");
    let thermostats: Vec<(&str, Box<dyn Thermostat>)> = vec![
        ("nve", Box::new(Nve)),
        ("bussi", Box::new(Bussi::new(600.0, 100.0))),
        ("langevin", Box::new(Langevin::new(600.0, 100.0))),
        (
            "nose-hoover",
            Box::new(NoseHooverChain::new(600.0, 100.0, 3)),
        ),
    ];
    for (name, mut bath) in thermostats {
        let md = Md {
            potential: &pot,
            transform: Transform::identity(),
            containment: Some(Containment::around(&s.positions, pot.cutoff())),
            timestep: 2.0,
        };
        let mut r = pelt::rng::stream(1, 0);
        let mut state = State::at_rest(s.positions.clone(), pot.mass());
        state.thermalize(600.0, &mut r);
        md.evaluate(&mut state);
        group.bench_function(name, |b| {
            b.iter(|| {
                md.step(&mut state, bath.as_mut(), &mut r);
                black_box(state.phi())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
