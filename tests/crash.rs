//! Crash consistency, tested the way SQLite tests it: the run is made to die at every named
//! fault-injection point of the flush and checkpoint path (`PELT_FAULT`, which aborts the
//! process there), and by SIGKILL at random instants; each time it is resumed to the end
//! and compared with an uninterrupted run, dataset by dataset (h5diff, no tolerance), and
//! summary by summary. `cargo test` runs every point and a dozen random kills; the long
//! version (`cargo test --release --test crash -- --ignored`) runs at least 60 more.

mod common;

use common::{assert_same_physics, pelt_command, repo, scratch_dir};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const STEPS: u64 = 3000;

/// Al13 on four temperatures, flush-heavy: positions and velocities every step, energies
/// every 5 steps, a quench every 100 steps and a checkpoint at every exchange (20 steps).
fn input(dir: &Path) -> PathBuf {
    input_for(dir, Ladder::Fixed)
}

/// The two kinds of run the kill tests cover.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ladder {
    Fixed,
    /// `ladder = "adaptive"` with half the run as equilibration: 75 exchanges, rounds ending
    /// at exchanges 16 and 48, then the rebuild of the run file for the final ladder.
    Adaptive,
}

fn input_for(dir: &Path, ladder: Ladder) -> PathBuf {
    let text = format!(
        r#"[system]
structure = "{}"
[potential]
file = "{}"
[landscape]
epsilon = 0.0
phi0 = "-2.58 eV"
m = 4
[tempering]
t_min = "300 K"
t_max = "900 K"
replicas = 4
steps = {STEPS}
equilibration = 500
swap_interval = 20
seed = 4242
[quench]
interval = 100
[output]
energy_interval = 5
positions_interval = 1
velocities = true
checkpoint_interval = 1
"#,
        repo("inputs/structures/al13_ih.xyz").display(),
        repo("inputs/potentials/Al_EA.eam.alloy").display()
    );
    let text = match ladder {
        Ladder::Fixed => text,
        Ladder::Adaptive => text.replace(
            "equilibration = 500\n",
            &format!("equilibration = {}\nladder = \"adaptive\"\n", STEPS / 2),
        ),
    };
    let path = dir.join("run.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn run(
    ranks: Option<usize>,
    inp: &Path,
    out: &Path,
    extra: &[&str],
    fault: Option<&str>,
) -> Output {
    let mut args = vec!["run", inp.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let mut c = pelt_command(ranks, &args);
    if let Some(f) = fault {
        c.env("PELT_FAULT", f);
    }
    c.output().unwrap()
}

/// The uninterrupted run and how long it took.
fn reference_for(ladder: Ladder) -> &'static (PathBuf, Duration) {
    static FIXED: OnceLock<(PathBuf, Duration)> = OnceLock::new();
    static ADAPTIVE: OnceLock<(PathBuf, Duration)> = OnceLock::new();
    let cell = match ladder {
        Ladder::Fixed => &FIXED,
        Ladder::Adaptive => &ADAPTIVE,
    };
    cell.get_or_init(|| {
        let dir = scratch_dir("crash", &format!("reference-{ladder:?}"));
        let inp = input_for(&dir, ladder);
        let out = dir.join("out");
        let t = Instant::now();
        let o = run(None, &inp, &out, &[], None);
        assert!(o.status.success(), "{}", text(&o.stderr));
        (out, t.elapsed())
    })
}

/// The run in `out` is identical to the reference: every physics dataset, the summary and
/// the lowest structure.
fn assert_like_reference(out: &Path) {
    assert_like_reference_for(out, Ladder::Fixed)
}

fn assert_like_reference_for(out: &Path, ladder: Ladder) {
    let (reference, _) = reference_for(ladder);
    assert_same_physics(&reference.join("run.h5"), &out.join("run.h5"));
    // The comment of lowest.xyz names the input file, which lives in each test's folder.
    let strip = |t: String| -> String {
        t.lines()
            .map(|l| l.split(" comment=").next().unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for f in ["summary.csv", "lowest.xyz"] {
        let a = strip(std::fs::read_to_string(reference.join(f)).unwrap());
        let b = strip(std::fs::read_to_string(out.join(f)).unwrap_or_default());
        assert_eq!(a, b, "{f} of {} differs from the reference", out.display());
    }
}

/// Continue the run in `out` until it finishes: `--resume` while there is a checkpoint,
/// a fresh start otherwise (a kill before the first checkpoint leaves nothing to resume).
fn finish(ranks: Option<usize>, inp: &Path, out: &Path) {
    let resumable = out.join("checkpoint.json").exists();
    let o = if resumable {
        run(ranks, inp, out, &["--resume"], None)
    } else {
        run(ranks, inp, out, &["--force"], None)
    };
    assert!(
        o.status.success(),
        "{} after a crash: {}",
        if resumable {
            "--resume"
        } else {
            "a fresh start"
        },
        text(&o.stderr)
    );
}

/// Die at `point` (its `n`-th arrival), then resume to the end.
fn fault_then_resume(ranks: Option<usize>, point: &str, n: u64) {
    let dir = scratch_dir("crash", &format!("{point}-{n}-{}", ranks.unwrap_or(1)));
    let inp = input(&dir);
    let out = dir.join("out");
    let o = run(ranks, &inp, &out, &[], Some(&format!("{point}:{n}")));
    assert!(
        !o.status.success(),
        "{point}:{n} did not stop the run: {}",
        text(&o.stderr)
    );
    assert!(
        text(&o.stderr).contains(&format!("aborting at {point}")),
        "{}",
        text(&o.stderr)
    );
    finish(ranks, &inp, &out);
    assert_like_reference(&out);
}

#[test]
fn every_fault_point_in_the_flush_and_checkpoint_path() {
    for point in pelt::fault::POINTS {
        if point.starts_with("rebuild") {
            continue;
        }
        let n = if point == "create-before-rename" {
            1
        } else {
            37
        };
        fault_then_resume(None, point, n);
    }
}

#[test]
fn fault_points_under_mpirun() {
    for point in ["flush-mid", "checkpoint-tmp-written"] {
        fault_then_resume(Some(2), point, 11);
    }
}

/// `--resume --steps` rebuilds the run file for the new length; a crash in the middle of
/// it leaves the old file whole.
#[test]
fn a_crash_while_the_file_is_rebuilt_for_more_steps() {
    // flush-start:1 of the resumed run is the checkpoint right after the rebuilt file is in
    // place: the file already has the new length, the checkpoint not yet.
    for point in ["rebuild-mid-copy", "rebuild-before-rename", "flush-start"] {
        let dir = scratch_dir("crash", point);
        let inp = input(&dir);
        let out = dir.join("out");
        let half = (STEPS / 2).to_string();
        let o = run(None, &inp, &out, &["--steps", &half], None);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let o = run(None, &inp, &out, &["--resume"], Some(point));
        assert!(!o.status.success(), "{point}: {}", text(&o.stderr));
        // The file reads, up to the checkpoint (the old file, untouched, or the rebuilt one).
        let data = pelt::output::reader::read(&out.join("run.h5"), Default::default())
            .expect("the run file reads after a crash during its rebuild");
        assert_eq!(
            data.temperatures[0].samples.step.last().copied(),
            Some(STEPS / 2)
        );
        finish(None, &inp, &out);
        assert_like_reference(&out);
    }
}

/// A tiny deterministic generator for kill instants (xorshift; the seed is printed).
struct Instants(u64);

impl Instants {
    fn next(&mut self, max: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        max.mul_f64((self.0 % 10_000) as f64 / 10_000.0)
    }
}

/// Kill the run with SIGKILL at random instants, `kills` times in all, resuming after each;
/// then resume to the end and compare. Returns the kills that landed before the run ended.
fn random_kills(seed: u64, kills: usize) -> usize {
    random_kills_of(seed, kills, Ladder::Fixed)
}

fn random_kills_of(seed: u64, kills: usize, ladder: Ladder) -> usize {
    let (_, took) = reference_for(ladder);
    let dir = scratch_dir("crash", &format!("kills-{ladder:?}-{seed}"));
    let inp = input_for(&dir, ladder);
    let out = dir.join("out");
    let mut when = Instants(seed.max(1));
    let mut landed = 0;
    let mut finished = false;
    for _ in 0..kills {
        let resumable = out.join("checkpoint.json").exists();
        let flag = if resumable { "--resume" } else { "--force" };
        let mut child = pelt_command(
            None,
            &[
                "run",
                inp.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
                flag,
            ],
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        // Up to 0.8 × the whole run: most land inside what is left of it.
        std::thread::sleep(when.next(took.mul_f64(0.8)));
        let _ = child.kill();
        let o = child.wait_with_output().unwrap();
        match o.status.code() {
            None => landed += 1,
            Some(0) => {
                finished = true;
                break;
            }
            Some(c) => panic!(
                "seed {seed}: a run after a kill failed ({c}): {}",
                text(&o.stderr)
            ),
        }
    }
    if !finished {
        finish(None, &inp, &out);
    }
    assert_like_reference_for(&out, ladder);
    landed
}

#[test]
fn random_sigkills_then_resume_give_the_uninterrupted_run() {
    let mut landed = 0;
    for seed in [11, 12, 13] {
        landed += random_kills(seed, 4);
    }
    assert!(landed >= 6, "only {landed} kills landed inside the run");
}

/// The same for a run with an adaptive ladder: kills land inside its rounds (whose energies
/// the checkpoint keeps) and in the rebuild of the file at the freeze.
#[test]
fn random_sigkills_of_an_adaptive_run_then_resume_give_the_uninterrupted_run() {
    let (reference, _) = reference_for(Ladder::Adaptive);
    let rounds = pelt::output::reader::read(&reference.join("run.h5"), Default::default())
        .unwrap()
        .swap_statistics
        .adapted_rounds;
    assert_eq!(rounds, 2, "the reference adapted its ladder twice");
    let mut landed = 0;
    for seed in [21, 22, 23] {
        landed += random_kills_of(seed, 4, Ladder::Adaptive);
    }
    assert!(landed >= 6, "only {landed} kills landed inside the run");
}

#[test]
#[ignore = "long: 60+ random kills (cargo test --release --test crash -- --ignored)"]
fn many_random_sigkills() {
    let mut landed = 0;
    // A resumed run has less left to do, so each run takes a few kills before it ends.
    for seed in 100..135 {
        landed += random_kills(seed, 25);
    }
    let mut adaptive = 0;
    for seed in 200..215 {
        adaptive += random_kills_of(seed, 25, Ladder::Adaptive);
    }
    eprintln!("{landed} kills landed inside the run, {adaptive} inside the adaptive run");
    assert!(
        adaptive >= 30,
        "only {adaptive} kills landed inside the adaptive run"
    );
    assert!(landed >= 60, "only {landed} kills landed inside the run");
}

#[test]
fn h5dump_reads_the_file_after_a_kill_inside_a_flush() {
    let dir = scratch_dir("crash", "h5dump");
    let inp = input(&dir);
    let out = dir.join("out");
    let o = run(None, &inp, &out, &[], Some("flush-mid:20"));
    assert!(!o.status.success());
    let d = Command::new("h5dump")
        .args(["-d", "/parameters/steps_done"])
        .arg(out.join("run.h5"))
        .output()
        .unwrap();
    assert!(d.status.success(), "{}", text(&d.stderr));
    // The 20th flush (step 0 is the first, then every 20 steps) is that of step 380: the
    // checkpoint of step 360 is the last complete one.
    assert!(text(&d.stdout).contains("(0): 360"), "{}", text(&d.stdout));
}
