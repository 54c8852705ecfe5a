//! One SIMD register of pair terms, as the generic kernel (`super::simd`) sees it.
//!
//! The kernel's stages are written once over [`Lanes`]; each implementation fixes a lane
//! width and a precision for the pair terms:
//!
//! | type | ISA | pair terms | lanes |
//! |---|---|---|---|
//! | `avx2::F64x4` | AVX2 + FMA | f64 | 4 |
//! | `avx2::F32x8` | AVX2 + FMA | f32 | 8 |
//! | `avx512::F64x8` | AVX-512F | f64 | 8 |
//! | `avx512::F32x16` | AVX-512F | f32 | 16 |
//!
//! Sums never run in f32: densities, forces and energies are accumulated in f64
//! ([`Lanes::add_into`], [`Lanes::wide_add`]), and the embedding function is evaluated in
//! f64. The pair force F_ij = g_ij·(r_i − r_j) multiplies the f32 factor g_ij by the exact
//! f64 separation ([`Lanes::wide_delta`]), so F_ij is parallel to r_i − r_j to f64 rounding
//! and the forces conserve angular momentum as in double precision. With f32 lanes the separation r_ij is formed from a two-part (hi + lo) f32 copy of
//! the f64 positions, so its error is the rounding of r_ij itself, not of the coordinates.
//!
//! # Safety
//! Every method is `unsafe`: it must run on a CPU with the implementation's instruction
//! set (the kernel's entry points check it once), and pointer arguments must be valid for
//! `LANES` elements (loads and stores are unaligned).

#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2;
#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512;

/// A precision for the pair terms: `f32` or `f64`.
pub(crate) trait Real: Copy + Default + PartialOrd + 'static {
    /// `x` rounded to this precision.
    fn from_f64(x: f64) -> Self;
    /// The value in f64 (exact).
    fn to_f64(self) -> f64;
}

impl Real for f64 {
    #[inline(always)]
    fn from_f64(x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
}

impl Real for f32 {
    #[inline(always)]
    fn from_f64(x: f64) -> f32 {
        x as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
}

pub(crate) use super::packed::{Line32, Line64, Packed};

/// A SIMD register of `LANES` pair terms of precision `T` and the operations the kernel
/// needs. See the module documentation for the safety contract.
pub(crate) trait Lanes {
    /// Pairs per register.
    const LANES: usize;
    /// Whether positions are split into hi + lo parts (f32 lanes).
    const SPLIT: bool;
    /// The precision of the pair terms.
    type T: Real;
    /// `LANES` values of `T`.
    type V: Copy;
    /// An f64 accumulator for `LANES` values (one or two f64 registers).
    type W: Copy;
    /// One table line of the pair splines in precision `T` ([`Line64`] or [`Line32`]).
    type Line;

    /// The pair-spline lines of this precision.
    fn table(p: &Packed) -> &[Self::Line];
    /// Every lane `x` (rounded to `T`).
    unsafe fn splat(x: f64) -> Self::V;
    /// Lanes 0, 1, …, LANES − 1.
    unsafe fn iota() -> Self::V;
    /// `LANES` values from `p`.
    unsafe fn load(p: *const Self::T) -> Self::V;
    /// `LANES` values to `p`.
    unsafe fn store(p: *mut Self::T, v: Self::V);
    /// a + b.
    unsafe fn add(a: Self::V, b: Self::V) -> Self::V;
    /// a − b.
    unsafe fn sub(a: Self::V, b: Self::V) -> Self::V;
    /// a · b.
    unsafe fn mul(a: Self::V, b: Self::V) -> Self::V;
    /// a · b + c, rounded once.
    unsafe fn fmadd(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// a · b − c, rounded once.
    unsafe fn fmsub(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    /// x where a < b (ordered: false for NaN), else y.
    unsafe fn select_lt(a: Self::V, b: Self::V, x: Self::V, y: Self::V) -> Self::V;
    /// x where a < b, else 0.
    unsafe fn keep_lt(a: Self::V, b: Self::V, x: Self::V) -> Self::V;
    /// Whether a < b in any lane.
    unsafe fn any_lt(a: Self::V, b: Self::V) -> bool;
    /// Store the lanes of `v` where a < b (ordered) one after the other at `p`, and return
    /// how many and which (bit l for lane l). Writes up to `LANES` slots at `p`.
    unsafe fn compress_lt(p: *mut Self::T, v: Self::V, a: Self::V, b: Self::V) -> (usize, u32);
    /// The inverse of [`Lanes::compress_lt`]: lane l gets the next value from `p` where bit l
    /// of `mask` is set, 0 elsewhere. Reads up to `LANES` slots at `p`.
    unsafe fn expand(p: *const Self::T, mask: u32) -> Self::V;
    /// 1/√x to the precision of `T` (estimate and Newton steps).
    unsafe fn rsqrt(x: Self::V) -> Self::V;
    /// LAMMPS's lookup on a grid of spacing 1/inv_h with `last` = nodes − 1: p = x/h + 1,
    /// m = clamp(⌊p⌋, 1, last), p = min(p − m, 1). Stores the 0-based intervals m − 1 to
    /// `k` and returns p.
    ///
    /// The clamp is written so that a NaN x gives m = 1 and p = 1 (x86 `min`/`max` return
    /// their second operand when the first is NaN): table indices stay in range whatever
    /// the positions, and the NaN reaches the energy through 1/r.
    unsafe fn locate(x: Self::V, inv_h: Self::V, last: Self::V, k: *mut i32) -> Self::V;
    /// Both cubics of the lines `table[k[l]]` at p, with their derivatives d/dp:
    /// `[ρ, dρ/dp, rφ, d(rφ)/dp]`.
    ///
    /// # Safety
    /// Every `k[l]` must index `table`.
    unsafe fn cubics(table: *const Self::Line, k: *const i32, p: Self::V) -> [Self::V; 4];
    /// `p[l] += v[l]` in f64, for the `LANES` f64 values at `p`.
    unsafe fn add_into(p: *mut f64, v: Self::V);
    /// A zero f64 accumulator.
    unsafe fn wide_zero() -> Self::W;
    /// w + v, in f64.
    unsafe fn wide_add(w: Self::W, v: Self::V) -> Self::W;
    /// The sum of an accumulator.
    unsafe fn wide_sum(w: Self::W) -> f64;
    /// The lanes in f64.
    unsafe fn widen(v: Self::V) -> Self::W;
    /// `a − p[l]` in f64 for the `LANES` values at `p`.
    unsafe fn wide_delta(a: f64, p: *const f64) -> Self::W;
    /// a · b in f64.
    unsafe fn wide_mul(a: Self::W, b: Self::W) -> Self::W;
    /// a + b in f64.
    unsafe fn wide_sum2(a: Self::W, b: Self::W) -> Self::W;
    /// `p[l] += w[l]`.
    unsafe fn wide_into(p: *mut f64, w: Self::W);
}
