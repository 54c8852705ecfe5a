//! `pelt basin-hop`: global minimum search by basin hopping.

use anyhow::{bail, Result};
use clap::Args;
use pelt::minimize::basin_hopping::BasinHopping;
use pelt::minimize::{quench, Convergence, Lbfgs};
use pelt::potential;
use pelt::rng;
use pelt::system::{builders, xyz, Structure};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct BasinHopArgs {
    /// Potential file (.eam.alloy, .eam.fs, .eam).
    #[arg(long)]
    potential: PathBuf,
    /// Number of atoms (checked against --start when both are given).
    #[arg(long)]
    atoms: Option<usize>,
    /// Start structure (xyz); default: a random compact cluster from --seed.
    #[arg(long)]
    start: Option<PathBuf>,
    /// Basin-hopping steps (each one quench).
    #[arg(long)]
    steps: usize,
    /// Seed of the random moves (and of the random start).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Metropolis temperature (K).
    #[arg(long, default_value_t = 1000.0)]
    temperature: f64,
    /// Initial displacement per component (Å); adapts towards 50 % acceptance.
    #[arg(long, default_value_t = 0.8)]
    step_size: f64,
    /// Minima to list.
    #[arg(long, default_value_t = 10)]
    list: usize,
    /// Where to write the lowest minimum (extended xyz with its energy).
    #[arg(short, long)]
    output: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(a: BasinHopArgs) -> Result<()> {
    xyz::ensure_writable(&a.output, a.force)?;
    if !(a.temperature > 0.0 && a.temperature.is_finite()) {
        bail!(
            "--temperature {}: expected a positive temperature in K",
            a.temperature
        );
    }
    if !(a.step_size > 0.0 && a.step_size <= 5.0) {
        bail!("--step-size {}: expected 0 < step ≤ 5 Å", a.step_size);
    }
    if a.steps == 0 {
        bail!("--steps 0: expected at least 1 step");
    }
    let pot = potential::load(&a.potential)?;
    let start = match (&a.start, a.atoms) {
        (Some(path), n) => {
            let s = xyz::read(path)?;
            if let Some(n) = n.filter(|&n| n != s.len()) {
                bail!("--atoms {n} but {} holds {} atoms", path.display(), s.len());
            }
            s
        }
        (None, Some(n)) if n >= 2 => {
            // Random compact start at the density of the bulk.
            Structure::new(pot.element(), builders::random_compact(n, 2.6, a.seed)?, "")
        }
        (None, Some(n)) => bail!("--atoms {n}: expected at least 2 atoms"),
        (None, None) => bail!("give --atoms N (random start) or --start FILE"),
    };
    let n = start.len();
    // Connected: a chain of neighbours closer than 1.4 × the start's median nearest-neighbour
    // distance (between the first and second neighbour shells of a metal).
    let connect = 1.4 * median_nearest_neighbour(&start.positions);
    let bh = BasinHopping {
        temperature: a.temperature,
        step: a.step_size,
        ..BasinHopping::default()
    };
    println!(
        "basin hopping: {n} {} atoms, {} steps, T = {} K, seed {}, connected below {connect:.2} Å",
        pot.element(),
        a.steps,
        a.temperature,
        a.seed
    );
    let mut r = rng::stream(a.seed, 1);
    let search = bh.run(&pot, &start.positions, a.steps, connect, &mut r, |p| {
        println!(
            "  step {:>7}: current {:.6} eV, best {:.6} eV, acceptance {:.2}, step {:.2} Å",
            p.step, p.current, p.best, p.acceptance, p.step_size
        );
    });
    println!(
        "{} distinct minima; {} accepted, {} fragments rejected, {} force evaluations",
        search.minima.len(),
        search.accepted,
        search.fragments,
        search.force_evaluations
    );
    println!("  rank      energy (eV)   E/N (eV/atom)   ΔR (Å)   hits  first step");
    for (k, m) in search.minima.iter().take(a.list).enumerate() {
        println!(
            "  {:>4} {:16.6} {:15.6} {:8.3} {:6} {:11}",
            k + 1,
            m.energy,
            m.energy / n as f64,
            m.delta_r,
            m.hits,
            m.first_step
        );
    }
    let best = &search.minima[0];
    let (positions, refined) = quench(
        &mut Lbfgs::default(),
        &pot,
        &best.positions,
        Convergence {
            fmax: 1e-6,
            max_iterations: 10_000,
        },
    );
    let mut out = Structure::new(pot.element(), positions, "");
    out.positions
        .translate(out.positions.centroid().map(|c| -c));
    out.comment = format!(
        "lowest minimum of pelt basin-hop --steps {} --seed {} --temperature {}",
        a.steps, a.seed, a.temperature
    );
    let info = [
        ("energy", format!("{:.10}", refined.energy)),
        ("max_force", format!("{:.2e}", refined.max_force)),
        ("potential", xyz::file_name(&a.potential)),
        ("pelt_version", pelt::version::PELT_VERSION.to_string()),
    ];
    xyz::write_new(&a.output, &xyz::to_string(&out, true, &info), a.force)?;
    println!(
        "lowest: {:.10} eV ({:.6} eV/atom), max |F| {:.1e} eV/Å -> {}",
        refined.energy,
        refined.energy / n as f64,
        refined.max_force,
        a.output.display()
    );
    Ok(())
}

fn median_nearest_neighbour(p: &pelt::system::Coords) -> f64 {
    let n = p.len();
    let mut d: Vec<f64> = (0..n)
        .map(|i| {
            (0..n)
                .filter(|&j| j != i)
                .map(|j| p.distance(i, j))
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    d.sort_by(f64::total_cmp);
    d[n / 2]
}
