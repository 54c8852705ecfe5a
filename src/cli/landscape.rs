use anyhow::{bail, Context, Result};
use clap::Args;
use pelt::landscape::Transform;
use pelt::potential::{self, Potential};
use pelt::system::xyz;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct LandscapeArgs {
    /// Number of atoms N (taken from --structure when that is given).
    #[arg(long, required_unless_present = "structure")]
    atoms: Option<usize>,
    /// φ0 per atom (eV/atom); the transform acts below φ0 = N · this.
    #[arg(long, allow_hyphen_values = true)]
    phi0_per_atom: f64,
    /// Exponent m (even, ≥ 2).
    #[arg(long)]
    m: u32,
    /// ε (eV^(1−m)); > 0 flattens the landscape, < 0 steepens it.
    #[arg(long, allow_hyphen_values = true)]
    eps: f64,
    /// A total potential energy to judge (eV), e.g. the ground state's.
    #[arg(long, allow_hyphen_values = true, conflicts_with = "structure")]
    reference_energy: Option<f64>,
    /// A structure whose energy (with --potential) is the reference energy.
    #[arg(long, requires = "potential")]
    structure: Option<PathBuf>,
    /// Potential file for --structure.
    #[arg(long, requires = "structure")]
    potential: Option<PathBuf>,
    /// Print one JSON object and nothing else.
    #[arg(long)]
    json: bool,
}

pub fn run(a: LandscapeArgs) -> Result<()> {
    let (natoms, eref) = match (&a.structure, &a.potential) {
        (Some(s), Some(p)) => {
            let pot = potential::load(p)?;
            let st = xyz::read(s)?;
            if let Some(n) = a.atoms.filter(|&n| n != st.len()) {
                bail!(
                    "--atoms {n} disagrees with {}, which holds {} atoms",
                    s.display(),
                    st.len()
                );
            }
            (st.len(), Some(pot.energy(&st.positions)))
        }
        _ => (a.atoms.unwrap_or(0), a.reference_energy),
    };
    let t = Transform::per_atom(a.eps, a.phi0_per_atom, a.m, natoms)
        .context("invalid landscape parameters")?;
    let n = natoms as f64;
    let phi_s = t.stationary_energy();
    let s_ref = eref.map(|e| t.factor(e));
    let verdict = verdict(&t, eref, n);
    if a.json {
        let obj = serde_json::json!({
            "natoms": natoms,
            "eps": t.eps(),
            "m": t.m(),
            "phi0": t.phi0(),
            "phi0_per_atom": a.phi0_per_atom,
            "phi_s": phi_s,
            "phi_s_per_atom": phi_s.map(|p| p / n),
            "reference_energy": eref,
            "s_reference": s_ref,
            "phi_star_reference": eref.map(|e| t.energy(e)),
            "reference_inverted": s_ref.map(|s| s <= 0.0),
            "verdict": verdict,
        });
        println!("{}", serde_json::to_string(&obj)?);
        return Ok(());
    }
    println!("landscape transform  phi* = phi + eps (phi - phi0)^m  for phi <= phi0");
    println!("  N = {natoms}, eps = {:e}, m = {}", t.eps(), t.m());
    if let (Some(s), Some(e)) = (&a.structure, eref) {
        println!("  reference: {} (E_ref = {e} eV)", s.display());
    }
    println!(
        "  phi0 = {:.6} eV ({:.6} eV/atom)",
        t.phi0(),
        a.phi0_per_atom
    );
    match phi_s {
        Some(p) => println!(
            "  phi_s = {p:.6} eV ({:.6} eV/atom): s <= 0 for every phi <= phi_s",
            p / n
        ),
        None => println!("  phi_s: none (eps <= 0, so s >= 1 for every phi <= phi0)"),
    }
    if let (Some(e), Some(s)) = (eref, s_ref) {
        println!(
            "  at E_ref = {e:.6} eV ({:.6} eV/atom): s = {s:.6}, phi* = {:.6} eV",
            e / n,
            t.energy(e)
        );
    }
    println!("verdict: {verdict}");
    Ok(())
}

/// The plain-words judgement of the transform at the reference energy.
fn verdict(t: &Transform, eref: Option<f64>, n: f64) -> String {
    if t.is_identity() {
        return "eps = 0: phi* = phi, the landscape is unchanged.".into();
    }
    let Some(phi_s) = t.stationary_energy() else {
        let scale = eref
            .map(|e| {
                let s = t.factor(e);
                format!(
                    " At E_ref forces are scaled by s = {s:.3}{}.",
                    if s > 2.0 {
                        "; use a shorter time step (about 1 fs)"
                    } else {
                        ""
                    }
                )
            })
            .unwrap_or_default();
        return format!(
            "eps < 0 steepens the landscape below phi0: s >= 1 everywhere, no forces reverse and no stationary points are added.{scale}"
        );
    };
    let head = format!(
        "forces reverse (s <= 0) below phi_s = {phi_s:.2} eV ({:.4} eV/atom), where phi* has new stationary points.",
        phi_s / n
    );
    match eref {
        None => format!("{head} Give --reference-energy to judge a structure."),
        Some(e) if e <= phi_s => format!(
            "{head} The reference structure (E_ref = {e:.4} eV) lies {:.2} eV below phi_s, where s = {:.3}: it becomes a MAXIMUM of phi*, forces there point uphill, and dynamics started from it is driven away from it toward phi_s.",
            phi_s - e,
            t.factor(e)
        ),
        Some(e) if e > t.phi0() => format!(
            "{head} The reference energy lies above phi0, where the transform is inactive (s = 1)."
        ),
        Some(e) => format!(
            "{head} The reference structure (E_ref = {e:.4} eV) lies {:.2} eV above phi_s: s = {:.3} > 0 there, so it stays a minimum, with forces scaled down by that factor (a flatter landscape). If it is the global minimum, no configuration reaches phi_s and no force ever reverses.",
            e - phi_s,
            t.factor(e)
        ),
    }
}
