//! The neighbour list of the SIMD kernels changes speed only, never a bit of the result:
//! any skin, any history of rebuilds, the all-pairs and the cell-list builders give the
//! same energies and forces bitwise. The rebuild rule holds, and broken input (NaN
//! coordinates, two atoms on one site) gives NaN, never a finite energy or a panic.

mod common;
use common::potential;
use pelt::potential::{Eam, Evaluation, Kernel, Potential, Precision};
use pelt::system::{builders, Coords};

/// Every (SIMD kernel, precision) this CPU runs.
fn simd() -> Vec<(Kernel, Precision)> {
    Kernel::available()
        .into_iter()
        .filter(|k| *k != Kernel::Scalar)
        .flat_map(|k| Precision::ALL.map(|p| (k, p)))
        .collect()
}

fn eam(k: Kernel, p: Precision, skin: f64) -> Eam {
    potential("Al_EA.eam.alloy")
        .with_kernel(k)
        .with_precision(p)
        .with_skin(skin)
}

/// The same with the cell-list builder from 256 atoms (the default switches at 3000,
/// where it becomes faster).
fn eam_cells(k: Kernel, p: Precision, skin: f64) -> Eam {
    eam(k, p, skin).with_cell_list_from(256)
}

/// An icosahedron of `shells` shells, displaced by up to 0.1 Å.
fn heated(shells: usize, phase: f64) -> Coords {
    let mut pos = builders::icosahedron(shells, 2.76).unwrap();
    for (k, v) in pos.as_flat_mut().iter_mut().enumerate() {
        *v += 0.1 * ((k as f64) * 0.77 + phase).sin();
    }
    pos
}

fn bits(e: &Evaluation) -> Vec<u64> {
    std::iter::once(e.energy)
        .chain(e.forces.as_flat().iter().copied())
        .chain(e.density.iter().copied())
        .map(f64::to_bits)
        .collect()
}

#[test]
fn results_do_not_depend_on_the_skin_or_the_builder() {
    // Both builders on Ih309 and Ih561: the all-pairs sweep and the cell list.
    for shells in [2, 4, 5] {
        let pos = heated(shells, 0.0);
        for (k, p) in simd() {
            let mut reference = None;
            for (skin, cells) in [(0.0, false), (0.3, true), (1.0, false), (4.0, true)] {
                let mut ev = Evaluation::new(pos.len());
                let pot = if cells {
                    eam_cells(k, p, skin)
                } else {
                    eam(k, p, skin)
                };
                pot.compute(&pos, &mut ev);
                assert!(ev.energy.is_finite());
                let b = bits(&ev);
                match &reference {
                    None => reference = Some(b),
                    Some(r) => assert!(
                        *r == b,
                        "Ih{} {k} {p}: skin {skin} changes the result",
                        pos.len()
                    ),
                }
            }
        }
    }
}

#[test]
fn a_reused_list_gives_the_result_of_a_fresh_one() {
    // Along a path of small moves the list is reused and rebuilt now and then; at every
    // point the result must equal that of a list built for exactly these positions.
    for shells in [2, 5] {
        for (k, p) in simd() {
            // Skin 0.3: a rebuild once an atom has moved 0.15 Å; the path moves atoms by up
            // to 0.2 Å and back.
            let pot = eam_cells(k, p, 0.3);
            let mut kept = Evaluation::new(heated(shells, 0.0).len());
            for step in 0..40 {
                let pos = heated(shells, 0.2 * step as f64);
                pot.compute(&pos, &mut kept);
                let mut fresh = Evaluation::new(pos.len());
                pot.compute(&pos, &mut fresh);
                assert_eq!(fresh.list_builds(), 1);
                assert!(
                    bits(&kept) == bits(&fresh),
                    "Ih{} {k} {p} step {step}: reused list differs",
                    pos.len()
                );
            }
            assert!(
                kept.list_builds() > 1 && kept.list_builds() < 40,
                "{k} {p}: {} builds in 40 moves",
                kept.list_builds()
            );
        }
    }
}

#[test]
fn the_list_is_rebuilt_when_an_atom_moves_half_the_skin() {
    for (k, p) in simd() {
        let pot = eam(k, p, 0.6);
        let mut pos = heated(2, 0.0);
        let mut ev = Evaluation::new(pos.len());
        pot.compute(&pos, &mut ev);
        assert_eq!(ev.list_builds(), 1);
        pos.as_flat_mut()[3 * 7] += 0.29;
        pot.compute(&pos, &mut ev);
        assert_eq!(
            ev.list_builds(),
            1,
            "{k} {p}: 0.29 Å < skin/2 needs no rebuild"
        );
        pos.as_flat_mut()[3 * 7] += 0.02;
        pot.compute(&pos, &mut ev);
        assert_eq!(ev.list_builds(), 2, "{k} {p}: 0.31 Å > skin/2 rebuilds");
    }
}

#[test]
fn simd_kernels_on_561_atoms_agree_with_scalar() {
    let pos = heated(5, 0.3);
    let scalar = potential("Al_EA.eam.alloy").with_kernel(Kernel::Scalar);
    let mut r = Evaluation::new(pos.len());
    scalar.compute(&pos, &mut r);
    for (k, p) in simd() {
        let mut ev = Evaluation::new(pos.len());
        eam_cells(k, p, 0.5).compute(&pos, &mut ev);
        let (de, df) = match p {
            Precision::Double => (1e-12 * r.energy.abs(), 1e-11),
            Precision::Mixed => (1e-5 * (pos.len() as f64 / 55.0).sqrt(), 1e-5),
        };
        assert!(
            (ev.energy - r.energy).abs() <= de,
            "{k} {p}: {} vs {}",
            ev.energy,
            r.energy
        );
        let worst = ev
            .forces
            .as_flat()
            .iter()
            .zip(r.forces.as_flat())
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        assert!(worst <= df, "{k} {p}: max |dF| {worst:e}");
    }
}

#[test]
fn nan_positions_and_coincident_atoms_give_nan_not_a_finite_energy() {
    let mut variants: Vec<(Kernel, Precision)> = simd();
    variants.push((Kernel::Scalar, Precision::Double));
    for (k, p) in variants {
        let pot = eam(k, p, 0.5);
        // A NaN coordinate, on a fresh list and on a list built before.
        for shells in [2, 5] {
            let good = heated(shells, 0.0);
            let mut bad = good.clone();
            bad.as_flat_mut()[3 * 5 + 1] = f64::NAN;
            let mut ev = Evaluation::new(good.len());
            pot.compute(&bad, &mut ev);
            assert!(
                ev.energy.is_nan(),
                "{k} {p}: NaN position gave {}",
                ev.energy
            );
            assert!(ev.forces.as_flat().iter().all(|f| f.is_nan()));
            let mut ev = Evaluation::new(good.len());
            pot.compute(&good, &mut ev);
            pot.compute(&bad, &mut ev);
            assert!(ev.energy.is_nan(), "{k} {p}: NaN after a good step");
            // And back to finite positions: finite again.
            pot.compute(&good, &mut ev);
            assert!(ev.energy.is_finite(), "{k} {p}: stuck at NaN");
        }
        // Two atoms on one site: 1/r = ∞, and the table index stays in range.
        let mut pos = heated(2, 0.0);
        let p0 = pos.get(0);
        pos.set(1, p0);
        let mut ev = Evaluation::new(pos.len());
        pot.compute(&pos, &mut ev);
        assert!(
            !ev.energy.is_finite(),
            "{k} {p}: coincident atoms gave {}",
            ev.energy
        );
    }
}
