//! Parallel tempering: K replicas on a temperature ladder swap temperatures (never
//! configurations) with probability min(1, exp[(β_i − β_j)(E*_i − E*_j)]), where E* is the
//! sampled potential energy φ* (plus the containment wall). After a swap a replica's
//! velocities are rescaled by √(T_new/T_old) and its thermostat is retargeted.
//!
//! The loop ([`Tempering::run`]) advances the replicas this process holds and talks to the
//! others only through an [`Exchange`]. Swap decisions use one swap stream that every
//! process draws identically, and each replica has its own stream, so the result does not
//! depend on how replicas are spread over processes.

pub mod exchange;
mod ladder;
mod replica;
pub mod respace;
pub mod schedule;
mod statistics;
mod summary;

pub use exchange::{Exchange, Local, Threads};
pub use ladder::Ladder;
pub use replica::{MdWalker, QuenchSettings, ReplicaState};
pub use schedule::{Deo, Seo, SwapSchedule};
pub use statistics::Statistics;
pub use summary::{Summary, TemperatureRow};

use crate::rng::{self, Stream};
use crate::system::Coords;
use crate::units::KB;
use respace::Respace as _;

/// Errors in setting up tempering.
#[derive(Debug, thiserror::Error)]
pub enum TemperingError {
    /// The temperature ladder is not usable.
    #[error("temperature ladder: {0}")]
    Ladder(String),
    /// The intervals or counts are not usable.
    #[error("{0}")]
    Settings(String),
}

/// One sample of a replica's state.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Sample {
    /// Untransformed potential energy φ (eV).
    pub phi: f64,
    /// Transformed potential energy φ* (eV).
    pub phi_star: f64,
    /// Containment wall energy (eV).
    pub wall: f64,
    /// Kinetic energy (eV).
    pub kinetic: f64,
    /// Kinetic temperature with 3N − 6 degrees of freedom (K).
    pub temperature: f64,
    /// H* + the energy the thermostat took (eV): constant up to integration error.
    pub conserved: f64,
    /// Force factor s(φ).
    pub scale: f64,
    /// Principal radii of gyration, ascending (Å).
    pub radii: [f64; 3],
}

/// An inherent-structure quench of a copy of a replica's configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Quench {
    /// Energy of the local minimum of φ (eV).
    pub energy: f64,
    /// max |F| there (eV/Å).
    pub max_force: f64,
    /// Energy+force evaluations used.
    pub force_evaluations: usize,
    /// Whether max |F| reached the tolerance.
    pub converged: bool,
    /// Positions of the minimum (Å).
    pub positions: Coords,
}

/// What the tempering loop advances: one replica at one temperature of the ladder.
pub trait Walker {
    /// One MD step at the current temperature. `step` counts from 1.
    fn step(&mut self, step: u64);

    /// The potential energy the replica samples (φ* + wall, eV): swaps use it.
    fn energy(&self) -> f64;

    /// Current energies and temperature.
    fn sample(&self) -> Sample;

    /// Move the replica from temperature `from` to `to` (K): rescale the velocities by
    /// √(to/from) and retarget the thermostat.
    fn retarget(&mut self, from: f64, to: f64);

    /// Quench a copy of the current configuration; `None` if the walker has none.
    fn quench(&mut self) -> Option<Quench>;

    /// Evaporation events seen so far.
    fn evaporations(&self) -> u64 {
        0
    }

    /// What a guard saw, once the walker's numbers stopped making sense (the walker then
    /// stops moving).
    fn breach(&self) -> Option<&crate::dynamics::Breach> {
        None
    }

    /// Positions and velocities (Å, Å/fs), for trajectory frames; `None` if the walker has
    /// no configuration.
    fn configuration(&self) -> Option<(&Coords, &Coords)> {
        None
    }
}

/// Receives what the loop produces. Every method has a default that ignores it.
pub trait Recorder {
    /// A sample of `replica`, at temperature index `temperature`, after `step` steps.
    fn sample(&mut self, _step: u64, _temperature: usize, _replica: usize, _sample: &Sample) {}

    /// A quench of `replica` at temperature index `temperature` after `step` steps.
    fn quench(&mut self, _step: u64, _temperature: usize, _replica: usize, _quench: &Quench) {}

    /// A trajectory frame of `replica` at temperature index `temperature` after `step`
    /// steps: positions (Å) and velocities (Å/fs).
    fn frame(
        &mut self,
        _step: u64,
        _temperature: usize,
        _replica: usize,
        _positions: &Coords,
        _velocities: &Coords,
    ) {
    }

    /// An exchange after `step` steps: the pairs attempted (k for pair (k, k+1)), whether
    /// each was accepted, and the statistics afterwards (`replica_at` is the replica at
    /// each temperature).
    fn exchange(&mut self, _step: u64, _attempts: &[(usize, bool)], _statistics: &Statistics) {}
}

/// A recorder that keeps nothing.
impl Recorder for () {}

/// Steps and intervals of a tempering run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// MD steps of every replica.
    pub steps: u64,
    /// Steps between exchanges.
    pub swap_interval: u64,
    /// Whether exchanges attempt swaps. Without, the replicas keep their temperatures and
    /// the exchanges only agree on stopping (continuous trajectories for dynamics).
    pub swaps: bool,
    /// Steps between samples.
    pub sample_interval: u64,
    /// Steps between quenches (0: never).
    pub quench_interval: u64,
    /// Steps between trajectory frames (0: never).
    pub frame_interval: u64,
    /// Seed of the run: replica r uses stream (seed, r), swaps use (seed, SWAP_STREAM).
    pub seed: u64,
}

/// Probability min(1, exp[(β_i − β_j)(E_i − E_j)]) that the replica with energy `e_i` (eV)
/// at `t_i` (K) and the one with `e_j` at `t_j` swap temperatures. Equal temperatures always
/// swap.
pub fn acceptance(t_i: f64, t_j: f64, e_i: f64, e_j: f64) -> f64 {
    let delta = (1.0 / (KB * t_i) - 1.0 / (KB * t_j)) * (e_i - e_j);
    if delta >= 0.0 {
        1.0
    } else {
        delta.exp()
    }
}

/// Stream index of the swap decisions (replicas use 0 … K−1).
pub const SWAP_STREAM: u64 = u64::MAX;

/// One round of the adaptive ladder: at its end the ladder is re-spaced for equal
/// rejection from the swaps of the round ([`Ladder::equal_rejection`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Round {
    /// The step at which the round ended.
    pub step: u64,
    /// Exchanges made by then.
    pub exchanges: u64,
    /// Swap attempts of every pair by then (cumulative over the run).
    pub attempts: Vec<u64>,
    /// Accepted swaps of every pair by then (cumulative).
    pub accepted: Vec<u64>,
    /// Round trips of every replica by then (cumulative).
    pub round_trips: Vec<u64>,
    /// The ladder from then on (K; stored as IEEE-754 bits, so a checkpoint keeps it
    /// exactly).
    #[serde(with = "f64_bits")]
    pub temperatures: Vec<f64>,
}

/// `Vec<f64>` as the `u64` bits of each number: JSON text does not round-trip every f64.
mod f64_bits {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        v.iter()
            .map(|x| x.to_bits())
            .collect::<Vec<u64>>()
            .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Ok(Vec::<u64>::deserialize(d)?
            .into_iter()
            .map(f64::from_bits)
            .collect())
    }
}

/// Exchanges in the first round of the adaptive ladder; each round is twice as long as the
/// one before.
pub const FIRST_ROUND_EXCHANGES: u64 = 16;

/// The exchange counts at which the rounds of an adaptive ladder end, for an equilibration
/// of `exchanges` exchanges: 16, 48, 112, … (rounds of 16, 32, 64, … exchanges), as many as
/// end inside it. Empty when not even the first fits.
pub fn adaptation_rounds(exchanges: u64) -> Vec<u64> {
    let mut ends = Vec::new();
    let (mut end, mut length) = (0u64, FIRST_ROUND_EXCHANGES);
    while end + length <= exchanges {
        end += length;
        ends.push(end);
        length *= 2;
    }
    ends
}

/// The adaptive ladder keeps the energies of this many most recent exchanges for its
/// re-spacing (a checkpoint then holds at most this × K numbers).
pub const ADAPTATION_WINDOW: u64 = 2048;

/// The tempering loop over the replicas one process holds.
pub struct Tempering {
    settings: Settings,
    ladder: Ladder,
    initial: Ladder,
    adaptation: Vec<u64>,
    rounds: Vec<Round>,
    /// Σ of the acceptance probabilities min(1, e^{Δβ ΔE}) of every pair's attempts in the
    /// current adaptation round (a lower-variance estimate of its acceptance than the
    /// accepted count, as Pigeons uses).
    round_acceptance: Vec<f64>,
    /// The sampled energy at every temperature at each of the last [`ADAPTATION_WINDOW`]
    /// exchanges of the adaptation, before its swaps (`[e * K + t]`, the temperatures those
    /// of the exchange's round).
    adaptation_energies: Vec<f64>,
    /// The re-spacing rule of the adaptive ladder.
    respace: Box<dyn respace::Respace>,
    schedule: Box<dyn SwapSchedule>,
    swap_rng: Stream,
    statistics: Statistics,
    step: u64,
}

impl Tempering {
    /// A run of `settings` on `ladder` (replica k starts at temperature k).
    pub fn new(
        settings: Settings,
        ladder: Ladder,
        schedule: Box<dyn SwapSchedule>,
    ) -> Result<Tempering, TemperingError> {
        for (name, v) in [
            ("swap_interval", settings.swap_interval),
            ("sample_interval", settings.sample_interval),
        ] {
            if v == 0 {
                return Err(TemperingError::Settings(format!("{name} must be ≥ 1 step")));
            }
        }
        let k = ladder.len();
        Ok(Tempering {
            swap_rng: rng::stream(settings.seed, SWAP_STREAM),
            statistics: Statistics::new(k),
            settings,
            initial: ladder.clone(),
            ladder,
            adaptation: Vec::new(),
            rounds: Vec::new(),
            round_acceptance: vec![0.0; k.saturating_sub(1)],
            adaptation_energies: Vec::new(),
            respace: Box::new(respace::Barrier),
            schedule,
            step: 0,
        })
    }

    /// Adapt the ladder: after exchange `ends[i]` (strictly increasing; see
    /// [`adaptation_rounds`]) re-space it for equal rejection from the swaps since the
    /// round before, keeping its ends; after the last round it stays as it is. The
    /// decisions rest on the global statistics, so every process adapts identically.
    pub fn with_adaptation(mut self, ends: Vec<u64>) -> Tempering {
        self.adaptation = ends;
        self
    }

    /// Re-space the adaptive ladder with `rule` (default: [`respace::Barrier`]). When the
    /// adaptation's energies are incomplete (a checkpoint of an older pelt) the barrier rule
    /// is used instead.
    pub fn with_respace(mut self, rule: Box<dyn respace::Respace>) -> Tempering {
        self.respace = rule;
        self
    }

    /// The ladder in force.
    pub fn ladder(&self) -> &Ladder {
        &self.ladder
    }

    /// The ladder the run started with.
    pub fn initial_ladder(&self) -> &Ladder {
        &self.initial
    }

    /// The adaptation rounds done so far.
    pub fn rounds(&self) -> &[Round] {
        &self.rounds
    }

    /// Whether the ladder is final: every adaptation round is done (always, for a fixed
    /// ladder).
    pub fn frozen(&self) -> bool {
        self.rounds.len() >= self.adaptation.len()
    }

    /// Statistics so far.
    pub fn statistics(&self) -> &Statistics {
        &self.statistics
    }

    /// Steps done so far.
    pub fn steps_done(&self) -> u64 {
        self.step
    }

    /// Advance `walkers` — (replica, walker) pairs this process holds, each at its
    /// temperature in [`Tempering::statistics`] — until `until` steps (at most
    /// `settings.steps`) are done, calling `recorder`. `stop` is asked before every exchange
    /// whether this process wants to stop; the request travels with the exchange, so every
    /// process stops after the same exchange ([`Outcome::Stopped`]).
    pub fn run<W: Walker>(
        &mut self,
        walkers: &mut [(usize, W)],
        exchange: &mut dyn Exchange,
        recorder: &mut dyn Recorder,
        until: u64,
        stop: &mut dyn FnMut() -> bool,
    ) -> Outcome {
        let s = self.settings;
        let until = until.min(s.steps);
        while self.step < until {
            self.step += 1;
            let step = self.step;
            for (_, w) in walkers.iter_mut() {
                w.step(step);
            }
            if let Some((r, b)) = walkers
                .iter()
                .find_map(|(r, w)| w.breach().map(|b| (*r, b)))
            {
                let t = self.statistics.temperature_of[r];
                return Outcome::Failed(Box::new(Failed {
                    replica: r,
                    temperature: self.ladder.get(t),
                    step: b.step,
                    what: b.what.clone(),
                }));
            }
            if step.is_multiple_of(s.sample_interval) {
                for (r, w) in walkers.iter() {
                    recorder.sample(step, self.statistics.temperature_of[*r], *r, &w.sample());
                }
            }
            if s.frame_interval > 0 && step.is_multiple_of(s.frame_interval) {
                for (r, w) in walkers.iter() {
                    if let Some((x, v)) = w.configuration() {
                        recorder.frame(step, self.statistics.temperature_of[*r], *r, x, v);
                    }
                }
            }
            if s.quench_interval > 0 && step.is_multiple_of(s.quench_interval) {
                for (r, w) in walkers.iter_mut() {
                    if let Some(q) = w.quench() {
                        recorder.quench(step, self.statistics.temperature_of[*r], *r, &q);
                    }
                }
            }
            if step.is_multiple_of(s.swap_interval)
                && self.exchange(walkers, exchange, recorder, stop())
            {
                return Outcome::Stopped;
            }
        }
        if self.step >= s.steps {
            Outcome::Finished
        } else {
            Outcome::Paused
        }
    }

    /// The loop's state for a checkpoint: steps done, the swap stream and the statistics.
    pub fn save(&self) -> TemperingState {
        TemperingState {
            step: self.step,
            swap_rng: rng::save(&self.swap_rng),
            statistics: self.statistics.to_words(),
            ladder: if self.rounds.is_empty() {
                Vec::new()
            } else {
                self.ladder.temperatures().to_vec()
            },
            rounds: self.rounds.clone(),
            round_acceptance: if self.frozen() {
                Vec::new()
            } else {
                self.round_acceptance.clone()
            },
            adaptation_energies: if self.frozen() {
                Vec::new()
            } else {
                self.adaptation_energies.clone()
            },
        }
    }

    /// Continue from `state` (of a run with the same settings and ladder).
    pub fn restore(&mut self, state: &TemperingState) -> Result<(), TemperingError> {
        let k = self.ladder.len();
        self.statistics = Statistics::from_words(k, &state.statistics).ok_or_else(|| {
            TemperingError::Settings(format!("checkpoint statistics do not fit {k} temperatures"))
        })?;
        if state.rounds.len() > self.adaptation.len()
            || state
                .rounds
                .iter()
                .zip(&self.adaptation)
                .any(|(r, &end)| r.exchanges != end)
        {
            return Err(TemperingError::Settings(format!(
                "the checkpoint's {} ladder adaptation rounds do not fit this run's {} \
                 (is the equilibration or swap interval changed?)",
                state.rounds.len(),
                self.adaptation.len()
            )));
        }
        self.ladder = if state.ladder.is_empty() {
            self.initial.clone()
        } else if state.ladder.len() != k {
            return Err(TemperingError::Settings(format!(
                "the checkpoint's ladder has {} temperatures, the run {k}",
                state.ladder.len()
            )));
        } else {
            Ladder::explicit(state.ladder.clone())?
        };
        self.rounds = state.rounds.clone();
        self.round_acceptance = if state.round_acceptance.len() == k.saturating_sub(1) {
            state.round_acceptance.clone()
        } else {
            vec![0.0; k.saturating_sub(1)]
        };
        self.adaptation_energies = state.adaptation_energies.clone();
        self.swap_rng = rng::restore(state.swap_rng);
        self.step = state.step;
        Ok(())
    }

    /// End an adaptation round: re-space the ladder from the round's mean acceptance
    /// probabilities (rejection r = 1 − mean min(1, e^{Δβ ΔE}) per pair) and move the
    /// local replicas to their index's new temperature.
    fn adapt<W: Walker>(&mut self, walkers: &mut [(usize, W)]) {
        let k = self.ladder.len();
        let st = &self.statistics;
        let att0 = match self.rounds.last() {
            Some(r) => r.attempts.clone(),
            None => vec![0; k.saturating_sub(1)],
        };
        let rejection: Vec<f64> = (0..k.saturating_sub(1))
            .map(|i| {
                let a = st.attempts[i] - att0[i];
                // A pair not attempted in the round gives no rate: no re-spacing then.
                if a == 0 {
                    f64::NAN
                } else {
                    (1.0 - self.round_acceptance[i] / a as f64).clamp(0.0, 1.0)
                }
            })
            .collect();
        self.round_acceptance.iter_mut().for_each(|p| *p = 0.0);
        // The samples kept (the last ADAPTATION_WINDOW exchanges), labelled with the
        // temperature of their round's ladder.
        let mut samples = Vec::new();
        let rows = (self.adaptation_energies.len() / k.max(1)) as u64;
        if self.adaptation_energies.len() as u64 == rows * k as u64
            && rows == st.exchanges.min(ADAPTATION_WINDOW)
        {
            let first = st.exchanges - rows;
            let mut from = 0;
            for r in 0..=self.rounds.len() {
                let ladder = match r {
                    0 => self.initial.temperatures(),
                    _ => &self.rounds[r - 1].temperatures,
                };
                let to = self.rounds.get(r).map_or(st.exchanges, |x| x.exchanges);
                let (a, b) = (from.max(first), to);
                if b > a {
                    let rows = &self.adaptation_energies
                        [((a - first) as usize) * k..((b - first) as usize) * k];
                    for row in rows.chunks_exact(k) {
                        samples.extend(ladder.iter().copied().zip(row.iter().copied()));
                    }
                }
                from = to;
            }
        }
        let round = respace::RoundData {
            ladder: &self.ladder,
            samples: &samples,
            rejection: &rejection,
        };
        let new = self
            .respace
            .respace(round)
            .or_else(|| respace::Barrier.respace(round))
            .unwrap_or_else(|| self.ladder.clone());
        for (r, w) in walkers.iter_mut() {
            let t = st.temperature_of[*r];
            let (from, to) = (self.ladder.get(t), new.get(t));
            if from != to {
                w.retarget(from, to);
            }
        }
        self.rounds.push(Round {
            step: self.step,
            exchanges: st.exchanges,
            attempts: st.attempts.clone(),
            accepted: st.accepted.clone(),
            round_trips: st.round_trips.clone(),
            temperatures: new.temperatures().to_vec(),
        });
        self.ladder = new;
    }

    /// One exchange: gather every replica's energy (and every process's stop request),
    /// decide the swaps identically on every process, and retarget the local replicas whose
    /// temperature changed. Returns whether any process asked to stop.
    fn exchange<W: Walker>(
        &mut self,
        walkers: &mut [(usize, W)],
        exchange: &mut dyn Exchange,
        recorder: &mut dyn Recorder,
        stop: bool,
    ) -> bool {
        let k = self.ladder.len();
        let local: Vec<(usize, f64)> = walkers.iter().map(|(r, w)| (*r, w.energy())).collect();
        let (energy, stop) = exchange.gather(&local, stop);
        let before = self.statistics.temperature_of.clone();
        if !self.frozen() {
            let at = &self.statistics.replica_at;
            self.adaptation_energies
                .extend((0..k).map(|t| energy[at[t]]));
            if self.adaptation_energies.len() > ADAPTATION_WINDOW as usize * k {
                self.adaptation_energies.drain(..k);
            }
        }
        let mut attempts = Vec::new();
        let pairs = if self.settings.swaps {
            let parity = self
                .schedule
                .parity(self.statistics.exchanges, &mut self.swap_rng);
            (parity..k.saturating_sub(1)).step_by(2)
        } else {
            (0..0).step_by(2)
        };
        for t in pairs {
            let (a, b) = (
                self.statistics.replica_at[t],
                self.statistics.replica_at[t + 1],
            );
            let p = acceptance(
                self.ladder.get(t),
                self.ladder.get(t + 1),
                energy[a],
                energy[b],
            );
            // One draw per attempt, even when p = 1, keeps the swap stream in step.
            let accept = rng::uniform(&mut self.swap_rng) < p;
            if !self.frozen() {
                self.round_acceptance[t] += p;
            }
            self.statistics.attempt(t, accept);
            attempts.push((t, accept));
        }
        self.statistics.finish_exchange();
        for (r, w) in walkers.iter_mut() {
            let (from, to) = (before[*r], self.statistics.temperature_of[*r]);
            if from != to {
                w.retarget(self.ladder.get(from), self.ladder.get(to));
            }
        }
        recorder.exchange(self.step, &attempts, &self.statistics);
        if self.adaptation.get(self.rounds.len()) == Some(&self.statistics.exchanges) {
            self.adapt(walkers);
        }
        stop
    }
}

/// How [`Tempering::run`] returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// All `settings.steps` steps are done.
    Finished,
    /// The requested number of steps is done; more remain.
    Paused,
    /// A process asked to stop; every process stopped after the same exchange.
    Stopped,
    /// A replica of this process failed its guards (this process stopped at once; the
    /// others learn of it only if the caller tells them).
    Failed(Box<Failed>),
}

/// A replica whose dynamics failed a guard ([`crate::dynamics::guard`]).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("replica {replica} at {temperature:.1} K, step {step}: {what}")]
pub struct Failed {
    /// The replica.
    pub replica: usize,
    /// Its temperature (K).
    pub temperature: f64,
    /// The step at which the guard saw it.
    pub step: u64,
    /// What the guard saw.
    pub what: String,
}

/// The state of the tempering loop in a checkpoint.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TemperingState {
    /// Steps done.
    pub step: u64,
    /// The swap stream.
    pub swap_rng: [u64; 4],
    /// [`Statistics::to_words`].
    pub statistics: Vec<u64>,
    /// The ladder in force, when an adaptation round has changed it (empty: the initial;
    /// IEEE-754 bits).
    #[serde(default, with = "f64_bits")]
    pub ladder: Vec<f64>,
    /// The adaptation rounds done.
    #[serde(default)]
    pub rounds: Vec<Round>,
    /// Σ of the acceptance probabilities of every pair in the current round (IEEE-754
    /// bits; empty once the ladder is frozen).
    #[serde(default, with = "f64_bits")]
    pub round_acceptance: Vec<f64>,
    /// The sampled energy at every temperature at each of the last [`ADAPTATION_WINDOW`]
    /// exchanges of the adaptation (IEEE-754 bits; empty once the ladder is frozen).
    #[serde(default, with = "f64_bits")]
    pub adaptation_energies: Vec<f64>,
}
