//! The φ* transform: identity at ε = 0, forces s·F against central differences of φ*, and
//! φ_s against a numerical root of s(φ).

#![allow(clippy::needless_range_loop)] // index loops read best in finite differences

mod common;
use common::*;
use pelt::landscape::{LandscapeError, Transform};
use pelt::potential::{Evaluation, Potential};
use pelt::system::{builders, Coords};

#[test]
fn identity_at_zero_eps() {
    let t = Transform::per_atom(0.0, -2.58, 4, 55).unwrap();
    assert!(t.is_identity());
    for phi in [-200.0, -154.6, -141.9, 0.0, 10.0] {
        assert_eq!(t.energy(phi), phi);
        assert_eq!(t.factor(phi), 1.0);
    }
    assert_eq!(t.stationary_energy(), None);
    let mut f = vec![0.3, -1.2, 5.0];
    assert_eq!(t.apply(-150.0, &mut f), (-150.0, 1.0));
    assert_eq!(f, vec![0.3, -1.2, 5.0]);
}

#[test]
fn parameters_are_validated() {
    for m in [0, 1, 3, 5] {
        assert_eq!(
            Transform::new(1e-4, -140.0, m),
            Err(LandscapeError::Exponent(m))
        );
    }
    assert!(Transform::new(f64::NAN, -140.0, 4).is_err());
    assert!(Transform::new(1e-4, f64::INFINITY, 4).is_err());
    assert_eq!(
        Transform::per_atom(1e-4, -2.58, 4, 0),
        Err(LandscapeError::NoAtoms)
    );
}

#[test]
fn transformed_forces_match_central_differences_of_phi_star() {
    let pot = potential("Al_EA.eam.alloy");
    let pos: Coords = {
        let mut p = builders::icosahedron(2, 2.76).unwrap();
        // Break the symmetry so that every force component is non-zero.
        let flat = p.as_flat_mut();
        for (k, v) in flat.iter_mut().enumerate() {
            *v += 0.05 * ((k as f64) * 1.7).sin();
        }
        p
    };
    let mut ev = Evaluation::new(55);
    pot.compute(&pos, &mut ev);
    let phi = ev.energy;
    let phi0 = -2.58 * 55.0;
    let delta = phi - phi0; // about −11 eV: the transform is active
    assert!(delta < -5.0);
    for m in [2u32, 4, 6] {
        // |ε| chosen so that ε m Δ^{m−1} is 0.5 and 3 in size: s = 1 ∓ 0.5, 1 ∓ 3 (the latter
        // reverses the forces for ε > 0).
        for size in [0.5, 3.0] {
            for sign in [1.0, -1.0] {
                let eps = sign * size / (m as f64 * delta.abs().powi(m as i32 - 1));
                let t = Transform::new(eps, phi0, m).unwrap();
                let mut f = ev.forces.as_flat().to_vec();
                let (phi_star, s) = t.apply(phi, &mut f);
                assert!((s - (1.0 - sign * size)).abs() < 1e-9, "s = {s}");
                // φ* against its definition (DESIGN.md §1), written out here.
                let by_definition = phi + eps * (phi - phi0).powi(m as i32);
                assert!(
                    (phi_star - by_definition).abs() < 1e-12 * phi.abs(),
                    "{phi_star} vs {by_definition}"
                );
                let h = 1e-5;
                let mut p = pos.clone();
                let mut worst: f64 = 0.0;
                for k in 0..3 * 55 {
                    let x0 = p.as_flat()[k];
                    p.as_flat_mut()[k] = x0 + h;
                    let ep = t.energy(pot.energy(&p));
                    p.as_flat_mut()[k] = x0 - h;
                    let em = t.energy(pot.energy(&p));
                    p.as_flat_mut()[k] = x0;
                    worst = worst.max((-(ep - em) / (2.0 * h) - f[k]).abs());
                }
                println!("m = {m}, eps = {eps:+.3e}, s = {s:+.2}: max |F* - F*_fd| = {worst:.2e}");
                assert!(worst < 1e-6, "m={m} eps={eps}: {worst:e}");
            }
        }
    }
}

/// Bisection for s(φ) = 0 on [lo, hi] with s(lo) < 0 < s(hi).
fn root(t: &Transform, mut lo: f64, mut hi: f64) -> f64 {
    assert!(t.factor(lo) < 0.0 && t.factor(hi) > 0.0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t.factor(mid) < 0.0 {
            lo = mid
        } else {
            hi = mid
        }
    }
    0.5 * (lo + hi)
}

#[test]
fn stationary_energy_is_the_root_of_s() {
    for (n, m, eps) in [
        (55usize, 4u32, 2e-4),
        (55, 4, 1.2e-4),
        (43, 6, 1e-5),
        (13, 2, 0.01),
    ] {
        let t = Transform::per_atom(eps, -2.58, m, n).unwrap();
        let phi_s = t.stationary_energy().expect("eps > 0 has phi_s");
        let r = root(&t, t.phi0() - 1000.0, t.phi0() - 1e-9);
        println!("N={n} m={m} eps={eps}: phi_s = {phi_s:.12}, root = {r:.12}");
        assert!((phi_s - r).abs() < 1e-9 * phi_s.abs());
        // The transformed energy is stationary there: dφ*/dφ = 0.
        let h = 1e-4;
        assert!(((t.energy(phi_s + h) - t.energy(phi_s - h)) / (2.0 * h)).abs() < 1e-6);
    }
    // ε < 0: s ≥ 1 everywhere, no φ_s, no inversion.
    let t = Transform::per_atom(-4e-5, -2.58, 6, 43).unwrap();
    assert_eq!(t.stationary_energy(), None);
    assert!(t.inversion(-1e6, 0.0).is_none());
    for phi in [-130.0, -120.0, -110.94] {
        assert!(t.factor(phi) >= 1.0);
    }
}

#[test]
fn al55_at_eps_2e_minus_4_inverts_the_icosahedron() {
    // DESIGN.md §1: φ_s ≈ −152.67 eV at ε = 2e-4, above the relaxed icosahedron (−154.6127 eV).
    let t = Transform::per_atom(2e-4, -2.58, 4, 55).unwrap();
    let phi_s = t.stationary_energy().unwrap();
    assert!((phi_s + 152.67).abs() < 0.005, "{phi_s}");
    let e_ih = -154.6127437595;
    assert!(t.factor(e_ih) < 0.0);
    let inv = t.inversion(e_ih, -150.0).expect("inverted window");
    assert_eq!((inv.from, inv.to), (e_ih, phi_s));
    assert!(t.inversion(-152.0, -150.0).is_none());
    // The inversion threshold (DESIGN.md §1): φ_s crosses the icosahedron's energy once
    // ε > 1.22e-4.
    let crossing = t.critical_epsilon(e_ih);
    assert!((crossing - 1.22e-4).abs() < 0.005e-4, "{crossing}");
}

#[test]
fn critical_epsilon_puts_phi_s_on_the_reference() {
    // What ε_c means, checked through the other functions of the transform: at ε_c the
    // stationary energy is the reference and s vanishes there; just above, the reference
    // lies in the inverted region, just below it does not. A wrong exponent or factor in
    // critical_epsilon fails every one of these.
    for (n, m, reference) in [
        (55usize, 4u32, -154.6127437595),
        (43, 6, -2.70 * 43.0),
        (13, 2, -2.65 * 13.0),
    ] {
        let t = Transform::per_atom(1e-4, -2.58, m, n).unwrap();
        let eps_c = t.critical_epsilon(reference);
        assert!(eps_c.is_finite() && eps_c > 0.0);
        let at = Transform::new(eps_c, t.phi0(), m).unwrap();
        let phi_s = at.stationary_energy().unwrap();
        assert!(
            (phi_s - reference).abs() < 1e-9 * reference.abs(),
            "N={n}: {phi_s}"
        );
        assert!(at.factor(reference).abs() < 1e-9, "N={n}");
        let above = Transform::new(eps_c * 1.001, t.phi0(), m).unwrap();
        let below = Transform::new(eps_c * 0.999, t.phi0(), m).unwrap();
        assert!(above.factor(reference) < 0.0 && below.factor(reference) > 0.0);
    }
    // A reference at or above φ0 is never inverted.
    let t = Transform::per_atom(1e-4, -2.58, 4, 55).unwrap();
    assert_eq!(t.critical_epsilon(t.phi0() + 1.0), f64::INFINITY);
}
