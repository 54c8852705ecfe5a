//! DYNAMO funcfl (LAMMPS `pair_style eam`), converted to LAMMPS's internal tables.
//!
//! Line 1: comment. Line 2: "Z mass a0 lattice". Line 3: Nrho drho Nr dr cutoff. Then Nrho
//! values of F(ρ), Nr values of Z(r) and Nr values of ρ(r). The pair term is
//! r·φ(r) = 27.2·0.529·Z(r)² (eV·Å).
//!
//! LAMMPS (`PairEAM::file2array`) resamples funcfl tables onto its own grid with four-point
//! Lagrange interpolation, and its grid has one point fewer than the file
//! (nr = ⌊(Nr − 1)·dr/dr + 0.5⌋). For one file the resampling returns the file's own values
//! at the nodes, but the last node is dropped, so the end slopes (and ρ_max) differ from a
//! spline through all the file's points. pelt does the same to agree with LAMMPS.

use super::setfl::{element_line, grid};
use super::tokens::Tokens;
use super::{EamTables, PotentialError};
use crate::units::FUNCFL_HARTREE_BOHR;
use std::path::Path;

/// LAMMPS's four-point Lagrange resampling of `f` (spacing `h`) onto `n` points of spacing
/// `h_new`, index arithmetic as in `PairEAM::file2array` (1-based there).
fn resample(f: &[f64], h: f64, n: usize, h_new: f64) -> Vec<f64> {
    let sixth = 1.0 / 6.0;
    let nf = f.len() as i64;
    (1..=n)
        .map(|m| {
            let r = (m - 1) as f64 * h_new;
            let mut p = r / h + 1.0;
            let k = (p as i64).min(nf - 2).max(2);
            p -= k as f64;
            p = p.min(2.0);
            let cof1 = -sixth * p * (p - 1.0) * (p - 2.0);
            let cof2 = 0.5 * (p * p - 1.0) * (p - 2.0);
            let cof3 = -0.5 * p * (p + 1.0) * (p - 2.0);
            let cof4 = sixth * p * (p * p - 1.0);
            let k = k as usize;
            cof1 * f[k - 2] + cof2 * f[k - 1] + cof3 * f[k] + cof4 * f[k + 1]
        })
        .collect()
}

pub(super) fn parse(text: &str, path: &Path) -> Result<EamTables, PotentialError> {
    let mut t = Tokens::new(path, text);
    t.line("a comment line")?;
    let (l2, eline) = t.line("the element line: Z mass a0 lattice (line 2)")?;
    let mass = element_line(&t, l2, eline)?;
    let (l3, gline) = t.line("Nrho drho Nr dr cutoff (line 3)")?;
    let g = grid(&t, l3, gline)?;
    if g.nrho < 6 || g.nr < 6 {
        return Err(t.error(
            l3,
            format!(
                "Nrho = {}, Nr = {}; funcfl needs at least 6 points each (LAMMPS drops the last one)",
                g.nrho, g.nr
            ),
        ));
    }
    let why_rho = format!("Nrho = {} on line {l3}", g.nrho);
    let why_r = format!("Nr = {} on line {l3}", g.nr);
    let embed = t.values(g.nrho, "F(rho)", &why_rho)?;
    let zr = t.values(g.nr, "Z(r)", &why_r)?;
    let rho = t.values(g.nr, "rho(r)", &why_r)?;
    t.finish(&format!(
        "Nrho + 2·Nr = {} values (line {l3}: Nrho = {}, Nr = {})",
        g.nrho + 2 * g.nr,
        g.nrho,
        g.nr
    ))?;

    let nrho = (((g.nrho - 1) as f64 * g.drho) / g.drho + 0.5) as usize;
    let nr = (((g.nr - 1) as f64 * g.dr) / g.dr + 0.5) as usize;
    let embed = resample(&embed, g.drho, nrho, g.drho);
    let density = resample(&rho, g.dr, nr, g.dr);
    let z = resample(&zr, g.dr, nr, g.dr);
    let rphi = z.iter().map(|&zi| FUNCFL_HARTREE_BOHR * zi * zi).collect();
    let element = element_from_z(eline);
    Ok(EamTables {
        element,
        mass,
        embed,
        drho: g.drho,
        density,
        rphi,
        dr: g.dr,
        cutoff: g.cutoff,
    })
}

/// funcfl names no element; take it from the atomic number where pelt knows it.
fn element_from_z(line: &str) -> String {
    let z: u32 = line
        .split_whitespace()
        .next()
        .and_then(|t| t.parse::<f64>().ok())
        .map(|v| v as u32)
        .unwrap_or(0);
    crate::system::ELEMENTS
        .iter()
        .find(|&&(_, n)| n == z)
        .map_or("X", |&(s, _)| s)
        .to_string()
}
