//! Filing quenched structures into distinct minima.
//!
//! Two structures are one minimum when their energies agree within `energy` and their
//! minimum permutational distance ([`super::align::minimum_distance`]) is at most
//! `distance`. Before the (costly) distance, two exact lower bounds prune the candidates:
//! - the energy window, from a list of the minima sorted by energy;
//! - the principal moments of inertia: for any rotation, permutation and displacement D of
//!   total norm |D| ≤ d, |ΔI_k| ≤ 4 |A| d + 2 d² (Weyl's inequality on the perturbed inertia
//!   tensor, |A| the norm of the centred coordinates);
//! - the sorted radii ([`super::align::radial_bound`]).
//!
//! Filing is sequential in principle (a quench may match a minimum found just before it).
//! It runs in batches: every quench of a batch is first matched against the catalogue as it
//! stood at the batch's start, on all cores; the unmatched ones are then filed one by one
//! against the minima the batch added. The ids, in order of discovery, do not depend on the
//! number of threads.

use super::align::{
    self, inertia_tensor, minimum_distance, radial_bound, sorted_radii, Search, P3,
};

/// When two structures are the same minimum.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tolerances {
    /// Largest minimum permutational distance (Å, the 3N norm).
    pub distance: f64,
    /// Largest energy difference (eV).
    pub energy: f64,
    /// Whether mirror images (enantiomers) are the same minimum.
    pub mirror: bool,
}

impl Default for Tolerances {
    /// 0.05 Å and 1 meV, enantiomers together. Minima polished to 1e-6 eV/Å agree to
    /// ~1e-5 Å; distinct minima of Al43 come as close as 0.1 Å (docs/ANALYSIS.md).
    fn default() -> Self {
        Tolerances {
            distance: 0.05,
            energy: 1e-3,
            mirror: true,
        }
    }
}

/// The verdict on two structures.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Verdict {
    /// Whether they are one minimum.
    pub same: bool,
    /// Their minimum permutational distance (Å).
    pub distance: f64,
    /// E_B − E_A (eV; NaN when unknown).
    pub energy_difference: f64,
    /// Whether the best alignment was improper (B is A's mirror image).
    pub mirrored: bool,
}

/// Compare two structures (energies NaN when unknown: the geometry alone decides).
pub fn compare(a: &[P3], ea: f64, b: &[P3], eb: f64, tol: Tolerances) -> Verdict {
    let al = minimum_distance(
        a,
        b,
        Search {
            mirror: tol.mirror,
            good_enough: 0.0,
        },
    );
    let de = eb - ea;
    Verdict {
        same: al.distance <= tol.distance && (de.is_nan() || de.abs() <= tol.energy),
        distance: al.distance,
        energy_difference: de,
        mirrored: al.mirrored,
    }
}

/// One distinct minimum: the first structure filed there, centred, and its fingerprint.
#[derive(Clone, Debug)]
pub struct Entry {
    /// φ (eV).
    pub energy: f64,
    /// Positions, centred (Å).
    pub positions: Vec<P3>,
    radii: Vec<f64>,
    inertia: [f64; 3],
    norm: f64,
}

impl Entry {
    /// A minimum at `positions` with energy `energy`.
    pub fn new(energy: f64, positions: &[P3]) -> Entry {
        let positions = align::centred(positions);
        let inertia = crate::system::geometry::symmetric_eigenvalues(inertia_tensor(&positions));
        Entry {
            energy,
            radii: sorted_radii(&positions),
            norm: align::norm(&positions),
            inertia,
            positions,
        }
    }

    /// Whether `other` is this minimum: their distance if so.
    fn matches(&self, other: &Entry, tol: &Tolerances) -> Option<f64> {
        if (self.energy - other.energy).abs() > tol.energy {
            return None;
        }
        let d = tol.distance;
        let bound = 4.0 * self.norm * d + 2.0 * d * d;
        if self
            .inertia
            .iter()
            .zip(&other.inertia)
            .any(|(a, b)| (a - b).abs() > bound)
        {
            return None;
        }
        if radial_bound(&self.radii, &other.radii) > d {
            return None;
        }
        let found = minimum_distance(
            &self.positions,
            &other.positions,
            Search {
                mirror: tol.mirror,
                good_enough: d,
            },
        )
        .distance;
        (found <= d).then_some(found)
    }
}

/// The distinct minima found so far.
#[derive(Clone, Debug)]
pub struct Catalogue {
    /// The rule for "the same minimum".
    pub tolerances: Tolerances,
    /// The minima, by id (order of discovery).
    pub minima: Vec<Entry>,
    /// (energy, id), sorted.
    by_energy: Vec<(f64, usize)>,
    /// The largest distance (Å) and energy difference (eV) of a structure filed into an
    /// existing minimum: how close to the tolerances the matches came.
    pub largest_match: (f64, f64),
}

/// Quenches per batch of [`Catalogue::file_all`].
const BATCH: usize = 512;

impl Catalogue {
    /// An empty catalogue.
    pub fn new(tolerances: Tolerances) -> Catalogue {
        Catalogue {
            tolerances,
            minima: Vec::new(),
            by_energy: Vec::new(),
            largest_match: (0.0, 0.0),
        }
    }

    /// The id of the minimum `q` is, among those with ids ≥ `from`, nearest in energy
    /// first, and the distance to it.
    fn find(&self, q: &Entry, from: usize) -> Option<(usize, f64)> {
        let e = q.energy;
        let tol = self.tolerances.energy;
        let lo = self.by_energy.partition_point(|x| x.0 < e - tol);
        let hi = self.by_energy.partition_point(|x| x.0 <= e + tol);
        let mut cand: Vec<(f64, usize)> = self.by_energy[lo..hi]
            .iter()
            .filter(|c| c.1 >= from)
            .copied()
            .collect();
        cand.sort_by(|a, b| {
            (a.0 - e)
                .abs()
                .total_cmp(&(b.0 - e).abs())
                .then(a.1.cmp(&b.1))
        });
        cand.into_iter()
            .find_map(|c| Some((c.1, self.minima[c.1].matches(q, &self.tolerances)?)))
    }

    fn matched(&mut self, q: &Entry, (id, d): (usize, f64)) -> usize {
        let de = (self.minima[id].energy - q.energy).abs();
        self.largest_match = (self.largest_match.0.max(d), self.largest_match.1.max(de));
        id
    }

    /// The two distinct minima closest to each other among pairs within the energy
    /// tolerance whose radial bound is at most `limit` Å: (distance, id, id), the full
    /// minimum permutational distance (on all cores). How finely the catalogue resolves the
    /// landscape: a distance near the tolerance says minima that close exist.
    pub fn closest_pair(&self, limit: f64) -> Option<(f64, usize, usize)> {
        // Each unordered pair once: from each place in the energy order, the minima after it.
        let places: Vec<usize> = (0..self.by_energy.len()).collect();
        let tol = self.tolerances;
        let per = crate::analysis::par_map(&places, |&p| {
            let (e, i) = self.by_energy[p];
            let a = &self.minima[i];
            let hi = self.by_energy.partition_point(|x| x.0 <= e + tol.energy);
            self.by_energy[(p + 1).min(hi)..hi]
                .iter()
                .filter(|&&(_, j)| radial_bound(&a.radii, &self.minima[j].radii) <= limit)
                .map(|&(_, j)| {
                    let d = minimum_distance(
                        &a.positions,
                        &self.minima[j].positions,
                        Search {
                            mirror: tol.mirror,
                            good_enough: 0.0,
                        },
                    )
                    .distance;
                    (d, i.min(j), i.max(j))
                })
                .min_by(|x, y| x.0.total_cmp(&y.0))
        });
        per.into_iter().flatten().min_by(|x, y| x.0.total_cmp(&y.0))
    }

    /// Add `q` as a new minimum; its id.
    pub fn push(&mut self, q: Entry) -> usize {
        let id = self.minima.len();
        let at = self.by_energy.partition_point(|x| x.0 < q.energy);
        self.by_energy.insert(at, (q.energy, id));
        self.minima.push(q);
        id
    }

    /// File one structure: its minimum's id, and whether that minimum is new.
    pub fn file(&mut self, energy: f64, positions: &[P3]) -> (usize, bool) {
        let q = Entry::new(energy, positions);
        match self.find(&q, 0) {
            Some(m) => (self.matched(&q, m), false),
            None => (self.push(q), true),
        }
    }

    /// File every structure in order (on all cores); the id of each.
    pub fn file_all(&mut self, quenches: &[(f64, &[P3])]) -> Vec<usize> {
        let mut ids = Vec::with_capacity(quenches.len());
        for batch in quenches.chunks(BATCH) {
            let start = self.minima.len();
            let found: Vec<(Entry, Option<(usize, f64)>)> =
                crate::analysis::par_map(batch, |&(e, x)| {
                    let q = Entry::new(e, x);
                    let m = self.find(&q, 0);
                    (q, m)
                });
            for (q, m) in found {
                let id = match m.or_else(|| self.find(&q, start)) {
                    Some(m) => self.matched(&q, m),
                    None => self.push(q),
                };
                ids.push(id);
            }
        }
        ids
    }
}
