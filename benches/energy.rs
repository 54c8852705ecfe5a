//! One energy + force evaluation of Al55 (relaxed Mackay icosahedron) and Al43 with the
//! Ercolessi–Adams potential. Run: `cargo bench --bench energy`.

use criterion::{criterion_group, criterion_main, Criterion};
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
}

criterion_group!(benches, bench);
criterion_main!(benches);
