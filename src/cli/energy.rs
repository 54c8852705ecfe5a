use anyhow::{bail, Context, Result};
use clap::Args;
use pelt::potential::{self, Evaluation, Potential, Precision};
use pelt::system::xyz;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct EnergyArgs {
    /// Potential file (.eam.alloy setfl, .eam.fs Finnis–Sinclair, .eam funcfl).
    #[arg(long)]
    potential: PathBuf,
    /// Structure file (xyz or extended xyz).
    structure: PathBuf,
    /// Also print the force on every atom (eV/Å).
    #[arg(long)]
    forces: bool,
    /// Print one JSON object {"natoms", "energy", "energy_per_atom", "precision", "forces"}
    /// and nothing else.
    #[arg(long)]
    json: bool,
    /// Precision of the pair terms: double (exact f64, the default here) or mixed (f32 pair
    /// terms with f64 sums, what `pelt run` uses by default).
    #[arg(long, default_value = "double", value_parser = parse_precision)]
    precision: Precision,
}

fn parse_precision(s: &str) -> std::result::Result<Precision, String> {
    Precision::from_name(s).ok_or_else(|| format!("{s:?}: expected double or mixed"))
}

pub fn run(a: EnergyArgs) -> Result<()> {
    let pot = potential::load(&a.potential)?.with_precision(a.precision);
    let s = xyz::read(&a.structure)?;
    if let Some((i, sym)) = s
        .symbols
        .iter()
        .enumerate()
        .find(|(_, e)| *e != pot.element())
    {
        bail!(
            "{}:{}: atom {} is '{sym}', but the potential {} is for {}",
            a.structure.display(),
            i + 3,
            i + 1,
            pot.name(),
            pot.element()
        );
    }
    let mut ev = Evaluation::new(s.len());
    pot.compute(&s.positions, &mut ev);
    let n = s.len();
    if a.json {
        let forces: Vec<[f64; 3]> = ev.forces.to_points();
        let obj = serde_json::json!({
            "natoms": n,
            "energy": ev.energy,
            "energy_per_atom": ev.energy / n as f64,
            "precision": pot.effective_precision().name(),
            "forces": forces,
        });
        println!("{}", serde_json::to_string(&obj).context("writing JSON")?);
        return Ok(());
    }
    println!("structure: {} ({n} atoms)", a.structure.display());
    println!(
        "potential: {} ({}, cutoff {} A; {} kernel, {} precision)",
        pot.name(),
        pot.format().lammps_style(),
        pot.cutoff(),
        pot.kernel(),
        pot.effective_precision()
    );
    println!("energy:          {} eV", ev.energy);
    println!("energy per atom: {} eV/atom", ev.energy / n as f64);
    println!("max |F|:         {:.6e} eV/A", ev.max_force());
    let max_rho = ev.density.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    println!(
        "max density:     {max_rho:.6} (table ends at {:.6}{})",
        pot.rho_max(),
        if max_rho > pot.rho_max() {
            "; F continued linearly"
        } else {
            ""
        }
    );
    if a.forces {
        println!(
            "{:>5} {:>22} {:>22} {:>22}",
            "atom", "fx (eV/A)", "fy (eV/A)", "fz (eV/A)"
        );
        for i in 0..n {
            let f = ev.forces.get(i);
            println!(
                "{:>5} {:>22.15e} {:>22.15e} {:>22.15e}",
                i + 1,
                f[0],
                f[1],
                f[2]
            );
        }
    }
    Ok(())
}
