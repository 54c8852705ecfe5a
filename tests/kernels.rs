//! Every kernel this CPU runs gives the scalar kernel's energy, forces and densities to
//! rounding, on clusters from 2 to 309 atoms, compressed ones (densities past the end of the
//! F(ρ) table) and pairs at the cutoff, for all four potential files.

mod common;
use common::*;
use pelt::potential::{Evaluation, Kernel, Potential};
use pelt::system::Coords;

fn compare(name: &str, pot_file: &str, pos: &Coords) {
    let scalar = potential(pot_file).with_kernel(Kernel::Scalar);
    let mut reference = Evaluation::new(pos.len());
    scalar.compute(pos, &mut reference);
    for kernel in Kernel::available() {
        let pot = potential(pot_file).with_kernel(kernel);
        let mut ev = Evaluation::new(pos.len());
        // Twice, so reused buffers are exercised too.
        pot.compute(pos, &mut ev);
        pot.compute(pos, &mut ev);
        let scale = reference.energy.abs().max(1.0);
        let de = (ev.energy - reference.energy).abs();
        assert!(
            de <= 1e-13 * scale,
            "{name} {pot_file} {kernel}: E = {} vs scalar {} ",
            ev.energy,
            reference.energy
        );
        let fscale = reference.max_force().max(1.0);
        for (a, b) in ev.forces.as_flat().iter().zip(reference.forces.as_flat()) {
            assert!(
                (a - b).abs() <= 1e-12 * fscale,
                "{name} {pot_file} {kernel}: force {a} vs scalar {b}"
            );
        }
        for (a, b) in ev.density.iter().zip(&reference.density) {
            assert!(
                (a - b).abs() <= 1e-13 * b.abs().max(1.0),
                "{name} {pot_file} {kernel}: density {a} vs {b}"
            );
        }
    }
}

#[test]
fn simd_kernels_agree_with_scalar_on_reference_cases() {
    for r in references() {
        compare(&r.file, &r.potential_file, &r.positions);
    }
}

#[test]
fn simd_kernels_agree_with_scalar_from_2_to_309_atoms() {
    use pelt::system::builders;
    let mut cases: Vec<(String, Coords)> = Vec::new();
    // Every size from 2 to 20 (all tail lengths of a chunk), then larger random clusters.
    for n in (2..=20).chain([43, 55, 80, 147]) {
        cases.push((
            format!("random{n}"),
            builders::random_compact(n, 2.3, n as u64).unwrap(),
        ));
    }
    // Heated icosahedra up to 309 atoms; one compressed so densities pass the table's end.
    for (shells, d) in [(1, 2.76), (2, 2.76), (3, 2.76), (4, 2.76), (2, 2.4)] {
        let mut pos = builders::icosahedron(shells, d).unwrap();
        for (k, v) in pos.as_flat_mut().iter_mut().enumerate() {
            *v += 0.05 * ((k as f64) * 0.77).sin();
        }
        cases.push((format!("Ih{} d={d}", pos.len()), pos));
    }
    // Pairs a hair inside and outside the cutoff, and at a grid node.
    let rc = potential("Al_EA.eam.alloy").cutoff();
    cases.push((
        "cutoff".into(),
        Coords::from_points(&[
            [0.0; 3],
            [rc * (1.0 - 1e-12), 0.0, 0.0],
            [0.0, rc * (1.0 + 1e-12), 0.0],
            [0.0, 0.0, 2.5],
        ]),
    ));
    for pot_file in POTENTIALS {
        for (name, pos) in &cases {
            compare(name, pot_file, pos);
        }
    }
}

#[test]
fn the_kernel_can_be_chosen_and_is_reported() {
    let pot = potential("Al_EA.eam.alloy");
    assert_eq!(pot.kernel(), Kernel::default_choice());
    assert!(Kernel::available().contains(&Kernel::Scalar));
    for k in Kernel::ALL {
        assert_eq!(Kernel::from_name(k.name()), Some(k));
        let mut p = potential("Al_EA.eam.alloy");
        assert_eq!(p.set_kernel(k).is_ok(), k.is_supported());
    }
    assert_eq!(Kernel::from_name("avx9"), None);
}
