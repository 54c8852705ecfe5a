//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod stats;

use pelt::system::Coords;
use std::path::{Path, PathBuf};

/// A path inside the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// One LAMMPS reference case from tests/data/lammps.
pub struct Reference {
    pub file: String,
    pub potential_file: String,
    pub pair_style: String,
    pub positions: Coords,
    pub energy: f64,
    pub forces: Vec<[f64; 3]>,
    pub minimised_energy: f64,
}

fn points(v: &serde_json::Value) -> Vec<[f64; 3]> {
    v.as_array()
        .expect("array of points")
        .iter()
        .map(|p| {
            let a = p.as_array().expect("point");
            [0, 1, 2].map(|k| a[k].as_f64().expect("number"))
        })
        .collect()
}

/// Every reference case, sorted by file name.
pub fn references() -> Vec<Reference> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("tests/data/lammps"))
        .expect("tests/data/lammps")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
            Reference {
                file: p.file_name().unwrap().to_string_lossy().into_owned(),
                potential_file: v["potential_file"].as_str().expect("potential_file").into(),
                pair_style: v["pair_style"].as_str().expect("pair_style").into(),
                positions: Coords::from_points(&points(&v["positions"])),
                energy: v["energy"].as_f64().expect("energy"),
                forces: points(&v["forces"]),
                minimised_energy: v["minimised_energy"].as_f64().expect("minimised_energy"),
            }
        })
        .collect()
}

/// The potential files shipped in inputs/potentials.
pub const POTENTIALS: [&str; 4] = [
    "Al_EA.eam.alloy",
    "Al99.eam.alloy",
    "Al_jnp.eam",
    "Al_mm.eam.fs",
];

pub fn potential(name: &str) -> pelt::potential::Eam {
    pelt::potential::load(&repo(&format!("inputs/potentials/{name}"))).expect("load potential")
}

/// The potential `name` once per kernel this CPU runs (scalar first), so the physics tests
/// cover every kernel.
#[allow(dead_code)]
pub fn potential_per_kernel(name: &str) -> Vec<pelt::potential::Eam> {
    pelt::potential::Kernel::available()
        .into_iter()
        .map(|k| potential(name).with_kernel(k))
        .collect()
}

/// Al_EA-style potentials with mixed-precision pair terms, one per SIMD kernel this CPU
/// runs (none where there is no SIMD kernel).
pub fn mixed_per_kernel(name: &str) -> Vec<pelt::potential::Eam> {
    pelt::potential::Kernel::available()
        .into_iter()
        .filter(|k| *k != pelt::potential::Kernel::Scalar)
        .map(|k| {
            potential(name)
                .with_kernel(k)
                .with_precision(pelt::potential::Precision::Mixed)
        })
        .collect()
}

/// Largest |F_pelt − F_ref| over all components (eV/Å).
pub fn max_force_difference(forces: &Coords, reference: &[[f64; 3]]) -> f64 {
    reference
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            let g = forces.get(i);
            (0..3).map(move |k| (g[k] - f[k]).abs())
        })
        .fold(0.0, f64::max)
}

/// Run the pelt binary with `args`: (exit status, stdout, stderr).
pub fn pelt(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pelt"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// This process's scratch folder `<tmp>/pelt-<tag>-<pid>`, created on first use and removed
/// when the test binary exits, failed or not; set `PELT_KEEP_SCRATCH=1` to keep it for a
/// look after a failure.
pub fn scratch_root(tag: &str) -> PathBuf {
    use std::sync::{Mutex, Once};
    static ROOTS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    static AT_EXIT: Once = Once::new();
    extern "C" fn remove_roots() {
        if std::env::var_os("PELT_KEEP_SCRATCH").is_some() {
            return;
        }
        if let Ok(roots) = ROOTS.lock() {
            for d in roots.iter() {
                let _ = std::fs::remove_dir_all(d);
            }
        }
    }
    let d = std::env::temp_dir().join(format!("pelt-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    AT_EXIT.call_once(|| {
        // SAFETY: registers a plain function with no arguments, called once at exit.
        unsafe {
            libc::atexit(remove_roots);
        }
    });
    let mut roots = ROOTS.lock().unwrap();
    if !roots.contains(&d) {
        roots.push(d.clone());
    }
    d
}

/// A fresh scratch folder `<tmp>/pelt-<tag>-<pid>/<name>` (see [`scratch_root`]).
pub fn scratch_dir(tag: &str, name: &str) -> PathBuf {
    let d = scratch_root(tag).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `pelt ARGS` as a command, under `mpirun -np RANKS` when `ranks` is given, with the
/// settings Open MPI needs as root on a small machine.
pub fn pelt_command(ranks: Option<usize>, args: &[&str]) -> std::process::Command {
    let bin = env!("CARGO_BIN_EXE_pelt");
    let mut c = match ranks {
        Some(p) => {
            let mut c = std::process::Command::new("mpirun");
            c.args(["-np", &p.to_string(), bin]);
            c
        }
        None => std::process::Command::new(bin),
    };
    c.args(args)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
        .env("RUST_LOG", "info");
    c
}

/// The groups of a run file that carry physics (everything but /parameters, which names
/// the command line, ranks and hosts).
pub const PHYSICS: [&str; 4] = [
    "/pelt/observables",
    "/particles",
    "/inherent_structures",
    "/tempering",
];

/// Assert that the physics groups of two run files are identical, value for value
/// (`h5diff`, from hdf5-tools, compares without tolerance).
pub fn assert_same_physics(a: &Path, b: &Path) {
    for g in PHYSICS {
        let out = std::process::Command::new("h5diff")
            .arg(a)
            .arg(b)
            .arg(g)
            .output()
            .expect("h5diff (hdf5-tools, installed by scripts/setup.sh)");
        assert!(
            out.status.success(),
            "{} and {} differ in {g}:\n{}{}",
            a.display(),
            b.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Wait for `child` to end by itself (its stdout and stderr piped); a child still running
/// after `seconds` is killed and the test fails with `hang` (a deadline far beyond any load
/// of a shared machine: the check is that the job ends, not how fast).
pub fn output_or_hang(
    mut child: std::process::Child,
    seconds: u64,
    hang: &str,
) -> std::process::Output {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("{hang}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}
