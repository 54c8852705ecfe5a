//! `pelt run INPUT.toml`: parallel tempering, one process or many MPI ranks (contiguous
//! blocks of replicas per rank), writing one HDF5 run file collectively, with checkpoints,
//! `--resume`, and a clean stop on SIGTERM / SIGUSR1.

use super::{signals, Reported};
use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use mpi::raw::AsRaw;
use mpi::topology::{Communicator, SimpleCommunicator};
use pelt::config::{self, Config, Prepared};
use pelt::dynamics::{degrees_of_freedom, Md};
use pelt::output::{self, Checkpoint, Layout, Lowest, Parameters, Writer};
use pelt::parallel::{self, MpiExchange};
use pelt::system::{xyz, Coords, Structure};
use pelt::tempering::{
    Exchange, MdWalker, Outcome, Quench, QuenchSettings, Recorder, ReplicaState, Sample,
    Statistics, Summary, Tempering, Walker,
};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Input file (TOML); see inputs/quickstart.toml for every key.
    input: PathBuf,
    /// Output folder (overrides [output] directory).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Replace the files of an earlier run in the output folder.
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Continue the run in the output folder from its last checkpoint.
    #[arg(long)]
    resume: bool,
    /// Run this many steps in all instead of [tempering] steps (equilibration is capped at
    /// half); with --resume, extends or shortens the run.
    #[arg(long)]
    steps: Option<u64>,
    /// Seconds between progress lines in the log.
    #[arg(long, default_value_t = 30.0)]
    progress_every: f64,
}

/// The run file in the output folder.
pub const RUN_FILE: &str = "run.h5";
/// The checkpoint in the output folder.
pub const CHECKPOINT_FILE: &str = "checkpoint.json";
/// Every file a run writes into its output folder.
const FILES: [&str; 5] = [
    RUN_FILE,
    CHECKPOINT_FILE,
    "summary.csv",
    "lowest.xyz",
    "input.toml",
];

/// What every rank sets up before the run (any failure is reported once, by the lowest
/// failing rank).
struct Setup {
    cfg: Config,
    prep: Prepared,
    out: PathBuf,
    checkpoint: Option<Checkpoint>,
}

pub fn run(a: RunArgs) -> Result<()> {
    let universe = mpi::initialize().ok_or_else(|| anyhow!("MPI could not be initialised"))?;
    let world = universe.world();
    let (rank, size) = (world.rank(), world.size());
    parallel::set_log_rank(rank, size);
    parallel::abort_on_panic(rank, size);
    signals::install();

    let setup = setup(&a, size as usize);
    if let Some(bad) = parallel::first_failure(&world, setup.is_ok()) {
        // The lowest failing rank reports; the others wait until it has, so that mpirun
        // does not end the job before the message is out.
        if let Err(e) = &setup {
            if bad == rank as usize {
                eprintln!("error: {e:#}");
            }
        }
        mpi::collective::CommunicatorCollectives::barrier(&world);
        return Err(Reported.into());
    }
    let setup = setup.expect("checked on every rank");
    match run_ranks(&a, &world, setup) {
        Ok(()) => Ok(()),
        Err(e) if size > 1 => parallel::abort_with(rank, size, &format!("{e:#}"), 1),
        Err(e) => Err(e),
    }
}

fn setup(a: &RunArgs, ranks: usize) -> Result<Setup> {
    let mut cfg = config::load(&a.input)?;
    if let Some(steps) = a.steps {
        if steps == 0 {
            bail!("--steps 0: expected at least 1 step");
        }
        cfg.tempering.steps = steps;
        cfg.tempering.equilibration = cfg.tempering.equilibration.min(steps / 2);
    }
    if let Some(dir) = &a.output {
        cfg.output.directory = dir.clone();
    }
    if !a.progress_every.is_finite() || a.progress_every <= 0.0 {
        bail!(
            "--progress-every {}: expected a positive number of seconds",
            a.progress_every
        );
    }
    let k = cfg.tempering.ladder.len();
    if ranks > k {
        bail!(
            "{ranks} MPI ranks for {k} temperature replicas in {}: use at most {k} ranks \
             (mpirun -np {k}); a rank holds one or more whole replicas",
            cfg.path.display()
        );
    }
    let out = cfg.output.directory.clone();
    let checkpoint = if a.resume {
        Some(check_resume(&cfg, &out)?)
    } else {
        check_output(&out, a.force)?;
        None
    };
    let prep = config::prepare(&cfg)?;
    Ok(Setup {
        cfg,
        prep,
        out,
        checkpoint,
    })
}

/// Refuse to write into a folder holding a run unless `force`.
fn check_output(out: &Path, force: bool) -> Result<()> {
    if out.is_file() {
        bail!("output folder {} is a file", out.display());
    }
    if !force {
        if let Some(f) = FILES.iter().map(|f| out.join(f)).find(|p| p.exists()) {
            bail!(
                "{} already exists; not overwriting results (continue it with --resume, choose \
                 another --output, or pass --force to replace it)",
                f.display()
            );
        }
    }
    Ok(())
}

/// The checkpoint of the run in `out`, checked against `cfg`.
fn check_resume(cfg: &Config, out: &Path) -> Result<Checkpoint> {
    let path = out.join(CHECKPOINT_FILE);
    if !path.exists() {
        bail!(
            "--resume: {} does not exist (no checkpoint to continue from; start the run without --resume)",
            path.display()
        );
    }
    if !out.join(RUN_FILE).exists() {
        bail!(
            "--resume: {} does not exist next to its checkpoint",
            out.join(RUN_FILE).display()
        );
    }
    let c = Checkpoint::read(&path)?;
    if c.input != cfg.text {
        bail!(
            "--resume: {} differs from the input the run in {} was started with (stored in {}); \
             resume with the same input (use --steps N to change the length)",
            cfg.path.display(),
            out.display(),
            path.display()
        );
    }
    if c.replicas.len() != cfg.tempering.ladder.len() {
        bail!(
            "--resume: {} holds {} replicas, the input has {}",
            path.display(),
            c.replicas.len(),
            cfg.tempering.ladder.len()
        );
    }
    if c.tempering.step > cfg.tempering.steps {
        bail!(
            "--resume: the checkpoint is at step {}, beyond the {} steps asked for",
            c.tempering.step,
            cfg.tempering.steps
        );
    }
    Ok(c)
}

fn report_setup(cfg: &Config, prep: &Prepared) {
    let n = prep.structure.len();
    let t = &prep.transform;
    log::info!(
        "{}: {n} {} atoms from {}, potential {} ({} kernel)",
        cfg.path.display(),
        prep.potential.element(),
        cfg.system.structure.display(),
        cfg.potential.file.display(),
        prep.potential.kernel()
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
        tp.ladder
            .temperatures()
            .iter()
            .map(|t| format!("{t:.1}"))
            .collect::<Vec<_>>()
            .join(", "),
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

/// What a rank records: the run file, the summary, its lowest quench, and (rank 0)
/// progress lines.
struct Record {
    writer: Writer,
    summary: Summary,
    lowest: Option<Lowest>,
    progress: Option<Progress>,
    /// Time spent recording (buffering, logging).
    spent: Duration,
}

struct Progress {
    every: Duration,
    started: Instant,
    last: Instant,
    start_step: u64,
    steps: u64,
    swap_interval: u64,
}

impl Recorder for Record {
    fn sample(&mut self, step: u64, t: usize, r: usize, s: &Sample) {
        let start = Instant::now();
        self.summary.sample(step, t, r, s);
        self.writer.sample(step, t, r, s);
        self.spent += start.elapsed();
    }

    fn frame(&mut self, step: u64, t: usize, r: usize, x: &Coords, v: &Coords) {
        let start = Instant::now();
        self.writer.frame(step, t, r, x, v);
        self.spent += start.elapsed();
    }

    fn quench(&mut self, step: u64, t: usize, r: usize, q: &Quench) {
        let start = Instant::now();
        self.summary.quench(step, t, r, q);
        self.writer.quench(step, t, r, q);
        if !q.converged {
            log::warn!(
                "quench of replica {r} at step {step} stopped at the iteration limit (max |F| = {:.2e} eV/Å)",
                q.max_force
            );
        }
        let candidate = Lowest {
            energy: q.energy.to_bits(),
            step,
            replica: r,
            positions: q.positions.as_flat().iter().map(|x| x.to_bits()).collect(),
        };
        if self.lowest.as_ref().is_none_or(|l| candidate.below(l)) {
            self.lowest = Some(candidate);
        }
        self.spent += start.elapsed();
    }

    fn exchange(&mut self, step: u64, attempts: &[(usize, bool)], statistics: &Statistics) {
        let start = Instant::now();
        self.writer.exchange(step, attempts, statistics);
        if let Some(p) = self.progress.as_mut() {
            if p.last.elapsed() >= p.every {
                p.last = Instant::now();
                log_progress(p, step, statistics);
            }
        }
        self.spent += start.elapsed();
    }
}

fn log_progress(p: &Progress, step: u64, s: &Statistics) {
    let secs = p.started.elapsed().as_secs_f64();
    let done = step - p.start_step;
    let rate = done as f64 / secs.max(1e-9);
    let eta = (p.steps - step) as f64 / rate.max(1e-9);
    let acc: Vec<f64> = (0..s.attempts.len()).map(|k| s.acceptance(k)).collect();
    let min = acc.iter().copied().fold(f64::INFINITY, f64::min);
    let mean = acc.iter().sum::<f64>() / acc.len().max(1) as f64;
    log::info!(
        "exchange {}/{} (step {step}/{}, {:.1} %): {rate:.0} steps/s per replica, ETA {}; \
         acceptance min {min:.3} mean {mean:.3}; round trips {}",
        s.exchanges,
        p.steps / p.swap_interval,
        p.steps,
        100.0 * step as f64 / p.steps as f64,
        format_duration(eta),
        s.total_round_trips()
    );
}

fn format_duration(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// The per-rank part of a checkpoint.
#[derive(serde::Serialize, serde::Deserialize)]
struct RankPart {
    replicas: Vec<ReplicaState>,
    lowest: Option<Lowest>,
}

fn run_ranks(a: &RunArgs, world: &SimpleCommunicator, setup: Setup) -> Result<()> {
    let Setup {
        cfg,
        prep,
        out,
        checkpoint,
    } = setup;
    let root = world.rank() == 0;
    let size = world.size() as usize;
    if root {
        for w in &prep.warnings {
            log::warn!("{w}");
        }
        report_setup(&cfg, &prep);
    }
    let tp = &cfg.tempering;
    let k = tp.ladder.len();
    let exchange = MpiExchange::new(world, k).expect("ranks ≤ replicas checked in setup");
    let local = exchange.local();
    if root {
        let per = exchange.blocks().iter().map(|b| b.len()).max().unwrap_or(0);
        log::info!(
            "{k} replicas on {size} MPI rank(s), at most {per} per rank{}",
            if size == 1 {
                " (no mpirun: all replicas in this process)"
            } else {
                ""
            }
        );
    }
    if root {
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    }
    mpi::collective::CommunicatorCollectives::barrier(world);

    let settings = pelt::tempering::Settings {
        steps: tp.steps,
        swap_interval: tp.swap_interval,
        swaps: tp.swaps,
        sample_interval: cfg.output.energy_interval,
        quench_interval: cfg.quench.interval,
        frame_interval: cfg.output.positions_interval,
        seed: tp.seed,
    };
    let mut tempering = Tempering::new(settings, tp.ladder.clone(), cfg.schedule())?;
    let mut walkers: Vec<(usize, MdWalker)> = local
        .clone()
        .map(|r| {
            let md = Md {
                potential: &prep.potential,
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
            });
            (r, w)
        })
        .collect();
    let mut summary = Summary::new(k, tp.equilibration);
    let mut lowest = None;
    if let Some(c) = &checkpoint {
        tempering.restore(&c.tempering)?;
        let temperature_of = tempering.statistics().temperature_of.clone();
        for (r, w) in walkers.iter_mut() {
            let saved = &c.replicas[*r];
            w.restore(saved, tp.ladder.get(temperature_of[*r]))
                .map_err(|e| anyhow!("{}: {e}", out.join(CHECKPOINT_FILE).display()))?;
        }
        let mine = local.clone();
        if !summary.restore_bits_for(&c.summary, |r| mine.contains(&r)) {
            bail!(
                "{}: summary does not fit {k} temperatures",
                out.join(CHECKPOINT_FILE).display()
            );
        }
        if root {
            lowest = c.lowest.clone();
        }
        if root {
            log::info!(
                "resuming from {} at step {} ({} exchanges)",
                out.join(CHECKPOINT_FILE).display(),
                c.tempering.step,
                tempering.statistics().exchanges
            );
        }
    }

    let layout = Layout {
        atoms: prep.structure.len(),
        element: prep.potential.element().to_string(),
        temperatures: tp.ladder.temperatures().to_vec(),
        timestep_fs: cfg.dynamics.timestep,
        energy_interval: cfg.output.energy_interval,
        positions_interval: cfg.output.positions_interval,
        velocities: cfg.output.velocities,
        quench_interval: cfg.quench.interval,
        swap_interval: tp.swap_interval,
        swaps: tp.swaps,
    };
    let file = out.join(RUN_FILE);
    let comm = world.as_raw();
    let writer = match &checkpoint {
        Some(c) => Writer::resume(
            comm,
            &file,
            layout,
            (c.tempering.step, tp.steps),
            tempering.statistics(),
            root,
        )
        .with_context(|| format!("reopening {} to continue", file.display()))?,
        None => Writer::create(
            comm,
            &file,
            a.force,
            layout,
            &parameters(&cfg, &prep, world)?,
            root,
        )
        .with_context(|| format!("creating {}", file.display()))?,
    };
    if root {
        log::info!("writing {}", file.display());
    }
    let now = Instant::now();
    let mut record = Record {
        writer,
        summary,
        lowest,
        progress: root.then(|| Progress {
            every: Duration::from_secs_f64(a.progress_every),
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
    let mut stop = || signals::received().is_some();
    let outcome = loop {
        let target = (tempering.steps_done() / segment + 1) * segment;
        let outcome = tempering.run(&mut walkers, &mut exchange, &mut record, target, &mut stop);
        let t = Instant::now();
        record
            .writer
            .flush(tempering.steps_done(), tempering.statistics())
            .with_context(|| format!("writing {}", file.display()))?;
        write_checkpoint(
            world,
            &cfg,
            &out,
            &tempering,
            &walkers,
            &mut record,
            &mut exchange,
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
        if root {
            log::info!(
                "stopped by {} after exchange {} (step {}): checkpoint written, {} closed; continue with `pelt run {} --resume`",
                signals::received().unwrap_or("a signal"),
                tempering.statistics().exchanges,
                tempering.steps_done(),
                file.display(),
                a.input.display()
            );
        }
        return Ok(());
    }
    finish(
        world,
        &cfg,
        &prep,
        &out,
        &tempering,
        &walkers,
        record,
        &mut exchange,
        elapsed,
        steps_run,
    )
}

/// Collective: every rank's replicas and lowest quench to rank 0, which writes the
/// checkpoint.
fn write_checkpoint(
    world: &SimpleCommunicator,
    cfg: &Config,
    out: &Path,
    tempering: &Tempering,
    walkers: &[(usize, MdWalker)],
    record: &mut Record,
    exchange: &mut dyn Exchange,
) -> Result<()> {
    let mut summary = record.summary.clone();
    summary.reduce(exchange);
    let part = RankPart {
        replicas: walkers.iter().map(|(r, w)| w.save(*r)).collect(),
        lowest: record.lowest.clone(),
    };
    let bytes = serde_json::to_vec(&part)?;
    let Some(parts) = parallel::gather_bytes(world, &bytes) else {
        return Ok(());
    };
    let mut replicas = Vec::new();
    let mut lowest: Option<Lowest> = None;
    for p in parts {
        let p: RankPart = serde_json::from_slice(&p)?;
        replicas.extend(p.replicas);
        if let Some(l) = p.lowest {
            if lowest.as_ref().is_none_or(|b| l.below(b)) {
                lowest = Some(l);
            }
        }
    }
    replicas.sort_by_key(|r| r.replica);
    let c = Checkpoint {
        format: output::checkpoint::FORMAT.into(),
        pelt_version: pelt::version::PELT_VERSION.into(),
        input: cfg.text.clone(),
        steps: cfg.tempering.steps,
        tempering: tempering.save(),
        summary: summary.to_bits(),
        replicas,
        lowest,
    };
    c.write(&out.join(CHECKPOINT_FILE))?;
    Ok(())
}

fn parameters(cfg: &Config, prep: &Prepared, world: &SimpleCommunicator) -> Result<Parameters> {
    let pot = &cfg.potential.file;
    let bytes = std::fs::read(pot).with_context(|| format!("reading {}", pot.display()))?;
    let host = mpi::environment::processor_name().unwrap_or_else(|_| "unknown".into());
    let t = &prep.transform;
    Ok(Parameters {
        input_path: cfg.path.display().to_string(),
        input_text: cfg.text.clone(),
        potential_file: pot.display().to_string(),
        potential_sha256: output::sha256_hex(&bytes),
        epsilon: t.eps(),
        phi0: t.phi0(),
        m: i64::from(t.m()),
        phi_s: t.stationary_energy().unwrap_or(f64::NAN),
        reference_energy: prep.reference_energy,
        seed: cfg.tempering.seed,
        thermostat: format!("{:?}", cfg.dynamics.thermostat).to_lowercase(),
        kernel: prep.potential.kernel().name().into(),
        steps: cfg.tempering.steps,
        equilibration: cfg.tempering.equilibration,
        pelt_version: pelt::version::PELT_VERSION.into(),
        mpi_version: pelt::version::mpi_library(),
        hdf5_version: pelt::version::hdf5_library(),
        command_line: std::env::args().collect::<Vec<_>>().join(" "),
        hosts: parallel::all_strings(world, &host),
    })
}

/// The end of a finished run: summary table and CSV, lowest inherent structure, the input.
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
    elapsed: f64,
    steps_run: u64,
) -> Result<()> {
    let tp = &cfg.tempering;
    let mut summary = record.summary.clone();
    summary.reduce(exchange);
    let rows = summary.rows(
        tp.ladder.temperatures(),
        degrees_of_freedom(prep.structure.len()),
    );
    let mut evap = [walkers
        .iter()
        .map(|(_, w)| w.evaporations() as f64)
        .sum::<f64>()];
    exchange.sum(&mut evap);
    let bytes = serde_json::to_vec(&record.lowest.take())?;
    let Some(parts) = parallel::gather_bytes(world, &bytes) else {
        return Ok(());
    };
    let mut lowest: Option<Lowest> = None;
    for p in parts {
        if let Some(l) = serde_json::from_slice::<Option<Lowest>>(&p)? {
            if lowest.as_ref().is_none_or(|b| l.below(b)) {
                lowest = Some(l);
            }
        }
    }
    let statistics = tempering.statistics();
    let write = |name: &str, text: &str| -> Result<()> {
        xyz::write_new(&out.join(name), text, true)?;
        Ok(())
    };
    write("summary.csv", &Summary::csv(&rows, statistics))?;
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
        ];
        write("lowest.xyz", &xyz::to_string(&structure, true, &info))?;
    }
    let dt_ps = cfg.dynamics.timestep * 1e-3;
    let k = tp.ladder.len() as f64;
    println!(
        "pelt run {}: {} replicas × {} steps ({:.1} ps each) on {} rank(s); {} steps in {:.1} s ({:.2} µs per replica-step); averages after step {}",
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
    print!("{}", Summary::table(&rows, statistics));
    if evap[0] > 0.0 {
        println!("evaporation events: {} (see the log)", evap[0] as u64);
    }
    println!("HDF5 run file: {}", out.join(RUN_FILE).display());
    println!(
        "also in {}/: summary.csv, lowest.xyz, input.toml, {CHECKPOINT_FILE} (extend with --resume --steps N)",
        out.display()
    );
    Ok(())
}
