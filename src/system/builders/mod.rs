//! Cluster builders. Every builder takes the nearest-neighbour distance `d` (Å) and returns
//! positions centred on the origin.
//!
//! | shape | magic sizes | parameters |
//! |---|---|---|
//! | Mackay icosahedron | 13, 55, 147, 309, … | shells around the central atom |
//! | decahedron (regular, Ino, Marks) | 7, 23, 54, … (regular) | edge atoms, Ino truncation, Marks re-entrance |
//! | cuboctahedron | 13, 55, 147, 309, … | shells |
//! | truncated octahedron | 38, 79, 116, 140, 201, … | octahedron edge atoms, vertex layers cut |
//! | random compact | any N | minimum distance, seed |

mod decahedron;
mod fcc;
mod icosahedron;
mod random;

pub use decahedron::decahedron;
pub use fcc::{cuboctahedron, cuboctahedron_shells_for, truncated_octahedron};
pub use icosahedron::{icosahedron, icosahedron_shells_for};
pub use random::random_compact;

use super::{Coords, StructureError};
use std::collections::HashSet;

/// Collects points, dropping exact repeats (shared vertices, edges and faces of the
/// polyhedra the builders assemble). Points closer than `1e-6·d` count as the same.
pub(crate) struct PointSet {
    scale: f64,
    seen: HashSet<[i64; 3]>,
    points: Vec<[f64; 3]>,
}

impl PointSet {
    pub(crate) fn new(d: f64) -> Self {
        PointSet {
            scale: 1.0 / (1e-6 * d),
            seen: HashSet::new(),
            points: Vec::new(),
        }
    }

    pub(crate) fn insert(&mut self, p: [f64; 3]) {
        let key = p.map(|v| (v * self.scale).round() as i64);
        if self.seen.insert(key) {
            self.points.push(p);
        }
    }

    pub(crate) fn into_coords(self) -> Coords {
        Coords::from_points(&self.points)
    }
}

pub(crate) fn check_distance(d: f64) -> Result<(), StructureError> {
    if d.is_finite() && d > 0.5 && d < 10.0 {
        Ok(())
    } else {
        Err(StructureError::Builder(format!(
            "nearest-neighbour distance {d} Å is outside the accepted range 0.5–10 Å"
        )))
    }
}
