//! `pelt run INPUT.toml`: parallel tempering in one process, replicas spread over threads.

use anyhow::{bail, Context, Result};
use clap::Args;
use pelt::config::{self, Config, Prepared};
use pelt::dynamics::{degrees_of_freedom, Md};
use pelt::system::{xyz, Coords, Structure};
use pelt::tempering::{
    Exchange, Local, MdWalker, Quench, QuenchSettings, Recorder, Sample, Statistics, Summary,
    TemperatureRow, Tempering, Threads, Walker,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Input file (TOML); see inputs/quickstart.toml for every key.
    input: PathBuf,
    /// Output folder (overrides [output] directory).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Replace pelt's files in an existing output folder.
    #[arg(long)]
    force: bool,
    /// Threads to spread the replicas over (default: every core, at most one per replica).
    #[arg(long)]
    threads: Option<usize>,
    /// Run this many steps instead of [tempering] steps (equilibration is capped at half).
    #[arg(long)]
    steps: Option<u64>,
}

/// The files a run writes into its output folder.
const FILES: [&str; 6] = [
    "summary.csv",
    "samples.csv",
    "quenches.csv",
    "exchanges.csv",
    "lowest.xyz",
    "input.toml",
];

pub fn run(a: RunArgs) -> Result<()> {
    let mut cfg = config::load(&a.input)?;
    if let Some(steps) = a.steps {
        if steps == 0 {
            bail!("--steps 0: expected at least 1 step");
        }
        cfg.tempering.steps = steps;
        cfg.tempering.equilibration = cfg.tempering.equilibration.min(steps / 2);
    }
    if let Some(dir) = a.output {
        cfg.output.directory = dir;
    }
    let out = cfg.output.directory.clone();
    check_output(&out, a.force)?;
    let prep = config::prepare(&cfg)?;
    for w in &prep.warnings {
        log::warn!("{w}");
    }
    report_setup(&cfg, &prep);

    let k = cfg.tempering.ladder.len();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = a.threads.unwrap_or(cores).clamp(1, k);
    if a.threads == Some(0) {
        bail!("--threads 0: expected at least 1 thread");
    }
    log::info!("{k} replicas on {threads} thread(s)");
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;

    let started = Instant::now();
    let results: Vec<Part> = if threads == 1 {
        vec![run_part(
            &cfg,
            &prep,
            (0..k).collect(),
            &mut Local::new(k),
            true,
        )]
    } else {
        let endpoints = Threads::group(threads, k);
        std::thread::scope(|scope| {
            let handles: Vec<_> = endpoints
                .into_iter()
                .enumerate()
                .map(|(t, mut ex)| {
                    let (cfg, prep) = (&cfg, &prep);
                    let group: Vec<usize> = (t..k).step_by(threads).collect();
                    scope.spawn(move || run_part(cfg, prep, group, &mut ex, t == 0))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a replica thread panicked"))
                .collect()
        })
    };
    let elapsed = started.elapsed().as_secs_f64();
    write_results(&cfg, &prep, &out, results, elapsed, a.force)
}

/// Refuse to write into a folder holding pelt's files unless `force`.
fn check_output(out: &Path, force: bool) -> Result<()> {
    if out.is_file() {
        bail!("output folder {} is a file", out.display());
    }
    if !force {
        if let Some(f) = FILES.iter().map(|f| out.join(f)).find(|p| p.exists()) {
            bail!(
                "{} already exists; not overwriting results (choose another --output or pass --force)",
                f.display()
            );
        }
    }
    Ok(())
}

fn report_setup(cfg: &Config, prep: &Prepared) {
    let n = prep.structure.len();
    let t = &prep.transform;
    log::info!(
        "{}: {n} {} atoms from {}, potential {}",
        cfg.path.display(),
        prep.potential.element(),
        cfg.system.structure.display(),
        cfg.potential.file.display()
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
        "tempering: {} K, {} schedule, swap every {} steps, {} steps ({} equilibration), seed {}",
        format_ladder(tp.ladder.temperatures()),
        tp.schedule,
        tp.swap_interval,
        tp.steps,
        tp.equilibration,
        tp.seed
    );
}

fn format_ladder(t: &[f64]) -> String {
    t.iter()
        .map(|t| format!("{t:.1}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What one thread brings back.
struct Part {
    trace: Trace,
    rows: Vec<TemperatureRow>,
    statistics: Statistics,
    evaporations: u64,
}

/// Everything recorded by one thread (exchanges only by the first).
struct Trace {
    samples: Vec<(u64, usize, usize, Sample)>,
    quenches: Vec<(u64, usize, usize, Quench)>,
    /// The lowest quench so far, with its positions: (step, replica, quench).
    lowest: Option<(u64, usize, Quench)>,
    exchanges: Vec<(u64, Vec<usize>)>,
    summary: Summary,
    keep_exchanges: bool,
    progress: Option<Progress>,
}

struct Progress {
    started: Instant,
    steps: u64,
    next: u64,
    attempts: u64,
    accepted: u64,
}

impl Recorder for Trace {
    fn sample(&mut self, step: u64, t: usize, r: usize, s: &Sample) {
        self.summary.sample(step, t, r, s);
        self.samples.push((step, t, r, *s));
    }

    fn quench(&mut self, step: u64, t: usize, r: usize, q: &Quench) {
        self.summary.quench(step, t, r, q);
        if !q.converged {
            log::warn!(
                "quench of replica {r} at step {step} stopped at the iteration limit (max |F| = {:.2e} eV/Å)",
                q.max_force
            );
        }
        if self.lowest.as_ref().is_none_or(|l| q.energy < l.2.energy) {
            self.lowest = Some((step, r, q.clone()));
        }
        // The table keeps energies only; positions are kept for the lowest.
        let q = Quench {
            positions: Coords::zeros(0),
            ..q.clone()
        };
        self.quenches.push((step, t, r, q));
    }

    fn exchange(&mut self, step: u64, attempts: &[(usize, bool)], replica_at: &[usize]) {
        if self.keep_exchanges {
            self.exchanges.push((step, replica_at.to_vec()));
        }
        if let Some(p) = self.progress.as_mut() {
            p.attempts += attempts.len() as u64;
            p.accepted += attempts.iter().filter(|a| a.1).count() as u64;
            if step >= p.next {
                let secs = p.started.elapsed().as_secs_f64();
                let eta = secs * (p.steps - step) as f64 / step as f64;
                log::info!(
                    "step {step}/{} ({:.0} %), {secs:.1} s elapsed, about {eta:.0} s left; swap acceptance so far {:.3}",
                    p.steps,
                    100.0 * step as f64 / p.steps as f64,
                    p.accepted as f64 / p.attempts.max(1) as f64
                );
                p.next += p.steps.div_ceil(10);
            }
        }
    }
}

fn run_part(
    cfg: &Config,
    prep: &Prepared,
    replicas: Vec<usize>,
    exchange: &mut dyn Exchange,
    first: bool,
) -> Part {
    let tp = &cfg.tempering;
    let settings = pelt::tempering::Settings {
        steps: tp.steps,
        swap_interval: tp.swap_interval,
        sample_interval: cfg.output.sample_interval,
        quench_interval: cfg.quench.interval,
        seed: tp.seed,
    };
    let mut tempering =
        Tempering::new(settings, tp.ladder.clone(), cfg.schedule()).expect("validated settings");
    let mut walkers: Vec<(usize, MdWalker)> = replicas
        .iter()
        .map(|&r| {
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
    let k = tp.ladder.len();
    let mut trace = Trace {
        samples: Vec::new(),
        quenches: Vec::new(),
        lowest: None,
        exchanges: Vec::new(),
        summary: Summary::new(k, tp.equilibration),
        keep_exchanges: first,
        progress: first.then(|| Progress {
            started: Instant::now(),
            steps: tp.steps,
            next: tp.steps.div_ceil(10),
            attempts: 0,
            accepted: 0,
        }),
    };
    tempering.run(&mut walkers, exchange, &mut trace, |_| false);
    let mut summary = trace.summary.clone();
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
    Part {
        trace,
        rows,
        statistics: tempering.statistics().clone(),
        evaporations: evap[0] as u64,
    }
}

fn write_results(
    cfg: &Config,
    prep: &Prepared,
    out: &Path,
    parts: Vec<Part>,
    elapsed: f64,
    force: bool,
) -> Result<()> {
    let ladder = cfg.tempering.ladder.temperatures();
    let dt_ps = cfg.dynamics.timestep * 1e-3;
    let rows = parts[0].rows.clone();
    let statistics = parts[0].statistics.clone();
    let evaporations = parts[0].evaporations;
    let mut samples = Vec::new();
    let mut quenches = Vec::new();
    let mut exchanges = Vec::new();
    let mut lowest: Option<(u64, usize, Quench)> = None;
    for p in parts {
        samples.extend(p.trace.samples);
        quenches.extend(p.trace.quenches);
        exchanges.extend(p.trace.exchanges);
        if let Some(l) = p.trace.lowest {
            if lowest
                .as_ref()
                .is_none_or(|b| (l.2.energy, l.1) < (b.2.energy, b.1))
            {
                lowest = Some(l);
            }
        }
    }
    samples.sort_by_key(|s| (s.0, s.1));
    quenches.sort_by_key(|q| (q.0, q.1));

    let csv = Summary::csv(&rows, &statistics);
    let mut s = String::from("step,time_ps,temperature_index,temperature_K,replica,phi_eV,phi_star_eV,wall_eV,kinetic_eV,T_kin_K,conserved_eV,s\n");
    for (step, t, r, x) in &samples {
        let _ = writeln!(
            s,
            "{step},{},{t},{},{r},{},{},{},{},{},{},{}",
            *step as f64 * dt_ps,
            ladder[*t],
            x.phi,
            x.phi_star,
            x.wall,
            x.kinetic,
            x.temperature,
            x.conserved,
            x.scale
        );
    }
    let mut q = String::from("step,time_ps,temperature_index,temperature_K,replica,E_IS_eV,max_force_eV_per_A,force_evaluations,converged\n");
    for (step, t, r, x) in &quenches {
        let _ = writeln!(
            q,
            "{step},{},{t},{},{r},{},{},{},{}",
            *step as f64 * dt_ps,
            ladder[*t],
            x.energy,
            x.max_force,
            x.force_evaluations,
            x.converged
        );
    }
    let mut e = String::from("step,time_ps");
    for k in 0..ladder.len() {
        let _ = write!(e, ",replica_at_T{k}");
    }
    e.push('\n');
    for (step, at) in &exchanges {
        let _ = write!(e, "{step},{}", *step as f64 * dt_ps);
        for r in at {
            let _ = write!(e, ",{r}");
        }
        e.push('\n');
    }
    let write = |name: &str, text: &str| -> Result<()> {
        xyz::write_new(&out.join(name), text, force)?;
        Ok(())
    };
    write("summary.csv", &csv)?;
    write("samples.csv", &s)?;
    write("quenches.csv", &q)?;
    write("exchanges.csv", &e)?;
    write("input.toml", &cfg.text)?;
    if let Some((step, replica, best)) = &lowest {
        let structure = Structure {
            symbols: prep.structure.symbols.clone(),
            positions: best.positions.clone(),
            comment: format!("lowest inherent structure of {}", cfg.path.display()),
        };
        let info = [
            ("energy", format!("{:.10}", best.energy)),
            ("step", step.to_string()),
            ("replica", replica.to_string()),
        ];
        write("lowest.xyz", &xyz::to_string(&structure, true, &info))?;
    }

    let steps = cfg.tempering.steps;
    let k = ladder.len() as f64;
    println!(
        "pelt run {}: {} replicas × {} steps ({:.1} ps each) in {:.1} s ({:.2} µs per replica-step); samples after step {}",
        cfg.path.display(),
        ladder.len(),
        steps,
        steps as f64 * dt_ps,
        elapsed,
        1e6 * elapsed / (k * steps as f64),
        cfg.tempering.equilibration
    );
    print!("{}", Summary::table(&rows, &statistics));
    if evaporations > 0 {
        println!("evaporation events: {evaporations} (see the log)");
    }
    println!("results in {}/ ({})", out.display(), FILES.join(", "));
    Ok(())
}
