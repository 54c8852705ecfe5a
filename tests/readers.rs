//! pelt's files in the readers users already have: MDAnalysis and ASE, pinned and installed
//! by scripts/setup.sh into .venv/ (real readers, not mocks).

mod common;

use common::{pelt, repo, scratch_dir};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The readers' Python (scripts/setup.sh makes it).
fn python() -> PathBuf {
    let p = repo(".venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run `bash scripts/setup.sh` (it installs MDAnalysis and ASE there)",
        p.display()
    );
    p
}

/// Run `script` with the readers' Python and `args`; its stdout parsed as JSON.
fn py(script: &str, args: &[&Path]) -> serde_json::Value {
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).expect("JSON from the reader")
}

#[test]
fn mdanalysis_reads_positions_velocities_and_times_of_a_run_file() {
    let dir = scratch_dir("readers", "mda");
    let input = std::fs::read_to_string(repo("inputs/quickstart.toml"))
        .unwrap()
        .replace(
            "structures/",
            &format!("{}/", repo("inputs/structures").display()),
        )
        .replace(
            "potentials/",
            &format!("{}/", repo("inputs/potentials").display()),
        )
        .replace("velocities = false", "velocities = true");
    let inp = dir.join("v.toml");
    std::fs::write(&inp, input).unwrap();
    let out = dir.join("out");
    let (code, _, err) = pelt(&[
        "run",
        inp.to_str().unwrap(),
        "--steps",
        "4000",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v = py(
        r#"
import sys, json, warnings
warnings.simplefilter("ignore")
import MDAnalysis as mda
u = mda.Universe(sys.argv[1], sys.argv[2], format="H5MD")
frames = []
for ts in u.trajectory:
    frames.append({"time": float(ts.time), "x0": [float(c) for c in ts.positions[0]],
                   "v0": [float(c) for c in ts.velocities[0]]})
print(json.dumps({"units": u.trajectory.units, "n": len(u.trajectory), "frames": frames}))
"#,
        &[&repo("inputs/structures/al55_ih.xyz"), &out.join("run.h5")],
    );
    assert_eq!(v["units"]["length"], "Angstrom");
    assert_eq!(v["units"]["velocity"], "Angstrom/fs");
    assert_eq!(v["units"]["time"], "ps");
    // Frame by frame against the file as pelt reads it (MDAnalysis keeps float32).
    let data = pelt::output::reader::read(
        &out.join("run.h5"),
        pelt::output::reader::Parts { frames: true },
    )
    .unwrap();
    // The exchange-step convention (docs/FORMAT.md): a record of an exchange step belongs
    // to the replica of the previous exchange's row.
    let ex = &data.exchanges;
    for (k, &s) in ex.step.iter().enumerate() {
        for (t, td) in data.temperatures.iter().enumerate() {
            if let Ok(i) = td.samples.step.binary_search(&s) {
                let before = if k == 0 {
                    t as i64
                } else {
                    ex.replica_at[k - 1][t]
                };
                assert_eq!(td.samples.replica[i], before, "step {s}, temperature {t}");
            }
        }
    }
    let t0 = &data.temperatures[0].frames;
    let frames = v["frames"].as_array().unwrap();
    assert_eq!(frames.len(), t0.step.len());
    assert_eq!(frames.len(), 40);
    let h5 = hdf5::File::open(out.join("run.h5")).unwrap();
    let vel = h5
        .dataset("particles/T00/velocity/value")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    for (i, f) in frames.iter().enumerate() {
        assert!((f["time"].as_f64().unwrap() - t0.step[i] as f64 * 2e-3).abs() < 1e-6);
        for k in 0..3 {
            let x = f["x0"][k].as_f64().unwrap();
            assert!((x - t0.positions[i][0][k]).abs() < 1e-5, "frame {i}");
            // MDAnalysis converts Å/fs to its Å/ps.
            let vk = f["v0"][k].as_f64().unwrap();
            let want = vel[i * 55 * 3 + k] * 1000.0;
            assert!((vk - want).abs() < 1e-4 * want.abs().max(1.0), "frame {i}");
        }
    }
}

#[test]
fn ase_reads_built_and_quenched_structures_with_forces() {
    let dir = scratch_dir("readers", "ase");
    let built = dir.join("ih13.xyz");
    let quenched = dir.join("ih13-min.extxyz");
    let pot = repo("inputs/potentials/Al_EA.eam.alloy");
    let (code, _, err) = pelt(&[
        "build",
        "icosahedron",
        "--atoms",
        "13",
        "--nn-distance",
        "2.7",
        "-o",
        built.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = pelt(&[
        "quench",
        "--potential",
        pot.to_str().unwrap(),
        built.to_str().unwrap(),
        "-o",
        quenched.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let v = py(
        r#"
import sys, json
import ase.io
b = ase.io.read(sys.argv[1])
q = ase.io.read(sys.argv[2])
print(json.dumps({"info": sorted(b.info.keys()), "pbc": [bool(x) for x in b.pbc],
                  "symbols": b.get_chemical_formula(), "nn": b.info["nn_distance"],
                  "energy": q.get_potential_energy(), "forces": q.get_forces().tolist(),
                  "positions": q.get_positions().tolist()}))
"#,
        &[&built, &quenched],
    );
    // No junk keys from a free-text comment; an isolated cluster.
    assert_eq!(
        v["info"],
        serde_json::json!(["comment", "nn_distance", "pelt_version"])
    );
    assert_eq!(v["pbc"], serde_json::json!([false, false, false]));
    assert_eq!(v["symbols"], "Al13");
    assert_eq!(v["nn"].as_f64(), Some(2.7));
    // Energy and forces as pelt computes them at the positions ASE read.
    let (code, json, err) = pelt(&[
        "energy",
        "--potential",
        pot.to_str().unwrap(),
        quenched.to_str().unwrap(),
        "--forces",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let e: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!((v["energy"].as_f64().unwrap() - e["energy"].as_f64().unwrap()).abs() < 1e-9);
    for (a, b) in v["forces"]
        .as_array()
        .unwrap()
        .iter()
        .zip(e["forces"].as_array().unwrap())
    {
        for k in 0..3 {
            let (fa, fb) = (a[k].as_f64().unwrap(), b[k].as_f64().unwrap());
            assert!((fa - fb).abs() < 1e-8, "{fa} vs {fb}");
        }
    }
}
