//! Energies and forces agree with LAMMPS to 1e-9 for every reference case
//! (tests/data/lammps, computed by LAMMPS 22 Jul 2025), all four potential files and all
//! three formats.

mod common;
use common::*;
use pelt::potential::{Evaluation, Potential};
use std::collections::BTreeSet;

#[test]
fn every_reference_case_agrees_with_lammps() {
    let refs = references();
    assert!(
        refs.len() >= 13,
        "expected the 13 reference cases, found {}",
        refs.len()
    );
    let mut worst = (0.0f64, 0.0f64);
    for (r, pot) in refs.iter().flat_map(|r| {
        potential_per_kernel(&r.potential_file)
            .into_iter()
            .map(move |p| (r, p))
    }) {
        assert_eq!(pot.format().lammps_style(), r.pair_style, "{}", r.file);
        let mut ev = Evaluation::new(r.positions.len());
        pot.compute(&r.positions, &mut ev);
        let de = (ev.energy - r.energy).abs();
        let df = max_force_difference(&ev.forces, &r.forces);
        println!(
            "{:45} {:6} |dE| = {de:.2e} eV  max|dF| = {df:.2e} eV/A",
            r.file,
            pot.kernel()
        );
        assert!(
            de <= 1e-9,
            "{} ({}): E = {} vs LAMMPS {}",
            r.file,
            pot.kernel(),
            ev.energy,
            r.energy
        );
        assert!(
            df <= 1e-9,
            "{} ({}): max |dF| = {df:e}",
            r.file,
            pot.kernel()
        );
        worst = (worst.0.max(de), worst.1.max(df));
    }
    println!(
        "worst: |dE| = {:.2e} eV, max|dF| = {:.2e} eV/A",
        worst.0, worst.1
    );
    let files: BTreeSet<&str> = refs.iter().map(|r| r.potential_file.as_str()).collect();
    let styles: BTreeSet<&str> = refs.iter().map(|r| r.pair_style.as_str()).collect();
    assert_eq!(
        files.len(),
        4,
        "all four potential files covered: {files:?}"
    );
    assert_eq!(styles.len(), 3, "all three formats covered: {styles:?}");
}

#[test]
fn forces_sum_to_zero() {
    for r in references() {
        for pot in potential_per_kernel(&r.potential_file) {
            let mut ev = Evaluation::new(r.positions.len());
            pot.compute(&r.positions, &mut ev);
            for comp in [ev.forces.x(), ev.forces.y(), ev.forces.z()] {
                let sum = comp.iter().sum::<f64>();
                assert!(sum.abs() < 1e-11, "{} ({}): {sum:e}", r.file, pot.kernel());
            }
        }
    }
}

#[test]
fn isolated_atom_energy_is_f_of_zero() {
    // F(0) = 0 for Ercolessi–Adams; −1.81 eV for the funcfl Al_jnp (its README).
    let one = pelt::system::Coords::from_points(&[[0.0; 3]]);
    for pot in potential_per_kernel("Al_EA.eam.alloy") {
        assert_eq!(pot.energy(&one), 0.0, "{}", pot.kernel());
    }
    for pot in potential_per_kernel("Al_jnp.eam") {
        assert!((pot.energy(&one) + 1.81).abs() < 1e-12, "{}", pot.kernel());
    }
}
