//! The SIMD EAM kernel, written once over [`Lanes`] and compiled four times: AVX2 and
//! AVX-512, each with f64 ("double") or f32 ("mixed") pair terms. [`compute`] picks one at
//! run time from the potential's [`Kernel`] and [`Precision`].
//!
//! Why `std::arch` and not `pulp` or `wide`: the cost is in the table reads (eight
//! coefficients per pair, from an index that differs per lane) and in the read-modify-write
//! of the j-side sums. Both need explicit 128-bit loads, lane inserts and unpacks that
//! neither crate exposes, and `std::arch` adds no dependency.
//!
//! The two passes of LAMMPS's `PairEAM::compute`, arranged for SIMD over the chunks of a
//! [`ChunkList`](super::scratch::ChunkList) (row i, the `LANES` consecutive atoms j0..):
//!
//! 1. r² of every listed chunk (lanes with j ≤ i or on padding are dead); the pairs inside
//!    r_c are packed densely (compress by the lane mask), so the two expensive stages run
//!    on full registers although a chunk of a 55-atom cluster has only half its lanes
//!    inside r_c.
//! 2. 1/r (estimate + Newton), r, and LAMMPS's interval lookup, on the packed pairs.
//! 3. Both cubics (ρ and rφ) and their derivatives from one table line per lane; φ(r) into
//!    the energy (f64); ρ(r), ρ'(r)/r and φ'(r)/r kept per pair.
//! 4. Back in the chunks' lanes (expand by the mask): n_i += Σ ρ (in an f64 register per
//!    row) and n_j += ρ (contiguous f64 update).
//! 5. U(n_i) and U'(n_i) in f64, one atom at a time, with LAMMPS's linear continuation
//!    past ρ_max.
//! 6. g = F_pair/r = (U'_i + U'_j)·ρ'/r + φ'/r per lane, then in f64 with the exact
//!    separation Δr: F_i −= g·Δr (f64 register per row), F_j += g·Δr (contiguous update).
//!
//! Results agree with the scalar kernel to rounding in double precision. In mixed
//! precision stages 1–3 and g of stage 6 are f32; every sum, and g·Δr, is f64.

#![cfg(target_arch = "x86_64")]

use super::lanes::avx2::{F32x8, F64x4};
use super::lanes::avx512::{F32x16, F64x8};
use super::lanes::{Lanes, Real};
use super::packed::Packed;
use super::scratch::{first_chunk, Scratch};
use super::{Evaluation, Kernel, Precision};
use crate::system::Coords;

/// Atom count from which the neighbour list is built with a cell list (O(N), ~1 µs per
/// atom) instead of the SIMD all-pairs sweep (O(N²) at ~1 cycle per pair). Measured on
/// Mackay icosahedra (one build, AVX2, BENCHMARKS.md "Neighbour list"): all-pairs 1.0, 6.4,
/// 27, 83, 603 and 3124 µs for 55, 147, 309, 561, 1415 and 2869 atoms; cells 11, 32, 86,
/// 459, 1832 and 3038 µs. They cross near 3000 atoms.
pub const CELL_LIST_MIN_ATOMS: usize = 3000;

/// Below this many atoms the list's buffers are sized for every chunk when the atom count
/// is set, so that no rebuild ever allocates (`tests/no_alloc.rs`); above, they grow.
pub(crate) const PREALLOCATE_MAX_ATOMS: usize = 256;

/// Energy, forces, densities and U'(n) of `a.pos` into `out` with the SIMD kernel `kernel`
/// at `precision`.
///
/// # Panics
/// If the CPU cannot run `kernel` (the potential checks it when the kernel is chosen), or
/// `kernel` is [`Kernel::Scalar`].
pub(crate) fn compute(a: Args, kernel: Kernel, precision: Precision, out: &mut Evaluation) {
    assert!(
        kernel.is_supported(),
        "this CPU cannot run the {kernel} kernel"
    );
    // SAFETY: the CPU runs the kernel's instruction set (asserted above). Inside, every
    // pointer stays in the padded buffers that `Scratch::fit` and `fit_chunks` size for the
    // atom count and the list, and table indices are clamped to the table (`locate`), NaN
    // included.
    unsafe {
        match (kernel, precision) {
            (Kernel::Avx2, Precision::Double) => avx2_f64(a, out),
            (Kernel::Avx2, Precision::Mixed) => avx2_f32(a, out),
            (Kernel::Avx512, Precision::Double) => avx512_f64(a, out),
            (Kernel::Avx512, Precision::Mixed) => avx512_f32(a, out),
            (Kernel::Scalar, _) => unreachable!("the scalar kernel is not a SIMD kernel"),
        }
    }
}

/// What every kernel reads.
#[derive(Clone, Copy)]
pub(crate) struct Args<'a> {
    /// The packed tables.
    pub t: &'a Packed,
    /// r_c (Å).
    pub cutoff: f64,
    /// The neighbour-list skin (Å).
    pub skin: f64,
    /// Atom count from which the list is built from cells.
    pub cell_list_from: usize,
    /// The positions.
    pub pos: &'a Coords,
}

#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_f64(a: Args, out: &mut Evaluation) {
    evaluate::<F64x4>(a, out)
}

#[target_feature(enable = "avx2,fma")]
unsafe fn avx2_f32(a: Args, out: &mut Evaluation) {
    evaluate::<F32x8>(a, out)
}

#[target_feature(enable = "avx512f")]
unsafe fn avx512_f64(a: Args, out: &mut Evaluation) {
    evaluate::<F64x8>(a, out)
}

#[target_feature(enable = "avx512f")]
unsafe fn avx512_f32(a: Args, out: &mut Evaluation) {
    evaluate::<F32x16>(a, out)
}

/// Rebuild the list if the rule asks for it, run the stages, and copy the results out.
///
/// # Safety
/// The CPU runs `L`'s instruction set.
#[inline(always)]
unsafe fn evaluate<L: Lanes>(a: Args, out: &mut Evaluation) {
    let n = a.pos.len();
    let s = &mut out.scratch;
    s.fit(n, L::LANES);
    s.load_positions(a.pos, L::SPLIT);
    if s.list.stale(a.pos, 0.5 * a.skin) {
        // A relative 1e-6 beyond r_c + skin: the f32 r² of the kernel and the f64 r² of the
        // cell builder may round a pair at r_c to either side; the margin keeps every pair
        // the kernel could count in the list, also with skin 0.
        let reach = (a.cutoff + a.skin) * (1.0 + 1e-6);
        if n >= a.cell_list_from {
            build_cells(s, a.pos, reach);
        } else {
            build_all_pairs::<L>(s, reach * reach);
        }
        s.list.reference.clear();
        for c in [a.pos.x(), a.pos.y(), a.pos.z()] {
            s.list.reference.extend_from_slice(c);
        }
        s.list.poisoned = !a.pos.as_flat().iter().all(|x| x.is_finite());
        s.list.valid = true;
        s.list.builds += 1;
        s.fit_chunks(s.list.row.len());
    }
    if s.list.poisoned {
        // A NaN or infinite coordinate: no pair sum can be trusted.
        out.energy = f64::NAN;
        out.density.fill(f64::NAN);
        out.embedding_derivative.fill(f64::NAN);
        out.forces.as_flat_mut().fill(f64::NAN);
        return;
    }
    out.energy = kernel::<L>(a.t, a.cutoff * a.cutoff, s);
    out.density.copy_from_slice(&s.rho[..n]);
    out.embedding_derivative.copy_from_slice(&s.fp[..n]);
    let (fx, fy, fz) = out.forces.xyz_mut();
    fx.copy_from_slice(&s.fx[..n]);
    fy.copy_from_slice(&s.fy[..n]);
    fz.copy_from_slice(&s.fz[..n]);
}

/// Positions as `L` reads them: `(hi, lo)` for x, y and z (lo unused without split).
#[derive(Clone, Copy)]
struct Positions<T> {
    hi: [*const T; 3],
    lo: [*const T; 3],
}

impl<T> Positions<T> {
    fn of<L: Lanes<T = T>>(s: &Scratch) -> Self {
        if L::SPLIT {
            Positions {
                hi: [s.xh.as_ptr(), s.yh.as_ptr(), s.zh.as_ptr()].map(|p| p.cast()),
                lo: [s.xl.as_ptr(), s.yl.as_ptr(), s.zl.as_ptr()].map(|p| p.cast()),
            }
        } else {
            let hi = [s.x.as_ptr(), s.y.as_ptr(), s.z.as_ptr()].map(|p| p.cast());
            Positions { hi, lo: hi }
        }
    }
}

/// r_i − r_j for the `LANES` atoms from j, per component.
///
/// # Safety
/// i < n and j + LANES ≤ the padded length.
#[inline(always)]
unsafe fn delta<L: Lanes>(p: &Positions<L::T>, i: usize, j: usize) -> [L::V; 3] {
    // No closures here: a closure is not inlined into the `target_feature` caller, and
    // the intrinsics inside it would become calls.
    [
        component::<L>(p, 0, i, j),
        component::<L>(p, 1, i, j),
        component::<L>(p, 2, i, j),
    ]
}

/// Component `c` of r_i − r_j (see [`delta`]).
#[inline(always)]
unsafe fn component<L: Lanes>(p: &Positions<L::T>, c: usize, i: usize, j: usize) -> L::V {
    let (hi, lo) = (p.hi[c], p.lo[c]);
    let d = L::sub(L::splat((*hi.add(i)).to_f64()), L::load(hi.add(j)));
    if L::SPLIT {
        L::add(
            d,
            L::sub(L::splat((*lo.add(i)).to_f64()), L::load(lo.add(j))),
        )
    } else {
        d
    }
}

/// r² of the chunk (i, j), with lanes j ≤ i set to `dead`.
#[inline(always)]
unsafe fn r2<L: Lanes>(p: &Positions<L::T>, i: usize, j: usize, dead: L::V) -> L::V {
    let [dx, dy, dz] = delta::<L>(p, i, j);
    let r2 = L::fmadd(dz, dz, L::fmadd(dy, dy, L::mul(dx, dx)));
    let jj = L::add(L::splat(j as f64), L::iota());
    L::select_lt(L::splat(i as f64), jj, r2, dead)
}

/// The list by one SIMD sweep over all chunks: ~1 cycle per pair.
#[inline(always)]
unsafe fn build_all_pairs<L: Lanes>(s: &mut Scratch, reach2: f64) {
    let p = Positions::<L::T>::of::<L>(s);
    let reach = L::splat(reach2);
    let dead = L::splat(4.0 * reach2);
    let (n, list) = (s.n, &mut s.list);
    list.row.clear();
    list.col.clear();
    for i in 0..n {
        let mut j = first_chunk(i, L::LANES);
        while j < n {
            if L::any_lt(r2::<L>(&p, i, j, dead), reach) {
                list.row.push(i as u32);
                list.col.push(j as u32);
            }
            j += L::LANES;
        }
    }
}

/// The list from a cell list of side ≥ `reach`: O(N). Cells are capped at 8N in number, so
/// an evaporated atom far away makes the cells larger, not the grid huge.
fn build_cells(s: &mut Scratch, pos: &Coords, reach: f64) {
    let n = pos.len();
    let lanes = s.lanes;
    let (x, y, z) = (pos.x(), pos.y(), pos.z());
    let bound = |v: &[f64], start: f64, pick: fn(f64, f64) -> f64| {
        v.iter()
            .filter(|c| c.is_finite())
            .fold(start, |a, &c| pick(a, c))
    };
    let lo = [x, y, z].map(|v| bound(v, f64::INFINITY, f64::min));
    let hi = [x, y, z].map(|v| bound(v, f64::NEG_INFINITY, f64::max));
    let mut side = reach;
    let dims = loop {
        let d = std::array::from_fn::<usize, 3, _>(|c| {
            (((hi[c] - lo[c]) / side).max(0.0) as usize + 1).max(1)
        });
        if d[0] * d[1] * d[2] <= 8 * n.max(4) {
            break d;
        }
        side *= 1.5;
    };
    let cell_of = |i: usize| -> [usize; 3] {
        let p = [x[i], y[i], z[i]];
        std::array::from_fn(|c| {
            let k = ((p[c] - lo[c]) / side).max(0.0) as usize; // NaN → 0
            k.min(dims[c] - 1)
        })
    };
    let flat = |k: [usize; 3]| (k[2] * dims[1] + k[1]) * dims[0] + k[0];
    let cells = dims[0] * dims[1] * dims[2];
    let mut start = vec![0usize; cells + 1];
    let home: Vec<usize> = (0..n).map(|i| flat(cell_of(i))).collect();
    for &h in &home {
        start[h + 1] += 1;
    }
    for c in 0..cells {
        start[c + 1] += start[c];
    }
    let mut fill = start.clone();
    let mut atoms = vec![0usize; n];
    for (i, &h) in home.iter().enumerate() {
        atoms[fill[h]] = i;
        fill[h] += 1;
    }
    let reach2 = reach * reach;
    let mut stamp = vec![usize::MAX; n.div_ceil(lanes) + 1];
    let mut chunks: Vec<u32> = Vec::new();
    let list = &mut s.list;
    list.row.clear();
    list.col.clear();
    for i in 0..n {
        let k = cell_of(i);
        chunks.clear();
        for dz in -1i64..=1 {
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let q = [k[0] as i64 + dx, k[1] as i64 + dy, k[2] as i64 + dz];
                    if (0..3).any(|c| q[c] < 0 || q[c] >= dims[c] as i64) {
                        continue;
                    }
                    let c = flat(q.map(|v| v as usize));
                    for &j in &atoms[start[c]..start[c + 1]] {
                        if j <= i {
                            continue;
                        }
                        let (ex, ey, ez) = (x[i] - x[j], y[i] - y[j], z[i] - z[j]);
                        if ex * ex + ey * ey + ez * ez < reach2 && stamp[j / lanes] != i {
                            stamp[j / lanes] = i;
                            chunks.push((j / lanes) as u32);
                        }
                    }
                }
            }
        }
        chunks.sort_unstable();
        for &c in &chunks {
            list.row.push(i as u32);
            list.col.push(c * lanes as u32);
        }
    }
}

/// Stages 1–6 over the listed chunks; returns φ.
#[inline(always)]
unsafe fn kernel<L: Lanes>(t: &Packed, cutsq: f64, s: &mut Scratch) -> f64 {
    let n = s.n;
    let lanes = L::LANES;
    let live = s.list.row.len();
    s.rho.fill(0.0);
    s.fx.fill(0.0);
    s.fy.fill(0.0);
    s.fz.fill(0.0);
    let p = Positions::<L::T>::of::<L>(s);
    let table = L::table(t).as_ptr();
    let (row, col) = (s.list.row.as_ptr(), s.list.col.as_ptr());
    let rho = s.rho.as_mut_ptr();
    let fp = s.fp.as_mut_ptr();
    let fpt = s.fpt.as_mut_ptr().cast::<L::T>();
    let (fx, fy, fz) = (s.fx.as_mut_ptr(), s.fy.as_mut_ptr(), s.fz.as_mut_ptr());
    let u = s.u.as_mut_ptr().cast::<L::T>();
    let v = s.v.as_mut_ptr().cast::<L::T>();
    let w = s.w.as_mut_ptr().cast::<L::T>();
    let kk = s.k.as_mut_ptr();
    let (x, y, z) = (s.x.as_ptr(), s.y.as_ptr(), s.z.as_ptr());
    let cut = L::splat(cutsq);

    // Stage 1: r² of the listed chunks; the pairs inside r_c are packed one after the
    // other into `u` (dense lanes for stages 2 and 3, whatever the chunks' fill), and each
    // chunk keeps its lane mask and where its pairs start. The packed order is that of the
    // all-pairs sweep, so it does not depend on the list.
    let dead = L::splat(4.0 * cutsq);
    let (cmask, coff) = (s.mask.as_mut_ptr(), s.offset.as_mut_ptr());
    let mut packed = 0;
    for e in 0..live {
        let r2 = r2::<L>(&p, *row.add(e) as usize, *col.add(e) as usize, dead);
        let (count, bits) = L::compress_lt(u.add(packed), r2, r2, cut);
        *cmask.add(e) = bits;
        *coff.add(e) = packed as u32;
        packed += count;
    }
    // The last register's unused lanes: dead.
    L::store(u.add(packed), dead);
    let registers = packed.div_ceil(lanes);

    // Stage 2: 1/r, r and the lookup, on the packed pairs.
    let inv_dr = L::splat(t.inv_dr);
    let r_last = L::splat(t.r_last);
    for e in 0..registers {
        let r2 = L::load(u.add(lanes * e));
        let rinv = L::rsqrt(r2);
        let r = L::mul(r2, rinv);
        let q = L::locate(r, inv_dr, r_last, kk.add(lanes * e));
        L::store(v.add(lanes * e), q);
        L::store(w.add(lanes * e), rinv);
    }

    // Stage 3: both cubics; ρ(r), ρ'/r and φ'/r per pair, φ(r) into the energy.
    let mut e_pair = L::wide_zero();
    for e in 0..registers {
        let r2 = L::load(u.add(lanes * e));
        let q = L::load(v.add(lanes * e));
        let rinv = L::load(w.add(lanes * e));
        let [rho_r, rho_p, z2, z2_p] = L::cubics(table, kk.add(lanes * e), q);
        let phi = L::mul(z2, rinv);
        // φ' = (rφ)'/r − φ/r, with d/dr = inv_dr·d/dp.
        let phi_p = L::mul(L::fmsub(z2_p, inv_dr, phi), rinv);
        e_pair = L::wide_add(e_pair, L::keep_lt(r2, cut, phi));
        L::store(u.add(lanes * e), L::keep_lt(r2, cut, rho_r));
        let a = L::mul(L::mul(rho_p, inv_dr), rinv);
        L::store(v.add(lanes * e), L::keep_lt(r2, cut, a));
        L::store(w.add(lanes * e), L::keep_lt(r2, cut, L::mul(phi_p, rinv)));
    }

    // Stage 4: host densities, both ends of every pair, back in the chunks' lanes.
    let mut current = 0;
    let mut rho_i = L::wide_zero();
    for e in 0..live {
        let bits = *cmask.add(e);
        if bits == 0 {
            continue;
        }
        let i = *row.add(e) as usize;
        if i != current {
            *rho.add(current) += L::wide_sum(rho_i);
            rho_i = L::wide_zero();
            current = i;
        }
        let r = L::expand(u.add(*coff.add(e) as usize), bits);
        rho_i = L::wide_add(rho_i, r);
        L::add_into(rho.add(*col.add(e) as usize), r);
    }
    if live > 0 {
        *rho.add(current) += L::wide_sum(rho_i);
    }

    // Stage 5: U(n) and U'(n) in f64.
    let mut e_embed = 0.0;
    for i in 0..n {
        let (f, f_p) = embed(t, *rho.add(i));
        e_embed += f;
        *fp.add(i) = f_p;
        *fpt.add(i) = L::T::from_f64(f_p);
    }

    // Stage 6: pair forces.
    let mut current = 0;
    let (mut gx, mut gy, mut gz) = (L::wide_zero(), L::wide_zero(), L::wide_zero());
    for e in 0..live {
        let bits = *cmask.add(e);
        if bits == 0 {
            continue;
        }
        let i = *row.add(e) as usize;
        if i != current {
            *fx.add(current) -= L::wide_sum(gx);
            *fy.add(current) -= L::wide_sum(gy);
            *fz.add(current) -= L::wide_sum(gz);
            (gx, gy, gz) = (L::wide_zero(), L::wide_zero(), L::wide_zero());
            current = i;
        }
        let j = *col.add(e) as usize;
        let ui = L::add(L::splat((*fpt.add(i)).to_f64()), L::load(fpt.add(j)));
        let off = *coff.add(e) as usize;
        let g = L::fmadd(ui, L::expand(v.add(off), bits), L::expand(w.add(off), bits));
        // g (f32 in mixed) times the exact f64 separation: F_ij ∥ r_i − r_j.
        let g = L::widen(g);
        let tx = L::wide_mul(g, L::wide_delta(*x.add(i), x.add(j)));
        let ty = L::wide_mul(g, L::wide_delta(*y.add(i), y.add(j)));
        let tz = L::wide_mul(g, L::wide_delta(*z.add(i), z.add(j)));
        gx = L::wide_sum2(gx, tx);
        gy = L::wide_sum2(gy, ty);
        gz = L::wide_sum2(gz, tz);
        L::wide_into(fx.add(j), tx);
        L::wide_into(fy.add(j), ty);
        L::wide_into(fz.add(j), tz);
    }
    if live > 0 {
        *fx.add(current) -= L::wide_sum(gx);
        *fy.add(current) -= L::wide_sum(gy);
        *fz.add(current) -= L::wide_sum(gz);
    }
    L::wide_sum(e_pair) + e_embed
}

/// U(n) and U'(n) by LAMMPS's lookup on the packed embedding lines, in f64, with the linear
/// continuation past ρ_max. A NaN n gives interval 0 (`f64::max` and `min` ignore NaN).
#[inline(always)]
fn embed(t: &Packed, rho: f64) -> (f64, f64) {
    let q = rho.mul_add(t.inv_drho, 1.0);
    let m = q.floor().max(1.0).min(t.rho_last);
    let q = (q - m).min(1.0);
    let [c3, c2, c1, c0] = t.embed[(m - 1.0) as usize].0;
    let b1 = c3.mul_add(q, c2);
    let b0 = b1.mul_add(q, c1);
    let f = b0.mul_add(q, c0);
    let f_p = c3.mul_add(q, b1).mul_add(q, b0) * t.inv_drho;
    (f_p.mul_add((rho - t.rho_max).max(0.0), f), f_p)
}
