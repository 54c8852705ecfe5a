//! [`Lanes`] for AVX-512F: eight f64 or sixteen f32 pair terms per register, with mask
//! registers for the cutoff and 14-bit reciprocal square-root estimates.

#![cfg(target_arch = "x86_64")]

use super::{Lanes, Line32, Line64, Packed};
use crate::potential::packed::lines;
use std::arch::x86_64::*;

/// True where this CPU runs the AVX-512 kernels.
pub(crate) fn supported() -> bool {
    is_x86_feature_detected!("avx512f")
}

/// Eight f64 lanes (the double-precision AVX-512 kernel).
pub(crate) struct F64x8;

/// Sixteen f32 lanes (the mixed-precision AVX-512 kernel).
pub(crate) struct F32x16;

/// A cubic from its four columns and its derivative d/dp at p (synthetic division).
macro_rules! cubic {
    ($fmadd:ident, $c3:expr, $c2:expr, $c1:expr, $c0:expr, $p:expr) => {{
        let b1 = $fmadd($c3, $p, $c2);
        let b0 = $fmadd(b1, $p, $c1);
        let value = $fmadd(b0, $p, $c0);
        let d0 = $fmadd($c3, $p, b1);
        (value, $fmadd(d0, $p, b0))
    }};
}

/// The 16-byte pieces at `offset` of lanes first, first + 2, first + 4 and first + 6.
#[inline(always)]
unsafe fn quarters(l: &[*const f64; 8], first: usize, offset: usize) -> __m512d {
    let v = _mm512_castps128_ps512(_mm_castpd_ps(_mm_loadu_pd(l[first].add(offset))));
    let v = _mm512_insertf32x4(v, _mm_castpd_ps(_mm_loadu_pd(l[first + 2].add(offset))), 1);
    let v = _mm512_insertf32x4(v, _mm_castpd_ps(_mm_loadu_pd(l[first + 4].add(offset))), 2);
    _mm512_castps_pd(_mm512_insertf32x4(
        v,
        _mm_castpd_ps(_mm_loadu_pd(l[first + 6].add(offset))),
        3,
    ))
}

/// Eight lanes' coefficient pairs at `offset` within their lines, transposed into two
/// vectors: 128-bit loads of lanes 0, 2, 4, 6 and of 1, 3, 5, 7, then unpack.
#[inline(always)]
unsafe fn pair_of_columns(l: &[*const f64; 8], offset: usize) -> (__m512d, __m512d) {
    let (a, b) = (quarters(l, 0, offset), quarters(l, 1, offset));
    (_mm512_unpacklo_pd(a, b), _mm512_unpackhi_pd(a, b))
}

impl Lanes for F64x8 {
    const LANES: usize = 8;
    const SPLIT: bool = false;
    type T = f64;
    type V = __m512d;
    type W = __m512d;
    type Line = Line64;

    #[inline(always)]
    fn table(p: &Packed) -> &[Line64] {
        &p.pair
    }

    #[inline(always)]
    unsafe fn splat(x: f64) -> __m512d {
        _mm512_set1_pd(x)
    }
    #[inline(always)]
    unsafe fn iota() -> __m512d {
        _mm512_set_pd(7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0)
    }
    #[inline(always)]
    unsafe fn load(p: *const f64) -> __m512d {
        _mm512_loadu_pd(p)
    }
    #[inline(always)]
    unsafe fn store(p: *mut f64, v: __m512d) {
        _mm512_storeu_pd(p, v)
    }
    #[inline(always)]
    unsafe fn add(a: __m512d, b: __m512d) -> __m512d {
        _mm512_add_pd(a, b)
    }
    #[inline(always)]
    unsafe fn sub(a: __m512d, b: __m512d) -> __m512d {
        _mm512_sub_pd(a, b)
    }
    #[inline(always)]
    unsafe fn mul(a: __m512d, b: __m512d) -> __m512d {
        _mm512_mul_pd(a, b)
    }
    #[inline(always)]
    unsafe fn fmadd(a: __m512d, b: __m512d, c: __m512d) -> __m512d {
        _mm512_fmadd_pd(a, b, c)
    }
    #[inline(always)]
    unsafe fn fmsub(a: __m512d, b: __m512d, c: __m512d) -> __m512d {
        _mm512_fmsub_pd(a, b, c)
    }
    #[inline(always)]
    unsafe fn select_lt(a: __m512d, b: __m512d, x: __m512d, y: __m512d) -> __m512d {
        _mm512_mask_blend_pd(_mm512_cmp_pd_mask(a, b, _CMP_LT_OQ), y, x)
    }
    #[inline(always)]
    unsafe fn keep_lt(a: __m512d, b: __m512d, x: __m512d) -> __m512d {
        _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(a, b, _CMP_LT_OQ), x)
    }
    #[inline(always)]
    unsafe fn any_lt(a: __m512d, b: __m512d) -> bool {
        _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ) != 0
    }
    /// The 14-bit estimate, then two Newton steps (28 bits, then full precision).
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
    #[inline(always)]
    unsafe fn locate(x: __m512d, inv_h: __m512d, last: __m512d, k: *mut i32) -> __m512d {
        let one = _mm512_set1_pd(1.0);
        let p = _mm512_fmadd_pd(x, inv_h, one);
        let floor = _mm512_roundscale_pd(p, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        let m = _mm512_min_pd(_mm512_max_pd(floor, one), last);
        _mm256_storeu_si256(k.cast(), _mm512_cvttpd_epi32(_mm512_sub_pd(m, one)));
        _mm512_min_pd(_mm512_sub_pd(p, m), one)
    }
    #[inline(always)]
    unsafe fn cubics(table: *const Line64, k: *const i32, p: __m512d) -> [__m512d; 4] {
        let l = lines::<Line64, f64, 8>(table, k);
        let (c3, c2) = pair_of_columns(&l, 0);
        let (c1, c0) = pair_of_columns(&l, 2);
        let (rho, rho_p) = cubic!(_mm512_fmadd_pd, c3, c2, c1, c0, p);
        let (c3, c2) = pair_of_columns(&l, 4);
        let (c1, c0) = pair_of_columns(&l, 6);
        let (z, z_p) = cubic!(_mm512_fmadd_pd, c3, c2, c1, c0, p);
        [rho, rho_p, z, z_p]
    }
    #[inline(always)]
    unsafe fn add_into(p: *mut f64, v: __m512d) {
        _mm512_storeu_pd(p, _mm512_add_pd(_mm512_loadu_pd(p), v))
    }
    #[inline(always)]
    unsafe fn wide_zero() -> __m512d {
        _mm512_setzero_pd()
    }
    #[inline(always)]
    unsafe fn wide_add(w: __m512d, v: __m512d) -> __m512d {
        _mm512_add_pd(w, v)
    }
    #[inline(always)]
    unsafe fn wide_sum(w: __m512d) -> f64 {
        _mm512_reduce_add_pd(w)
    }
    #[inline(always)]
    unsafe fn widen(v: __m512d) -> __m512d {
        v
    }
    #[inline(always)]
    unsafe fn wide_delta(a: f64, p: *const f64) -> __m512d {
        _mm512_sub_pd(_mm512_set1_pd(a), _mm512_loadu_pd(p))
    }
    #[inline(always)]
    unsafe fn wide_mul(a: __m512d, b: __m512d) -> __m512d {
        _mm512_mul_pd(a, b)
    }
    #[inline(always)]
    unsafe fn wide_sum2(a: __m512d, b: __m512d) -> __m512d {
        _mm512_add_pd(a, b)
    }
    #[inline(always)]
    unsafe fn wide_into(p: *mut f64, w: __m512d) {
        _mm512_storeu_pd(p, _mm512_add_pd(_mm512_loadu_pd(p), w))
    }
    #[inline(always)]
    unsafe fn compress_lt(p: *mut f64, v: __m512d, a: __m512d, b: __m512d) -> (usize, u32) {
        let m = _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ);
        _mm512_storeu_pd(p, _mm512_maskz_compress_pd(m, v));
        (m.count_ones() as usize, m as u32)
    }
    #[inline(always)]
    unsafe fn expand(p: *const f64, mask: u32) -> __m512d {
        _mm512_maskz_expand_pd(mask as __mmask8, _mm512_loadu_pd(p))
    }
}

/// The two f64 halves of sixteen f32 lanes.
#[inline(always)]
unsafe fn widen(v: __m512) -> (__m512d, __m512d) {
    let hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    (
        _mm512_cvtps_pd(_mm512_castps512_ps256(v)),
        _mm512_cvtps_pd(hi),
    )
}

/// The 16-byte pieces at `offset` of lanes q, q + 4, q + 8 and q + 12. (Functions, not
/// closures: a closure is not inlined into the `target_feature` caller.)
#[inline(always)]
unsafe fn row16(l: &[*const f32; 16], q: usize, offset: usize) -> __m512 {
    let v = _mm512_castps128_ps512(_mm_loadu_ps(l[q].add(offset)));
    let v = _mm512_insertf32x4(v, _mm_loadu_ps(l[q + 4].add(offset)), 1);
    let v = _mm512_insertf32x4(v, _mm_loadu_ps(l[q + 8].add(offset)), 2);
    _mm512_insertf32x4(v, _mm_loadu_ps(l[q + 12].add(offset)), 3)
}

/// Sixteen lanes' four coefficients at `offset` (0: ρ, 4: rφ), transposed into the
/// columns c₃, c₂, c₁, c₀: register q holds the 16-byte pieces of lanes q, q + 4, q + 8 and
/// q + 12, and one 4×4 transpose inside each 128-bit quarter puts lanes in order.
#[inline(always)]
unsafe fn columns16(l: &[*const f32; 16], offset: usize) -> [__m512; 4] {
    let (r0, r1, r2, r3) = (
        row16(l, 0, offset),
        row16(l, 1, offset),
        row16(l, 2, offset),
        row16(l, 3, offset),
    );
    let t0 = _mm512_unpacklo_ps(r0, r1);
    let t1 = _mm512_unpacklo_ps(r2, r3);
    let t2 = _mm512_unpackhi_ps(r0, r1);
    let t3 = _mm512_unpackhi_ps(r2, r3);
    [
        _mm512_shuffle_ps(t0, t1, 0x44),
        _mm512_shuffle_ps(t0, t1, 0xee),
        _mm512_shuffle_ps(t2, t3, 0x44),
        _mm512_shuffle_ps(t2, t3, 0xee),
    ]
}

impl Lanes for F32x16 {
    const LANES: usize = 16;
    const SPLIT: bool = true;
    type T = f32;
    type V = __m512;
    type W = (__m512d, __m512d);
    type Line = Line32;

    #[inline(always)]
    fn table(p: &Packed) -> &[Line32] {
        &p.pair32
    }

    #[inline(always)]
    unsafe fn splat(x: f64) -> __m512 {
        _mm512_set1_ps(x as f32)
    }
    #[inline(always)]
    unsafe fn iota() -> __m512 {
        _mm512_setr_ps(
            0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0,
        )
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> __m512 {
        _mm512_loadu_ps(p)
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: __m512) {
        _mm512_storeu_ps(p, v)
    }
    #[inline(always)]
    unsafe fn add(a: __m512, b: __m512) -> __m512 {
        _mm512_add_ps(a, b)
    }
    #[inline(always)]
    unsafe fn sub(a: __m512, b: __m512) -> __m512 {
        _mm512_sub_ps(a, b)
    }
    #[inline(always)]
    unsafe fn mul(a: __m512, b: __m512) -> __m512 {
        _mm512_mul_ps(a, b)
    }
    #[inline(always)]
    unsafe fn fmadd(a: __m512, b: __m512, c: __m512) -> __m512 {
        _mm512_fmadd_ps(a, b, c)
    }
    #[inline(always)]
    unsafe fn fmsub(a: __m512, b: __m512, c: __m512) -> __m512 {
        _mm512_fmsub_ps(a, b, c)
    }
    #[inline(always)]
    unsafe fn select_lt(a: __m512, b: __m512, x: __m512, y: __m512) -> __m512 {
        _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), y, x)
    }
    #[inline(always)]
    unsafe fn keep_lt(a: __m512, b: __m512, x: __m512) -> __m512 {
        _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(a, b, _CMP_LT_OQ), x)
    }
    #[inline(always)]
    unsafe fn any_lt(a: __m512, b: __m512) -> bool {
        _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ) != 0
    }
    /// The 14-bit estimate and one Newton step (full f32 precision).
    #[inline(always)]
    unsafe fn rsqrt(x: __m512) -> __m512 {
        let y = _mm512_rsqrt14_ps(x);
        let half_x = _mm512_mul_ps(x, _mm512_set1_ps(0.5));
        let yy = _mm512_mul_ps(y, y);
        _mm512_mul_ps(y, _mm512_fnmadd_ps(half_x, yy, _mm512_set1_ps(1.5)))
    }
    #[inline(always)]
    unsafe fn locate(x: __m512, inv_h: __m512, last: __m512, k: *mut i32) -> __m512 {
        let one = _mm512_set1_ps(1.0);
        let p = _mm512_fmadd_ps(x, inv_h, one);
        let floor = _mm512_roundscale_ps(p, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
        let m = _mm512_min_ps(_mm512_max_ps(floor, one), last);
        _mm512_storeu_si512(k.cast(), _mm512_cvttps_epi32(_mm512_sub_ps(m, one)));
        _mm512_min_ps(_mm512_sub_ps(p, m), one)
    }
    #[inline(always)]
    unsafe fn cubics(table: *const Line32, k: *const i32, p: __m512) -> [__m512; 4] {
        let l = lines::<Line32, f32, 16>(table, k);
        let [c3, c2, c1, c0] = columns16(&l, 0);
        let (rho, rho_p) = cubic!(_mm512_fmadd_ps, c3, c2, c1, c0, p);
        let [c3, c2, c1, c0] = columns16(&l, 4);
        let (z, z_p) = cubic!(_mm512_fmadd_ps, c3, c2, c1, c0, p);
        [rho, rho_p, z, z_p]
    }
    #[inline(always)]
    unsafe fn add_into(p: *mut f64, v: __m512) {
        let (lo, hi) = widen(v);
        _mm512_storeu_pd(p, _mm512_add_pd(_mm512_loadu_pd(p), lo));
        _mm512_storeu_pd(p.add(8), _mm512_add_pd(_mm512_loadu_pd(p.add(8)), hi));
    }
    #[inline(always)]
    unsafe fn wide_zero() -> (__m512d, __m512d) {
        (_mm512_setzero_pd(), _mm512_setzero_pd())
    }
    #[inline(always)]
    unsafe fn wide_add(w: (__m512d, __m512d), v: __m512) -> (__m512d, __m512d) {
        let (lo, hi) = widen(v);
        (_mm512_add_pd(w.0, lo), _mm512_add_pd(w.1, hi))
    }
    #[inline(always)]
    unsafe fn wide_sum(w: (__m512d, __m512d)) -> f64 {
        _mm512_reduce_add_pd(_mm512_add_pd(w.0, w.1))
    }
    #[inline(always)]
    unsafe fn widen(v: __m512) -> (__m512d, __m512d) {
        widen(v)
    }
    #[inline(always)]
    unsafe fn wide_delta(a: f64, p: *const f64) -> (__m512d, __m512d) {
        let a = _mm512_set1_pd(a);
        (
            _mm512_sub_pd(a, _mm512_loadu_pd(p)),
            _mm512_sub_pd(a, _mm512_loadu_pd(p.add(8))),
        )
    }
    #[inline(always)]
    unsafe fn wide_mul(a: (__m512d, __m512d), b: (__m512d, __m512d)) -> (__m512d, __m512d) {
        (_mm512_mul_pd(a.0, b.0), _mm512_mul_pd(a.1, b.1))
    }
    #[inline(always)]
    unsafe fn wide_sum2(a: (__m512d, __m512d), b: (__m512d, __m512d)) -> (__m512d, __m512d) {
        (_mm512_add_pd(a.0, b.0), _mm512_add_pd(a.1, b.1))
    }
    #[inline(always)]
    unsafe fn wide_into(p: *mut f64, w: (__m512d, __m512d)) {
        _mm512_storeu_pd(p, _mm512_add_pd(_mm512_loadu_pd(p), w.0));
        _mm512_storeu_pd(p.add(8), _mm512_add_pd(_mm512_loadu_pd(p.add(8)), w.1));
    }
    #[inline(always)]
    unsafe fn compress_lt(p: *mut f32, v: __m512, a: __m512, b: __m512) -> (usize, u32) {
        let m = _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ);
        _mm512_storeu_ps(p, _mm512_maskz_compress_ps(m, v));
        (m.count_ones() as usize, m as u32)
    }
    #[inline(always)]
    unsafe fn expand(p: *const f32, mask: u32) -> __m512 {
        _mm512_maskz_expand_ps(mask as __mmask16, _mm512_loadu_ps(p))
    }
}
