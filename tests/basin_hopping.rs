//! Basin hopping finds known global minima: the Al13 icosahedron from random starts, and
//! nothing below the Al43 minimum stored in inputs/structures.

mod common;

use common::{potential, repo};
use pelt::minimize::basin_hopping::BasinHopping;
use pelt::minimize::{quench, Convergence, Lbfgs};
use pelt::potential::Potential;
use pelt::rng;
use pelt::system::{builders, geometry, xyz};

#[test]
fn finds_the_al13_icosahedron_from_random_starts() {
    let pot = potential("Al_EA.eam.alloy");
    let ih = builders::icosahedron(1, 2.75).unwrap();
    let (_, ih_min) = quench(&mut Lbfgs::default(), &pot, &ih, Convergence::default());
    for seed in 1..=5 {
        let start = builders::random_compact(13, 2.6, seed).unwrap();
        let mut r = rng::stream(seed, 1);
        let search = BasinHopping::default().run(&pot, &start, 300, 4.0, &mut r, |_| {});
        let best = &search.minima[0];
        println!(
            "seed {seed}: start {:.4} eV, best {:.6} eV (Ih13 {:.6} eV), {} minima, first at step {}",
            pot.energy(&start),
            best.energy,
            ih_min.energy,
            search.minima.len(),
            best.first_step
        );
        assert!(
            (best.energy - ih_min.energy).abs() < 1e-6,
            "seed {seed}: {}",
            best.energy
        );
        // The icosahedron is spherical: equal principal radii.
        assert!(best.delta_r < 1e-3, "ΔR = {}", best.delta_r);
        assert!(geometry::is_connected(&best.positions, 4.0));
    }
}

#[test]
fn leaves_the_al13_cuboctahedron_for_the_icosahedron() {
    let pot = potential("Al_EA.eam.alloy");
    let ih = builders::icosahedron(1, 2.75).unwrap();
    let (_, ih_min) = quench(&mut Lbfgs::default(), &pot, &ih, Convergence::default());
    let co = builders::cuboctahedron(1, 2.75).unwrap();
    let (_, co_min) = quench(&mut Lbfgs::default(), &pot, &co, Convergence::default());
    let mut r = rng::stream(3, 1);
    let search = BasinHopping::default().run(&pot, &co, 300, 4.0, &mut r, |_| {});
    println!(
        "cuboctahedron {:.6} eV -> best {:.6} eV at step {}",
        co_min.energy, search.minima[0].energy, search.minima[0].first_step
    );
    assert!(
        co_min.energy > ih_min.energy + 0.1,
        "the start is already the icosahedron"
    );
    assert!((search.minima[0].energy - ih_min.energy).abs() < 1e-6);
    assert!(search.minima[0].first_step > 0);
}

#[test]
fn nothing_lies_below_the_stored_al43_minimum() {
    let pot = potential("Al_EA.eam.alloy");
    let gm = xyz::read(&repo("inputs/structures/al43_gm.xyz"))
        .unwrap()
        .positions;
    let (_, q) = quench(&mut Lbfgs::default(), &pot, &gm, Convergence::default());
    assert!((q.energy + 118.1281329303).abs() < 1e-8, "{}", q.energy);
    let mut r = rng::stream(77, 1);
    let search = BasinHopping::default().run(&pot, &gm, 150, 4.0, &mut r, |_| {});
    println!(
        "from the stored minimum: {} minima in 150 steps, lowest {:.6} eV, next {:.6} eV",
        search.minima.len(),
        search.minima[0].energy,
        search.minima.get(1).map_or(f64::NAN, |m| m.energy)
    );
    assert!(search.minima[0].energy > q.energy - 1e-6);
    // The stored minimum is far below the jittered-icosahedron start used before.
    let start = xyz::read(&repo("inputs/structures/al43_start.xyz"))
        .unwrap()
        .positions;
    assert!(pot.energy(&start) > q.energy + 3.0);
}
