//! What a rank records during a run: the run file, the summary, its lowest quench, and
//! (rank 0) progress lines.

use crate::output::{Lowest, Writer};
use crate::system::Coords;
use crate::tempering::{Quench, Recorder, Sample, Statistics, Summary};
use std::time::{Duration, Instant};

/// Keep `candidate` in `slot` if it ranks below what is there ([`Lowest::below`]).
pub(super) fn keep_lowest(slot: &mut Option<Lowest>, candidate: Lowest) {
    if slot.as_ref().is_none_or(|l| candidate.below(l)) {
        *slot = Some(candidate);
    }
}

/// The recorder of one rank.
pub(super) struct Record {
    pub writer: Writer,
    pub summary: Summary,
    pub lowest: Option<Lowest>,
    pub progress: Option<Progress>,
    /// Time spent recording (buffering, logging).
    pub spent: Duration,
}

/// Progress lines in the log (rank 0).
pub(super) struct Progress {
    pub every: Duration,
    pub started: Instant,
    pub last: Instant,
    pub start_step: u64,
    pub steps: u64,
    pub swap_interval: u64,
}

impl Recorder for Record {
    fn sample(&mut self, step: u64, t: usize, r: usize, s: &Sample) {
        let start = Instant::now();
        self.summary.sample(step, t, r, s);
        self.writer.sample(step, t, r, s);
        self.spent += start.elapsed();
    }

    fn frame(&mut self, step: u64, t: usize, r: usize, x: &Coords, v: &Coords) {
        let start = Instant::now();
        self.writer.frame(step, t, r, x, v);
        self.spent += start.elapsed();
    }

    fn quench(&mut self, step: u64, t: usize, r: usize, q: &Quench) {
        let start = Instant::now();
        self.summary.quench(step, t, r, q);
        self.writer.quench(step, t, r, q);
        if !q.converged {
            log::warn!(
                "quench of replica {r} at step {step} stopped at the iteration limit (max |F| = {:.2e} eV/Å)",
                q.max_force
            );
        }
        keep_lowest(
            &mut self.lowest,
            Lowest {
                energy: q.energy.to_bits(),
                step,
                replica: r,
                positions: q.positions.as_flat().iter().map(|x| x.to_bits()).collect(),
            },
        );
        self.spent += start.elapsed();
    }

    fn exchange(&mut self, step: u64, attempts: &[(usize, bool)], statistics: &Statistics) {
        let start = Instant::now();
        self.writer.exchange(step, attempts, statistics);
        if let Some(p) = self.progress.as_mut() {
            if p.last.elapsed() >= p.every {
                p.last = Instant::now();
                p.log(step, statistics);
            }
        }
        self.spent += start.elapsed();
    }
}

impl Progress {
    fn log(&self, step: u64, s: &Statistics) {
        let secs = self.started.elapsed().as_secs_f64();
        let done = step - self.start_step;
        let rate = done as f64 / secs.max(1e-9);
        let eta = (self.steps - step) as f64 / rate.max(1e-9);
        let acc: Vec<f64> = (0..s.attempts.len()).map(|k| s.acceptance(k)).collect();
        let min = acc.iter().copied().fold(f64::INFINITY, f64::min);
        let mean = acc.iter().sum::<f64>() / acc.len().max(1) as f64;
        log::info!(
            "exchange {}/{} (step {step}/{}, {:.1} %): {rate:.0} steps/s per replica, ETA {}; \
             acceptance min {min:.3} mean {mean:.3}; round trips {}",
            s.exchanges,
            self.steps / self.swap_interval,
            self.steps,
            100.0 * step as f64 / self.steps as f64,
            format_duration(eta),
            s.total_round_trips()
        );
    }
}

fn format_duration(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..=119 => format!("{s} s"),
        120..=7199 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}
