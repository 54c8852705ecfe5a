use anyhow::Result;
use clap::{Args, ValueEnum};
use pelt::minimize::{quench, Convergence, Fire, Lbfgs, Minimizer, Termination};
use pelt::potential;
use pelt::system::{xyz, Structure};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Method {
    Lbfgs,
    Fire,
}

#[derive(Args, Debug)]
pub struct QuenchArgs {
    /// Potential file (.eam.alloy, .eam.fs, .eam).
    #[arg(long)]
    potential: PathBuf,
    /// Structure to quench (xyz or extended xyz).
    structure: PathBuf,
    /// Where to write the minimised structure (extended xyz with its energy and the forces
    /// at the minimum).
    #[arg(short, long)]
    output: PathBuf,
    /// Minimiser.
    #[arg(long, value_enum, default_value = "lbfgs")]
    minimizer: Method,
    /// Converged when max |F| ≤ this (eV/Å).
    #[arg(long, default_value_t = 1e-6)]
    fmax: f64,
    /// Iteration limit.
    #[arg(long, default_value_t = 10_000)]
    max_iterations: usize,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(a: QuenchArgs) -> Result<()> {
    if !(a.fmax > 0.0 && a.fmax.is_finite()) {
        anyhow::bail!("--fmax {}: expected a positive force in eV/A", a.fmax);
    }
    // Refuse before the work, not after it.
    xyz::ensure_writable(&a.output, a.force)?;
    let pot = potential::load(&a.potential)?;
    let s = xyz::read(&a.structure)?;
    let mut min: Box<dyn Minimizer> = match a.minimizer {
        Method::Lbfgs => Box::new(Lbfgs::default()),
        Method::Fire => Box::new(Fire::default()),
    };
    let conv = Convergence {
        fmax: a.fmax,
        max_iterations: a.max_iterations,
    };
    let e0 = pelt::potential::Potential::energy(&pot, &s.positions);
    let (pos, out) = quench(min.as_mut(), &pot, &s.positions, conv);
    let n = s.len() as f64;
    println!("minimizer:         {}", min.name());
    println!("initial energy:    {e0} eV");
    println!(
        "energy:            {} eV ({} eV/atom)",
        out.energy,
        out.energy / n
    );
    println!("max |F|:           {:.3e} eV/A", out.max_force);
    println!("iterations:        {}", out.iterations);
    println!("force evaluations: {}", out.force_evaluations);
    let status = match out.termination {
        Termination::Converged => "converged",
        Termination::IterationLimit => "iteration limit reached (NOT converged)",
    };
    println!("termination:       {status}");
    let q = Structure {
        symbols: s.symbols.clone(),
        positions: pos,
        comment: format!(
            "quenched from {} by pelt ({})",
            a.structure.display(),
            min.name()
        ),
    };
    let info = [
        ("energy", format!("{}", out.energy)),
        ("max_force", format!("{:e}", out.max_force)),
        (
            "converged",
            (out.termination == Termination::Converged).to_string(),
        ),
        ("potential", xyz::file_name(&a.potential)),
        ("pelt_version", pelt::version::PELT_VERSION.to_string()),
    ];
    // Forces at the minimum (eV/Å, of φ): readers such as ASE's get_forces() find them.
    let mut eval = pelt::potential::Evaluation::new(q.len());
    pelt::potential::Potential::compute(&pot, &q.positions, &mut eval);
    let text = xyz::to_extxyz(&q, &info, Some(&eval.forces));
    xyz::write_new(&a.output, &text, a.force)?;
    log::info!("wrote {}", a.output.display());
    Ok(())
}
