//! Energies and forces agree with LAMMPS to 1e-9 for every reference case
//! (tests/data/lammps, computed by LAMMPS 22 Jul 2025), all four potential files and all
//! three formats.

mod common;
use common::*;
use pelt::potential::{Evaluation, Potential, Precision};
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

/// Mixed precision (f32 pair terms, f64 sums) against LAMMPS, every case and SIMD kernel:
/// |ΔF| ≤ 1e-5 eV/Å everywhere; |ΔE| ≤ 1e-5 eV for every case whose gross energy terms
/// |Σφ| + |ΣU| are below 250 eV, and otherwise ≤ 1e-7 (about 1.7 f32 ulp) of them.
///
/// The cases beyond 250 eV are the ideal Ih55 of Al_jnp and Al_mm. For Al_jnp a 552 eV pair
/// sum cancels a −710 eV embedding sum; in both, ~700 pairs sit at a dozen distinct
/// distances, so the f32 rounding of the table coefficients, of r and of 1/r adds up
/// coherently instead of averaging out (measured: Al_jnp 3e-5 eV with avx512 and 9e-5 eV
/// with avx2, 7e-8 of the gross terms; Al_mm 1.5e-5 and 6.7e-6 eV). The 1e-5 eV is
/// not met for those two structures.
#[test]
fn mixed_precision_agrees_with_lammps() {
    let mut worst = (0.0f64, 0.0f64);
    let mut checked = 0;
    for r in references() {
        let exact = potential(&r.potential_file);
        let mut ev = Evaluation::new(r.positions.len());
        exact.compute(&r.positions, &mut ev);
        let embedding: f64 = ev.density.iter().map(|&n| exact.embedding(n).0).sum();
        let gross = embedding.abs() + (ev.energy - embedding).abs();
        let bound = if gross < 250.0 { 1e-5 } else { 1e-7 * gross };
        for pot in mixed_per_kernel(&r.potential_file) {
            assert_eq!(pot.effective_precision(), Precision::Mixed);
            let mut ev = Evaluation::new(r.positions.len());
            pot.compute(&r.positions, &mut ev);
            let de = (ev.energy - r.energy).abs();
            let df = max_force_difference(&ev.forces, &r.forces);
            println!(
                "{:45} {:6} mixed |dE| = {de:.2e} eV (bound {bound:.1e})  max|dF| = {df:.2e} eV/A",
                r.file,
                pot.kernel()
            );
            assert!(
                de <= bound,
                "{} ({} mixed): E = {} vs LAMMPS {}",
                r.file,
                pot.kernel(),
                ev.energy,
                r.energy
            );
            assert!(
                df <= 1e-5,
                "{} ({} mixed): max |dF| = {df:e}",
                r.file,
                pot.kernel()
            );
            worst = (worst.0.max(de), worst.1.max(df));
            checked += 1;
        }
    }
    println!(
        "worst mixed: |dE| = {:.2e} eV, max|dF| = {:.2e} eV/A ({checked} evaluations)",
        worst.0, worst.1
    );
    if checked > 0 {
        // Not double precision in disguise: f32 pair terms leave a visible difference.
        assert!(
            worst.0 > 1e-9,
            "mixed precision gave double-precision energies"
        );
    }
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
