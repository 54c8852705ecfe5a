//! Quenches reach LAMMPS's minima: from the start positions of every Al_EA reference case,
//! L-BFGS and FIRE reach `minimised_energy` to ≤ 1e-6 eV. A quench works on a copy, and
//! how it ended is returned as data.

mod common;
use common::*;
use pelt::minimize::{quench, Convergence, Fire, Lbfgs, Minimizer, Termination};

fn minimizers() -> Vec<Box<dyn Minimizer>> {
    vec![Box::new(Lbfgs::default()), Box::new(Fire::default())]
}

#[test]
fn quenches_reach_the_lammps_minima() {
    let conv = Convergence {
        fmax: 1e-6,
        max_iterations: 20_000,
    };
    for mut min in minimizers() {
        let mut evals = Vec::new();
        for r in references()
            .iter()
            .filter(|r| r.potential_file == "Al_EA.eam.alloy")
        {
            let pot = potential(&r.potential_file);
            let before = r.positions.clone();
            let (_, out) = quench(min.as_mut(), &pot, &r.positions, conv);
            println!(
                "{:6} {:40} E = {:.10}  LAMMPS {:.10}  |dE| = {:.1e}  max|F| = {:.1e}  evaluations = {}",
                min.name(),
                r.file,
                out.energy,
                r.minimised_energy,
                (out.energy - r.minimised_energy).abs(),
                out.max_force,
                out.force_evaluations
            );
            assert_eq!(out.termination, Termination::Converged, "{}", r.file);
            assert!(out.max_force <= 1e-6);
            assert!(
                (out.energy - r.minimised_energy).abs() <= 1e-6,
                "{} {}: {} vs {}",
                min.name(),
                r.file,
                out.energy,
                r.minimised_energy
            );
            assert_eq!(r.positions, before, "the quench never touches its input");
            if r.file.contains("ih55_jit") {
                evals.push(out.force_evaluations);
            }
        }
        println!(
            "{}: force evaluations for the jittered Al55: {evals:?}",
            min.name()
        );
    }
}

#[test]
fn termination_is_reported_as_data() {
    let r = references()
        .into_iter()
        .find(|r| r.file == "Al_EA.eam.alloy__ih55_jit010_s1.json")
        .unwrap();
    let pot = potential(&r.potential_file);
    for mut min in minimizers() {
        let short = Convergence {
            fmax: 1e-6,
            max_iterations: 3,
        };
        let (_, out) = quench(min.as_mut(), &pot, &r.positions, short);
        assert_eq!(
            out.termination,
            Termination::IterationLimit,
            "{}",
            min.name()
        );
        assert_eq!(out.iterations, 3);
        assert!(out.max_force > 1e-6);
        // An already relaxed structure converges at once.
        let relaxed = pelt::system::xyz::read(&repo("inputs/structures/al55_ih.xyz"))
            .unwrap()
            .positions;
        let (_, out) = quench(min.as_mut(), &pot, &relaxed, Convergence::default());
        assert_eq!(
            (out.termination, out.iterations),
            (Termination::Converged, 0)
        );
        assert!((out.energy + 154.6127437595).abs() < 1e-9);
    }
}
