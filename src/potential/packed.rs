//! The spline coefficients rearranged for SIMD kernels: one 64-byte line per r interval
//! holding the value cubics of ρ(r) and r·φ(r), so one pair's table reads touch one cache
//! line, and the derivatives come from the same four numbers by synthetic division.

use super::Spline;

/// One r interval: `[ρ: c₃, c₂, c₁, c₀, rφ: c₃, c₂, c₁, c₀]`, value = ((c₃p + c₂)p + c₁)p + c₀;
/// one cache line.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(64))]
pub(crate) struct Line64(pub [f64; 8]);

/// [`Line64`] rounded to f32 for the mixed-precision kernels: half a cache line.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(32))]
pub(crate) struct Line32(pub [f32; 8]);

/// One ρ interval of the embedding function: `[c₃, c₂, c₁, c₀]`.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(32))]
pub(crate) struct EmbedLine(pub [f64; 4]);

/// Packed tables of one single-element EAM potential, on LAMMPS's grids and lookup rule.
#[derive(Clone, Debug)]
pub(crate) struct Packed {
    /// Per r interval (0-based, as [`Spline::locate`] returns).
    pub pair: Vec<Line64>,
    /// The same lines in f32.
    pub pair32: Vec<Line32>,
    /// 1/dr.
    pub inv_dr: f64,
    /// Number of r nodes − 1, the largest 1-based interval LAMMPS's lookup allows.
    pub r_last: f64,
    /// Per ρ interval.
    pub embed: Vec<EmbedLine>,
    /// 1/drho.
    pub inv_drho: f64,
    /// Number of ρ nodes − 1.
    pub rho_last: f64,
    /// End of the embedding table (F continues linearly past it).
    pub rho_max: f64,
}

fn value_coefficients(c: &[f64; 7]) -> [f64; 4] {
    [c[3], c[4], c[5], c[6]]
}

impl Packed {
    /// Pack the three splines. ρ(r) and r·φ(r) share LAMMPS's r grid in every format.
    pub fn new(density: &Spline, rphi: &Spline, embed: &Spline, rho_max: f64) -> Packed {
        assert_eq!(density.len(), rphi.len(), "ρ(r) and rφ(r) share one r grid");
        let pair: Vec<Line64> = density
            .coefficients()
            .iter()
            .zip(rphi.coefficients())
            .map(|(d, z)| {
                let (d, z) = (value_coefficients(d), value_coefficients(z));
                Line64([d[0], d[1], d[2], d[3], z[0], z[1], z[2], z[3]])
            })
            .collect();
        let pair32 = pair.iter().map(|l| Line32(l.0.map(|c| c as f32))).collect();
        Packed {
            pair,
            pair32,
            inv_dr: density.inv_spacing(),
            r_last: (density.len() - 1) as f64,
            embed: embed
                .coefficients()
                .iter()
                .map(|c| EmbedLine(value_coefficients(c)))
                .collect(),
            inv_drho: embed.inv_spacing(),
            rho_last: (embed.len() - 1) as f64,
            rho_max,
        }
    }
}

/// Pointers (as `*const E`) to the table lines of `L` lanes whose intervals are `k[0..L]`.
///
/// # Safety
/// `k` must point to `L` indices, each inside the table that starts at `table`.
#[inline(always)]
pub(crate) unsafe fn lines<T, E, const L: usize>(table: *const T, k: *const i32) -> [*const E; L] {
    // SAFETY: the caller guarantees L readable indices inside the table.
    std::array::from_fn(|l| unsafe { table.add(*k.add(l) as usize).cast::<E>() })
}
