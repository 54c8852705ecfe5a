//! The all-pairs EAM kernel in AVX-512F, eight pairs per instruction: the stages of the
//! AVX2 kernel (see `avx2.rs` for the algorithm and why `std::arch`) with twice the lanes,
//! mask registers instead of blend masks, and 1/√r² from the 14-bit `vrsqrt14pd` estimate
//! and two Newton steps. On cores with two 512-bit FMA units this halves the arithmetic
//! per pair; where AVX-512 is slow or absent, the dispatcher picks AVX2.

#![cfg(target_arch = "x86_64")]

use super::packed::{lines, EmbedLine, Packed, PairLine};
use super::scratch::{self, first_chunk, Scratch};
use super::Evaluation;
use crate::system::Coords;
use std::arch::x86_64::*;

const LANES: usize = 8;

/// True where this CPU runs the kernel.
pub(crate) fn supported() -> bool {
    is_x86_feature_detected!("avx512f")
}

/// Energy, forces, densities and U'(n) of `pos` into `out`.
///
/// # Panics
/// If the CPU lacks AVX-512F (callers check [`supported`] once).
pub(crate) fn compute(t: &Packed, cutsq: f64, pos: &Coords, out: &mut Evaluation) {
    assert!(supported(), "the AVX-512 kernel needs AVX-512F");
    // SAFETY: AVX-512F is present (asserted above); every pointer the kernel forms stays
    // inside the padded buffers sized by `evaluate` or inside the tables, whose indices are
    // clamped to the table.
    scratch::evaluate(pos, out, LANES, |s| unsafe { kernel(t, cutsq, s) });
}

/// 1/√x to rounding: the 14-bit estimate, then two Newton steps (28, then full precision).
#[inline(always)]
unsafe fn rsqrt(x: __m512d) -> __m512d {
    let half_x = _mm512_mul_pd(x, _mm512_set1_pd(0.5));
    let three_halves = _mm512_set1_pd(1.5);
    let mut y = _mm512_rsqrt14_pd(x);
    for _ in 0..2 {
        let yy = _mm512_mul_pd(y, y);
        y = _mm512_mul_pd(y, _mm512_fnmadd_pd(half_x, yy, three_halves));
    }
    y
}

/// LAMMPS's lookup (see `avx2::locate`): the 0-based intervals and p.
#[inline(always)]
unsafe fn locate(x: __m512d, inv_h: __m512d, last: __m512d) -> (__m256i, __m512d) {
    let one = _mm512_set1_pd(1.0);
    let p = _mm512_fmadd_pd(x, inv_h, one);
    let floor = _mm512_roundscale_pd(p, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    let m = _mm512_min_pd(_mm512_max_pd(floor, one), last);
    let p = _mm512_min_pd(_mm512_sub_pd(p, m), one);
    (_mm512_cvttpd_epi32(_mm512_sub_pd(m, one)), p)
}

/// Eight lanes' coefficient pairs at `offset` within their lines, transposed into two
/// vectors: 128-bit loads of lanes 0, 2, 4, 6 and of 1, 3, 5, 7, then unpack.
#[inline(always)]
unsafe fn pair_of_columns(lines: &[*const f64; LANES], offset: usize) -> (__m512d, __m512d) {
    let piece = |l: usize| _mm_castpd_ps(_mm_loadu_pd(lines[l].add(offset)));
    let gather = |first: usize| {
        let v = _mm512_castps128_ps512(piece(first));
        let v = _mm512_insertf32x4(v, piece(first + 2), 1);
        let v = _mm512_insertf32x4(v, piece(first + 4), 2);
        _mm512_castps_pd(_mm512_insertf32x4(v, piece(first + 6), 3))
    };
    let (a, b) = (gather(0), gather(1));
    (_mm512_unpacklo_pd(a, b), _mm512_unpackhi_pd(a, b))
}

/// The cubic at `offset` of eight lines and its derivative d/dp (synthetic division).
#[inline(always)]
unsafe fn cubic(lines: &[*const f64; LANES], offset: usize, p: __m512d) -> (__m512d, __m512d) {
    let (c3, c2) = pair_of_columns(lines, offset);
    let (c1, c0) = pair_of_columns(lines, offset + 2);
    let b1 = _mm512_fmadd_pd(c3, p, c2);
    let b0 = _mm512_fmadd_pd(b1, p, c1);
    let value = _mm512_fmadd_pd(b0, p, c0);
    let d0 = _mm512_fmadd_pd(c3, p, b1);
    (value, _mm512_fmadd_pd(d0, p, b0))
}

#[target_feature(enable = "avx512f")]
unsafe fn kernel(t: &Packed, cutsq: f64, s: &mut Scratch) -> f64 {
    let n = s.n;
    let zero = _mm512_setzero_pd();
    let one = _mm512_set1_pd(1.0);
    s.rho.fill(0.0);
    s.fx.fill(0.0);
    s.fy.fill(0.0);
    s.fz.fill(0.0);
    let (x, y, z) = (s.x.as_ptr(), s.y.as_ptr(), s.z.as_ptr());
    let rho = s.rho.as_mut_ptr();
    let fp = s.fp.as_mut_ptr();
    let (fx, fy, fz) = (s.fx.as_mut_ptr(), s.fy.as_mut_ptr(), s.fz.as_mut_ptr());
    let (row, col, mask) = (s.row.as_mut_ptr(), s.col.as_mut_ptr(), s.mask.as_mut_ptr());
    let (u, v, w, kk) = (
        s.u.as_mut_ptr(),
        s.v.as_mut_ptr(),
        s.w.as_mut_ptr(),
        s.k.as_mut_ptr(),
    );

    // Stage 1: distances; the live chunks with r² (1 in dead lanes).
    let cut = _mm512_set1_pd(cutsq);
    let mut live = 0;
    for i in 0..n {
        let (xi, yi, zi) = (
            _mm512_set1_pd(*x.add(i)),
            _mm512_set1_pd(*y.add(i)),
            _mm512_set1_pd(*z.add(i)),
        );
        let mut j = first_chunk(i, LANES);
        // Lanes j ≤ i of the row's first chunk are off.
        let mut keep: __mmask8 = !((1u16 << (i + 1 - j)) - 1) as u8;
        while j < n {
            let dx = _mm512_sub_pd(xi, _mm512_loadu_pd(x.add(j)));
            let dy = _mm512_sub_pd(yi, _mm512_loadu_pd(y.add(j)));
            let dz = _mm512_sub_pd(zi, _mm512_loadu_pd(z.add(j)));
            let r2 = _mm512_fmadd_pd(dz, dz, _mm512_fmadd_pd(dy, dy, _mm512_mul_pd(dx, dx)));
            let bits = _mm512_cmp_pd_mask(r2, cut, _CMP_LT_OQ) & keep;
            keep = 0xff;
            if bits != 0 {
                *row.add(live) = i as u32;
                *col.add(live) = j as u32;
                *mask.add(live) = bits;
                _mm512_storeu_pd(u.add(LANES * live), _mm512_mask_mov_pd(one, bits, r2));
                live += 1;
            }
            j += LANES;
        }
    }

    // Stage 2: r, 1/r and the table lookup.
    let inv_dr = _mm512_set1_pd(t.inv_dr);
    let r_last = _mm512_set1_pd(t.r_last);
    for e in 0..live {
        let r2 = _mm512_loadu_pd(u.add(LANES * e));
        let rinv = rsqrt(r2);
        let r = _mm512_mul_pd(r2, rinv);
        let (k, p) = locate(r, inv_dr, r_last);
        _mm256_storeu_si256(kk.add(LANES * e).cast(), k);
        _mm512_storeu_pd(v.add(LANES * e), p);
        _mm512_storeu_pd(w.add(LANES * e), rinv);
    }

    // Stage 3: both cubics; ρ(r), ρ'/r and φ'/r per pair, φ(r) into the energy.
    let mut e_pair = zero;
    for e in 0..live {
        let p = _mm512_loadu_pd(v.add(LANES * e));
        let rinv = _mm512_loadu_pd(w.add(LANES * e));
        let inside = *mask.add(e);
        let lines = lines::<PairLine, LANES>(&t.pair, kk.add(LANES * e));
        let (rho_r, rho_p) = cubic(&lines, 0, p);
        let (z2, z2_p) = cubic(&lines, 4, p);
        let phi = _mm512_mul_pd(z2, rinv);
        let phi_p = _mm512_mul_pd(_mm512_fmsub_pd(z2_p, inv_dr, phi), rinv);
        e_pair = _mm512_mask_add_pd(e_pair, inside, e_pair, phi);
        _mm512_storeu_pd(u.add(LANES * e), _mm512_maskz_mov_pd(inside, rho_r));
        let a = _mm512_mul_pd(_mm512_mul_pd(rho_p, inv_dr), rinv);
        _mm512_storeu_pd(v.add(LANES * e), _mm512_maskz_mov_pd(inside, a));
        let b = _mm512_mul_pd(phi_p, rinv);
        _mm512_storeu_pd(w.add(LANES * e), _mm512_maskz_mov_pd(inside, b));
    }

    // Stage 4: host densities, both ends of every pair.
    let mut current = 0;
    let mut rho_i = zero;
    for e in 0..live {
        let i = *row.add(e) as usize;
        if i != current {
            *rho.add(current) += _mm512_reduce_add_pd(rho_i);
            rho_i = zero;
            current = i;
        }
        let j = *col.add(e) as usize;
        let r = _mm512_loadu_pd(u.add(LANES * e));
        rho_i = _mm512_add_pd(rho_i, r);
        _mm512_storeu_pd(rho.add(j), _mm512_add_pd(_mm512_loadu_pd(rho.add(j)), r));
    }
    *rho.add(current) += _mm512_reduce_add_pd(rho_i);

    // Embedding, with LAMMPS's linear continuation past ρ_max.
    let inv_drho = _mm512_set1_pd(t.inv_drho);
    let rho_last = _mm512_set1_pd(t.rho_last);
    let rho_max = _mm512_set1_pd(t.rho_max);
    let mut e_embed = zero;
    let mut i = 0;
    while i < n {
        let rho_v = _mm512_loadu_pd(rho.add(i));
        let (k, p) = locate(rho_v, inv_drho, rho_last);
        let mut ks = [0i32; LANES];
        _mm256_storeu_si256(ks.as_mut_ptr().cast(), k);
        let (f, f_p) = cubic(&lines::<EmbedLine, LANES>(&t.embed, ks.as_ptr()), 0, p);
        let f_p = _mm512_mul_pd(f_p, inv_drho);
        let beyond = _mm512_max_pd(_mm512_sub_pd(rho_v, rho_max), zero);
        let f = _mm512_fmadd_pd(f_p, beyond, f);
        // Padding lanes (i ≥ n) must not add U(0).
        let real: __mmask8 = if n - i >= LANES {
            0xff
        } else {
            ((1u16 << (n - i)) - 1) as u8
        };
        e_embed = _mm512_mask_add_pd(e_embed, real, e_embed, f);
        _mm512_storeu_pd(fp.add(i), _mm512_maskz_mov_pd(real, f_p));
        i += LANES;
    }

    // Pass 2: F_pair/r = −[(U'_i + U'_j)·ρ'/r + φ'/r] on the live chunks.
    let mut current = 0;
    let (mut fxi, mut fyi, mut fzi) = (zero, zero, zero);
    for e in 0..live {
        let i = *row.add(e) as usize;
        if i != current {
            *fx.add(current) += _mm512_reduce_add_pd(fxi);
            *fy.add(current) += _mm512_reduce_add_pd(fyi);
            *fz.add(current) += _mm512_reduce_add_pd(fzi);
            (fxi, fyi, fzi) = (zero, zero, zero);
            current = i;
        }
        let j = *col.add(e) as usize;
        let dx = _mm512_sub_pd(_mm512_set1_pd(*x.add(i)), _mm512_loadu_pd(x.add(j)));
        let dy = _mm512_sub_pd(_mm512_set1_pd(*y.add(i)), _mm512_loadu_pd(y.add(j)));
        let dz = _mm512_sub_pd(_mm512_set1_pd(*z.add(i)), _mm512_loadu_pd(z.add(j)));
        let ui = _mm512_add_pd(_mm512_set1_pd(*fp.add(i)), _mm512_loadu_pd(fp.add(j)));
        let f = _mm512_fnmsub_pd(
            ui,
            _mm512_loadu_pd(v.add(LANES * e)),
            _mm512_loadu_pd(w.add(LANES * e)),
        );
        fxi = _mm512_fmadd_pd(dx, f, fxi);
        fyi = _mm512_fmadd_pd(dy, f, fyi);
        fzi = _mm512_fmadd_pd(dz, f, fzi);
        _mm512_storeu_pd(
            fx.add(j),
            _mm512_fnmadd_pd(dx, f, _mm512_loadu_pd(fx.add(j))),
        );
        _mm512_storeu_pd(
            fy.add(j),
            _mm512_fnmadd_pd(dy, f, _mm512_loadu_pd(fy.add(j))),
        );
        _mm512_storeu_pd(
            fz.add(j),
            _mm512_fnmadd_pd(dz, f, _mm512_loadu_pd(fz.add(j))),
        );
    }
    *fx.add(current) += _mm512_reduce_add_pd(fxi);
    *fy.add(current) += _mm512_reduce_add_pd(fyi);
    *fz.add(current) += _mm512_reduce_add_pd(fzi);
    _mm512_reduce_add_pd(e_pair) + _mm512_reduce_add_pd(e_embed)
}
