//! Averages per temperature, accumulated per (temperature, replica) so that the reduction
//! over processes is exact and the result does not depend on how replicas are spread.

use super::{Exchange, Quench, Recorder, Sample, Statistics};
use crate::units::KB;

/// Number of accumulated quantities per (temperature, replica).
const FIELDS: usize = 9;
// Field indices.
const N: usize = 0;
const PHI: usize = 1;
const PHI2: usize = 2;
const STAR: usize = 3;
const STAR2: usize = 4;
const TKIN: usize = 5;
const NQ: usize = 6;
const EIS: usize = 7;
const EIS2: usize = 8;

/// Accumulates ⟨φ⟩, ⟨φ*⟩, ⟨T_kin⟩ and ⟨E_IS⟩ per temperature after an equilibration period.
#[derive(Clone, Debug)]
pub struct Summary {
    replicas: usize,
    equilibration: u64,
    sums: Vec<f64>,
}

/// Averages at one temperature of the ladder.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TemperatureRow {
    /// The ladder temperature (K).
    pub temperature: f64,
    /// Samples averaged.
    pub samples: u64,
    /// ⟨φ⟩ (eV).
    pub phi: f64,
    /// ⟨φ*⟩ (eV).
    pub phi_star: f64,
    /// ⟨T_kin⟩ (K).
    pub kinetic_temperature: f64,
    /// Heat capacity of the sampled φ* system, (3N−6)/2 + var(φ*)/(k_B T)² (in k_B).
    pub heat_capacity: f64,
    /// Quenches averaged.
    pub quenches: u64,
    /// ⟨E_IS⟩ (eV); NaN without quenches.
    pub inherent_energy: f64,
}

impl Summary {
    /// For `replicas` replicas (= temperatures); samples after step `equilibration` count.
    pub fn new(replicas: usize, equilibration: u64) -> Summary {
        Summary {
            replicas,
            equilibration,
            sums: vec![0.0; replicas * replicas * FIELDS],
        }
    }

    fn slot(&mut self, temperature: usize, replica: usize) -> &mut [f64] {
        let i = (temperature * self.replicas + replica) * FIELDS;
        &mut self.sums[i..i + FIELDS]
    }

    /// The accumulators as IEEE-754 bits (for checkpoints).
    pub fn to_bits(&self) -> Vec<u64> {
        self.sums.iter().map(|x| x.to_bits()).collect()
    }

    /// Continue from [`Summary::to_bits`] of a reduced summary, keeping the accumulators of
    /// the replicas for which `held` is true (the others stay zero, so that the next
    /// [`Summary::reduce`] counts every replica once); false if the length does not fit.
    pub fn restore_bits_for(&mut self, bits: &[u64], held: impl Fn(usize) -> bool) -> bool {
        if bits.len() != self.sums.len() {
            return false;
        }
        for (i, (s, &b)) in self.sums.iter_mut().zip(bits).enumerate() {
            let replica = (i / FIELDS) % self.replicas;
            *s = if held(replica) {
                f64::from_bits(b)
            } else {
                0.0
            };
        }
        true
    }

    /// Sum the accumulators over processes (collective).
    pub fn reduce(&mut self, exchange: &mut dyn Exchange) {
        exchange.sum(&mut self.sums);
    }

    /// Rows per temperature of `ladder` for a cluster with `dof` degrees of freedom; add the
    /// replicas in replica order.
    pub fn rows(&self, ladder: &[f64], dof: usize) -> Vec<TemperatureRow> {
        (0..self.replicas)
            .map(|t| {
                let mut tot = [0.0; FIELDS];
                for r in 0..self.replicas {
                    let i = (t * self.replicas + r) * FIELDS;
                    for (a, b) in tot.iter_mut().zip(&self.sums[i..i + FIELDS]) {
                        *a += b;
                    }
                }
                let n = tot[N];
                let kt = KB * ladder[t];
                let var = tot[STAR2] / n - (tot[STAR] / n).powi(2);
                TemperatureRow {
                    temperature: ladder[t],
                    samples: n as u64,
                    phi: tot[PHI] / n,
                    phi_star: tot[STAR] / n,
                    kinetic_temperature: tot[TKIN] / n,
                    heat_capacity: 0.5 * dof as f64 + var / (kt * kt),
                    quenches: tot[NQ] as u64,
                    inherent_energy: tot[EIS] / tot[NQ],
                }
            })
            .collect()
    }

    /// `rows` and the acceptance of each pair as CSV (summary.csv of `pelt run`), for a
    /// cluster of `atoms` atoms. The column names are those of `pelt analyze`'s tables; the
    /// heat capacity (of the sampled φ* system, from fluctuations) per cluster and per atom.
    pub fn csv(rows: &[TemperatureRow], statistics: &Statistics, atoms: usize) -> String {
        let mut s = String::from(
            "temperature_K,samples,phi_eV,phi_star_eV,kinetic_temperature_K,\
             heat_capacity_fluctuation_per_cluster_kB,heat_capacity_fluctuation_per_atom_kB,\
             quenches,inherent_energy_eV,swap_acceptance_to_next\n",
        );
        for (k, r) in rows.iter().enumerate() {
            let acc = acceptance_to_next(statistics, k, rows.len())
                .map_or(String::new(), |a| a.to_string());
            s.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{acc}\n",
                r.temperature,
                r.samples,
                r.phi,
                r.phi_star,
                r.kinetic_temperature,
                r.heat_capacity,
                r.heat_capacity / atoms as f64,
                r.quenches,
                r.inherent_energy
            ));
        }
        s
    }

    /// A plain-text table of `rows` and the tempering `statistics` for a cluster of `atoms`
    /// atoms (the heat capacity per atom).
    pub fn table(rows: &[TemperatureRow], statistics: &Statistics, atoms: usize) -> String {
        let mut s = String::new();
        s.push_str(
            "    T (K)  samples      <phi> (eV)     <phi*> (eV)  <T_kin> (K)  C*/N (kB)  quenches     <E_IS> (eV)  acc(T,T+1)\n",
        );
        for (k, r) in rows.iter().enumerate() {
            let acc = acceptance_to_next(statistics, k, rows.len())
                .map_or(format!("{:>10}", "-"), |a| format!("{a:10.3}"));
            s.push_str(&format!(
                "{:9.2} {:8} {:15.6} {:15.6} {:12.2} {:10.2} {:9} {:15.6} {acc}\n",
                r.temperature,
                r.samples,
                r.phi,
                r.phi_star,
                r.kinetic_temperature,
                r.heat_capacity / atoms as f64,
                r.quenches,
                r.inherent_energy
            ));
        }
        s.push_str(&format!(
            "exchanges: {}; round trips (cold → hot → cold) per replica: {:?}, total {}\n",
            statistics.exchanges,
            statistics.round_trips,
            statistics.total_round_trips()
        ));
        s
    }
}

/// Acceptance of the pair (k, k+1); `None` at the top of a ladder of `len` temperatures.
fn acceptance_to_next(statistics: &Statistics, k: usize, len: usize) -> Option<f64> {
    (k + 1 < len).then(|| statistics.acceptance(k))
}

impl Recorder for Summary {
    fn sample(&mut self, step: u64, temperature: usize, replica: usize, s: &Sample) {
        if step <= self.equilibration {
            return;
        }
        let slot = self.slot(temperature, replica);
        slot[N] += 1.0;
        slot[PHI] += s.phi;
        slot[PHI2] += s.phi * s.phi;
        slot[STAR] += s.phi_star;
        slot[STAR2] += s.phi_star * s.phi_star;
        slot[TKIN] += s.temperature;
    }

    fn quench(&mut self, step: u64, temperature: usize, replica: usize, q: &Quench) {
        if step <= self.equilibration {
            return;
        }
        let slot = self.slot(temperature, replica);
        slot[NQ] += 1.0;
        slot[EIS] += q.energy;
        slot[EIS2] += q.energy * q.energy;
    }
}
