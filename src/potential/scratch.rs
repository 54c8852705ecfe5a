//! Working buffers of the SIMD kernels: padded positions, per-atom sums, the chunk
//! neighbour list and the per-chunk stage buffers.

use crate::system::Coords;

/// Far-away position of the padding atoms in f64 lanes: r² ≈ 1e200 is finite.
pub(crate) const SENTINEL_F64: f64 = 1e100;
/// The same in f32 lanes: r² ≈ 1e30 is finite in f32.
pub(crate) const SENTINEL_F32: f32 = 1e15;

/// The list of *chunks* a SIMD kernel evaluates: a chunk is row i with the `lanes`
/// consecutive atoms j0..j0+lanes (j0 a multiple of `lanes`), and the list holds every
/// chunk with a pair (i < j) closer than r_c + skin when it was built, rows in order and
/// chunks in order within a row.
///
/// **Rebuild rule.** The list is rebuilt before an evaluation when any atom has moved more
/// than skin/2 from where it was at the last build (then no pair outside the list can have
/// come inside r_c), when the atom count or lane width changes, and when a coordinate is
/// not finite (`!(d² ≤ (skin/2)²)` is true for NaN).
///
/// **Results do not depend on the list.** A listed chunk whose pairs are all outside r_c
/// adds exact zeros to every sum, and the kernel visits the listed chunks in the same order
/// as the all-pairs sweep would, so energies and forces are bitwise the same for any skin
/// and any history of rebuilds. Resumed runs and any number of ranks therefore stay
/// bitwise reproducible (tested in `tests/neighbours.rs`).
#[derive(Clone, Debug, Default)]
pub(crate) struct ChunkList {
    /// Per listed chunk: its row i and first j.
    pub row: Vec<u32>,
    pub col: Vec<u32>,
    /// Positions at the last build.
    pub reference: Vec<f64>,
    /// Whether `row`/`col` are valid for `reference`.
    pub valid: bool,
    /// The positions at the last build had a non-finite coordinate.
    pub poisoned: bool,
    /// Builds so far (for benchmarks and tests).
    pub builds: u64,
}

impl ChunkList {
    /// Whether an atom of `pos` has moved more than `half_skin` since the last build (or a
    /// coordinate is not finite, or there was no build).
    pub fn stale(&self, pos: &Coords, half_skin: f64) -> bool {
        if !self.valid || self.reference.len() != 3 * pos.len() {
            return true;
        }
        let n = pos.len();
        let (rx, rest) = self.reference.split_at(n);
        let (ry, rz) = rest.split_at(n);
        let lim = half_skin * half_skin;
        let (x, y, z) = (pos.x(), pos.y(), pos.z());
        let mut worst: f64 = 0.0;
        for i in 0..n {
            let (dx, dy, dz) = (x[i] - rx[i], y[i] - ry[i], z[i] - rz[i]);
            let d2 = dx * dx + dy * dy + dz * dz;
            // NaN-propagating max: a NaN coordinate makes `worst` NaN.
            worst = if d2 > worst || d2.is_nan() { d2 } else { worst };
        }
        // NaN → stale.
        worst.is_nan() || worst > lim
    }
}

/// Buffers of the kernel, padded to whole chunks and sized once per atom count and lane
/// width.
///
/// The pass over the listed chunks is split into short stages, each storing what the next
/// needs in `u`, `v`, `w` and `k`: one long loop body (distance → 1/r → lookup → cubics →
/// sums) is a ~130-cycle dependency chain, and the out-of-order window then holds only two
/// or three chunks; short stages keep it full.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch {
    pub n: usize,
    /// Lanes per chunk the buffers were sized for.
    pub lanes: usize,
    /// Positions in f64, padded with [`SENTINEL_F64`].
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub z: Vec<f64>,
    /// Positions as f32 hi + lo parts (x = hi + lo to 2⁻⁴⁸ relative), padded with
    /// [`SENTINEL_F32`] and 0.
    pub xh: Vec<f32>,
    pub yh: Vec<f32>,
    pub zh: Vec<f32>,
    pub xl: Vec<f32>,
    pub yl: Vec<f32>,
    pub zl: Vec<f32>,
    pub rho: Vec<f64>,
    pub fp: Vec<f64>,
    /// U'(n) in the lanes' precision (raw storage, viewed as f32 or f64).
    pub fpt: Vec<f64>,
    pub fx: Vec<f64>,
    pub fy: Vec<f64>,
    pub fz: Vec<f64>,
    pub list: ChunkList,
    /// Per listed chunk: which lanes are inside r_c this evaluation (bit l for lane l).
    pub mask: Vec<u32>,
    /// Per listed chunk: where its live pairs start in the packed buffers below.
    pub offset: Vec<u32>,
    /// Per live pair, packed (raw storage, viewed as f32 or f64): r², then ρ(r).
    pub u: Vec<f64>,
    /// p of the lookup, then ρ'(r)/r.
    pub v: Vec<f64>,
    /// 1/r, then φ'(r)/r.
    pub w: Vec<f64>,
    /// The table interval.
    pub k: Vec<i32>,
}

impl Scratch {
    /// Size the buffers for `n` atoms in chunks of `lanes` (allocates only when either
    /// changes; a change drops the neighbour list).
    pub fn fit(&mut self, n: usize, lanes: usize) {
        if self.n == n && self.lanes == lanes && !self.x.is_empty() {
            return;
        }
        let padded = n + lanes;
        *self = Scratch {
            n,
            lanes,
            x: vec![SENTINEL_F64; padded],
            y: vec![SENTINEL_F64; padded],
            z: vec![SENTINEL_F64; padded],
            xh: vec![SENTINEL_F32; padded],
            yh: vec![SENTINEL_F32; padded],
            zh: vec![SENTINEL_F32; padded],
            xl: vec![0.0; padded],
            yl: vec![0.0; padded],
            zl: vec![0.0; padded],
            rho: vec![0.0; padded],
            fp: vec![0.0; padded],
            fpt: vec![0.0; padded],
            fx: vec![0.0; padded],
            fy: vec![0.0; padded],
            fz: vec![0.0; padded],
            ..Scratch::default()
        };
        if n < super::simd::PREALLOCATE_MAX_ATOMS {
            // Room for every chunk, so that no rebuild of a small cluster's list allocates.
            let all: usize = (0..n)
                .map(|i| (n - first_chunk(i, lanes).min(n)).div_ceil(lanes))
                .sum();
            self.list.row.reserve(all);
            self.list.col.reserve(all);
            self.list.reference.reserve(3 * n);
            self.fit_chunks(all);
        }
    }

    /// Copy `pos` in: f64, and (for f32 lanes) hi + lo parts.
    pub fn load_positions(&mut self, pos: &Coords, split: bool) {
        let n = pos.len();
        self.x[..n].copy_from_slice(pos.x());
        self.y[..n].copy_from_slice(pos.y());
        self.z[..n].copy_from_slice(pos.z());
        if split {
            for (src, hi, lo) in [
                (pos.x(), &mut self.xh, &mut self.xl),
                (pos.y(), &mut self.yh, &mut self.yl),
                (pos.z(), &mut self.zh, &mut self.zl),
            ] {
                for ((s, h), l) in src.iter().zip(hi.iter_mut()).zip(lo.iter_mut()) {
                    *h = *s as f32;
                    *l = (*s - *h as f64) as f32;
                }
            }
        }
    }

    /// Make the per-chunk buffers hold `chunks` chunks (and the packed buffers their pairs
    /// plus one register of padding).
    pub fn fit_chunks(&mut self, chunks: usize) {
        if self.mask.len() < chunks {
            self.mask.resize(chunks, 0);
            self.offset.resize(chunks, 0);
        }
        let len = (chunks + 1) * self.lanes;
        if self.u.len() < len {
            self.u.resize(len, 0.0);
            self.v.resize(len, 0.0);
            self.w.resize(len, 0.0);
            self.k.resize(len, 0);
        }
    }
}

/// The first j of row i's chunks: chunks start at multiples of `lanes` in every row, so a
/// row's loads of n_j and F_j hit exactly the addresses the previous row stored to (a load
/// that straddles two earlier stores cannot be forwarded and stalls). Lanes with j ≤ i are
/// masked off.
pub(crate) fn first_chunk(i: usize, lanes: usize) -> usize {
    (i + 1) / lanes * lanes
}
