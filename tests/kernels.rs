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
