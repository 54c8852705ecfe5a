//! `pelt compare A.xyz B.xyz`: are two structures the same minimum? Their minimum
//! permutational distance (best translation, rotation, permutation of identical atoms and,
//! by default, mirror image) and their energy difference against tolerances.

use anyhow::{bail, Context, Result};
use clap::Args;
use pelt::analysis::minima::catalogue::{self, Tolerances};
use pelt::potential::{self, Potential};
use pelt::system::{xyz, Structure};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// First structure (xyz or extended xyz).
    a: PathBuf,
    /// Second structure.
    b: PathBuf,
    /// Potential for the energies (without it the geometry alone decides and the energy
    /// difference is not reported).
    #[arg(long)]
    potential: Option<PathBuf>,
    #[command(flatten)]
    same: SameMinimum,
    /// Print one JSON object {"same", "distance", "energy_difference", "mirrored"} and
    /// nothing else.
    #[arg(long)]
    json: bool,
}

/// When two structures are one minimum, as the command line sets it.
#[derive(Args, Debug)]
pub struct SameMinimum {
    /// Largest minimum permutational distance of one minimum (Å, the norm over all 3N
    /// coordinates).
    #[arg(long, default_value_t = Tolerances::default().distance)]
    distance_tolerance: f64,
    /// Largest energy difference of one minimum (eV).
    #[arg(long, default_value_t = Tolerances::default().energy)]
    energy_tolerance: f64,
    /// Keep mirror images (enantiomers) apart: only proper rotations.
    #[arg(long)]
    distinguish_enantiomers: bool,
}

impl SameMinimum {
    /// The tolerances, checked.
    pub fn tolerances(&self) -> Result<Tolerances> {
        let check = |name: &str, v: f64, unit: &str| -> Result<f64> {
            if !(v.is_finite() && v >= 0.0) {
                bail!("--{name} {v}: expected a finite number ≥ 0 ({unit})");
            }
            Ok(v)
        };
        Ok(Tolerances {
            distance: check("distance-tolerance", self.distance_tolerance, "Å")?,
            energy: check("energy-tolerance", self.energy_tolerance, "eV")?,
            mirror: !self.distinguish_enantiomers,
        })
    }
}

fn read(path: &Path) -> Result<Structure> {
    let s = xyz::read(path)?;
    if s.is_empty() {
        bail!("{}: no atoms", path.display());
    }
    if let Some((i, e)) = s
        .symbols
        .iter()
        .enumerate()
        .find(|(_, e)| **e != s.symbols[0])
    {
        bail!(
            "{}:{}: atom {} is '{e}' but atom 1 is '{}'; pelt compare permutes identical \
             atoms and takes one-element clusters",
            path.display(),
            i + 3,
            i + 1,
            s.symbols[0]
        );
    }
    Ok(s)
}

pub fn run(a: CompareArgs) -> Result<()> {
    let tol = a.same.tolerances()?;
    let sa = read(&a.a)?;
    let sb = read(&a.b)?;
    if sa.len() != sb.len() {
        bail!(
            "{} has {} atoms and {} has {}: structures of different sizes are never the same \
             minimum",
            a.a.display(),
            sa.len(),
            a.b.display(),
            sb.len()
        );
    }
    if sa.symbols[0] != sb.symbols[0] {
        bail!(
            "{} is {} and {} is {}: different elements",
            a.a.display(),
            sa.symbols[0],
            a.b.display(),
            sb.symbols[0]
        );
    }
    let (ea, eb) = match &a.potential {
        Some(p) => {
            let pot = potential::load(p)?;
            if pot.element() != sa.symbols[0] {
                bail!(
                    "{}: the structures are {}, but the potential {} is for {}",
                    a.a.display(),
                    sa.symbols[0],
                    p.display(),
                    pot.element()
                );
            }
            (pot.energy(&sa.positions), pot.energy(&sb.positions))
        }
        None => (f64::NAN, f64::NAN),
    };
    let v = catalogue::compare(
        &sa.positions.to_points(),
        ea,
        &sb.positions.to_points(),
        eb,
        tol,
    );
    if a.json {
        let de = if v.energy_difference.is_finite() {
            serde_json::json!(v.energy_difference)
        } else {
            serde_json::Value::Null
        };
        let obj = serde_json::json!({
            "same": v.same,
            "distance": v.distance,
            "energy_difference": de,
            "mirrored": v.mirrored,
        });
        println!("{}", serde_json::to_string(&obj).context("writing JSON")?);
        return Ok(());
    }
    let n = sa.len();
    println!("A: {} ({n} atoms{})", a.a.display(), energy_text(ea));
    println!("B: {} ({n} atoms{})", a.b.display(), energy_text(eb));
    println!(
        "distance: {:.6} A (RMS {:.6} A per atom), over translations, rotations{}, and \
         permutations{}",
        v.distance,
        v.distance / (n as f64).sqrt(),
        if tol.mirror { ", mirror images" } else { "" },
        if v.mirrored {
            "; B is aligned as a mirror image"
        } else {
            ""
        }
    );
    if v.energy_difference.is_finite() {
        println!(
            "energy difference E_B - E_A: {:+.6e} eV",
            v.energy_difference
        );
    } else {
        println!("energy difference: not computed (no --potential); the geometry alone decides");
    }
    println!(
        "{} (tolerances: distance {} A, energy {} eV)",
        if v.same {
            "same minimum"
        } else {
            "different minima"
        },
        tol.distance,
        tol.energy
    );
    Ok(())
}

fn energy_text(e: f64) -> String {
    if e.is_finite() {
        format!(", E = {e:.6} eV")
    } else {
        String::new()
    }
}
