//! The run driver: a whole parallel-tempering run from an input file, on the ranks of an MPI
//! communicator (one rank without `mpirun`), with its run file, checkpoints, `--resume`,
//! guards and the summary at the end. The command line (`pelt run`) only parses arguments,
//! starts MPI, installs signal handlers and prints; tests call [`execute`] in-process.
//!
//! A checkpoint is taken in three steps, each of which a crash may interrupt without harm
//! (docs/FORMAT.md, "Crash consistency"):
//! 1. every rank writes its buffered rows into the preallocated run file and syncs it;
//! 2. rank 0 writes `checkpoint.json` atomically (new file, sync, rename);
//! 3. `/parameters/steps_done` is set to the checkpoint's step.
//!
//! A resume continues from the checkpoint, so rows a crash left beyond it are written again.

mod record;
mod setup;

use crate::config::{self, Config, Prepared};
use crate::dynamics::{degrees_of_freedom, Md};
use crate::output::{self, checkpoint, Checkpoint, Layout, Lowest, Parameters, Writer};
use crate::parallel::{self, MpiExchange};
use crate::system::{xyz, Coords, Structure};
use crate::tempering::{
    Exchange, Failed, MdWalker, Outcome, QuenchSettings, ReplicaState, Statistics, Summary,
    Tempering, Walker,
};
use mpi::raw::AsRaw;
use mpi::topology::{Communicator, SimpleCommunicator};
use record::{keep_lowest, Progress, Record};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The run file in the output folder.
pub const RUN_FILE: &str = "run.h5";
/// The checkpoint in the output folder.
pub const CHECKPOINT_FILE: &str = "checkpoint.json";
/// The lock file in the output folder (held with `flock` while a run writes there).
pub const LOCK_FILE: &str = ".pelt.lock";

/// What `pelt run` was asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// Input file (TOML).
    pub input: PathBuf,
    /// Output folder (overrides `[output] directory`).
    pub output: Option<PathBuf>,
    /// Replace the files of an earlier run in the output folder.
    pub force: bool,
    /// Continue the run in the output folder from its checkpoint.
    pub resume: bool,
    /// Steps in all instead of `[tempering] steps`.
    pub steps: Option<u64>,
    /// Seconds between progress lines in the log.
    pub progress_every: f64,
}

/// Why a run did not end well.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The input file.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// The run refuses to start (a check failed; the message says which and why).
    #[error("{0}")]
    Refused(String),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A replica failed a guard of the dynamics.
    #[error("{failed}; nothing after step {checkpoint} is kept: {folder} holds the run up to its last checkpoint")]
    Guard {
        /// What the guard saw.
        failed: Failed,
        /// The step of the last checkpoint.
        checkpoint: u64,
        /// The output folder.
        folder: String,
    },
    /// A fault injected by a test (in-process crash tests).
    #[error(transparent)]
    Fault(#[from] crate::fault::Fault),
    /// Another rank reported the error.
    #[error("reported by another rank")]
    Reported,
}

/// How a run ended well.
#[derive(Debug)]
pub enum Ending {
    /// All steps done; the summary (rank 0 only; empty elsewhere) to print.
    Finished {
        /// The summary table and file list.
        report: String,
    },
    /// Stopped on request after an exchange, with a checkpoint.
    Stopped {
        /// Steps done.
        step: u64,
        /// Exchanges done.
        exchanges: u64,
        /// The run file.
        file: PathBuf,
    },
}

/// Run `options` on the ranks of `world` (collective). `stop` is asked before every
/// exchange whether this process wants to stop (signals).
///
/// Set-up errors come back on every rank: the lowest failing rank gets the error, the
/// others [`RunError::Reported`]. Errors during the run come back as they are on one rank;
/// with several ranks the job is aborted instead (`MPI_Abort`, exit status 1) after the
/// failing rank printed its error, since the others wait in a collective call.
pub fn execute(
    world: &SimpleCommunicator,
    options: &Options,
    stop: &mut dyn FnMut() -> bool,
) -> Result<Ending, RunError> {
    let (rank, size) = (world.rank(), world.size());
    let setup = setup::setup(options, size as usize, rank == 0);
    if let Some(bad) = parallel::first_failure(world, setup.is_ok()) {
        return match setup {
            Err(e) if bad == rank as usize => Err(e),
            _ => Err(RunError::Reported),
        };
    }
    let setup = setup.expect("checked on every rank");
    agree(world, options, &setup, setup.kernel)?;
    match run_ranks(world, options, setup, stop) {
        Err(e) if size > 1 => parallel::abort_with(rank, size, &e.to_string(), 1),
        r => r,
    }
}

/// Every rank must run the same input with the same options and kernel: compare digests,
/// and fail on every rank together if they differ (instead of hanging in mismatched
/// collectives or writing a mixed file).
fn agree(
    world: &SimpleCommunicator,
    o: &Options,
    s: &setup::Setup,
    kernel: &str,
) -> Result<(), RunError> {
    let what = format!(
        "{}|{:?}|{}|{}|{}|{}|{}",
        s.out.display(),
        o.steps,
        o.resume,
        o.force,
        s.sources.input,
        s.sources.potential,
        s.sources.structure
    );
    let mine = format!("{} {kernel}", &output::sha256_hex(what.as_bytes())[..16]);
    let all = parallel::all_strings(world, &mine);
    if all.iter().all(|x| x == &all[0]) {
        return Ok(());
    }
    // Every rank is here (the comparison is the same everywhere): the input paths too,
    // for the message.
    let paths = parallel::all_strings(world, &s.cfg.path.display().to_string());
    let listed: Vec<String> = all
        .iter()
        .zip(&paths)
        .enumerate()
        .map(|(r, (x, path))| {
            let (digest, kernel) = x.split_once(' ').unwrap_or((x, ""));
            format!("rank {r}: {path}, kernel {kernel} (digest {digest})")
        })
        .collect();
    if world.rank() == 0 {
        Err(RunError::Refused(format!(
            "the ranks of this job do not run the same input, options and kernel: {}; every \
             rank of one run needs the same input file, command-line options and PELT_KERNEL",
            listed.join("; ")
        )))
    } else {
        Err(RunError::Reported)
    }
}

fn log_setup(cfg: &Config, prep: &Prepared) {
    let n = prep.structure.len();
    let t = &prep.transform;
    log::info!(
        "{}: {n} {} atoms from {}, potential {} ({} kernel, {} precision)",
        cfg.path.display(),
        prep.potential.element(),
        cfg.system.structure.display(),
        cfg.potential.file.display(),
        prep.md_potential.kernel(),
        prep.md_potential.effective_precision()
    );
    log::info!(
        "landscape: epsilon = {:e}, phi0 = {} eV/atom, m = {}; phi_s = {}; reference minimum {:.6} eV (s = {:.4})",
        t.eps(),
        cfg.landscape.phi0_per_atom,
        t.m(),
        t.stationary_energy()
            .map_or("none (s ≥ 1 below phi0)".into(), |e| format!("{e:.4} eV ({:.5} eV/atom)", e / n as f64)),
        prep.reference_energy,
        t.factor(prep.reference_energy)
    );
    let d = cfg.dynamics;
    log::info!(
        "dynamics: {:?}, dt = {} fs, tau = {} fs, containment radius {:.2} Å (k = {} eV/Å²)",
        d.thermostat,
        d.timestep,
        d.tau,
        prep.containment.radius,
        prep.containment.stiffness
    );
    let tp = &cfg.tempering;
    log::info!(
        "tempering: {} K, {} schedule, {}, {} steps ({} equilibration), seed {}",
        ladder_text(tp.ladder.temperatures()),
        tp.schedule,
        if tp.swaps {
            format!("swap every {} steps", tp.swap_interval)
        } else {
            "no swaps (swap_interval = 0: constant-temperature trajectories)".to_string()
        },
        tp.steps,
        tp.equilibration,
        tp.seed
    );
    let o = &cfg.output;
    log::info!(
        "output: energies every {} steps, positions every {} steps{}, checkpoint every {} exchanges",
        o.energy_interval,
        o.positions_interval,
        if o.velocities { " (with velocities)" } else { "" },
        o.checkpoint_interval
    );
}

/// An [`Exchange`] that measures the time spent in it (communication and waiting for the
/// slowest rank).
struct Timed<'a> {
    inner: MpiExchange<'a>,
    spent: Duration,
}

impl Exchange for Timed<'_> {
    fn replicas(&self) -> usize {
        self.inner.replicas()
    }

    fn gather(&mut self, local: &[(usize, f64)], stop: bool) -> (Vec<f64>, bool) {
        let t = Instant::now();
        let r = self.inner.gather(local, stop);
        self.spent += t.elapsed();
        r
    }

    fn sum(&mut self, values: &mut [f64]) {
        let t = Instant::now();
        self.inner.sum(values);
        self.spent += t.elapsed();
    }
}

/// The per-rank part of a checkpoint.
#[derive(serde::Serialize, serde::Deserialize)]
struct RankPart {
    replicas: Vec<ReplicaState>,
    lowest: Option<Lowest>,
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> RunError {
    RunError::File {
        path: path.to_path_buf(),
        message: explain_write_error(path, &e.to_string()),
    }
}

/// An HDF5 or I/O error message, with the plain reason when the file system is full.
fn explain_write_error(path: &Path, message: &str) -> String {
    match free_space(path) {
        Some((free, device)) if free < 1 << 20 => format!(
            "no space left on device {device} ({free} bytes free on the file system holding \
             {}); free space or move the run, then continue it with --resume ({message})",
            path.display()
        ),
        _ => message.to_string(),
    }
}

/// Bytes free to this user on the file system holding `path`, and its device (from
/// /proc/self/mounts, the longest mount point above `path`).
pub fn free_space(path: &Path) -> Option<(u64, String)> {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    };
    let dir = dir.canonicalize().ok()?;
    let c = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()).ok()?;
    // SAFETY: statvfs fills the struct it is given; the path is a valid C string.
    let free = unsafe {
        let mut s: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c.as_ptr(), &mut s) != 0 {
            return None;
        }
        s.f_bavail as u64 * s.f_frsize as u64
    };
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
    let device = mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .filter(|(_, at)| dir.starts_with(at))
        .max_by_key(|(_, at)| at.len())
        .map(|(dev, at)| format!("{dev} (mounted at {at})"))
        .unwrap_or_else(|| "?".into());
    Some((free, device))
}

fn run_ranks(
    world: &SimpleCommunicator,
    o: &Options,
    setup: setup::Setup,
    stop: &mut dyn FnMut() -> bool,
) -> Result<Ending, RunError> {
    let setup::Setup {
        cfg,
        prep,
        out,
        sources,
        checkpoint,
        equilibration,
        fresh_summary,
        notes,
        lock: _lock,
        kernel: _,
    } = setup;
    let root = world.rank() == 0;
    let size = world.size() as usize;
    if root {
        for w in &prep.warnings {
            log::warn!("{w}");
        }
        for n in &notes {
            log::info!("{n}");
        }
        log_setup(&cfg, &prep);
    }
    let tp = &cfg.tempering;
    let k = tp.ladder.len();
    let exchange = MpiExchange::new(world, k).expect("ranks ≤ replicas checked in setup");
    let local = exchange.local();
    if root {
        let per = exchange.hands().iter().map(|h| h.len()).max().unwrap_or(0);
        log::info!(
            "{k} replicas on {size} MPI rank(s), at most {per} per rank{}",
            if size == 1 {
                " (no mpirun: all replicas in this process)"
            } else {
                ""
            }
        );
    }

    let settings = crate::tempering::Settings {
        steps: tp.steps,
        swap_interval: tp.swap_interval,
        swaps: tp.swaps,
        sample_interval: cfg.output.energy_interval,
        quench_interval: cfg.quench.interval,
        frame_interval: cfg.output.positions_interval,
        seed: tp.seed,
    };
    let mut tempering = Tempering::new(settings, tp.ladder.clone(), cfg.schedule())
        .map_err(|e| RunError::Refused(format!("{}: {e}", cfg.path.display())))?;
    if tp.adaptive {
        tempering = tempering
            .with_adaptation(crate::tempering::adaptation_rounds(
                equilibration / tp.swap_interval,
            ))
            .with_respace(Box::new(crate::analysis::ladder::MbarRespace));
    }
    let mut walkers: Vec<(usize, MdWalker)> = local
        .iter()
        .map(|&r| {
            let md = Md {
                potential: &prep.md_potential,
                transform: prep.transform,
                containment: Some(prep.containment),
                timestep: cfg.dynamics.timestep,
            };
            let t = tp.ladder.get(r);
            let w = MdWalker::new(
                md,
                prep.structure.positions.clone(),
                prep.potential.mass(),
                t,
                cfg.thermostat(t),
                tp.seed,
                r,
            )
            .with_quench(QuenchSettings {
                minimizer: cfg.minimizer(),
                convergence: cfg.quench.convergence,
            })
            .with_quench_potential(&prep.potential);
            (r, w)
        })
        .collect();
    let mut summary = Summary::new(k, equilibration);
    let mut lowest = None;
    let checkpoint_path = out.join(CHECKPOINT_FILE);
    if let Some(c) = &checkpoint {
        tempering
            .restore(&c.tempering)
            .map_err(|e| file_error(&checkpoint_path, e))?;
        let temperature_of = tempering.statistics().temperature_of.clone();
        for (r, w) in walkers.iter_mut() {
            w.restore(&c.replicas[*r], tempering.ladder().get(temperature_of[*r]))
                .map_err(|e| file_error(&checkpoint_path, e))?;
        }
        if !fresh_summary {
            let mine = local.clone();
            if !summary.restore_bits_for(&c.summary, |r| mine.contains(&r)) {
                return Err(file_error(
                    &checkpoint_path,
                    format!("summary does not fit {k} temperatures"),
                ));
            }
        }
        if root {
            lowest = c.lowest.clone();
            log::info!(
                "resuming from {} at step {} ({} exchanges)",
                checkpoint_path.display(),
                c.tempering.step,
                tempering.statistics().exchanges
            );
        }
    }

    let layout = Layout {
        atoms: prep.structure.len(),
        element: prep.potential.element().to_string(),
        temperatures: file_ladder(&tempering),
        timestep_fs: cfg.dynamics.timestep,
        energy_interval: cfg.output.energy_interval,
        positions_interval: cfg.output.positions_interval,
        velocities: cfg.output.velocities,
        quench_interval: cfg.quench.interval,
        swap_interval: tp.swap_interval,
        swaps: tp.swaps,
        steps: tp.steps,
    };
    let file = out.join(RUN_FILE);
    let (writer, rebuilt) = open_writer(
        world,
        (&cfg, &prep, &sources),
        &out,
        checkpoint.as_ref(),
        layout,
        (equilibration, adaptation_record(&tempering)),
    )?;
    if root {
        log::info!("writing {}", file.display());
    }
    let now = Instant::now();
    let mut record = Record {
        writer,
        summary,
        lowest,
        progress: root.then(|| Progress {
            every: Duration::from_secs_f64(o.progress_every),
            started: now,
            last: now,
            start_step: tempering.steps_done(),
            steps: tp.steps,
            swap_interval: tp.swap_interval,
        }),
        spent: Duration::ZERO,
    };
    let mut exchange = Timed {
        inner: exchange,
        spent: Duration::ZERO,
    };

    let started = Instant::now();
    let start_step = tempering.steps_done();
    let segment = cfg.output.checkpoint_interval * tp.swap_interval;
    let mut flushing = Duration::ZERO;
    let mut saved = checkpoint.as_ref().map_or(0, |c| c.tempering.step);
    let parts = CheckpointParts {
        cfg: &cfg,
        sources: &sources,
        equilibration,
        precision: prep.md_potential.effective_precision(),
        kernel: prep.md_potential.kernel(),
    };
    if checkpoint.is_none() || rebuilt {
        // A checkpoint at once: of step 0 (from the moment run.h5 exists, --resume can
        // continue it), or of a rebuilt file (whose length the old checkpoint does not
        // know).
        save(
            world,
            &parts,
            &out,
            &tempering,
            &walkers,
            &mut record,
            &mut exchange,
        )?;
    }
    let outcome = loop {
        let target = (tempering.steps_done() / segment + 1) * segment;
        let outcome = tempering.run(&mut walkers, &mut exchange, &mut record, target, stop);
        if let Outcome::Failed(failed) = outcome {
            return Err(RunError::Guard {
                failed: *failed,
                checkpoint: saved,
                folder: out.display().to_string(),
            });
        }
        let t = Instant::now();
        saved = save(
            world,
            &parts,
            &out,
            &tempering,
            &walkers,
            &mut record,
            &mut exchange,
        )?;
        relayout(
            world,
            (&cfg, &prep, &sources),
            &out,
            &tempering,
            &mut record,
        )?;
        flushing += t.elapsed();
        if outcome != Outcome::Paused {
            break outcome;
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    let steps_run = tempering.steps_done() - start_step;
    {
        // Every rank reports its own share: time in exchanges is mostly waiting for the
        // slowest rank, so it shows the load balance.
        let output = (record.spent + flushing).as_secs_f64();
        let swaps = exchange.spent.as_secs_f64();
        log::info!(
            "{steps_run} steps in {elapsed:.2} s; run file and checkpoints {output:.3} s ({:.2} %), exchanges (incl. waiting for other ranks) {swaps:.3} s ({:.2} %)",
            100.0 * output / elapsed,
            100.0 * swaps / elapsed
        );
    }
    if outcome == Outcome::Stopped {
        return Ok(Ending::Stopped {
            step: tempering.steps_done(),
            exchanges: tempering.statistics().exchanges,
            file,
        });
    }
    let report = finish(
        world,
        &cfg,
        &prep,
        &out,
        &tempering,
        &walkers,
        record,
        &mut exchange,
        (elapsed, steps_run),
    )?;
    Ok(Ending::Finished { report })
}

/// Temperatures as "300.0, 358.2, …" (K).
fn ladder_text(t: &[f64]) -> String {
    t.iter()
        .map(|t| format!("{t:.1}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ladder the run file carries: the initial one while an adaptive ladder still adapts,
/// the final one after (the time series of the adaptation lie in the equilibration, which
/// every average leaves out).
fn file_ladder(tempering: &Tempering) -> Vec<f64> {
    if tempering.frozen() {
        tempering.ladder().temperatures().to_vec()
    } else {
        tempering.initial_ladder().temperatures().to_vec()
    }
}

/// Collective, after a checkpoint: when the adaptive ladder has just been frozen, rebuild
/// the run file for the final ladder (temperature attributes, `/tempering/temperature`)
/// with the adaptation rounds in `/tempering/adaptation`, keeping every row of the
/// checkpointed steps. The old file stays whole until the new one is renamed over it; a
/// kill before that leaves the old file with the checkpoint of the final ladder, and
/// `--resume` rebuilds it (`open_writer`).
fn relayout(
    world: &SimpleCommunicator,
    sources: (&Config, &Prepared, &output::Sources),
    out: &Path,
    tempering: &Tempering,
    record: &mut Record,
) -> Result<(), RunError> {
    let ladder = file_ladder(tempering);
    if record.writer.layout().temperatures == ladder {
        return Ok(());
    }
    let root = world.rank() == 0;
    let file = out.join(RUN_FILE);
    if root {
        log::info!(
            "ladder adapted in {} rounds and kept from step {}: {} K; rebuilding {} for it",
            tempering.rounds().len(),
            tempering.rounds().last().map_or(0, |r| r.step),
            ladder_text(&ladder),
            file.display()
        );
    }
    let mut layout = record.writer.layout().clone();
    layout.temperatures = ladder;
    let mut p = parameters(sources.0, sources.1, sources.2, world)?;
    p.adaptation = adaptation_record(tempering);
    let step = tempering.steps_done();
    let mut w = Writer::rebuild(world.as_raw(), &file, layout, &p, step, root)
        .map_err(|e| file_error(&file, e))?;
    // The rebuild copies the time series; the swap counts are written by a flush (the
    // freeze may fall in the last segment, after which no other flush comes).
    w.flush(tempering.statistics())
        .map_err(|e| file_error(&file, e))?;
    record.writer = w;
    Ok(())
}

/// The adaptation rounds for the run file (empty before the ladder is frozen).
fn adaptation_record(tempering: &Tempering) -> Option<output::writer::Adaptation> {
    (tempering.frozen() && !tempering.rounds().is_empty()).then(|| output::writer::Adaptation {
        initial: tempering.initial_ladder().temperatures().to_vec(),
        rounds: tempering.rounds().to_vec(),
    })
}

/// The run file's writer: made new (no checkpoint), opened to continue, or rebuilt for
/// another length (the file's `/parameters/steps` differs from the run's) or for the final
/// ladder of an adaptive one (the file's differs from the checkpoint's); `true` when
/// rebuilt.
fn open_writer(
    world: &SimpleCommunicator,
    (cfg, prep, sources): (&Config, &Prepared, &output::Sources),
    out: &Path,
    checkpoint: Option<&Checkpoint>,
    layout: Layout,
    (equilibration, adaptation): (u64, Option<output::writer::Adaptation>),
) -> Result<(Writer, bool), RunError> {
    let root = world.rank() == 0;
    let comm = world.as_raw();
    let file = out.join(RUN_FILE);
    let checkpoint_path = out.join(CHECKPOINT_FILE);
    let not_this_run = |e: hdf5::Error| {
        file_error(
            &file,
            format!(
                "cannot continue it: {e}; it does not hold the run of {} (restore the run.h5 \
                 that belongs to it, or start again with --force)",
                checkpoint_path.display()
            ),
        )
    };
    let Some(c) = checkpoint else {
        let p = parameters(cfg, prep, sources, world)?;
        if root {
            check_room(out, &layout)?;
            // --force: the old checkpoint goes first, so that it can never be taken for the
            // new file's (a kill between here and the step-0 checkpoint leaves a run.h5
            // without a checkpoint, which --resume refuses and --force redoes).
            match std::fs::remove_file(&checkpoint_path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(file_error(&checkpoint_path, e))
                }
                _ => {}
            }
        }
        let w = Writer::create(comm, &file, layout, &p, root).map_err(|e| file_error(&file, e))?;
        return Ok((w, false));
    };
    let step = c.tempering.step;
    let (steps, ladder) = output::writer::verify(&file, &layout, step).map_err(not_this_run)?;
    let same_ladder = ladder == layout.temperatures;
    if !same_ladder && adaptation.is_none() {
        return Err(not_this_run(hdf5::Error::from(format!(
            "its ladder ({} K) is not the run's ({} K)",
            ladder_text(&ladder),
            ladder_text(&layout.temperatures)
        ))));
    }
    if steps == layout.steps && same_ladder {
        let mut w = Writer::open(comm, &file, layout, root).map_err(not_this_run)?;
        w.set_equilibration(equilibration)
            .map_err(|e| file_error(&file, e))?;
        return Ok((w, false));
    }
    if root && !same_ladder {
        log::info!(
            "the checkpoint's ladder is the adapted one, the file's not yet: rebuilding {} \
             for it (the old file stays until the new one is complete)",
            file.display()
        );
    } else if root {
        log::info!(
            "the run's length changes from {steps} to {} steps: rebuilding {} for the new \
             length (the old file stays until the new one is complete)",
            layout.steps,
            file.display()
        );
    }
    let mut p = parameters(cfg, prep, sources, world)?;
    p.adaptation = adaptation;
    let w = Writer::rebuild(comm, &file, layout, &p, step, root).map_err(not_this_run)?;
    Ok((w, true))
}

/// Refuse to start a run whose file cannot fit on its file system (the file is allocated
/// whole at the start, so a quota is met now rather than a week into the run).
fn check_room(out: &Path, layout: &Layout) -> Result<(), RunError> {
    let need = layout.bytes();
    if let Some((free, device)) = free_space(out) {
        if free < need + (1 << 20) {
            return Err(RunError::Refused(format!(
                "{}: the run file needs {:.1} MB for {} steps, but device {device} has {:.1} MB \
                 free; free space, store fewer frames ([output] positions_interval), or run \
                 fewer steps",
                out.join(RUN_FILE).display(),
                need as f64 / 1e6,
                layout.steps,
                free as f64 / 1e6
            )));
        }
    }
    Ok(())
}

/// What a checkpoint records besides the state of the loop.
struct CheckpointParts<'a> {
    cfg: &'a Config,
    sources: &'a output::Sources,
    equilibration: u64,
    precision: crate::potential::Precision,
    kernel: crate::potential::Kernel,
}

/// Collective: a checkpoint of the step the run is at, in the three steps of
/// docs/FORMAT.md (rows written and synced; `checkpoint.json` replaced; `steps_done`
/// marked). Returns the step.
fn save(
    world: &SimpleCommunicator,
    parts: &CheckpointParts,
    out: &Path,
    tempering: &Tempering,
    walkers: &[(usize, MdWalker)],
    record: &mut Record,
    exchange: &mut dyn Exchange,
) -> Result<u64, RunError> {
    let file = out.join(RUN_FILE);
    let step = tempering.steps_done();
    record
        .writer
        .flush(tempering.statistics())
        .map_err(|e| file_error(&file, e))?;
    write_checkpoint(world, parts, out, tempering, walkers, record, exchange)?;
    record.writer.mark(step).map_err(|e| file_error(&file, e))?;
    Ok(step)
}

/// Collective: every rank's replicas and lowest quench to rank 0, which writes the
/// checkpoint.
fn write_checkpoint(
    world: &SimpleCommunicator,
    parts: &CheckpointParts,
    out: &Path,
    tempering: &Tempering,
    walkers: &[(usize, MdWalker)],
    record: &mut Record,
    exchange: &mut dyn Exchange,
) -> Result<(), RunError> {
    let path = out.join(CHECKPOINT_FILE);
    let mut summary = record.summary.clone();
    summary.reduce(exchange);
    let part = RankPart {
        replicas: walkers.iter().map(|(r, w)| w.save(*r)).collect(),
        lowest: record.lowest.clone(),
    };
    let bytes = serde_json::to_vec(&part).map_err(|e| file_error(&path, e))?;
    let Some(all) = parallel::gather_bytes(world, &bytes) else {
        return Ok(());
    };
    let mut replicas = Vec::new();
    let mut lowest: Option<Lowest> = None;
    for p in all {
        let p: RankPart = serde_json::from_slice(&p).map_err(|e| file_error(&path, e))?;
        replicas.extend(p.replicas);
        if let Some(l) = p.lowest {
            keep_lowest(&mut lowest, l);
        }
    }
    replicas.sort_by_key(|r| r.replica);
    let c = Checkpoint {
        format: checkpoint::FORMAT.into(),
        pelt_version: crate::version::PELT_VERSION.into(),
        input: parts.cfg.text.clone(),
        sources: parts.sources.clone(),
        kernel: parts.kernel.name().into(),
        precision: parts.precision.name().into(),
        steps: parts.cfg.tempering.steps,
        equilibration: parts.equilibration,
        tempering: tempering.save(),
        summary: summary.to_bits(),
        replicas,
        lowest,
        checksum: String::new(),
    };
    c.write(&path).map_err(|e| match e {
        output::CheckpointError::Io { path, error } => file_error(&path, error),
        e => file_error(&path, e),
    })
}

fn parameters(
    cfg: &Config,
    prep: &Prepared,
    sources: &output::Sources,
    world: &SimpleCommunicator,
) -> Result<Parameters, RunError> {
    let host = mpi::environment::processor_name().unwrap_or_else(|_| "unknown".into());
    let t = &prep.transform;
    Ok(Parameters {
        input_path: cfg.path.display().to_string(),
        input_text: cfg.text.clone(),
        potential_file: cfg.potential.file.display().to_string(),
        potential_sha256: sources.potential.clone(),
        epsilon: t.eps(),
        phi0: t.phi0(),
        m: i64::from(t.m()),
        phi_s: t.stationary_energy().unwrap_or(f64::NAN),
        reference_energy: prep.reference_energy,
        seed: cfg.tempering.seed,
        thermostat: format!("{:?}", cfg.dynamics.thermostat).to_lowercase(),
        kernel: prep.md_potential.kernel().name().into(),
        precision: prep.md_potential.effective_precision().name().into(),
        steps: cfg.tempering.steps,
        equilibration: cfg.tempering.equilibration,
        pelt_version: crate::version::PELT_VERSION.into(),
        mpi_version: crate::version::mpi_library(),
        hdf5_version: crate::version::hdf5_library(),
        command_line: std::env::args().collect::<Vec<_>>().join(" "),
        hosts: parallel::all_strings(world, &host),
        adaptation: None,
    })
}

/// The end of a finished run: summary table and CSV, lowest inherent structure, the input;
/// returns the report to print (rank 0).
#[allow(clippy::too_many_arguments)]
fn finish(
    world: &SimpleCommunicator,
    cfg: &Config,
    prep: &Prepared,
    out: &Path,
    tempering: &Tempering,
    walkers: &[(usize, MdWalker)],
    mut record: Record,
    exchange: &mut dyn Exchange,
    (elapsed, steps_run): (f64, u64),
) -> Result<String, RunError> {
    let tp = &cfg.tempering;
    let mut summary = record.summary.clone();
    summary.reduce(exchange);
    let rows = summary.rows(
        tempering.ladder().temperatures(),
        degrees_of_freedom(prep.structure.len()),
    );
    let mut evap = [walkers
        .iter()
        .map(|(_, w)| w.evaporations() as f64)
        .sum::<f64>()];
    exchange.sum(&mut evap);
    let bytes = serde_json::to_vec(&record.lowest.take()).unwrap_or_default();
    let Some(parts) = parallel::gather_bytes(world, &bytes) else {
        return Ok(String::new());
    };
    let mut lowest: Option<Lowest> = None;
    for p in parts {
        if let Ok(Some(l)) = serde_json::from_slice::<Option<Lowest>>(&p) {
            keep_lowest(&mut lowest, l);
        }
    }
    let statistics: &Statistics = tempering.statistics();
    let write = |name: &str, text: &str| -> Result<(), RunError> {
        xyz::write_new(&out.join(name), text, true).map_err(|e| RunError::File {
            path: out.join(name),
            message: e.to_string(),
        })
    };
    write(
        "summary.csv",
        &Summary::csv(&rows, statistics, prep.structure.len()),
    )?;
    write("input.toml", &cfg.text)?;
    if let Some(best) = &lowest {
        let mut positions = Coords::zeros(prep.structure.len());
        for (x, b) in positions.as_flat_mut().iter_mut().zip(&best.positions) {
            *x = f64::from_bits(*b);
        }
        let structure = Structure {
            symbols: prep.structure.symbols.clone(),
            positions,
            comment: format!("lowest inherent structure of {}", cfg.path.display()),
        };
        let info = [
            ("energy", format!("{:.10}", best.energy())),
            ("step", best.step.to_string()),
            ("replica", best.replica.to_string()),
            ("potential", xyz::file_name(&cfg.potential.file)),
            ("pelt_version", crate::version::PELT_VERSION.to_string()),
        ];
        write("lowest.xyz", &xyz::to_string(&structure, true, &info))?;
    }
    let dt_ps = cfg.dynamics.timestep * 1e-3;
    let k = tp.ladder.len() as f64;
    let mut report = format!(
        "pelt run {}: {} replicas × {} steps ({:.1} ps each) on {} rank(s); {} steps in {:.1} s ({:.2} µs per replica-step); averages after step {}\n",
        cfg.path.display(),
        tp.ladder.len(),
        tp.steps,
        tp.steps as f64 * dt_ps,
        world.size(),
        steps_run,
        elapsed,
        1e6 * elapsed / (k * steps_run.max(1) as f64),
        tp.equilibration
    );
    report += &Summary::table(&rows, statistics, prep.structure.len());
    if evap[0] > 0.0 {
        report += &format!("evaporation events: {} (see the log)\n", evap[0] as u64);
    }
    report += &format!("HDF5 run file: {}\n", out.join(RUN_FILE).display());
    report += &format!(
        "also in {}/: summary.csv, lowest.xyz, input.toml, {CHECKPOINT_FILE} (extend with --resume --steps N)\n",
        out.display()
    );
    Ok(report)
}
