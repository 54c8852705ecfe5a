//! Evaporation detection: an atom with no neighbour within the potential's cutoff has left
//! the cluster.

use crate::system::Coords;

/// Indices of the atoms with no other atom within `cutoff` (Å).
pub fn isolated_atoms(positions: &Coords, cutoff: f64) -> Vec<usize> {
    (0..positions.len())
        .filter(|&i| is_isolated(positions, i, cutoff * cutoff))
        .collect()
}

/// Whether atom `i` has no other atom within √`cutoff_sq`.
fn is_isolated(positions: &Coords, i: usize, cutoff_sq: f64) -> bool {
    let n = positions.len();
    let (x, y, z) = (positions.x(), positions.y(), positions.z());
    n > 1
        && (0..n).all(|j| {
            j == i || {
                let (dx, dy, dz) = (x[i] - x[j], y[i] - y[j], z[i] - z[j]);
                dx * dx + dy * dy + dz * dz > cutoff_sq
            }
        })
}

/// Counts evaporation events: an atom that becomes isolated is logged and counted once,
/// until it rejoins the cluster.
#[derive(Clone, Debug, Default)]
pub struct EvaporationMonitor {
    isolated: Vec<bool>,
    events: u64,
}

impl EvaporationMonitor {
    /// Check `positions`; logs a warning naming `label` and `step` for every newly isolated
    /// atom. Returns the number of atoms isolated now. Allocates nothing once the monitor
    /// has seen the atom count.
    pub fn check(&mut self, positions: &Coords, cutoff: f64, label: &str, step: u64) -> usize {
        self.isolated.resize(positions.len(), false);
        let mut now = 0;
        for (i, was) in self.isolated.iter_mut().enumerate() {
            let is = is_isolated(positions, i, cutoff * cutoff);
            if is && !*was {
                self.events += 1;
                log::warn!(
                    "{label}: atom {i} has no neighbour within {cutoff:.3} Å at step {step} \
                     (evaporated)"
                );
            }
            *was = is;
            now += usize::from(is);
        }
        now
    }

    /// Evaporation events so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The atoms isolated at the last check and the events so far (for checkpoints).
    pub fn save(&self) -> (Vec<bool>, u64) {
        (self.isolated.clone(), self.events)
    }

    /// Inverse of [`EvaporationMonitor::save`].
    pub fn restore(isolated: Vec<bool>, events: u64) -> EvaporationMonitor {
        EvaporationMonitor { isolated, events }
    }
}
