//! Structure builders: atom counts, nearest-neighbour distances, symmetry, and xyz round trips.

mod common;
use common::*;
use pelt::potential::Potential;
use pelt::system::{builders, xyz, Coords, Structure};
use std::path::Path;

/// Distance from each atom to its nearest neighbour.
fn nn_distances(c: &Coords) -> Vec<f64> {
    (0..c.len())
        .map(|i| {
            (0..c.len())
                .filter(|&j| j != i)
                .map(|j| c.distance(i, j))
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

fn assert_centred(c: &Coords) {
    let g = c.centroid();
    assert!(g.iter().all(|v| v.abs() < 1e-9), "centroid {g:?}");
}

#[test]
fn mackay_icosahedra() {
    for (shells, n) in [(0, 1), (1, 13), (2, 55), (3, 147), (4, 309)] {
        let c = builders::icosahedron(shells, 2.86).unwrap();
        assert_eq!(c.len(), n);
        assert_eq!(builders::icosahedron_shells_for(n), Some(shells));
        if n > 1 {
            assert!((c.min_distance() - 2.86).abs() < 1e-9);
            // Every atom's nearest neighbour is at d (radial) or 1.0515 d (in-shell).
            assert!(nn_distances(&c).iter().all(|&r| r < 2.86 * 1.052));
        }
        assert_centred(&c);
    }
    assert_eq!(builders::icosahedron_shells_for(56), None);
}

#[test]
fn built_icosahedron_reproduces_the_lammps_reference_energy() {
    // The reference Ih55 has centre–vertex 2.76 Å; the energy does not depend on orientation.
    let pot = potential("Al_EA.eam.alloy");
    let e = pot.energy(&builders::icosahedron(2, 2.76).unwrap());
    assert!((e - (-153.30313870652554)).abs() < 1e-9, "{e}");
    let e13 = pot.energy(&builders::icosahedron(1, 2.76).unwrap());
    assert!((e13 - (-31.02362261574038)).abs() < 1e-9, "{e13}");
}

#[test]
fn decahedra_regular_ino_and_marks() {
    // (edge, ino, marks) → atoms: regular 7, 23, 54, 105; Ino 13 and 55; Marks 75, 101, 146.
    for (edge, ino, marks, n) in [
        (2, 0, 0, 7),
        (3, 0, 0, 23),
        (4, 0, 0, 54),
        (5, 0, 0, 105),
        (3, 1, 0, 13),
        (5, 2, 0, 55),
        (5, 1, 1, 75),
        (6, 2, 1, 101),
        (6, 1, 1, 146),
    ] {
        let c = builders::decahedron(edge, ino, marks, 2.86).unwrap();
        assert_eq!(c.len(), n, "decahedron({edge}, {ino}, {marks})");
        assert!((c.min_distance() - 2.86).abs() < 1e-9);
        // The equatorial strain stretches some bonds by at most 1.8 %.
        assert!(nn_distances(&c).iter().all(|&r| r < 2.86 * 1.02));
        assert_centred(&c);
        // Five-fold axis along z: the axis atoms.
        let on_axis = (0..n)
            .filter(|&i| {
                let p = c.get(i);
                p[0].abs() < 1e-9 && p[1].abs() < 1e-9
            })
            .count();
        assert_eq!(on_axis, edge);
    }
    assert!(builders::decahedron(4, 2, 1, 2.86).is_err());
    assert!(builders::decahedron(1, 0, 0, 2.86).is_err());
}

#[test]
fn fcc_clusters() {
    for (shells, n) in [(1, 13), (2, 55), (3, 147)] {
        let c = builders::cuboctahedron(shells, 2.86).unwrap();
        assert_eq!(c.len(), n);
        assert!((c.min_distance() - 2.86).abs() < 1e-9);
        assert!(nn_distances(&c).iter().all(|&r| (r - 2.86).abs() < 1e-9));
        assert_centred(&c);
    }
    for (edge, cut, n) in [
        (3, 0, 19),
        (4, 0, 44),
        (4, 1, 38),
        (5, 1, 79),
        (6, 2, 116),
        (6, 1, 140),
        (7, 2, 201),
    ] {
        let c = builders::truncated_octahedron(edge, cut, 2.86).unwrap();
        assert_eq!(c.len(), n, "TO({edge}, {cut})");
        assert!(nn_distances(&c).iter().all(|&r| (r - 2.86).abs() < 1e-9));
        assert_centred(&c);
    }
    assert!(builders::truncated_octahedron(4, 2, 2.86).is_err());
}

#[test]
fn random_compact_clusters() {
    for n in [2, 13, 43, 100] {
        let c = builders::random_compact(n, 2.5, 7).unwrap();
        assert_eq!(c.len(), n);
        assert!(c.min_distance() >= 2.5);
        assert_centred(&c);
        // Compact: every atom has a neighbour within the EA cutoff.
        assert!(nn_distances(&c).iter().all(|&r| r < 5.5), "{n}");
        assert_eq!(
            c,
            builders::random_compact(n, 2.5, 7).unwrap(),
            "same seed, same cluster"
        );
        assert_ne!(c, builders::random_compact(n, 2.5, 8).unwrap());
    }
    assert!(builders::random_compact(0, 2.5, 1).is_err());
    assert!(builders::random_compact(10, -1.0, 1).is_err());
}

#[test]
fn xyz_round_trips() {
    let s = Structure::new(
        "Al",
        builders::decahedron(4, 1, 0, 2.86).unwrap(),
        "Ino decahedron",
    );
    for extended in [false, true] {
        let text = xyz::to_string(&s, extended, &[("energy", "-1.5".into())]);
        let back = xyz::parse(&text, Path::new("mem.xyz")).unwrap();
        assert_eq!(back.symbols, s.symbols);
        assert_eq!(back.comment, s.comment);
        for (a, b) in back.positions.as_flat().iter().zip(s.positions.as_flat()) {
            assert!((a - b).abs() < 1e-11);
        }
    }
    // Extended xyz with extra columns before the positions.
    let text = "2\nProperties=id:I:1:species:S:1:mass:R:1:pos:R:3 pbc=\"F F F\"\n1 Al 26.98 0 0 0\n2 Al 26.98 2.8 0 0\n";
    let s = xyz::parse(text, Path::new("x.extxyz")).unwrap();
    assert_eq!(s.positions.get(1), [2.8, 0.0, 0.0]);
}
