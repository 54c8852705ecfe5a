//! DYNAMO setfl (LAMMPS `eam/alloy`) and Finnis–Sinclair setfl (`eam/fs`), single element.
//!
//! Lines 1–3: comments. Line 4: element count and names. Line 5: Nrho drho Nr dr cutoff.
//! Then per element a line "Z mass a0 lattice", Nrho values of F(ρ) and Nr values of ρ(r)
//! (eam/fs: one ρ block per element pair), then Nr values of r·φ(r) (eV·Å). For a single
//! element the two layouts are the same, so one reader serves both.

use super::tokens::{field, Tokens};
use super::{EamTables, PotentialError};
use std::path::Path;

/// Grid header shared by the formats: Nrho drho Nr dr cutoff, checked.
pub(super) struct Grid {
    pub nrho: usize,
    pub drho: f64,
    pub nr: usize,
    pub dr: f64,
    pub cutoff: f64,
}

pub(super) fn grid(t: &Tokens, line: usize, text: &str) -> Result<Grid, PotentialError> {
    let mut it = text.split_whitespace();
    let what = "Nrho drho Nr dr cutoff";
    let g = Grid {
        nrho: field(
            t,
            line,
            it.next(),
            &format!("Nrho (an integer; the line holds {what})"),
        )?,
        drho: field(
            t,
            line,
            it.next(),
            &format!("drho (a number; the line holds {what})"),
        )?,
        nr: field(
            t,
            line,
            it.next(),
            &format!("Nr (an integer; the line holds {what})"),
        )?,
        dr: field(
            t,
            line,
            it.next(),
            &format!("dr (a number; the line holds {what})"),
        )?,
        cutoff: field(
            t,
            line,
            it.next(),
            &format!("cutoff (a number; the line holds {what})"),
        )?,
    };
    for (name, n) in [("Nrho", g.nrho), ("Nr", g.nr)] {
        if n < 5 {
            return Err(t.error(
                line,
                format!("{name} = {n}; expected at least 5 grid points"),
            ));
        }
        if n > 10_000_000 {
            return Err(t.error(
                line,
                format!("{name} = {n}; expected at most 10000000 grid points"),
            ));
        }
    }
    for (name, v) in [("drho", g.drho), ("dr", g.dr), ("cutoff", g.cutoff)] {
        if !(v.is_finite() && v > 0.0) {
            return Err(t.error(
                line,
                format!("{name} = {v}; expected a positive spacing/length"),
            ));
        }
    }
    // LAMMPS clamps r to the table's last interval; a cutoff far beyond the table means the
    // header does not describe the data. One grid step of slack covers files (Al99) whose
    // cutoff is Nr·dr rather than (Nr−1)·dr.
    let r_end = g.nr as f64 * g.dr;
    if g.cutoff > r_end * (1.0 + 1e-9) {
        return Err(t.error(
            line,
            format!(
                "cutoff {} Å lies beyond the r table, which ends at Nr·dr = {r_end} Å",
                g.cutoff
            ),
        ));
    }
    Ok(g)
}

/// Parse "Z mass [a0 lattice]"; returns the mass.
pub(super) fn element_line(t: &Tokens, line: usize, text: &str) -> Result<f64, PotentialError> {
    let mut it = text.split_whitespace();
    let _z: f64 = field(
        t,
        line,
        it.next(),
        "the atomic number (line: Z mass a0 lattice)",
    )?;
    let mass: f64 = field(
        t,
        line,
        it.next(),
        "the mass in amu (line: Z mass a0 lattice)",
    )?;
    if !(mass.is_finite() && mass > 0.0) {
        return Err(t.error(
            line,
            format!("mass = {mass}; expected a positive mass in amu"),
        ));
    }
    Ok(mass)
}

pub(super) fn parse(text: &str, path: &Path) -> Result<EamTables, PotentialError> {
    let mut t = Tokens::new(path, text);
    for k in 1..=3 {
        t.line(&format!("comment line {k} of 3"))?;
    }
    let (l4, elements) = t.line("the element count and names (line 4)")?;
    let mut it = elements.split_whitespace();
    let count: i64 = field(
        &t,
        l4,
        it.next(),
        "the number of elements followed by their names",
    )?;
    let names: Vec<&str> = it.collect();
    if count < 1 {
        return Err(t.error(l4, format!("{count} elements; expected at least 1")));
    }
    if names.len() != count as usize {
        return Err(t.error(
            l4,
            format!(
                "the line says {count} element(s) but names {} ({}); expected the count followed by that many names",
                names.len(),
                names.join(" ")
            ),
        ));
    }
    if count != 1 {
        return Err(t.error(
            l4,
            format!(
                "{count} elements ({}); pelt reads single-element files (expected 1)",
                names.join(", ")
            ),
        ));
    }
    let (l5, gline) = t.line("Nrho drho Nr dr cutoff (line 5)")?;
    let g = grid(&t, l5, gline)?;
    let (l6, eline) = t.line("the element line: Z mass a0 lattice")?;
    let mass = element_line(&t, l6, eline)?;
    let why_rho = format!("Nrho = {} on line {l5}", g.nrho);
    let why_r = format!("Nr = {} on line {l5}", g.nr);
    let embed = t.values(g.nrho, "F(rho)", &why_rho)?;
    let density = t.values(g.nr, "rho(r)", &why_r)?;
    let rphi = t.values(g.nr, "r*phi(r)", &why_r)?;
    let total = g.nrho + 2 * g.nr;
    t.finish(&format!(
        "Nrho + 2·Nr = {total} values (line {l5}: Nrho = {}, Nr = {})",
        g.nrho, g.nr
    ))?;
    Ok(EamTables {
        element: names[0].to_string(),
        mass,
        embed,
        drho: g.drho,
        density,
        rphi,
        dr: g.dr,
        cutoff: g.cutoff,
    })
}
