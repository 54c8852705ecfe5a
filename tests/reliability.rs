//! Bad input and faults met the way users meet them (docs/RELIABILITY.md lists every case
//! and the test that covers it). Every case: a non-zero exit (or a clean stop where that is
//! the right answer), no panic, no hang, a message that names the file or key and says what
//! was expected, the cause printed once, and nothing the user had changed or lost.

mod common;

use common::{assert_same_physics, pelt_command, repo, scratch_dir};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A small Al13 run in `dir` (`extra` is appended to the input).
fn input(dir: &Path, steps: u64, extra: &str) -> PathBuf {
    let structure = dir.join("start.xyz");
    if !structure.exists() {
        std::fs::copy(repo("inputs/structures/al13_ih.xyz"), &structure).unwrap();
    }
    let potential = dir.join("Al_EA.eam.alloy");
    if !potential.exists() {
        std::fs::copy(repo("inputs/potentials/Al_EA.eam.alloy"), &potential).unwrap();
    }
    let text = format!(
        r#"[system]
structure = "start.xyz"
[potential]
file = "Al_EA.eam.alloy"
[landscape]
epsilon = 0.0
phi0 = "-2.58 eV"
m = 4
[tempering]
t_min = "300 K"
t_max = "700 K"
replicas = 3
steps = {steps}
equilibration = 100
swap_interval = 20
seed = 5
[quench]
interval = 200
[output]
energy_interval = 10
positions_interval = 20
checkpoint_interval = 2
{extra}"#
    );
    let path = dir.join("run.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(inp: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run", inp.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    pelt_command(None, &args).output().unwrap()
}

/// Replace text in the input file `inp`.
fn edit(inp: &Path, pairs: &[(&str, &str)]) {
    let mut t = std::fs::read_to_string(inp).unwrap();
    for (from, to) in pairs {
        assert!(t.contains(from), "{from} not in {}", inp.display());
        t = t.replace(from, to);
    }
    std::fs::write(inp, t).unwrap();
}

/// A failure as users must see it: exit status 1 (not a signal, not 101 or 134), no
/// panic, `words` in the message.
fn assert_refused(o: &Output, words: &[&str]) -> String {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "exit status; stderr:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    for w in words {
        assert!(err.contains(w), "expected '{w}' in:\n{err}");
    }
    err
}

/// Start `pelt run INP -o OUT` (stderr piped) and return once its first checkpoint is on
/// disk; the run's output if it ended first.
fn started(inp: &Path, out: &Path) -> Result<Child, Output> {
    let mut child = pelt_command(
        None,
        &["run", inp.to_str().unwrap(), "-o", out.to_str().unwrap()],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let t = Instant::now();
    while !out.join("checkpoint.json").exists() {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "no checkpoint after 60 s"
        );
        if child.try_wait().unwrap().is_some() {
            return Err(child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(child)
}

/// Every file of a folder with its bytes (to show nothing was changed).
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.ends_with(".pelt.lock"))
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    v.sort();
    v
}

/// A finished run in `dir/out` of `steps` steps, and its input.
fn finished(dir: &Path, steps: u64) -> (PathBuf, PathBuf) {
    let inp = input(dir, steps, "");
    let out = dir.join("out");
    let o = run(&inp, &out, &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    (inp, out)
}

#[test]
fn two_atoms_on_one_site_are_refused() {
    let dir = scratch_dir("rel", "same-site");
    let inp = input(&dir, 200, "");
    std::fs::write(
        dir.join("start.xyz"),
        "4\n\nAl 0 0 0\nAl 0 0 0\nAl 2.8 0 0\nAl 0 2.8 0\n",
    )
    .unwrap();
    let o = run(&inp, &dir.join("out"), &[]);
    assert_refused(
        &o,
        &["start.xyz", "atoms 1 and 2", "0.000 Å apart", "1.5 Å"],
    );
    assert!(!dir.join("out/run.h5").exists());
}

#[test]
fn an_absurd_temperature_stops_at_the_guard() {
    let dir = scratch_dir("rel", "hot");
    let inp = input(&dir, 4000, "");
    edit(&inp, &[("t_max = \"700 K\"", "t_max = \"1e6 K\"")]);
    let out = dir.join("out");
    let o = run(&inp, &out, &[]);
    let err = assert_refused(&o, &["replica", "K, step", "blow-up", "last checkpoint"]);
    // No summary or lowest structure from a broken run; the checkpoint is a good one.
    assert!(!out.join("summary.csv").exists(), "{err}");
    assert!(!out.join("lowest.xyz").exists(), "{err}");
    let c = pelt::output::Checkpoint::read(&out.join("checkpoint.json")).unwrap();
    for r in &c.replicas {
        assert!(r.positions.iter().all(|&b| f64::from_bits(b).is_finite()));
    }
}

#[test]
fn an_absurd_phi0_with_force_inversion_allowed_stops_at_the_guard() {
    let dir = scratch_dir("rel", "phi0");
    let inp = input(&dir, 4000, "");
    let t = std::fs::read_to_string(&inp)
        .unwrap()
        .replace(
            "epsilon = 0.0",
            "epsilon = 1e-4\nallow_force_inversion = true",
        )
        .replace("phi0 = \"-2.58 eV\"", "phi0 = \"1e6 eV\"");
    std::fs::write(&inp, t).unwrap();
    let out = dir.join("out");
    let o = run(&inp, &out, &[]);
    assert_refused(&o, &["blow-up", "check epsilon, phi0"]);
    assert!(!out.join("lowest.xyz").exists());
}

#[test]
fn a_blow_up_in_nve_with_a_10_fs_step_is_caught() {
    // Al43 at epsilon = -4e-5 (forces scaled up 2-6x near the ground state), NVE, 10 fs.
    let dir = scratch_dir("rel", "nve");
    std::fs::copy(repo("inputs/structures/al43_gm.xyz"), dir.join("start.xyz")).unwrap();
    let inp = input(
        &dir,
        20_000,
        "[dynamics]\ntimestep = \"10 fs\"\nthermostat = \"nve\"\n",
    );
    let t = std::fs::read_to_string(&inp)
        .unwrap()
        .replace("epsilon = 0.0", "epsilon = -4e-5")
        .replace("m = 4", "m = 6")
        .replace("t_min = \"300 K\"", "t_min = \"200 K\"")
        .replace("t_max = \"700 K\"", "t_max = \"600 K\"");
    std::fs::write(&inp, t).unwrap();
    let o = run(&inp, &dir.join("out"), &[]);
    assert_refused(&o, &["blow-up", "eV/atom/ps", "time step (10 fs)"]);
}

#[test]
fn a_huge_atom_count_is_refused_before_allocating() {
    let dir = scratch_dir("rel", "count");
    let inp = input(&dir, 200, "");
    std::fs::write(
        dir.join("start.xyz"),
        "99999999999999\n\nAl 0 0 0\nAl 2.8 0 0\n",
    )
    .unwrap();
    let o = run(&inp, &dir.join("out"), &[]);
    assert_refused(
        &o,
        &[
            "start.xyz:4:",
            "ended after 2 atom lines",
            "announces 99999999999999 atoms",
        ],
    );
}

#[test]
fn a_potential_cut_in_its_last_number_is_refused() {
    let dir = scratch_dir("rel", "cut");
    let inp = input(&dir, 200, "");
    let pot = dir.join("Al_EA.eam.alloy");
    let t = std::fs::read_to_string(&pot).unwrap();
    let t = t.trim_end();
    // Cut the last token in half (its exponent goes).
    let cut = &t[..t.len() - 4];
    std::fs::write(&pot, cut).unwrap();
    let o = run(&inp, &dir.join("out"), &[]);
    assert_refused(&o, &["Al_EA.eam.alloy", "cut off", "line break"]);
    // The same message from the library, with the line.
    let e = pelt::potential::load(&pot).unwrap_err().to_string();
    assert!(e.contains("does not end with a line break"), "{e}");
}

#[test]
fn lattice_without_pbc_is_refused() {
    let dir = scratch_dir("rel", "lattice");
    let inp = input(&dir, 200, "");
    std::fs::write(
        dir.join("start.xyz"),
        "3\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3\nAl 0 0 0\nAl 2.8 0 0\nAl 0 2.8 0\n",
    )
    .unwrap();
    let o = run(&inp, &dir.join("out"), &[]);
    assert_refused(
        &o,
        &["start.xyz:2:", "Lattice= without pbc", "pbc=\"F F F\""],
    );
    // With pbc="F F F" it is an isolated cluster.
    let s = pelt::system::xyz::parse(
        "3\nLattice=\"10 0 0 0 10 0 0 0 10\" Properties=species:S:1:pos:R:3 pbc=\"F F F\"\nAl 0 0 0\nAl 2.8 0 0\nAl 0 2.8 0\n",
        Path::new("x.extxyz"),
    );
    assert!(s.is_ok(), "{s:?}");
}

#[test]
fn resume_refuses_an_edited_potential_and_a_replaced_structure() {
    for (file, what) in [
        ("Al_EA.eam.alloy", "potential file"),
        ("start.xyz", "start structure file"),
    ] {
        let dir = scratch_dir("rel", &format!("edited-{file}"));
        let (inp, out) = finished(&dir, 200);
        let before = snapshot(&out);
        let p = dir.join(file);
        let mut t = std::fs::read_to_string(&p).unwrap();
        if file == "start.xyz" {
            t = t.replacen("Al", "Al ", 1).replace("0.0", "0.01");
        } else {
            // One digit of the tables, in place (line 7 is inside the embedding table).
            let mut lines: Vec<String> = t.lines().map(String::from).collect();
            let l = &mut lines[6];
            let k = l.rfind(|c: char| c.is_ascii_digit() && c != '9').unwrap();
            l.replace_range(k..k + 1, "9");
            t = lines.join("\n") + "\n";
        }
        std::fs::write(&p, t).unwrap();
        let o = run(&inp, &out, &["--resume", "--steps", "400"]);
        assert_refused(&o, &[what, file, "has changed", "SHA-256"]);
        assert_eq!(snapshot(&out), before, "{file}: the run folder changed");
    }
}

#[test]
fn resume_refuses_a_hand_edited_checkpoint() {
    let dir = scratch_dir("rel", "edited-checkpoint");
    let (inp, out) = finished(&dir, 400);
    let before = snapshot(&out);
    let c = out.join("checkpoint.json");
    let original = std::fs::read_to_string(&c).unwrap();
    for (from, to) in [
        ("\"step\":400", "\"step\":200"),
        ("\"step\":400", "\"step\":600"),
    ] {
        assert!(original.contains(from), "{original:.300}");
        std::fs::write(&c, original.replace(from, to)).unwrap();
        let o = run(&inp, &out, &["--resume", "--steps", "800"]);
        assert_refused(
            &o,
            &[
                "checkpoint.json",
                "checksum does not match",
                "edited or damaged",
            ],
        );
    }
    std::fs::write(&c, &original).unwrap();
    assert_eq!(snapshot(&out), before);
}

#[test]
fn a_second_writer_is_refused_while_a_run_holds_the_folder() {
    let dir = scratch_dir("rel", "lock");
    let inp = input(&dir, 400_000, "");
    let out = dir.join("out");
    let mut first = started(&inp, &out).expect("a 400 000-step run outlasts its first checkpoint");
    let o = run(&inp, &out, &["--resume"]);
    assert_refused(&o, &["is in use by another pelt run", "pid"]);
    let o = run(&inp, &out, &["--force"]);
    assert_refused(&o, &["is in use by another pelt run"]);
    let _ = first.kill();
    let _ = first.wait();
}

#[test]
fn resume_in_another_precision_is_refused() {
    let dir = scratch_dir("rel", "precision");
    let (inp, out) = finished(&dir, 200);
    let c = pelt::output::Checkpoint::read(&out.join("checkpoint.json")).unwrap();
    if c.kernel == "scalar" {
        eprintln!("scalar kernel: the run is double whatever the input says");
        return;
    }
    assert_eq!(c.precision, "mixed", "mixed is the default");
    edit(
        &inp,
        &[(
            "[tempering]\n",
            "[dynamics]\nprecision = \"double\"\n[tempering]\n",
        )],
    );
    let o = run(&inp, &out, &["--resume", "--steps", "400"]);
    assert_refused(&o, &["dynamics", "precision", "double"]);
}

#[test]
fn resume_under_another_kernel_is_refused() {
    let kernels = pelt::potential::Kernel::available();
    let dir = scratch_dir("rel", "kernel");
    let (inp, out) = finished(&dir, 200);
    let used = pelt::output::Checkpoint::read(&out.join("checkpoint.json"))
        .unwrap()
        .kernel;
    let Some(other) = kernels.iter().map(|k| k.name()).find(|k| *k != used) else {
        eprintln!("only one kernel on this CPU: nothing to switch to");
        return;
    };
    let o = pelt_command(
        None,
        &[
            "run",
            inp.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--resume",
            "--steps",
            "400",
        ],
    )
    .env("PELT_KERNEL", other)
    .output()
    .unwrap();
    assert_refused(&o, &[&format!("PELT_KERNEL={used}"), other]);
}

#[test]
fn ranks_with_different_inputs_fail_together() {
    let dir = scratch_dir("rel", "mpmd");
    let a = input(&dir, 2000, "");
    let b = dir.join("b.toml");
    std::fs::write(
        &b,
        std::fs::read_to_string(&a)
            .unwrap()
            .replace("seed = 5", "seed = 6"),
    )
    .unwrap();
    let out = dir.join("out");
    let bin = env!("CARGO_BIN_EXE_pelt");
    let (o, a_s, b_s) = (
        out.to_str().unwrap(),
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    );
    let child = std::process::Command::new("mpirun")
        .args([
            "-np", "1", bin, "run", a_s, "-o", o, ":", "-np", "1", bin, "run", b_s, "-o", o,
        ])
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_rmaps_base_oversubscribe", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let r = common::output_or_hang(child, 120, "ranks with different inputs hang");
    let err = text(&r.stderr);
    assert!(!r.status.success(), "{err}");
    assert!(err.contains("do not run the same input"), "{err}");
    assert!(err.contains("rank 0:") && err.contains("rank 1:"), "{err}");
    assert!(!out.join("run.h5").exists());
}

#[test]
fn equilibration_after_steps_then_resume_steps() {
    let dir = scratch_dir("rel", "equilibration");
    let inp = input(&dir, 4000, "");
    let t = std::fs::read_to_string(&inp)
        .unwrap()
        .replace("equilibration = 100", "equilibration = 1000");
    std::fs::write(&inp, t).unwrap();
    let out = dir.join("out");
    // --steps 400: equilibration capped at 200. Then 4000 steps: 1000 lies beyond the
    // checkpoint at 400, so it applies exactly and the summary starts over.
    let o = run(&inp, &out, &["--steps", "400"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(&inp, &out, &["--resume"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("averages after step 1000"),
        "{}",
        text(&o.stdout)
    );
    let data = pelt::output::reader::read(&out.join("run.h5"), Default::default()).unwrap();
    assert_eq!(data.equilibration, 1000);
    // The same as a run of 4000 steps from the start.
    let fresh = dir.join("fresh");
    let o = run(&inp, &fresh, &[]);
    assert!(o.status.success());
    assert_eq!(
        std::fs::read_to_string(out.join("summary.csv")).unwrap(),
        std::fs::read_to_string(fresh.join("summary.csv")).unwrap()
    );
    // Extending past a checkpoint beyond the equilibration keeps it, and says so.
    let o = run(&inp, &out, &["--resume", "--steps", "6000"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let data = pelt::output::reader::read(&out.join("run.h5"), Default::default()).unwrap();
    assert_eq!(data.equilibration, 1000);
}

#[test]
fn a_non_pelt_hdf5_file_is_named_as_such() {
    let dir = scratch_dir("rel", "foreign");
    let f = dir.join("other.h5");
    hdf5::File::create(&f)
        .unwrap()
        .create_group("data")
        .unwrap();
    let o = pelt_command(None, &["analyze", f.to_str().unwrap()])
        .output()
        .unwrap();
    assert_refused(&o, &["other.h5", "not a pelt run file"]);
    let txt = dir.join("notes.h5");
    std::fs::write(&txt, "plain text").unwrap();
    let o = pelt_command(None, &["analyze", txt.to_str().unwrap()])
        .output()
        .unwrap();
    assert_refused(&o, &["notes.h5", "not an HDF5 file"]);
    // And as the run file of a resume.
    let (inp, out) = finished(&scratch_dir("rel", "foreign-run"), 200);
    std::fs::copy(&f, out.join("run.h5")).unwrap();
    let o = run(&inp, &out, &["--resume", "--steps", "400"]);
    assert_refused(&o, &["run.h5", "cannot continue it"]);
}

#[test]
fn sigint_stops_cleanly_like_sigterm() {
    let dir = scratch_dir("rel", "sigint");
    let inp = input(&dir, 20_000, "");
    let out = dir.join("out");
    let child = started(&inp, &out).expect("the run outlasts its first checkpoint");
    // SAFETY: a signal to our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let o = child.wait_with_output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("stopped by SIGINT"), "{err}");
    // The stopped run's file reads up to its checkpoint and no further: no fill rows.
    let c = pelt::output::Checkpoint::read(&out.join("checkpoint.json")).unwrap();
    let data = pelt::output::reader::read(&out.join("run.h5"), Default::default()).unwrap();
    for t in &data.temperatures {
        assert_eq!(t.samples.step.last().copied(), Some(c.tempering.step));
        assert!(t.samples.phi.iter().all(|x| x.is_finite()));
        assert_eq!(t.samples.phi.len(), t.samples.step.len());
    }
    assert_eq!(data.exchanges.step.last().copied(), Some(c.tempering.step));
    let o = run(&inp, &out, &["--resume"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let fresh = dir.join("fresh");
    assert!(run(&inp, &fresh, &[]).status.success());
    assert_same_physics(&fresh.join("run.h5"), &out.join("run.h5"));
}

#[test]
fn a_file_error_prints_its_cause_once() {
    let dir = scratch_dir("rel", "cause-once");
    let inp = input(&dir, 200, "");
    std::fs::remove_file(dir.join("Al_EA.eam.alloy")).unwrap();
    let o = run(&inp, &dir.join("out"), &[]);
    let err = assert_refused(&o, &["Al_EA.eam.alloy"]);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    let o = pelt_command(
        None,
        &["energy", "--potential", "nowhere.eam.alloy", "x.xyz"],
    )
    .output()
    .unwrap();
    let err = text(&o.stderr);
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

#[test]
fn a_full_file_system_is_named_before_the_run_starts() {
    let Some(mnt) = small_fs("small-fs", "512k") else {
        return;
    };
    let dir = scratch_dir("rel", "small-fs-input");
    let inp = input(&dir, 100_000, "");
    let o = run(&inp, &mnt.join("out"), &[]);
    let _ = std::process::Command::new("umount").arg(&mnt).status();
    assert_refused(&o, &["run.h5", "needs", "MB", "tmpfs", "free"]);
}

/// Mount a tmpfs of `size` at a fresh folder; `None` where this machine does not allow it.
fn small_fs(name: &str, size: &str) -> Option<PathBuf> {
    let mnt = scratch_dir("rel", name);
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Some(mnt)
    } else {
        eprintln!("cannot mount a small tmpfs here (not root?): case not run");
        None
    }
}

#[test]
fn a_disk_that_fills_during_the_run_is_named_and_the_run_resumes() {
    let Some(mnt) = small_fs("fills", "4m") else {
        return;
    };
    let dir = scratch_dir("rel", "fills-input");
    // A 1.7 MB run file on a 4 MB file system.
    let inp = input(&dir, 20_000, "");
    let out = mnt.join("out");
    let child = match started(&inp, &out) {
        Ok(c) => c,
        Err(o) => {
            let _ = std::process::Command::new("umount").arg(&mnt).status();
            panic!(
                "the run ended before its first checkpoint: {}",
                text(&o.stderr)
            );
        }
    };
    // Fill every byte left: the next checkpoint cannot be written.
    let filler = mnt.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let block = vec![1u8; 1 << 16];
    while std::io::Write::write_all(&mut f, &block).is_ok() {}
    let _ = std::io::Write::flush(&mut f);
    drop(f);
    let o = child.wait_with_output().unwrap();
    let err = text(&o.stderr);
    let code = o.status.code();
    // Free the space, then continue: the run ends as if nothing had happened.
    std::fs::remove_file(&filler).unwrap();
    let resumed = run(&inp, &out, &["--resume"]);
    let fresh = dir.join("fresh");
    let whole = run(&inp, &fresh, &[]);
    let copy = dir.join("resumed.h5");
    std::fs::copy(out.join("run.h5"), &copy).unwrap();
    let _ = std::process::Command::new("umount").arg(&mnt).status();
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("no space left on device tmpfs"), "{err}");
    assert!(err.contains("--resume"), "{err}");
    assert!(resumed.status.success(), "{}", text(&resumed.stderr));
    assert!(whole.status.success());
    assert_same_physics(&fresh.join("run.h5"), &copy);
}

#[test]
fn a_guard_on_one_rank_ends_the_whole_mpi_job() {
    let dir = scratch_dir("rel", "hot-mpi");
    let inp = input(&dir, 4000, "");
    edit(&inp, &[("t_max = \"700 K\"", "t_max = \"1e6 K\"")]);
    let out = dir.join("out");
    let child = pelt_command(
        Some(3),
        &["run", inp.to_str().unwrap(), "-o", out.to_str().unwrap()],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let o = common::output_or_hang(child, 120, "a guard on one rank left the others hanging");
    let err = text(&o.stderr);
    assert!(!o.status.success(), "{err}");
    // The hottest replica (rank 2) trips the guard and names itself.
    assert!(err.contains("error (rank 2 of 3)"), "{err}");
    assert!(err.contains("blow-up"), "{err}");
    assert!(!out.join("summary.csv").exists());
}
