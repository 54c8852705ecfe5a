//! The command line: version, energy, landscape and build, as a user runs them.

mod common;
use common::*;

fn scratch(name: &str) -> std::path::PathBuf {
    scratch_root("cli").join(name)
}

/// The Ih55 reference positions as an xyz file.
fn ih55_reference() -> std::path::PathBuf {
    let r = references()
        .into_iter()
        .find(|r| r.file == "Al_EA.eam.alloy__ih55.json")
        .unwrap();
    let s = pelt::system::Structure::new("Al", r.positions, "LAMMPS reference Ih55");
    let p = scratch("ih55.xyz");
    std::fs::write(&p, pelt::system::xyz::to_string(&s, false, &[])).unwrap();
    p
}

#[test]
fn version_reports_the_linked_mpi_and_hdf5() {
    let (code, out, _) = pelt(&["--version"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with(&format!("pelt {}", env!("CARGO_PKG_VERSION"))),
        "{out}"
    );
    assert!(out.contains("Open MPI v"), "{out}");
    assert!(out.contains("HDF5: 1."), "{out}");
}

/// `pelt energy --json` of `xyz` with Al_EA: its stdout must be exactly one JSON object.
fn energy_json(xyz: &std::path::Path) -> serde_json::Value {
    energy_json_with(xyz, &[])
}

/// The same with `extra` options.
fn energy_json_with(xyz: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let pot = repo("inputs/potentials/Al_EA.eam.alloy");
    let mut args = vec![
        "energy",
        "--potential",
        pot.to_str().unwrap(),
        xyz.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = pelt(&args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(out.trim()).expect("stdout is one JSON object")
}

#[test]
fn energy_of_the_ih55_reference() {
    let xyz = ih55_reference();
    let pot = repo("inputs/potentials/Al_EA.eam.alloy");
    let v = energy_json(&xyz);
    assert_eq!(v["natoms"], 55);
    let e = v["energy"].as_f64().unwrap();
    assert!((e - (-153.30313870652554)).abs() <= 1e-9, "{e}");
    assert!((v["energy_per_atom"].as_f64().unwrap() - e / 55.0).abs() < 1e-15);
    assert_eq!(v["forces"].as_array().unwrap().len(), 55);
    // Human-readable form prints the same number.
    let (_, out, _) = pelt(&[
        "energy",
        "--potential",
        pot.to_str().unwrap(),
        xyz.to_str().unwrap(),
        "--forces",
    ]);
    let line = out.lines().find(|l| l.starts_with("energy:")).unwrap();
    let printed: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!((printed - (-153.30313870652554)).abs() <= 1e-9, "{line}");
    assert_eq!(
        out.lines()
            .filter(|l| l.trim_start().starts_with(char::is_numeric))
            .count(),
        55
    );
}

#[test]
fn energy_in_mixed_precision_is_within_1e_5_of_lammps() {
    let xyz = ih55_reference();
    let pot = repo("inputs/potentials/Al_EA.eam.alloy");
    assert_eq!(
        energy_json(&xyz)["precision"],
        "double",
        "pelt energy is exact by default"
    );
    let v = energy_json_with(&xyz, &["--precision", "mixed"]);
    let e = v["energy"].as_f64().unwrap();
    let expected = if pelt::potential::Kernel::default_choice() == pelt::potential::Kernel::Scalar {
        "double"
    } else {
        "mixed"
    };
    assert_eq!(v["precision"], expected);
    assert!((e - (-153.30313870652554)).abs() <= 1e-5, "{e}");
    let (code, _, err) = pelt(&[
        "energy",
        "--potential",
        pot.to_str().unwrap(),
        xyz.to_str().unwrap(),
        "--precision",
        "single",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("expected double or mixed"), "{err}");
}

#[test]
fn landscape_reports_the_inversion_of_al55() {
    let args = [
        "landscape",
        "--atoms",
        "55",
        "--phi0-per-atom",
        "-2.58",
        "--m",
        "4",
        "--eps",
        "2e-4",
        "--reference-energy",
        "-154.6127",
    ];
    let (code, out, err) = pelt(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("-152.67 eV"), "{out}");
    assert!(
        out.contains("forces reverse") && out.contains("MAXIMUM of phi*"),
        "{out}"
    );
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let (_, out, _) = pelt(&json_args);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!((v["phi_s"].as_f64().unwrap() + 152.672).abs() < 1e-3);
    assert_eq!(v["reference_inverted"], true);
    assert!(v["s_reference"].as_f64().unwrap() < 0.0);
    // ε < 0 (Al43, m = 6): no φ_s, forces scaled up.
    let (_, out, _) = pelt(&[
        "landscape",
        "--atoms",
        "43",
        "--phi0-per-atom",
        "-2.58",
        "--m",
        "6",
        "--eps",
        "-4e-5",
        "--reference-energy",
        "-114.8632",
    ]);
    assert!(
        out.contains("phi_s: none") && out.contains("no forces reverse"),
        "{out}"
    );
}

#[test]
fn build_writes_and_never_overwrites() {
    let p = scratch("al55.xyz");
    let _ = std::fs::remove_file(&p);
    let (code, _, err) = pelt(&[
        "build",
        "icosahedron",
        "--atoms",
        "55",
        "--nn-distance",
        "2.76",
        "-o",
        p.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let first = std::fs::read_to_string(&p).unwrap();
    assert!(first.starts_with("55\n"));
    // A second build to the same file is refused and leaves it intact.
    let (code, _, err) = pelt(&[
        "build",
        "cuboctahedron",
        "--atoms",
        "13",
        "-o",
        p.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), first);
    // The built file gives the reference energy.
    let v = energy_json(&p);
    assert!((v["energy"].as_f64().unwrap() + 153.30313870652554).abs() < 1e-9);
    // --force replaces it.
    let (code, _, _) = pelt(&[
        "build",
        "cuboctahedron",
        "--atoms",
        "13",
        "-o",
        p.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(code, 0);
    assert!(std::fs::read_to_string(&p).unwrap().starts_with("13\n"));
    // Non-magic sizes are explained.
    let (code, _, err) = pelt(&["build", "icosahedron", "--atoms", "50"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("13, 55, 147") && err.contains("random"),
        "{err}"
    );
    // Other shapes print to stdout.
    for shape in [
        vec!["decahedron", "--edge", "5", "--ino", "1", "--marks", "1"],
        vec!["truncated-octahedron", "--edge", "4", "--cut", "1"],
        vec!["random", "--atoms", "43", "--seed", "3"],
    ] {
        let mut a = vec!["build"];
        a.extend(shape);
        let (code, out, err) = pelt(&a);
        assert_eq!(code, 0, "{err}");
        let n: usize = out.lines().next().unwrap().trim().parse().unwrap();
        assert!([75, 38, 43].contains(&n));
    }
}

#[test]
fn quench_prints_the_minimum_and_writes_it() {
    let r = references()
        .into_iter()
        .find(|r| r.file == "Al_EA.eam.alloy__ih55_jit010_s1.json")
        .unwrap();
    let start = scratch("jit55.xyz");
    let s = pelt::system::Structure::new("Al", r.positions, "jittered Ih55");
    std::fs::write(&start, pelt::system::xyz::to_string(&s, false, &[])).unwrap();
    let pot = repo("inputs/potentials/Al_EA.eam.alloy");
    let run = |out_file: &std::path::Path, method: &str| {
        pelt(&[
            "quench",
            "--potential",
            pot.to_str().unwrap(),
            start.to_str().unwrap(),
            "-o",
            out_file.to_str().unwrap(),
            "--minimizer",
            method,
        ])
    };
    for method in ["lbfgs", "fire"] {
        let out_file = scratch(&format!("q-{method}.extxyz"));
        let _ = std::fs::remove_file(&out_file);
        let (code, out, err) = run(&out_file, method);
        assert_eq!(code, 0, "{err}");
        // The number after "NAME:" on the line that starts with NAME.
        let field = |name: &str| -> f64 {
            let l = out.lines().find(|l| l.starts_with(name)).unwrap();
            let after = &l[l.find(':').unwrap() + 1..];
            after.split_whitespace().next().unwrap().parse().unwrap()
        };
        assert!((field("energy") - r.minimised_energy).abs() < 1e-6, "{out}");
        assert!(field("max |F|") <= 1e-6, "{out}");
        assert!(field("force evaluations") > 10.0, "{out}");
        assert!(out.contains("termination:       converged"), "{out}");
        // The written file holds the minimum.
        let v = energy_json(&out_file);
        assert!((v["energy"].as_f64().unwrap() - r.minimised_energy).abs() < 1e-6);
        // And is not overwritten by a second run.
        let (code, _, err) = run(&out_file, method);
        assert_eq!(code, 1);
        assert!(err.contains("already exists"), "{err}");
    }
}

#[test]
fn basin_hop_lists_minima_writes_the_lowest_and_never_overwrites() {
    let out = scratch("bh13.xyz");
    let _ = std::fs::remove_file(&out);
    let pot = repo("inputs/potentials/Al_EA.eam.alloy");
    let args = [
        "basin-hop",
        "--potential",
        pot.to_str().unwrap(),
        "--atoms",
        "13",
        "--steps",
        "60",
        "--seed",
        "4",
        "-o",
        out.to_str().unwrap(),
    ];
    let (code, stdout, stderr) = pelt(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("distinct minima") && stdout.contains("ΔR"),
        "{stdout}"
    );
    let s = pelt::system::xyz::read(&out).unwrap();
    let e = pelt::potential::Potential::energy(&potential("Al_EA.eam.alloy"), &s.positions);
    assert!((e + 31.2787867823).abs() < 1e-8, "{e}");
    let (code, _, stderr) = pelt(&args);
    assert_eq!(code, 1);
    assert!(stderr.contains("already exists"), "{stderr}");
}
