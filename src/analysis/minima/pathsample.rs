//! PATHSAMPLE's database of minima (D. J. Wales, PATHSAMPLE documentation,
//! <http://www-wales.ch.cam.ac.uk/PATHSAMPLE>; the layout below is that of the files in the
//! Wales group's worked example `wales-group/examples`, LJ38/04_Creating_PATHSAMPLE_database):
//!
//! - `min.data`: one line per minimum, free format: the energy, ln of the product of the
//!   positive eigenvalues of the mass-weighted Hessian (Σ ln ω², here ω in rad/ps, so the
//!   rate prefactors PATHSAMPLE derives come out in ps⁻¹), the order of the point group, and
//!   the three principal moments of inertia (here amu Å²). Minimum i is line i (from 1).
//! - `points.min`: the coordinates, a direct-access binary file of 8-byte reals with one
//!   record of 3N values (x₁ y₁ z₁ x₂ …, Å) per minimum and no record markers, in the
//!   machine's byte order (little-endian on x86-64).

use super::align::P3;

/// One line of `min.data`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MinData {
    /// Energy (eV).
    pub energy: f64,
    /// Σ ln ω² over the positive vibrational modes (ω in rad/ps).
    pub ln_product_eigenvalues: f64,
    /// Point-group order.
    pub order: usize,
    /// Principal moments of inertia (amu Å²), ascending.
    pub inertia: [f64; 3],
}

/// The text of `min.data`.
pub fn min_data(rows: &[MinData]) -> String {
    rows.iter()
        .map(|r| {
            format!(
                "{:>25} {:>25.15} {:>5} {:>20.10} {:>20.10} {:>20.10}\n",
                r.energy,
                r.ln_product_eigenvalues,
                r.order,
                r.inertia[0],
                r.inertia[1],
                r.inertia[2]
            )
        })
        .collect()
}

/// Parse `min.data` (`what` names the file in errors).
pub fn read_min_data(text: &str, what: &str) -> Result<Vec<MinData>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let bad = |m: &str| format!("{what}:{}: {m}; expected six columns: energy, ln product of eigenvalues, point-group order, three moments of inertia", i + 1);
            if f.len() != 6 {
                return Err(bad(&format!("{} columns", f.len())));
            }
            let num = |s: &str| s.parse::<f64>().map_err(|_| bad(&format!("{s:?} is not a number")));
            Ok(MinData {
                energy: num(f[0])?,
                ln_product_eigenvalues: num(f[1])?,
                order: f[2]
                    .parse()
                    .map_err(|_| bad(&format!("order {:?} is not a whole number", f[2])))?,
                inertia: [num(f[3])?, num(f[4])?, num(f[5])?],
            })
        })
        .collect()
}

/// The bytes of `points.min`.
pub fn points_min(minima: &[&[P3]]) -> Vec<u8> {
    minima
        .iter()
        .flat_map(|m| m.iter().flatten())
        .flat_map(|x| x.to_ne_bytes())
        .collect()
}

/// Parse `points.min` of `atoms` atoms per record.
pub fn read_points_min(bytes: &[u8], atoms: usize, what: &str) -> Result<Vec<Vec<P3>>, String> {
    let record = 24 * atoms;
    if record == 0 || !bytes.len().is_multiple_of(record) {
        return Err(format!(
            "{what}: {} bytes is not a whole number of records of {atoms} atoms ({record} bytes each)",
            bytes.len()
        ));
    }
    Ok(bytes
        .chunks_exact(record)
        .map(|r| {
            r.chunks_exact(24)
                .map(|p| {
                    let x = |k: usize| {
                        f64::from_ne_bytes(p[8 * k..8 * k + 8].try_into().expect("8 bytes"))
                    };
                    [x(0), x(1), x(2)]
                })
                .collect()
        })
        .collect())
}
