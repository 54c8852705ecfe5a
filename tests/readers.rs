//! pelt's files in the readers users already have: MDAnalysis, ASE and ZnH5MD, pinned and
//! installed by scripts/setup.sh into .venv/ (real readers, not mocks).

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

/// A short quickstart run with velocities and a quench every 500 steps, made once.
fn run_dir() -> &'static PathBuf {
    static RUN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    RUN.get_or_init(|| {
        let dir = scratch_dir("readers", "run");
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
            .replace("velocities = false", "velocities = true")
            .replace("interval = 5000", "interval = 500");
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
        out
    })
}

#[test]
fn mdanalysis_reads_positions_velocities_and_times_of_a_run_file() {
    let out = run_dir();
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
import znh5md
z = znh5md.IO(sys.argv[2], particles_group="T00")[:]
print(json.dumps({"units": u.trajectory.units, "n": len(u.trajectory), "frames": frames,
                  "data": sorted(u.trajectory.ts.data.keys()), "box": u.trajectory.ts.dimensions is None,
                  "zn": [a.positions[0].tolist() for a in z], "zn_formula": z[0].get_chemical_formula(),
                  "zn_pbc": [bool(p) for p in z[0].pbc]}))
"#,
        &[&repo("inputs/structures/al55_ih.xyz"), &out.join("run.h5")],
    );
    // No energies attached to frames they do not belong to.
    assert!(
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| !k.as_str().unwrap().contains("energy")),
        "{}",
        v["data"]
    );
    assert_eq!(v["box"], true, "an isolated cluster has no box");
    // ZnH5MD (ASE) reads the same frames: Al atoms, not periodic.
    assert_eq!(v["zn_formula"], "Al55");
    assert_eq!(v["zn_pbc"], serde_json::json!([false, false, false]));
    assert_eq!(
        v["zn"].as_array().unwrap().len(),
        v["frames"].as_array().unwrap().len()
    );
    for (z, f) in v["zn"]
        .as_array()
        .unwrap()
        .iter()
        .zip(v["frames"].as_array().unwrap())
    {
        for k in 0..3 {
            assert!((z[k].as_f64().unwrap() - f["x0"][k].as_f64().unwrap()).abs() < 1e-5);
        }
    }
    assert_eq!(v["units"]["length"], "Angstrom");
    assert_eq!(v["units"]["velocity"], "Angstrom/fs");
    assert_eq!(v["units"]["time"], "ps");
    // Frame by frame against the file as pelt reads it (MDAnalysis keeps float32).
    let data = pelt::output::reader::read(
        &out.join("run.h5"),
        pelt::output::reader::Parts::with_frames(),
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

/// `pelt export RUN ARGS -o OUT` (asserting success).
fn export(run: &Path, out: &Path, args: &[&str]) {
    let mut all = vec!["export", run.to_str().unwrap(), "-o", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let (code, _, err) = pelt(&all);
    assert_eq!(code, 0, "{err}");
}

/// φ of `positions` (flat x y z, Å) with the run's potential, as `pelt energy` computes it.
fn energy_of(positions: &[f64]) -> f64 {
    use pelt::potential::Potential;
    let pot = common::potential("Al_EA.eam.alloy");
    let c = pelt::system::Coords::from_points(
        &positions
            .chunks_exact(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect::<Vec<_>>(),
    );
    pot.energy(&c)
}

#[test]
fn mdanalysis_and_znh5md_open_an_h5md_export_with_each_frames_energy() {
    let out = run_dir();
    let dir = scratch_dir("readers", "export-h5md");
    let t3 = dir.join("t3.h5md");
    export(&out.join("run.h5"), &t3, &["--temperature-index", "3"]);
    let v = py(
        r#"
import sys, json, warnings
warnings.simplefilter("ignore")
import MDAnalysis as mda
import znh5md
u = mda.Universe(sys.argv[1])
frames = [{"step": int(ts.data["step"]), "phi": float(ts.data["trajectory/potential_energy"]),
           "x": ts.positions.astype(float).ravel().tolist(), "box": ts.dimensions is None}
          for ts in u.trajectory]
# ASE through ZnH5MD: the same energies, Al atoms, no periodic box.
z = [{"e": a.get_potential_energy(), "formula": a.get_chemical_formula(),
      "pbc": [bool(p) for p in a.pbc]} for a in znh5md.IO(sys.argv[1])[:]]
print(json.dumps({"n": len(u.trajectory), "atoms": u.atoms.n_atoms, "frames": frames, "znh5md": z}))
"#,
        &[&t3],
    );
    assert_eq!(v["atoms"], 55);
    let h5 = hdf5::File::open(out.join("run.h5")).unwrap();
    let steps = h5
        .dataset("particles/T03/position/step")
        .unwrap()
        .read_raw::<i64>()
        .unwrap();
    let pos = h5
        .dataset("particles/T03/position/value")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    let frames = v["frames"].as_array().unwrap();
    assert_eq!(frames.len(), steps.len());
    assert_eq!(v["n"], 40);
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f["step"].as_i64(), Some(steps[i]));
        let exact = &pos[i * 165..(i + 1) * 165];
        for (a, b) in f["x"].as_array().unwrap().iter().zip(exact) {
            assert!((a.as_f64().unwrap() - b).abs() < 1e-5, "frame {i}");
        }
        // The frame's own energy: φ of its positions, not a neighbour row's.
        let phi = f["phi"].as_f64().unwrap();
        assert!((phi - energy_of(exact)).abs() <= 1e-5, "frame {i}: {phi}");
        assert_eq!(f["box"], true, "an isolated cluster has no box");
        let z = &v["znh5md"][i];
        assert_eq!(z["e"].as_f64(), Some(phi));
        assert_eq!(z["formula"], "Al55");
        assert_eq!(z["pbc"], serde_json::json!([false, false, false]));
    }
}

#[test]
fn ase_reads_an_extxyz_export_and_a_replica_moves_continuously() {
    let out = run_dir();
    let dir = scratch_dir("readers", "export-xyz");
    let t3 = dir.join("t3.extxyz");
    let r2 = dir.join("r2.extxyz");
    let is = dir.join("is.extxyz");
    export(&out.join("run.h5"), &t3, &["--temperature-index", "3"]);
    export(&out.join("run.h5"), &r2, &["--replica", "2"]);
    export(
        &out.join("run.h5"),
        &is,
        &["--temperature-index", "0", "--inherent-structures"],
    );
    // Never replaced without --force.
    let (code, _, err) = pelt(&[
        "export",
        out.join("run.h5").to_str().unwrap(),
        "--replica",
        "1",
        "-o",
        t3.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("exists"), "{err}");
    let v = py(
        r#"
import sys, json
import ase.io
def frames(p):
    return [{"e": a.get_potential_energy(), "step": int(a.info["step"]), "t": int(a.info["temperature_index"]),
             "replica": int(a.info["replica"]), "x": a.positions.ravel().tolist()} for a in ase.io.read(p, index=":")]
print(json.dumps({"t3": frames(sys.argv[1]), "r2": frames(sys.argv[2]), "is": frames(sys.argv[3])}))
"#,
        &[&t3, &r2, &is],
    );
    let t3 = v["t3"].as_array().unwrap();
    assert_eq!(t3.len(), 40);
    for f in t3 {
        let x: Vec<f64> = f["x"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_f64().unwrap())
            .collect();
        assert!((f["e"].as_f64().unwrap() - energy_of(&x)).abs() <= 1e-5);
        assert_eq!(f["t"], 3);
    }
    // The demultiplexed replica: every frame is replica 2 by the run's own record (the
    // walker writes its replica index with every energy sample, independently of the index
    // process the export uses), at several temperatures; and between frames (0.2 ps apart)
    // no atom moves by more than 1.5 Å, half the nearest-neighbour distance (the largest
    // move measured on this run is 1.03 Å, a surface atom of a hot replica; 0.8 Å before
    // 0.6's streams).
    let data = pelt::output::reader::read(&out.join("run.h5"), Default::default()).unwrap();
    let r2 = v["r2"].as_array().unwrap();
    assert_eq!(r2.len(), 40);
    for f in r2 {
        let t = f["t"].as_u64().unwrap() as usize;
        let s = data.temperatures[t]
            .samples
            .step
            .binary_search(&f["step"].as_u64().unwrap());
        let i = s.expect("a sample at every frame step");
        assert_eq!(
            data.temperatures[t].samples.replica[i], 2,
            "step {}",
            f["step"]
        );
        assert_eq!(f["replica"], 2);
    }
    let mut temps = std::collections::BTreeSet::new();
    for w in r2.windows(2) {
        temps.insert(w[1]["t"].as_i64().unwrap());
        let jump = w[0]["x"]
            .as_array()
            .unwrap()
            .iter()
            .zip(w[1]["x"].as_array().unwrap())
            .map(|(a, b)| (a.as_f64().unwrap() - b.as_f64().unwrap()).abs())
            .fold(0.0, f64::max);
        assert!(jump < 1.5, "step {}: {jump} Å", w[1]["step"]);
    }
    assert!(
        temps.len() > 1,
        "replica 2 never changed temperature: {temps:?}"
    );
    // Inherent structures: E_IS of the file, at their steps.
    let q = &data.temperatures[0].quenches;
    let is = v["is"].as_array().unwrap();
    assert_eq!(is.len(), q.step.len());
    for (f, (&s, &e)) in is.iter().zip(q.step.iter().zip(&q.energy)) {
        assert_eq!(f["step"].as_u64(), Some(s));
        assert!((f["e"].as_f64().unwrap() - e).abs() < 1e-9);
    }
}

#[test]
fn export_selects_steps_and_refuses_bad_selections() {
    let out = run_dir();
    let run = out.join("run.h5");
    let dir = scratch_dir("readers", "export-select");
    // Frames every 100 steps: 1000..3000 every 5th frame is steps 1000, 1500, …, 3000.
    let sel = dir.join("sel.extxyz");
    export(
        &run,
        &sel,
        &[
            "--temperature",
            "300",
            "--from-step",
            "1000",
            "--to-step",
            "3000",
            "--every",
            "5",
        ],
    );
    let text = std::fs::read_to_string(&sel).unwrap();
    let steps: Vec<u64> = text
        .lines()
        .filter_map(|l| l.split(" step=").nth(1))
        .map(|t| t.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(steps, vec![1000, 1500, 2000, 2500, 3000]);
    assert!(text.contains("temperature_index=0 "), "{text:.300}");
    for (args, words) in [
        (
            vec!["--temperature-index", "8"],
            "the run has 8 temperatures",
        ),
        (vec!["--temperature", "333"], "no temperature of the ladder"),
        (vec!["--replica", "9"], "the run has 8 replicas"),
        (
            vec!["--replica", "1", "--from-step", "999999"],
            "nothing to export",
        ),
        (vec!["--replica", "1", "--every", "0"], "--every 0"),
    ] {
        let target = dir.join("bad.h5md");
        let mut all = vec![
            "export",
            run.to_str().unwrap(),
            "-o",
            target.to_str().unwrap(),
        ];
        all.extend(args.iter().copied());
        let (code, _, err) = pelt(&all);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(words), "{args:?}: {err}");
        assert!(!target.exists());
    }
    let (code, _, err) = pelt(&[
        "export",
        run.to_str().unwrap(),
        "--replica",
        "1",
        "-o",
        dir.join("x.pdb").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains(".h5md (H5MD) or .extxyz"), "{err}");
}
