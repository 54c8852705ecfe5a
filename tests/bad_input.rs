//! Malformed potential and structure files give errors that name the file and the line and
//! say what was expected; none panics, and the CLI exits non-zero.

mod common;
use common::*;
use std::path::PathBuf;
use std::process::Command;

/// A scratch directory unique to this test process.
fn scratch() -> PathBuf {
    common::scratch_root("bad-input")
}

/// Write `text` to `name` in the scratch dir.
fn write(name: &str, text: &str) -> PathBuf {
    let p = scratch().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn lines_of(name: &str) -> Vec<String> {
    std::fs::read_to_string(repo(&format!("inputs/potentials/{name}")))
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// Replace line `n` (1-based) and join.
fn with_line(lines: &[String], n: usize, new: &str) -> String {
    let mut l = lines.to_vec();
    l[n - 1] = new.to_string();
    l.join("\n") + "\n"
}

/// `err` names `file` and `line` and contains every one of `words`.
fn check_message(err: &str, file: &str, line: usize, words: &[&str]) {
    println!("{err}");
    assert!(err.contains(file), "names the file: {err}");
    assert!(
        err.contains(&format!(":{line}:")),
        "names line {line}: {err}"
    );
    for w in words {
        assert!(err.contains(w), "says '{w}': {err}");
    }
}

/// Loading the potential `text` as `file` fails with a message as [`check_message`] wants.
fn expect_potential_error(file: &str, text: &str, line: usize, words: &[&str]) {
    let err = pelt::potential::load(&write(file, text)).expect_err(file);
    check_message(&err.to_string(), file, line, words);
}

/// Reading the structure `text` as `file` fails with a message as [`check_message`] wants.
fn expect_xyz_error(file: &str, text: &str, line: usize, words: &[&str]) {
    let err = pelt::system::xyz::read(&write(file, text)).expect_err(file);
    check_message(&err.to_string(), file, line, words);
}

#[test]
fn malformed_setfl_files() {
    let l = lines_of("Al_EA.eam.alloy");
    let f = "bad.eam.alloy";
    // truncated in the middle of the data
    expect_potential_error(
        f,
        &(l[..100].join("\n") + "\n"),
        100,
        &["truncated", "F(rho)", "470 of the 500"],
    );
    expect_potential_error(
        "cut.eam.alloy",
        &(l[..250].join("\n") + "\n"),
        250,
        &["truncated", "r*phi(r)", "Nr = 500 on line 5"],
    );
    // too few values on the grid line
    expect_potential_error(
        f,
        &with_line(&l, 5, "500 .24e-02 500 .0111"),
        5,
        &["cutoff"],
    );
    // NaN and non-numeric tokens in the data
    let nan = l[49].replacen(l[49].split_whitespace().nth(2).unwrap(), "NaN", 1);
    expect_potential_error(
        f,
        &with_line(&l, 50, &nan),
        50,
        &["finite", "value 218 of F(rho)"],
    );
    let word = l[59].replacen(l[59].split_whitespace().next().unwrap(), "0.1x3", 1);
    expect_potential_error(
        f,
        &with_line(&l, 60, &word),
        60,
        &["'0.1x3' is not a number"],
    );
    // element count that disagrees with the names, and more than one element
    expect_potential_error(
        f,
        &with_line(&l, 4, "2 Al"),
        4,
        &["says 2 element(s) but names 1"],
    );
    expect_potential_error(f, &with_line(&l, 4, "0"), 4, &["at least 1"]);
    expect_potential_error(f, &with_line(&l, 4, "2 Al Ni"), 4, &["single-element"]);
    // zero and negative spacings, bad counts
    let grid = |nrho: &str, drho: &str, nr: &str, dr: &str, cut: &str| {
        format!("{nrho} {drho} {nr} {dr} {cut}")
    };
    let (drho, dr, cut) = (
        ".2404809619238477e-02",
        ".1113838560765150e-01",
        ".5558054418218096e+01",
    );
    expect_potential_error(
        f,
        &with_line(&l, 5, &grid("500", "0", "500", dr, cut)),
        5,
        &["drho = 0", "positive"],
    );
    expect_potential_error(
        f,
        &with_line(&l, 5, &grid("500", drho, "500", "-0.01", cut)),
        5,
        &["dr = -0.01", "positive"],
    );
    expect_potential_error(
        f,
        &with_line(&l, 5, &grid("3", drho, "500", dr, cut)),
        5,
        &["Nrho = 3", "at least 5"],
    );
    expect_potential_error(
        f,
        &with_line(&l, 5, &grid("500", drho, "500", dr, "50")),
        5,
        &["beyond the r table"],
    );
    expect_potential_error(
        f,
        &with_line(&l, 5, &grid("500.5", drho, "500", dr, cut)),
        5,
        &["Nrho"],
    );
    // header that disagrees with the data: fewer points announced than present …
    expect_potential_error(
        f,
        &with_line(&l, 5, &grid("400", drho, "500", dr, cut)),
        287,
        &["beyond the end of the data", "Nrho + 2·Nr = 1400"],
    );
    // … or more
    expect_potential_error(
        f,
        &with_line(&l, 5, &grid("500", drho, "600", dr, cut)),
        306,
        &["truncated", "400 of the 600 values of r*phi(r)"],
    );
    // bad element line
    expect_potential_error(
        f,
        &with_line(&l, 6, "13 -26.98 4.03 fcc"),
        6,
        &["mass", "positive"],
    );
    // empty file
    expect_potential_error("empty.eam.alloy", "", 0, &["comment line 1"]);
}

#[test]
fn malformed_funcfl_and_fs_files() {
    let l = lines_of("Al_jnp.eam");
    expect_potential_error(
        "bad.eam",
        &(l[..200].join("\n") + "\n"),
        200,
        &["truncated", "Z(r)"],
    );
    expect_potential_error(
        "bad.eam",
        &with_line(&l, 3, "500 0 500 0.015 6.0"),
        3,
        &["drho = 0"],
    );
    expect_potential_error("bad.eam", &with_line(&l, 2, "13"), 2, &["mass"]);
    let l = lines_of("Al_mm.eam.fs");
    expect_potential_error(
        "bad.eam.fs",
        &(l[..3000].join("\n") + "\n"),
        3000,
        &["truncated"],
    );
    expect_potential_error("bad.eam.fs", &with_line(&l, 4, "1"), 4, &["names 0"]);
}

#[test]
fn missing_file_and_unknown_format() {
    let err = pelt::potential::load(&scratch().join("nope.eam.alloy"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("nope.eam.alloy") && err.contains("cannot read"),
        "{err}"
    );
    let p = write("potential.txt", "x");
    let err = pelt::potential::load(&p).unwrap_err().to_string();
    assert!(
        err.contains("potential.txt") && err.contains(".eam.alloy"),
        "{err}"
    );
}

#[test]
fn malformed_structure_files() {
    let good = "3\ncomment\nAl 0 0 0\nAl 2.8 0 0\nAl 0 2.8 0\n";
    assert_eq!(
        pelt::system::xyz::read(&write("good.xyz", good))
            .unwrap()
            .len(),
        3
    );
    expect_xyz_error("s.xyz", "", 1, &["empty", "number of atoms"]);
    expect_xyz_error("s.xyz", "three\nc\n", 1, &["'three'", "number of atoms"]);
    expect_xyz_error("s.xyz", "0\nc\n", 1, &["at least 1"]);
    expect_xyz_error(
        "s.xyz",
        "3\nc\nAl 0 0 0\nAl 2.8 0 0\n",
        4,
        &["ended after 2 atom lines", "announces 3"],
    );
    expect_xyz_error(
        "s.xyz",
        "3\nc\nAl 0 0 0\nAl 2.8 0\nAl 0 2.8 0\n",
        4,
        &["expected 4 columns", "found 3"],
    );
    expect_xyz_error(
        "s.xyz",
        "3\nc\nAl 0 0 0\nAl 2.8 zero 0\nAl 0 2.8 0\n",
        4,
        &["'zero'", "y"],
    );
    expect_xyz_error(
        "s.xyz",
        "3\nc\nAl 0 0 0\nAl 2.8 0 0\nAl NaN 2.8 0\n",
        5,
        &["not a finite number"],
    );
    expect_xyz_error(
        "s.xyz",
        "3\nc\nAl 0 0 0\n1.0 2.8 0 0\nAl 0 2.8 0\n",
        4,
        &["element symbol"],
    );
    expect_xyz_error(
        "s.xyz",
        "2\nc\nAl 0 0 0\nAl 2.8 0 0\nAl 0 2.8 0\n",
        5,
        &["announces 2 atoms but more lines follow"],
    );
    expect_xyz_error(
        "s.extxyz",
        "1\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nAl 0 0 0\n",
        2,
        &["periodic"],
    );
    expect_xyz_error(
        "s.extxyz",
        "1\nProperties=species:S:1:forces:R:3\nAl 0 0 0\n",
        2,
        &["no pos column"],
    );
}

#[test]
fn the_cli_reports_bad_files_without_panicking() {
    let l = lines_of("Al_EA.eam.alloy");
    let bad = write("cli.eam.alloy", &(l[..100].join("\n") + "\n"));
    let xyz = write("cli.xyz", "3\nc\nAl 0 0 0\nAl 2.8 0 0\nAl 0 2.8 0\n");
    let bad_xyz = write("cli-bad.xyz", "3\nc\nAl 0 0 0\n");
    let good_pot = repo("inputs/potentials/Al_EA.eam.alloy");
    for (pot, s, words) in [
        (&bad, &xyz, vec!["cli.eam.alloy:100:", "truncated"]),
        (&good_pot, &bad_xyz, vec!["cli-bad.xyz:3:", "announces 3"]),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_pelt"))
            .args(["energy", "--potential"])
            .arg(pot)
            .arg(s)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        println!("{err}");
        assert_eq!(out.status.code(), Some(1));
        assert!(err.starts_with("error: "), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        for w in words {
            assert!(err.contains(w), "{err}");
        }
    }
    // Landscape parameters out of range.
    let out = Command::new(env!("CARGO_BIN_EXE_pelt"))
        .args([
            "landscape",
            "--atoms",
            "55",
            "--phi0-per-atom",
            "-2.58",
            "--m",
            "3",
            "--eps",
            "1e-4",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("m = 3") && err.contains("even"), "{err}");
}

#[test]
fn an_unknown_kernel_in_pelt_kernel_is_an_error() {
    let xyz = repo("inputs/structures/al55_ih.xyz");
    let pot = repo("inputs/potentials/Al_EA.eam.alloy");
    let run = |value: &str| {
        Command::new(env!("CARGO_BIN_EXE_pelt"))
            .env("PELT_KERNEL", value)
            .args(["energy", "--potential"])
            .arg(&pot)
            .arg(&xyz)
            .output()
            .unwrap()
    };
    let out = run("avx9");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("PELT_KERNEL") && err.contains("scalar"),
        "{err}"
    );
    // Every kernel this CPU runs gives the same energy to rounding.
    let energies: Vec<String> = ["scalar", "auto"]
        .into_iter()
        .map(|k| String::from_utf8_lossy(&run(k).stdout).into_owned())
        .collect();
    assert!(
        energies.iter().all(|e| e.contains("-154.612743759")),
        "{energies:?}"
    );
}
