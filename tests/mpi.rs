//! `pelt run` under `mpirun`: the run file does not depend on the number of ranks, a failing
//! rank brings the job down, SIGTERM / SIGUSR1 stop cleanly and `--resume` continues bit for
//! bit, a SIGKILLed run leaves a readable file, and the file reads without pelt
//! (h5dump, h5py via scripts/read_example.py).

mod common;

use common::repo;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn scratch(name: &str) -> PathBuf {
    common::scratch_dir("mpi", name)
}

/// Al55 on four temperatures; short intervals so that every group of the file fills.
fn input(dir: &Path, steps: u64, checkpoint_interval: u64) -> PathBuf {
    let text = format!(
        r#"[system]
structure = "{}"
[potential]
file = "{}"
[landscape]
epsilon = 1e-4
phi0 = "-2.58 eV"
m = 4
[tempering]
t_min = "300 K"
t_max = "800 K"
replicas = 4
steps = {steps}
equilibration = 1000
swap_interval = 50
seed = 77
[quench]
interval = 1000
[output]
energy_interval = 10
positions_interval = 500
velocities = true
checkpoint_interval = {checkpoint_interval}
"#,
        repo("inputs/structures/al55_ih.xyz").display(),
        repo("inputs/potentials/Al_EA.eam.alloy").display()
    );
    let path = dir.join("run.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn pelt(ranks: Option<usize>, args: &[&str]) -> Command {
    common::pelt_command(ranks, args)
}

fn run(ranks: Option<usize>, args: &[&str]) -> Output {
    pelt(ranks, args).output().expect("pelt (and mpirun) run")
}

/// `pelt run INPUT -o OUT [EXTRA]`.
fn run_in(ranks: Option<usize>, input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run", input.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(ranks, &args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

use common::assert_same_physics;

const STEPS: u64 = 6000;

/// The uninterrupted reference run (one process, no mpirun), made once.
fn reference() -> &'static PathBuf {
    static REF: OnceLock<PathBuf> = OnceLock::new();
    REF.get_or_init(|| {
        let dir = scratch("reference");
        let inp = input(&dir, STEPS, 10);
        let out = dir.join("out");
        let o = run_in(None, &inp, &out, &[]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        out
    })
}

#[test]
fn one_two_and_four_ranks_write_identical_files() {
    let reference = reference();
    let dir = scratch("ranks");
    let inp = input(&dir, STEPS, 10);
    // P < K (two blocks of two) and P = K.
    for p in [2, 4] {
        let out = dir.join(format!("np{p}"));
        let o = run_in(Some(p), &inp, &out, &[]);
        let err = text(&o.stderr);
        assert!(o.status.success(), "{p} ranks: {err}");
        assert!(
            err.contains(&format!("4 replicas on {p} MPI rank(s)")),
            "{err}"
        );
        assert_same_physics(&reference.join("run.h5"), &out.join("run.h5"));
        assert!(
            std::fs::read_to_string(reference.join("summary.csv")).unwrap()
                == std::fs::read_to_string(out.join("summary.csv")).unwrap(),
            "summary.csv differs with {p} ranks"
        );
        // The lowest inherent structure: same atoms, to the last digit printed.
        let atoms = |d: &Path| -> Vec<String> {
            let t = std::fs::read_to_string(d.join("lowest.xyz")).unwrap();
            t.lines().skip(2).map(String::from).collect()
        };
        assert!(
            atoms(reference) == atoms(&out),
            "lowest.xyz differs with {p} ranks"
        );
    }
    // The file is complete: 600 samples per temperature, 12 frames, 6 quenches, 120
    // exchanges, and h5dump reads it.
    let dump = Command::new("h5ls")
        .args(["-r"])
        .arg(reference.join("run.h5"))
        .output()
        .unwrap();
    let listing = text(&dump.stdout);
    for line in [
        "/pelt/observables/T03/potential_energy/value Dataset {600}",
        "/pelt/observables/T00/radii_of_gyration/value Dataset {600, 3}",
        "/particles/T02/position/value Dataset {12, 55, 3}",
        "/particles/T02/velocity/value Dataset {12, 55, 3}",
        "/inherent_structures/T01/position Dataset {6, 55, 3}",
        "/tempering/index_process/value Dataset {120, 4}",
    ] {
        assert!(listing.contains(line), "missing {line} in\n{listing}");
    }
    let o = Command::new("h5dump")
        .args(["-d", "/tempering/accepted"])
        .arg(reference.join("run.h5"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
}

#[test]
fn more_ranks_than_replicas_is_a_clear_error() {
    let dir = scratch("too-many");
    let inp = input(&dir, 2000, 10);
    let out = dir.join("out");
    let o = run_in(Some(5), &inp, &out, &[]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains("5 MPI ranks for 4 temperature replicas") && err.contains("at most 4"),
        "{err}"
    );
    // Reported once, by one rank, and nothing was written.
    assert_eq!(err.matches("5 MPI ranks").count(), 1, "{err}");
    assert!(!out.exists());
}

#[test]
fn a_failing_rank_brings_the_job_down() {
    let dir = scratch("failing");
    let inp = input(&dir, 200_000, 10);
    let out = dir.join("out");
    // Rank 0 cannot rename its first checkpoint over a folder; rank 1 is already waiting in
    // the next exchange and must not be left hanging.
    std::fs::create_dir_all(out.join("checkpoint.json").join("blocker")).unwrap();
    let child = pelt(
        Some(2),
        &[
            "run",
            inp.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--force",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    // Structural, not timed: the job must end by itself. The whole run would take minutes;
    // a hang is caught by the deadline, which is far beyond any load of a shared machine.
    let o = common::output_or_hang(
        child,
        300,
        "mpirun -np 2 did not end after rank 0 failed: the other rank hangs",
    );
    let err = text(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(err.contains("error (rank 0 of 2)"), "{err}");
    assert!(err.contains("checkpoint.json"), "{err}");
}

fn wait_for(path: &Path, child: &mut Child) {
    let t = Instant::now();
    while !path.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before {}",
            path.display()
        );
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "no {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// Start a long run, signal it once its first checkpoint exists, and return its log.
fn interrupted(ranks: Option<usize>, sig: &str, name: &str) -> (PathBuf, PathBuf, Output) {
    let dir = scratch(name);
    let inp = input(&dir, STEPS, 10);
    let out = dir.join("out");
    let mut child = pelt(
        ranks,
        &["run", inp.to_str().unwrap(), "-o", out.to_str().unwrap()],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    wait_for(&out.join("checkpoint.json"), &mut child);
    signal(&child, sig);
    let o = child.wait_with_output().unwrap();
    (inp, out, o)
}

#[test]
fn sigterm_stops_cleanly_and_resume_gives_the_uninterrupted_file() {
    let reference = reference();
    let (inp, out, o) = interrupted(None, "-TERM", "sigterm");
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("stopped by SIGTERM"), "{err}");
    assert!(err.contains("--resume"), "{err}");
    // Continue on two ranks: the checkpoint does not depend on the rank count either.
    let o = run_in(Some(2), &inp, &out, &["--resume"]);
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("resuming from"), "{err}");
    assert_same_physics(&reference.join("run.h5"), &out.join("run.h5"));
    assert_eq!(
        std::fs::read(reference.join("summary.csv")).unwrap(),
        std::fs::read(out.join("summary.csv")).unwrap()
    );
}

#[test]
fn sigusr1_through_mpirun_stops_every_rank_cleanly() {
    let reference = reference();
    let (inp, out, o) = interrupted(Some(2), "-USR1", "sigusr1");
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("stopped by SIGUSR1"), "{err}");
    let o = run_in(None, &inp, &out, &["--resume"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_same_physics(&reference.join("run.h5"), &out.join("run.h5"));
}

#[test]
fn a_killed_run_leaves_a_readable_file_and_resumes_from_its_checkpoint() {
    let reference = reference();
    let (inp, out, o) = interrupted(None, "-KILL", "sigkill");
    assert!(!o.status.success());
    // The file opens and lists (everything up to the last flush is there).
    let ls = Command::new("h5ls")
        .arg("-r")
        .arg(out.join("run.h5"))
        .output()
        .unwrap();
    assert!(ls.status.success(), "{}", text(&ls.stderr));
    assert!(text(&ls.stdout).contains("/pelt/observables/T00/potential_energy/value"));
    // Without --resume the run is protected.
    let o = run_in(None, &inp, &out, &[]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("--resume"), "{}", text(&o.stderr));
    let o = run_in(None, &inp, &out, &["--resume"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_same_physics(&reference.join("run.h5"), &out.join("run.h5"));
}

#[test]
fn resume_refuses_a_changed_input() {
    let reference = reference();
    let dir = scratch("changed");
    let inp = input(&dir, STEPS, 10);
    let text_in = std::fs::read_to_string(&inp)
        .unwrap()
        .replace("seed = 77", "seed = 78");
    std::fs::write(&inp, text_in).unwrap();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    for f in ["run.h5", "checkpoint.json"] {
        std::fs::copy(reference.join(f), out.join(f)).unwrap();
    }
    let before = std::fs::read(out.join("run.h5")).unwrap();
    let o = run_in(None, &inp, &out, &["--resume"]);
    assert!(!o.status.success());
    // The message names the key that changed, with both values.
    assert!(
        text(&o.stderr).contains("tempering.seed: 77 → 78"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(std::fs::read(out.join("run.h5")).unwrap(), before);
}

#[test]
fn resume_accepts_comment_and_whitespace_edits() {
    let reference = reference();
    let dir = scratch("comments");
    let inp = input(&dir, STEPS, 10);
    // Comments, blank lines, spacing and key order change; the data does not.
    let edited = std::fs::read_to_string(&inp)
        .unwrap()
        .replace(
            "seed = 77",
            "# the seed of the study\nseed   =   77   # unchanged",
        )
        .replace("[output]", "\n\n[output]   # where it goes");
    std::fs::write(&inp, edited).unwrap();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    for f in ["run.h5", "checkpoint.json"] {
        std::fs::copy(reference.join(f), out.join(f)).unwrap();
    }
    let o = run_in(None, &inp, &out, &["--resume"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_same_physics(&reference.join("run.h5"), &out.join("run.h5"));
}

/// A Python 3 with h5py and numpy: `python3`, or Debian's (scripts/setup.sh installs
/// python3-h5py there).
fn python_with_h5py() -> Option<&'static str> {
    ["python3", "/usr/bin/python3"].into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import h5py, numpy"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn read_example_reads_the_file_without_pelt() {
    let reference = reference();
    let python = python_with_h5py()
        .expect("no Python 3 with h5py and numpy: run scripts/setup.sh (installs python3-h5py)");
    let o = Command::new(python)
        .arg(repo("scripts/read_example.py"))
        .arg(reference.join("run.h5"))
        .output()
        .unwrap();
    let out = text(&o.stdout);
    assert!(o.status.success(), "{out}{}", text(&o.stderr));
    // Its ⟨φ⟩ per temperature equals pelt's own summary (same samples after equilibration).
    let summary = std::fs::read_to_string(reference.join("summary.csv")).unwrap();
    for row in summary.lines().skip(1) {
        let cols: Vec<&str> = row.split(',').collect();
        let (t, phi): (f64, f64) = (cols[0].parse().unwrap(), cols[2].parse().unwrap());
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{t:.2}")))
            .unwrap_or_else(|| panic!("no row for {t} K in\n{out}"));
        let got: f64 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
        assert!((got - phi).abs() < 1e-6, "{t} K: {got} vs {phi}\n{out}");
    }
    assert!(out.contains("acceptance"), "{out}");
}

/// `ladder = "adaptive"`: the ladder is re-spaced during the equilibration and the run file
/// rebuilt for the final one. The file does not depend on the number of ranks; a run killed
/// inside that rebuild resumes to the same file; the ladder in the file (dataset and group
/// attributes) is the final one of `/tempering/adaptation`, not the start ladder.
#[test]
fn an_adaptive_ladder_is_rank_invariant_and_survives_a_kill_in_its_rebuild() {
    let dir = scratch("adaptive");
    let base = input(&dir, STEPS, 10);
    let toml = std::fs::read_to_string(&base)
        .unwrap()
        .replace("replicas = 4", "replicas = 4\nladder = \"adaptive\"")
        .replace("equilibration = 1000", "equilibration = 4000");
    let inp = dir.join("adaptive.toml");
    std::fs::write(&inp, toml).unwrap();
    let (one, two, killed) = (dir.join("one"), dir.join("two"), dir.join("killed"));
    let o = run_in(None, &inp, &one, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("ladder adapted in 2 rounds"),
        "{}",
        text(&o.stderr)
    );
    let o = run_in(Some(2), &inp, &two, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_same_physics(&one.join("run.h5"), &two.join("run.h5"));
    let o = pelt(
        None,
        &["run", inp.to_str().unwrap(), "-o", killed.to_str().unwrap()],
    )
    .env("PELT_FAULT", "rebuild-before-rename:1")
    .output()
    .unwrap();
    assert!(!o.status.success(), "the fault point stops the run");
    let o = run_in(None, &inp, &killed, &["--resume"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("rebuilding"),
        "{}",
        text(&o.stderr)
    );
    assert_same_physics(&one.join("run.h5"), &killed.join("run.h5"));

    let h5 = hdf5::File::open(one.join("run.h5")).unwrap();
    let ladder = h5
        .dataset("tempering/temperature")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    let rounds = h5
        .dataset("tempering/adaptation/temperature")
        .unwrap()
        .read_2d::<f64>()
        .unwrap();
    assert_eq!(rounds.shape(), &[3, 4], "the start ladder and two rounds");
    assert_eq!(
        rounds.row(2).to_vec(),
        ladder,
        "the file's ladder is the last round's"
    );
    let start: Vec<f64> = rounds.row(0).to_vec();
    let geometric = pelt::tempering::Ladder::geometric(300.0, 800.0, 4).unwrap();
    assert_eq!(start, geometric.temperatures());
    assert_ne!(ladder, start, "the ladder moved");
    assert_eq!((ladder[0], ladder[3]), (300.0, 800.0), "the ends stay");
    for (k, t) in ladder.iter().enumerate() {
        let g = h5.group(&format!("particles/T{k:02}")).unwrap();
        let a: f64 = g.attr("temperature").unwrap().read_scalar().unwrap();
        assert_eq!(a, *t, "attribute of T{k:02}");
    }
    // The analysis counts the swaps on the final ladder only.
    let steps = h5
        .dataset("tempering/adaptation/step")
        .unwrap()
        .read_raw::<i64>()
        .unwrap();
    assert_eq!(steps, vec![16 * 50, 48 * 50]);
    let data = pelt::output::reader::read(&one.join("run.h5"), Default::default()).unwrap();
    let s = &data.swap_statistics;
    assert_eq!(s.adapted_rounds, 2);
    assert_eq!(s.exchanges, (STEPS / 50 - 48) as i64);
    assert_eq!(
        s.attempted.iter().sum::<i64>(),
        (STEPS / 50 - 48) as i64 * 3 / 2
    );

    // The freeze in the last segment (no checkpoint between it and the end): the rebuilt
    // file still gets the swap counts.
    let last = dir.join("last");
    let toml = std::fs::read_to_string(&inp)
        .unwrap()
        .replace("checkpoint_interval = 10", "checkpoint_interval = 1000");
    let inp_last = dir.join("adaptive_last.toml");
    std::fs::write(&inp_last, toml).unwrap();
    let o = run_in(None, &inp_last, &last, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let again = pelt::output::reader::read(&last.join("run.h5"), Default::default()).unwrap();
    let t = &again.swap_statistics;
    assert_eq!(t.exchanges, s.exchanges);
    assert_eq!(t.attempted, s.attempted);
    assert_eq!(
        t.accepted, s.accepted,
        "the same run, checkpointed less often"
    );
}
