//! Working buffers of the SIMD kernels, padded to whole chunks.

use super::Evaluation;
use crate::system::Coords;

/// Copy `pos` into the padded buffers of `out` (sized for chunks of `lanes`), run `kernel`
/// on them, and copy energy, forces, densities and U'(n) back into `out`.
pub(crate) fn evaluate(
    pos: &Coords,
    out: &mut Evaluation,
    lanes: usize,
    kernel: impl FnOnce(&mut Scratch) -> f64,
) {
    let n = pos.len();
    let s = &mut out.scratch;
    s.fit(n, lanes);
    s.x[..n].copy_from_slice(pos.x());
    s.y[..n].copy_from_slice(pos.y());
    s.z[..n].copy_from_slice(pos.z());
    out.energy = kernel(s);
    out.density.copy_from_slice(&s.rho[..n]);
    out.embedding_derivative.copy_from_slice(&s.fp[..n]);
    let (fx, fy, fz) = out.forces.xyz_mut();
    fx.copy_from_slice(&s.fx[..n]);
    fy.copy_from_slice(&s.fy[..n]);
    fz.copy_from_slice(&s.fz[..n]);
}

/// Far-away position of the padding atoms: r² ≈ 1e200 is finite and beyond any cutoff.
pub(crate) const SENTINEL: f64 = 1e100;

/// Buffers of the kernel, padded to whole chunks and sized once per atom count.
///
/// A *chunk* is one pair per lane, (i, j..j+lanes) with j a multiple of the lane count. Pass 1 lists the live chunks
/// (any pair inside the cutoff) and then runs short stages over that list, each storing
/// what the next needs: one long loop body (distance → 1/r → lookup → cubics → sums) is a
/// ~130-cycle dependency chain of ~100 instructions, and the out-of-order window then
/// holds only two or three chunks; short stages keep it full.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch {
    pub n: usize,
    /// Lanes per chunk the buffers were sized for.
    lanes: usize,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub z: Vec<f64>,
    pub rho: Vec<f64>,
    pub fp: Vec<f64>,
    pub fx: Vec<f64>,
    pub fy: Vec<f64>,
    pub fz: Vec<f64>,
    /// Per live chunk: its row i and first j.
    pub row: Vec<u32>,
    pub col: Vec<u32>,
    /// Per live chunk: which of its pairs are inside the cutoff (bit l for lane l).
    pub mask: Vec<u8>,
    /// Per live pair slot (one per lane): r², then ρ(r) (stage 3 overwrites).
    pub u: Vec<f64>,
    /// Per live pair slot: p of the lookup, then ρ'(r)/r.
    pub v: Vec<f64>,
    /// Per live pair slot: 1/r, then φ'(r)/r.
    pub w: Vec<f64>,
    /// Per live pair slot: the table interval.
    pub k: Vec<i32>,
}

impl Scratch {
    /// Size the buffers for `n` atoms in chunks of `lanes` (allocates only when either
    /// changes).
    pub fn fit(&mut self, n: usize, lanes: usize) {
        if self.n == n && self.lanes == lanes && !self.x.is_empty() {
            return;
        }
        let padded = n + lanes;
        let chunks: usize = (0..n)
            .map(|i| (n - first_chunk(i, lanes)).div_ceil(lanes))
            .sum();
        *self = Scratch {
            n,
            lanes,
            x: vec![SENTINEL; padded],
            y: vec![SENTINEL; padded],
            z: vec![SENTINEL; padded],
            rho: vec![0.0; padded],
            fp: vec![0.0; padded],
            fx: vec![0.0; padded],
            fy: vec![0.0; padded],
            fz: vec![0.0; padded],
            row: vec![0; chunks],
            col: vec![0; chunks],
            mask: vec![0; chunks],
            u: vec![0.0; lanes * chunks],
            v: vec![0.0; lanes * chunks],
            w: vec![0.0; lanes * chunks],
            k: vec![0; lanes * chunks],
        };
    }
}

/// The first j of row i's chunks: chunks start at multiples of `lanes` in every row, so a
/// row's loads of n_j and F_j hit exactly the addresses the previous row stored to (a load
/// that straddles two earlier stores cannot be forwarded and stalls). Lanes with j ≤ i are
/// masked off.
pub(crate) fn first_chunk(i: usize, lanes: usize) -> usize {
    (i + 1) / lanes * lanes
}
