//! The TOML input: every invalid input gives a message naming the file, the key and what is
//! allowed; the force-inversion guard; every file in inputs/ runs; `pelt run` writes its
//! results and never overwrites earlier ones.

mod common;
use pelt::potential::Precision;

use common::repo;
use pelt::config::{self, ConfigError};
use std::path::PathBuf;
use std::process::Command;

fn scratch() -> PathBuf {
    common::scratch_root("config")
}

/// A valid Al55 input with absolute paths; `edit` replaces lines that start with a key.
fn input(edits: &[(&str, &str)]) -> String {
    let base = format!(
        r#"[system]
structure = "{}"
atoms = 55
[potential]
file = "{}"
[landscape]
epsilon = 0.0
phi0 = "-2.58 eV"
m = 4
[dynamics]
timestep = "2 fs"
thermostat = "bussi"
tau = "100 fs"
[tempering]
t_min = "300 K"
t_max = "900 K"
replicas = 4
steps = 1000
equilibration = 100
swap_interval = 50
schedule = "deo"
[quench]
interval = 500
[output]
energy_interval = 10
"#,
        repo("inputs/structures/al55_ih.xyz").display(),
        repo("inputs/potentials/Al_EA.eam.alloy").display()
    );
    let mut lines: Vec<String> = base.lines().map(String::from).collect();
    for (key, new) in edits {
        match lines
            .iter()
            .position(|l| l.starts_with(&format!("{key} ")) || l == key)
        {
            Some(i) => lines[i] = new.to_string(),
            None => lines.push(new.to_string()),
        }
    }
    lines.join("\n") + "\n"
}

fn parse(text: &str) -> Result<config::Config, ConfigError> {
    config::parse(text, std::path::Path::new("/tmp/case.toml"))
}

fn expect_error(edits: &[(&str, &str)], words: &[&str]) {
    let e = match parse(&input(edits)) {
        Ok(c) => match config::prepare(&c) {
            Ok(_) => panic!("{edits:?}: accepted"),
            Err(e) => e,
        },
        Err(e) => e,
    };
    let msg = e.to_string();
    assert!(msg.starts_with("/tmp/case.toml"), "{edits:?}: {msg}");
    for w in words {
        assert!(msg.contains(w), "{edits:?}: '{w}' missing in: {msg}");
    }
}

#[test]
fn a_valid_input_parses_with_units() {
    let c = parse(&input(&[("timestep", "timestep = \"0.001 ps\"")])).unwrap();
    assert_eq!(c.dynamics.timestep, 1.0);
    assert_eq!(c.tempering.ladder.len(), 4);
    assert!((c.tempering.ladder.get(3) - 900.0).abs() < 1e-12);
    let p = config::prepare(&c).unwrap();
    // The reference minimum is quenched in double even though MD runs mixed by default.
    assert!((p.reference_energy + 154.6127437595).abs() < 1e-9);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(c.dynamics.precision, Precision::Mixed);
    assert_eq!(p.potential.precision(), Precision::Double);
    assert_eq!(p.md_potential.precision(), Precision::Mixed);
    let c = parse(&input(&[(
        "tau",
        "tau = \"100 fs\"\nprecision = \"double\"",
    )]))
    .unwrap();
    assert_eq!(c.dynamics.precision, Precision::Double);
}

#[test]
fn invalid_values_name_the_key_and_the_allowed_range() {
    expect_error(&[("m", "m = 3")], &["[landscape] m", "3", "even"]);
    expect_error(&[("m", "m = 0")], &["[landscape] m", "even integer from 2"]);
    expect_error(
        &[("t_min", "t_min = \"-5 K\"")],
        &["[tempering] t_min", "> 0 K"],
    );
    expect_error(
        &[
            ("t_min", "temperatures = [300, 500, 400]"),
            ("t_max", ""),
            ("replicas", ""),
        ],
        &[
            "[tempering] temperatures",
            "increase strictly",
            "T[2] = 400",
        ],
    );
    expect_error(
        &[
            ("t_min", "temperatures = [0, 500]"),
            ("t_max", ""),
            ("replicas", ""),
        ],
        &["[tempering] temperatures", "> 0 K"],
    );
    expect_error(
        &[("timestep", "timestep = \"0 fs\"")],
        &["[dynamics] timestep", "0 < timestep ≤ 10 fs"],
    );
    expect_error(
        &[("timestep", "timestep = \"-1 fs\"")],
        &["[dynamics] timestep"],
    );
    expect_error(
        &[("timestep", "timestep = \"1 ps\"")],
        &["[dynamics] timestep", "1000 fs"],
    );
    expect_error(
        &[("timestep", "timestep = \"2 furlongs\"")],
        &["[dynamics] timestep", "unknown unit", "fs, ps, ns"],
    );
    expect_error(
        &[("thermostat", "thermostat = \"berendsen\"")],
        &["[dynamics] thermostat", "bussi"],
    );
    expect_error(
        &[("tau", "tau = \"100 fs\"\nprecision = \"single\"")],
        &["[dynamics] precision", "\"single\"", "mixed", "double"],
    );
    expect_error(
        &[("atoms", "atoms = 54")],
        &["[system] atoms", "54", "holds 55 atoms"],
    );
    expect_error(
        &[("equilibration", "equilibration = 5000")],
        &["[tempering] equilibration", "fewer than steps = 1000"],
    );
    expect_error(
        &[("swap_interval", "swap_interval = -1")],
        &["[tempering] swap_interval", "≥ 0"],
    );
    expect_error(&[("steps", "steps = -3")], &["[tempering] steps", "≥ 1"]);
    expect_error(
        &[("schedule", "schedule = \"random\"")],
        &["[tempering] schedule", "deo"],
    );
    expect_error(
        &[("replicas", "")],
        &["[tempering] temperatures", "t_min", "t_max", "replicas"],
    );
    expect_error(
        &[("schedule", "schedule = \"deo\"\nladder = \"auto\"")],
        &["[tempering] ladder", "\"auto\"", "fixed", "adaptive"],
    );
    // Equilibration 100 steps / swap interval 50: 2 exchanges, fewer than one round.
    expect_error(
        &[("schedule", "schedule = \"deo\"\nladder = \"adaptive\"")],
        &["[tempering] ladder", "2 exchanges", "at least 16"],
    );
    expect_error(
        &[
            ("schedule", "schedule = \"deo\"\nladder = \"adaptive\""),
            ("swap_interval", "swap_interval = 0"),
        ],
        &["[tempering] ladder", "needs swaps"],
    );
}

#[test]
fn unknown_keys_and_bad_syntax_are_rejected_with_their_line() {
    expect_error(
        &[("tau", "tau = \"100 fs\"\nthermostat_tau = 5")],
        &["unknown field", "thermostat_tau", "line 14"],
    );
    expect_error(&[("[output]", "[outptu]")], &["unknown field", "outptu"]);
    expect_error(&[("steps", "steps = \"many\"")], &["steps", "line"]);
    expect_error(&[("m", "m = 4 4")], &["line 9"]);
}

#[test]
fn missing_files_are_named() {
    expect_error(
        &[("structure", "structure = \"/nonexistent/al55.xyz\"")],
        &["[system] structure", "/nonexistent/al55.xyz"],
    );
    expect_error(
        &[("file", "file = \"/nonexistent/Al.eam.alloy\"")],
        &["[potential] file", "/nonexistent/Al.eam.alloy"],
    );
    let missing = config::load(std::path::Path::new("/nonexistent/run.toml")).unwrap_err();
    assert!(
        missing.to_string().contains("/nonexistent/run.toml"),
        "{missing}"
    );
}

#[test]
fn force_inversion_is_refused_unless_allowed_and_explains_phi_s() {
    // Al55 at epsilon = 2e-4, m = 4: phi_s = -152.67 eV lies above the icosahedron.
    let edits = [("epsilon", "epsilon = 2e-4")];
    expect_error(
        &edits,
        &[
            "force inversion",
            "phi_s = -152.67",
            "allow_force_inversion = true",
            "1.217e-4",
        ],
    );
    let mut allowed = edits.to_vec();
    allowed.push(("m", "m = 4\nallow_force_inversion = true"));
    let c = parse(&input(&allowed)).unwrap();
    let p = config::prepare(&c).unwrap();
    assert!(
        p.warnings.iter().any(|w| w.contains("force inversion")),
        "{:?}",
        p.warnings
    );
    // Just below the critical epsilon (1.22e-4) the ladder up to 900 K still reaches
    // below phi_s; at 1e-5 it does not.
    let ok = parse(&input(&[("epsilon", "epsilon = 1e-5")])).unwrap();
    assert!(config::prepare(&ok).is_ok());
    // Negative epsilon never inverts forces.
    let steep = parse(&input(&[("epsilon", "epsilon = -3e-4")])).unwrap();
    assert!(config::prepare(&steep).is_ok());
}

#[test]
fn phi0_below_every_sampled_energy_warns_that_the_transform_is_inactive() {
    let c = parse(&input(&[
        ("epsilon", "epsilon = 1e-4"),
        ("phi0", "phi0 = \"-3.0 eV\""),
    ]))
    .unwrap();
    let p = config::prepare(&c).unwrap();
    assert!(
        p.warnings.iter().any(|w| w.contains("transform inactive")),
        "{:?}",
        p.warnings
    );
}

fn pelt(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pelt"))
        .args(args)
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_input_file_runs() {
    let mut inputs: Vec<PathBuf> = ["inputs", "inputs/paper"]
        .iter()
        .flat_map(|d| std::fs::read_dir(repo(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 13, "{inputs:?}");
    for input in inputs {
        let out = scratch().join(input.file_stem().unwrap());
        let _ = std::fs::remove_dir_all(&out);
        let (code, stdout, stderr) = pelt(&[
            "run",
            input.to_str().unwrap(),
            "--steps",
            "400",
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{}: {stderr}", input.display());
        assert!(stdout.contains("round trips"), "{stdout}");
        let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
        let config = config::load(&input).unwrap();
        assert_eq!(
            summary.lines().count(),
            1 + config.tempering.ladder.len(),
            "{summary}"
        );
        // A second run into the same folder is refused, and the results stay.
        let (code, _, stderr) = pelt(&[
            "run",
            input.to_str().unwrap(),
            "--steps",
            "400",
            "--output",
            out.to_str().unwrap(),
        ]);
        assert_ne!(code, 0);
        assert!(stderr.contains("not overwriting"), "{stderr}");
        assert_eq!(
            std::fs::read_to_string(out.join("summary.csv")).unwrap(),
            summary
        );
    }
}

#[test]
fn run_refuses_bad_input_before_touching_the_output() {
    let dir = scratch();
    let path = dir.join("bad.toml");
    std::fs::write(&path, input(&[("m", "m = 5")])).unwrap();
    let out = dir.join("bad-out");
    let (code, _, stderr) = pelt(&[
        "run",
        path.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(stderr.contains("[landscape] m"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists());
}
