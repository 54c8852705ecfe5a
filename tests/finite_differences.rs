//! Forces are minus the gradient of the energy: central differences on random clusters,
//! including distances below the first knot of the Ercolessi–Adams splines (2.0211 Å) and
//! densities past the end of the embedding table (linear continuation of F).

mod common;
use common::*;
use pelt::potential::{Eam, Evaluation, Potential};
use pelt::system::{builders, Coords};

/// Largest |F_analytic − F_fd| over all components, with step h.
fn fd_error(pot: &Eam, pos: &Coords, h: f64) -> f64 {
    let mut ev = Evaluation::new(pos.len());
    pot.compute(pos, &mut ev);
    let mut worst: f64 = 0.0;
    let mut p = pos.clone();
    for k in 0..3 * pos.len() {
        let x0 = p.as_flat()[k];
        p.as_flat_mut()[k] = x0 + h;
        let ep = pot.energy(&p);
        p.as_flat_mut()[k] = x0 - h;
        let em = pot.energy(&p);
        p.as_flat_mut()[k] = x0;
        let fd = -(ep - em) / (2.0 * h);
        worst = worst.max((fd - ev.forces.as_flat()[k]).abs());
    }
    worst
}

/// Pair distances of a configuration.
fn distances(pos: &Coords) -> Vec<f64> {
    let mut d = Vec::new();
    for i in 0..pos.len() {
        for j in i + 1..pos.len() {
            d.push(pos.distance(i, j));
        }
    }
    d
}

/// A random cluster kept only if no pair sits within 1e-3 Å of the cutoff (the energy is
/// continuous there but its derivative jumps, so a central difference straddling it is
/// meaningless).
fn random_cluster(n: usize, dmin: f64, seed: u64, cutoff: f64) -> Coords {
    (seed..seed + 100)
        .map(|s| builders::random_compact(n, dmin, s).unwrap())
        .find(|c| distances(c).iter().all(|r| (r - cutoff).abs() > 1e-3))
        .expect("a cluster with no pair at the cutoff")
}

#[test]
fn forces_match_central_differences_on_random_clusters() {
    for name in POTENTIALS {
        for pot in potential_per_kernel(name) {
            let kernel = pot.kernel();
            for (n, seed) in [(13, 1), (38, 2), (55, 3)] {
                let pos = random_cluster(n, 2.3, seed, pot.cutoff());
                let err = fd_error(&pot, &pos, 1e-5);
                println!("{name:18} {kernel:6} N={n:3}: max |F - F_fd| = {err:.2e} eV/A");
                assert!(err < 2e-7, "{name} {kernel} N={n}: {err:e}");
            }
        }
    }
}

#[test]
fn forces_match_below_the_first_spline_knot() {
    // Ercolessi's splines start at 2.0211 Å; below it the table continues almost linearly.
    for pot in potential_per_kernel("Al_EA.eam.alloy") {
        below_the_first_knot(&pot);
    }
}

fn below_the_first_knot(pot: &Eam) {
    let pos = random_cluster(20, 1.5, 10, pot.cutoff());
    let short = distances(&pos).into_iter().filter(|&r| r < 2.0211).count();
    assert!(
        short >= 3,
        "the test needs pairs below 2.0211 Å, found {short}"
    );
    let err = fd_error(pot, &pos, 1e-5);
    println!(
        "{}: short pairs: {short}, max |F - F_fd| = {err:.2e}",
        pot.kernel()
    );
    assert!(err < 2e-7, "{}: {err:e}", pot.kernel());
    // A dimer at 1.6 Å: the pair term alone.
    let dimer = Coords::from_points(&[[0.0; 3], [1.6, 0.0, 0.0]]);
    assert!(fd_error(pot, &dimer, 1e-6) < 1e-8, "{}", pot.kernel());
}

#[test]
fn forces_match_past_the_end_of_the_embedding_table() {
    for pot in potential_per_kernel("Al_EA.eam.alloy") {
        past_the_table_end(&pot);
    }
}

fn past_the_table_end(pot: &Eam) {
    // A compressed Ih55 (nn 2.4 Å): inner atoms reach n ≈ 1.4 > rho_max = 1.2. (Ercolessi's
    // ρ(r) falls again at short r, so compressing Al13 alone never gets past 1.11.)
    let mut pos = builders::icosahedron(2, 2.4).unwrap();
    for (k, v) in pos.as_flat_mut().iter_mut().enumerate() {
        *v += 0.03 * ((k as f64) * 0.77).cos();
    }
    let mut ev = Evaluation::new(pos.len());
    pot.compute(&pos, &mut ev);
    let above = ev.density.iter().filter(|&&r| r > pot.rho_max()).count();
    assert!(
        above >= 5,
        "density {:?} never exceeds {}",
        ev.density,
        pot.rho_max()
    );
    let err = fd_error(pot, &pos, 1e-6);
    println!(
        "{}: rho_max = {}, densities above: {above}, max |F - F_fd| = {err:.2e}",
        pot.kernel(),
        pot.rho_max()
    );
    assert!(err < 1e-7, "{}: {err:e}", pot.kernel());
    // And the energy there is F(rho_max) + F'(rho_max)(rho - rho_max).
    let rho = ev.density[0];
    let (f_end, fp_end) = pot.embedding(pot.rho_max());
    let (f, fp) = pot.embedding(rho);
    assert!((f - (f_end + fp_end * (rho - pot.rho_max()))).abs() < 1e-12);
    assert_eq!(fp, fp_end);
}
