//! Past the end of the F(ρ) table, against Debian's LAMMPS (tests/data/lammps-debian).
//! setfl and eam/fs agree to rounding; funcfl forces agree and its energy differs by exactly
//! LAMMPS's funcfl table-end offset (see tests/data/lammps-debian/README.md).

mod common;
use common::*;
use pelt::potential::{Evaluation, Potential};
use pelt::system::Coords;

struct Case {
    potential_file: String,
    positions: Coords,
    energy: f64,
    forces: Vec<[f64; 3]>,
}

fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for name in POTENTIALS {
        let p = repo(&format!(
            "tests/data/lammps-debian/{name}__ih55_nn2.0_jit008.json"
        ));
        let j: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let pts = |k: &str| -> Vec<[f64; 3]> {
            j[k].as_array()
                .unwrap()
                .iter()
                .map(|p| [0, 1, 2].map(|c| p[c].as_f64().unwrap()))
                .collect()
        };
        v.push(Case {
            potential_file: name.into(),
            positions: Coords::from_points(&pts("positions")),
            energy: j["energy"].as_f64().unwrap(),
            forces: pts("forces"),
        });
    }
    v
}

#[test]
fn linear_continuation_of_f_agrees_with_lammps() {
    for (c, pot) in cases().iter().flat_map(|c| {
        potential_per_kernel(&c.potential_file)
            .into_iter()
            .map(move |p| (c, p))
    }) {
        let mut ev = Evaluation::new(c.positions.len());
        pot.compute(&c.positions, &mut ev);
        // Al_mm at this compression has E ≈ 3.2e6 eV and |F| up to 1.7e6 eV/Å: allow
        // rounding relative to the largest force (the kernels differ by ~20 ulp of it).
        let f_scale = c
            .forces
            .iter()
            .flatten()
            .fold(0.0f64, |m, f| m.max(f.abs()));
        let df = max_force_difference(&ev.forces, &c.forces);
        assert!(
            df <= 1e-9 + 1e-14 * f_scale,
            "{} ({}): max |dF| = {df:e}",
            c.potential_file,
            pot.kernel()
        );
        let past = ev.density.iter().filter(|&&r| r > pot.rho_max()).count();
        // LAMMPS's energy: for funcfl its rhomax is one table step beyond the table's end and
        // F stays at F(end) until there; setfl/fs use the table's end.
        let lammps_rhomax = if c.potential_file.ends_with(".eam") {
            pot.rho_max() + 1e-4 // Al_jnp.eam: drho = 1e-4
        } else {
            pot.rho_max()
        };
        let offset: f64 = ev
            .density
            .iter()
            .zip(&ev.embedding_derivative)
            .filter(|(r, _)| **r > pot.rho_max())
            .map(|(&r, &fp)| fp * ((r - lammps_rhomax).max(0.0) - (r - pot.rho_max())))
            .sum();
        let de = (ev.energy + offset - c.energy).abs();
        println!(
            "{:18} {:6} atoms past rho_max: {past:2}  E_pelt = {:.9}  LAMMPS table-end offset = {offset:+.9}  |dE| = {de:.1e}",
            c.potential_file, pot.kernel(), ev.energy
        );
        // Rounding of a sum of ~1500 terms up to 1e5 eV each (Al_mm): 1e-14 of |E| is ~20 ulp.
        assert!(
            de <= 1e-9 + 1e-14 * c.energy.abs(),
            "{} ({}): {de:e}",
            c.potential_file,
            pot.kernel()
        );
        if !c.potential_file.ends_with(".eam") {
            assert_eq!(offset, 0.0);
        } else {
            assert!(offset > 5.0, "the funcfl case does exercise the difference");
        }
    }
}
