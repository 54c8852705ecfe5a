//! [`Lanes`] for AVX2 + FMA: four f64 or eight f32 pair terms per register.

#![cfg(target_arch = "x86_64")]

use super::{Lanes, Line32, Line64, Packed};
use crate::potential::packed::lines;
use std::arch::x86_64::*;

/// True where this CPU runs the AVX2 kernels.
pub(crate) fn supported() -> bool {
    is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
}

/// Permutations for compressing and expanding eight 32-bit lanes by a mask: `COMPRESS[m]`
/// lists the set lanes of m in order; `EXPAND[m][l]` is the rank of lane l among them.
const fn luts() -> ([[i32; 8]; 256], [[i32; 8]; 256]) {
    let mut c = [[0i32; 8]; 256];
    let mut e = [[0i32; 8]; 256];
    let mut m = 0;
    while m < 256 {
        let mut k = 0;
        let mut l = 0;
        while l < 8 {
            if m & (1 << l) != 0 {
                c[m][k] = l as i32;
                e[m][l] = k as i32;
                k += 1;
            }
            l += 1;
        }
        m += 1;
    }
    (c, e)
}

/// The same for four 64-bit lanes, as pairs of 32-bit lanes.
const fn luts64() -> ([[i32; 8]; 16], [[i32; 8]; 16]) {
    let mut c = [[0i32; 8]; 16];
    let mut e = [[0i32; 8]; 16];
    let mut m = 0;
    while m < 16 {
        let mut k = 0;
        let mut l = 0;
        while l < 4 {
            if m & (1 << l) != 0 {
                c[m][2 * k] = 2 * l as i32;
                c[m][2 * k + 1] = 2 * l as i32 + 1;
                e[m][2 * l] = 2 * k as i32;
                e[m][2 * l + 1] = 2 * k as i32 + 1;
                k += 1;
            }
            l += 1;
        }
        m += 1;
    }
    (c, e)
}

static LUT32: ([[i32; 8]; 256], [[i32; 8]; 256]) = luts();
static LUT64: ([[i32; 8]; 16], [[i32; 8]; 16]) = luts64();

/// All-ones in the 32-bit lanes whose bit is set in `mask` (lanes of 32 bits) or in pairs
/// for `pairs`.
#[inline(always)]
unsafe fn lane_bits(mask: u32, pairs: bool) -> __m256i {
    let bits = if pairs {
        _mm256_setr_epi32(1, 1, 2, 2, 4, 4, 8, 8)
    } else {
        _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128)
    };
    _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32(mask as i32), bits), bits)
}

/// Four f64 lanes (the double-precision AVX2 kernel).
pub(crate) struct F64x4;

/// Eight f32 lanes (the mixed-precision AVX2 kernel).
pub(crate) struct F32x8;

#[inline(always)]
unsafe fn hsum_pd(v: __m256d) -> f64 {
    let lo = _mm256_castpd256_pd128(v);
    let hi = _mm256_extractf128_pd(v, 1);
    let s = _mm_add_pd(lo, hi);
    _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)))
}

/// Four lanes' coefficients `[c₃, c₂]` or `[c₁, c₀]` at `offset` within their lines,
/// transposed into two vectors.
#[inline(always)]
unsafe fn pair_of_columns(lines: &[*const f64; 4], offset: usize) -> (__m256d, __m256d) {
    let a = _mm256_insertf128_pd(
        _mm256_castpd128_pd256(_mm_loadu_pd(lines[0].add(offset))),
        _mm_loadu_pd(lines[2].add(offset)),
        1,
    );
    let b = _mm256_insertf128_pd(
        _mm256_castpd128_pd256(_mm_loadu_pd(lines[1].add(offset))),
        _mm_loadu_pd(lines[3].add(offset)),
        1,
    );
    (_mm256_unpacklo_pd(a, b), _mm256_unpackhi_pd(a, b))
}

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

impl Lanes for F64x4 {
    const LANES: usize = 4;
    const SPLIT: bool = false;
    type T = f64;
    type V = __m256d;
    type W = __m256d;
    type Line = Line64;

    #[inline(always)]
    fn table(p: &Packed) -> &[Line64] {
        &p.pair
    }

    #[inline(always)]
    unsafe fn splat(x: f64) -> __m256d {
        _mm256_set1_pd(x)
    }
    #[inline(always)]
    unsafe fn iota() -> __m256d {
        _mm256_set_pd(3.0, 2.0, 1.0, 0.0)
    }
    #[inline(always)]
    unsafe fn load(p: *const f64) -> __m256d {
        _mm256_loadu_pd(p)
    }
    #[inline(always)]
    unsafe fn store(p: *mut f64, v: __m256d) {
        _mm256_storeu_pd(p, v)
    }
    #[inline(always)]
    unsafe fn add(a: __m256d, b: __m256d) -> __m256d {
        _mm256_add_pd(a, b)
    }
    #[inline(always)]
    unsafe fn sub(a: __m256d, b: __m256d) -> __m256d {
        _mm256_sub_pd(a, b)
    }
    #[inline(always)]
    unsafe fn mul(a: __m256d, b: __m256d) -> __m256d {
        _mm256_mul_pd(a, b)
    }
    #[inline(always)]
    unsafe fn fmadd(a: __m256d, b: __m256d, c: __m256d) -> __m256d {
        _mm256_fmadd_pd(a, b, c)
    }
    #[inline(always)]
    unsafe fn fmsub(a: __m256d, b: __m256d, c: __m256d) -> __m256d {
        _mm256_fmsub_pd(a, b, c)
    }
    #[inline(always)]
    unsafe fn select_lt(a: __m256d, b: __m256d, x: __m256d, y: __m256d) -> __m256d {
        _mm256_blendv_pd(y, x, _mm256_cmp_pd(a, b, _CMP_LT_OQ))
    }
    #[inline(always)]
    unsafe fn keep_lt(a: __m256d, b: __m256d, x: __m256d) -> __m256d {
        _mm256_and_pd(x, _mm256_cmp_pd(a, b, _CMP_LT_OQ))
    }
    #[inline(always)]
    unsafe fn any_lt(a: __m256d, b: __m256d) -> bool {
        _mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_LT_OQ)) != 0
    }
    /// The f32 estimate (12 bits), then three Newton steps in f64 (24, 48, then full
    /// precision). Measured 30 % faster than `sqrt` and a division, which share one unit.
    #[inline(always)]
    unsafe fn rsqrt(x: __m256d) -> __m256d {
        let half_x = _mm256_mul_pd(x, _mm256_set1_pd(0.5));
        let three_halves = _mm256_set1_pd(1.5);
        let mut y = _mm256_cvtps_pd(_mm_rsqrt_ps(_mm256_cvtpd_ps(x)));
        for _ in 0..3 {
            let yy = _mm256_mul_pd(y, y);
            y = _mm256_mul_pd(y, _mm256_fnmadd_pd(half_x, yy, three_halves));
        }
        y
    }
    #[inline(always)]
    unsafe fn locate(x: __m256d, inv_h: __m256d, last: __m256d, k: *mut i32) -> __m256d {
        let one = _mm256_set1_pd(1.0);
        let p = _mm256_fmadd_pd(x, inv_h, one);
        let m = _mm256_min_pd(_mm256_max_pd(_mm256_floor_pd(p), one), last);
        _mm_storeu_si128(k.cast(), _mm256_cvttpd_epi32(_mm256_sub_pd(m, one)));
        _mm256_min_pd(_mm256_sub_pd(p, m), one)
    }
    #[inline(always)]
    unsafe fn cubics(table: *const Line64, k: *const i32, p: __m256d) -> [__m256d; 4] {
        let l = lines::<Line64, f64, 4>(table, k);
        let (c3, c2) = pair_of_columns(&l, 0);
        let (c1, c0) = pair_of_columns(&l, 2);
        let (rho, rho_p) = cubic!(_mm256_fmadd_pd, c3, c2, c1, c0, p);
        let (c3, c2) = pair_of_columns(&l, 4);
        let (c1, c0) = pair_of_columns(&l, 6);
        let (z, z_p) = cubic!(_mm256_fmadd_pd, c3, c2, c1, c0, p);
        [rho, rho_p, z, z_p]
    }
    #[inline(always)]
    unsafe fn add_into(p: *mut f64, v: __m256d) {
        _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), v))
    }
    #[inline(always)]
    unsafe fn wide_zero() -> __m256d {
        _mm256_setzero_pd()
    }
    #[inline(always)]
    unsafe fn wide_add(w: __m256d, v: __m256d) -> __m256d {
        _mm256_add_pd(w, v)
    }
    #[inline(always)]
    unsafe fn wide_sum(w: __m256d) -> f64 {
        hsum_pd(w)
    }
    #[inline(always)]
    unsafe fn widen(v: __m256d) -> __m256d {
        v
    }
    #[inline(always)]
    unsafe fn wide_delta(a: f64, p: *const f64) -> __m256d {
        _mm256_sub_pd(_mm256_set1_pd(a), _mm256_loadu_pd(p))
    }
    #[inline(always)]
    unsafe fn wide_mul(a: __m256d, b: __m256d) -> __m256d {
        _mm256_mul_pd(a, b)
    }
    #[inline(always)]
    unsafe fn wide_sum2(a: __m256d, b: __m256d) -> __m256d {
        _mm256_add_pd(a, b)
    }
    #[inline(always)]
    unsafe fn wide_into(p: *mut f64, w: __m256d) {
        _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), w))
    }
    #[inline(always)]
    unsafe fn compress_lt(p: *mut f64, v: __m256d, a: __m256d, b: __m256d) -> (usize, u32) {
        let m = _mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_LT_OQ)) as u32;
        let idx = _mm256_loadu_si256(LUT64.0[m as usize].as_ptr().cast());
        let packed = _mm256_permutevar8x32_ps(_mm256_castpd_ps(v), idx);
        _mm256_storeu_pd(p, _mm256_castps_pd(packed));
        (m.count_ones() as usize, m)
    }
    #[inline(always)]
    unsafe fn expand(p: *const f64, mask: u32) -> __m256d {
        let idx = _mm256_loadu_si256(LUT64.1[mask as usize].as_ptr().cast());
        let spread = _mm256_permutevar8x32_ps(_mm256_castpd_ps(_mm256_loadu_pd(p)), idx);
        _mm256_castps_pd(_mm256_and_ps(
            spread,
            _mm256_castsi256_ps(lane_bits(mask, true)),
        ))
    }
}

/// The two f64 halves of eight f32 lanes.
#[inline(always)]
unsafe fn widen(v: __m256) -> (__m256d, __m256d) {
    (
        _mm256_cvtps_pd(_mm256_castps256_ps128(v)),
        _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)),
    )
}

/// The 16-byte pieces at `offset` of lanes q (low half) and q + 4 (high half). (Functions,
/// not closures: a closure is not inlined into the `target_feature` caller.)
#[inline(always)]
unsafe fn row8(l: &[*const f32; 8], q: usize, offset: usize) -> __m256 {
    _mm256_insertf128_ps(
        _mm256_castps128_ps256(_mm_loadu_ps(l[q].add(offset))),
        _mm_loadu_ps(l[q + 4].add(offset)),
        1,
    )
}

/// Eight lanes' four coefficients at `offset` (0: ρ, 4: rφ), transposed into the columns
/// c₃, c₂, c₁, c₀: the 16-byte pieces of lanes l and l + 4 share a register, and one 4×4
/// transpose inside each 128-bit half gives lanes 0–3 low and 4–7 high.
#[inline(always)]
unsafe fn columns8(l: &[*const f32; 8], offset: usize) -> [__m256; 4] {
    let (r0, r1, r2, r3) = (
        row8(l, 0, offset),
        row8(l, 1, offset),
        row8(l, 2, offset),
        row8(l, 3, offset),
    );
    let t0 = _mm256_unpacklo_ps(r0, r1);
    let t1 = _mm256_unpacklo_ps(r2, r3);
    let t2 = _mm256_unpackhi_ps(r0, r1);
    let t3 = _mm256_unpackhi_ps(r2, r3);
    [
        _mm256_shuffle_ps(t0, t1, 0x44),
        _mm256_shuffle_ps(t0, t1, 0xee),
        _mm256_shuffle_ps(t2, t3, 0x44),
        _mm256_shuffle_ps(t2, t3, 0xee),
    ]
}

impl Lanes for F32x8 {
    const LANES: usize = 8;
    const SPLIT: bool = true;
    type T = f32;
    type V = __m256;
    type W = (__m256d, __m256d);
    type Line = Line32;

    #[inline(always)]
    fn table(p: &Packed) -> &[Line32] {
        &p.pair32
    }

    #[inline(always)]
    unsafe fn splat(x: f64) -> __m256 {
        _mm256_set1_ps(x as f32)
    }
    #[inline(always)]
    unsafe fn iota() -> __m256 {
        _mm256_setr_ps(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> __m256 {
        _mm256_loadu_ps(p)
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: __m256) {
        _mm256_storeu_ps(p, v)
    }
    #[inline(always)]
    unsafe fn add(a: __m256, b: __m256) -> __m256 {
        _mm256_add_ps(a, b)
    }
    #[inline(always)]
    unsafe fn sub(a: __m256, b: __m256) -> __m256 {
        _mm256_sub_ps(a, b)
    }
    #[inline(always)]
    unsafe fn mul(a: __m256, b: __m256) -> __m256 {
        _mm256_mul_ps(a, b)
    }
    #[inline(always)]
    unsafe fn fmadd(a: __m256, b: __m256, c: __m256) -> __m256 {
        _mm256_fmadd_ps(a, b, c)
    }
    #[inline(always)]
    unsafe fn fmsub(a: __m256, b: __m256, c: __m256) -> __m256 {
        _mm256_fmsub_ps(a, b, c)
    }
    #[inline(always)]
    unsafe fn select_lt(a: __m256, b: __m256, x: __m256, y: __m256) -> __m256 {
        _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_LT_OQ))
    }
    #[inline(always)]
    unsafe fn keep_lt(a: __m256, b: __m256, x: __m256) -> __m256 {
        _mm256_and_ps(x, _mm256_cmp_ps(a, b, _CMP_LT_OQ))
    }
    #[inline(always)]
    unsafe fn any_lt(a: __m256, b: __m256) -> bool {
        _mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_LT_OQ)) != 0
    }
    /// The 12-bit estimate and one Newton step (about 22 bits; a second step measured no
    /// change in the LAMMPS comparison).
    #[inline(always)]
    unsafe fn rsqrt(x: __m256) -> __m256 {
        let y = _mm256_rsqrt_ps(x);
        let half_x = _mm256_mul_ps(x, _mm256_set1_ps(0.5));
        let yy = _mm256_mul_ps(y, y);
        _mm256_mul_ps(y, _mm256_fnmadd_ps(half_x, yy, _mm256_set1_ps(1.5)))
    }
    #[inline(always)]
    unsafe fn locate(x: __m256, inv_h: __m256, last: __m256, k: *mut i32) -> __m256 {
        let one = _mm256_set1_ps(1.0);
        let p = _mm256_fmadd_ps(x, inv_h, one);
        let m = _mm256_min_ps(_mm256_max_ps(_mm256_floor_ps(p), one), last);
        _mm256_storeu_si256(k.cast(), _mm256_cvttps_epi32(_mm256_sub_ps(m, one)));
        _mm256_min_ps(_mm256_sub_ps(p, m), one)
    }
    #[inline(always)]
    unsafe fn cubics(table: *const Line32, k: *const i32, p: __m256) -> [__m256; 4] {
        let l = lines::<Line32, f32, 8>(table, k);
        let [c3, c2, c1, c0] = columns8(&l, 0);
        let (rho, rho_p) = cubic!(_mm256_fmadd_ps, c3, c2, c1, c0, p);
        let [c3, c2, c1, c0] = columns8(&l, 4);
        let (z, z_p) = cubic!(_mm256_fmadd_ps, c3, c2, c1, c0, p);
        [rho, rho_p, z, z_p]
    }
    #[inline(always)]
    unsafe fn add_into(p: *mut f64, v: __m256) {
        let (lo, hi) = widen(v);
        _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), lo));
        _mm256_storeu_pd(p.add(4), _mm256_add_pd(_mm256_loadu_pd(p.add(4)), hi));
    }
    #[inline(always)]
    unsafe fn wide_zero() -> (__m256d, __m256d) {
        (_mm256_setzero_pd(), _mm256_setzero_pd())
    }
    #[inline(always)]
    unsafe fn wide_add(w: (__m256d, __m256d), v: __m256) -> (__m256d, __m256d) {
        let (lo, hi) = widen(v);
        (_mm256_add_pd(w.0, lo), _mm256_add_pd(w.1, hi))
    }
    #[inline(always)]
    unsafe fn wide_sum(w: (__m256d, __m256d)) -> f64 {
        hsum_pd(_mm256_add_pd(w.0, w.1))
    }
    #[inline(always)]
    unsafe fn widen(v: __m256) -> (__m256d, __m256d) {
        widen(v)
    }
    #[inline(always)]
    unsafe fn wide_delta(a: f64, p: *const f64) -> (__m256d, __m256d) {
        let a = _mm256_set1_pd(a);
        (
            _mm256_sub_pd(a, _mm256_loadu_pd(p)),
            _mm256_sub_pd(a, _mm256_loadu_pd(p.add(4))),
        )
    }
    #[inline(always)]
    unsafe fn wide_mul(a: (__m256d, __m256d), b: (__m256d, __m256d)) -> (__m256d, __m256d) {
        (_mm256_mul_pd(a.0, b.0), _mm256_mul_pd(a.1, b.1))
    }
    #[inline(always)]
    unsafe fn wide_sum2(a: (__m256d, __m256d), b: (__m256d, __m256d)) -> (__m256d, __m256d) {
        (_mm256_add_pd(a.0, b.0), _mm256_add_pd(a.1, b.1))
    }
    #[inline(always)]
    unsafe fn wide_into(p: *mut f64, w: (__m256d, __m256d)) {
        _mm256_storeu_pd(p, _mm256_add_pd(_mm256_loadu_pd(p), w.0));
        _mm256_storeu_pd(p.add(4), _mm256_add_pd(_mm256_loadu_pd(p.add(4)), w.1));
    }
    #[inline(always)]
    unsafe fn compress_lt(p: *mut f32, v: __m256, a: __m256, b: __m256) -> (usize, u32) {
        let m = _mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_LT_OQ)) as u32;
        let idx = _mm256_loadu_si256(LUT32.0[m as usize].as_ptr().cast());
        _mm256_storeu_ps(p, _mm256_permutevar8x32_ps(v, idx));
        (m.count_ones() as usize, m)
    }
    #[inline(always)]
    unsafe fn expand(p: *const f32, mask: u32) -> __m256 {
        let idx = _mm256_loadu_si256(LUT32.1[mask as usize].as_ptr().cast());
        let spread = _mm256_permutevar8x32_ps(_mm256_loadu_ps(p), idx);
        _mm256_and_ps(spread, _mm256_castsi256_ps(lane_bits(mask, false)))
    }
}
