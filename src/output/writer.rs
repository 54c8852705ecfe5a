//! The run file: one HDF5 file laid out after H5MD 1.1, written collectively by every rank
//! through MPI-IO. Samples, frames, quenches and the index process are buffered in memory
//! and written at [`Writer::flush`] (at every checkpoint and at the end of the run); the row
//! of every record follows from its step, so each rank writes exactly the rows it holds and
//! a file can be cut back to any step on resume. Layout: docs/FORMAT.md.

use super::h5::{self, H5Result};
use crate::system::Coords;
use crate::tempering::{Quench, Recorder, Sample, Statistics};
use hdf5::{Dataset, File, Group, H5Type};
use std::path::Path;

/// What the file holds and how often (fixed for a run).
#[derive(Clone, Debug)]
pub struct Layout {
    /// Atoms in the cluster.
    pub atoms: usize,
    /// Chemical symbol.
    pub element: String,
    /// The temperature ladder (K).
    pub temperatures: Vec<f64>,
    /// MD time step (fs).
    pub timestep_fs: f64,
    /// Steps between energy samples.
    pub energy_interval: u64,
    /// Steps between position frames (0: none).
    pub positions_interval: u64,
    /// Store velocities with the positions.
    pub velocities: bool,
    /// Steps between inherent-structure quenches (0: none).
    pub quench_interval: u64,
    /// Steps between exchanges (the index process's interval).
    pub swap_interval: u64,
    /// Whether the exchanges attempt swaps (`/parameters/swap_interval` is 0 when not).
    pub swaps: bool,
}

/// The run's provenance, stored under `/parameters`.
#[derive(Clone, Debug, Default)]
pub struct Parameters {
    /// Input file path as given.
    pub input_path: String,
    /// Input file text, verbatim.
    pub input_text: String,
    /// Potential file path.
    pub potential_file: String,
    /// SHA-256 of the potential file.
    pub potential_sha256: String,
    /// ε (eV^(1−m)).
    pub epsilon: f64,
    /// φ0 of the whole cluster (eV).
    pub phi0: f64,
    /// m.
    pub m: i64,
    /// φ_s (eV), NaN where there is none.
    pub phi_s: f64,
    /// Energy of the quenched start structure (eV).
    pub reference_energy: f64,
    /// Seed.
    pub seed: u64,
    /// Thermostat name.
    pub thermostat: String,
    /// The energy/force kernel of rank 0 (`scalar`, `avx2`).
    pub kernel: String,
    /// Total MD steps per replica.
    pub steps: u64,
    /// Steps left out of the averages.
    pub equilibration: u64,
    /// pelt version.
    pub pelt_version: String,
    /// MPI library version.
    pub mpi_version: String,
    /// HDF5 library version.
    pub hdf5_version: String,
    /// Command line.
    pub command_line: String,
    /// Host name of every rank.
    pub hosts: Vec<String>,
}

enum Buffer {
    F64(Vec<f64>),
    I64(Vec<i64>),
}

impl Buffer {
    fn new(f64_data: bool) -> Buffer {
        if f64_data {
            Buffer::F64(Vec::new())
        } else {
            Buffer::I64(Vec::new())
        }
    }
}

/// One extendible dataset whose row r holds the record of step (r + 1)·interval, with the
/// rows this rank has recorded since the last flush.
struct Series {
    ds: Dataset,
    interval: u64,
    rows: Vec<u64>,
    buf: Buffer,
}

impl Series {
    fn new<T: H5Type>(
        g: &Group,
        name: &str,
        tail: &[usize],
        interval: u64,
        unit: &str,
        f64_data: bool,
    ) -> H5Result<Series> {
        let width: usize = tail.iter().product();
        let chunk = (16384 / (8 * width.max(1))).clamp(1, 2048);
        Ok(Series {
            ds: h5::extendible::<T>(g, name, tail, chunk, unit)?,
            interval,
            rows: Vec::new(),
            buf: Buffer::new(f64_data),
        })
    }

    fn f64(g: &Group, name: &str, tail: &[usize], interval: u64, unit: &str) -> H5Result<Series> {
        Series::new::<f64>(g, name, tail, interval, unit, true)
    }

    fn i64(g: &Group, name: &str, interval: u64, unit: &str) -> H5Result<Series> {
        Series::new::<i64>(g, name, &[], interval, unit, false)
    }

    fn open(g: &Group, name: &str, interval: u64, f64_data: bool) -> H5Result<Series> {
        Ok(Series {
            ds: g.dataset(name)?,
            interval,
            rows: Vec::new(),
            buf: Buffer::new(f64_data),
        })
    }

    fn row(&self, step: u64) -> u64 {
        debug_assert!(step.is_multiple_of(self.interval) && step > 0);
        step / self.interval - 1
    }

    fn push_f64(&mut self, step: u64, values: &[f64]) {
        self.rows.push(self.row(step));
        match &mut self.buf {
            Buffer::F64(b) => b.extend_from_slice(values),
            Buffer::I64(_) => unreachable!("f64 record into an integer dataset"),
        }
    }

    fn push_i64(&mut self, step: u64, value: i64) {
        self.rows.push(self.row(step));
        match &mut self.buf {
            Buffer::I64(b) => b.push(value),
            Buffer::F64(_) => unreachable!("integer record into an f64 dataset"),
        }
    }

    /// Collective: size the dataset to the rows of steps ≤ `step` and write this rank's
    /// buffered rows.
    fn flush(&mut self, step: u64) -> H5Result<()> {
        let len = (step / self.interval) as usize;
        let mut shape = self.ds.shape();
        if shape[0] != len {
            shape[0] = len;
            self.ds.resize(shape)?;
        }
        debug_assert!(self.rows.iter().all(|&r| (r as usize) < len));
        match &mut self.buf {
            Buffer::F64(b) => {
                h5::write_rows(&self.ds, &self.rows, b)?;
                b.clear();
            }
            Buffer::I64(b) => {
                h5::write_rows(&self.ds, &self.rows, b)?;
                b.clear();
            }
        }
        self.rows.clear();
        Ok(())
    }
}

/// Time series sharing step and time: the H5MD `step`, `time` pair of a group and its
/// values.
struct Clock {
    step: Series,
    time: Series,
}

impl Clock {
    fn new(g: &Group, interval: u64) -> H5Result<Clock> {
        Ok(Clock {
            step: Series::i64(g, "step", interval, "1")?,
            time: Series::f64(g, "time", &[], interval, "ps")?,
        })
    }

    fn open(g: &Group, interval: u64) -> H5Result<Clock> {
        Ok(Clock {
            step: Series::open(g, "step", interval, false)?,
            time: Series::open(g, "time", interval, true)?,
        })
    }

    fn push(&mut self, step: u64, ps_per_step: f64) {
        self.step.push_i64(step, step as i64);
        self.time.push_f64(step, &[step as f64 * ps_per_step]);
    }

    fn series(&mut self) -> [&mut Series; 2] {
        [&mut self.step, &mut self.time]
    }
}

/// The scalar observables per temperature: (name, unit).
pub const OBSERVABLES: [(&str, &str); 8] = [
    ("potential_energy", "eV"),
    ("transformed_potential_energy", "eV"),
    ("wall_energy", "eV"),
    ("kinetic_energy", "eV"),
    ("total_energy", "eV"),
    ("conserved_energy", "eV"),
    ("temperature", "K"),
    ("force_scale", "1"),
];

fn observable_values(s: &Sample) -> [f64; 8] {
    [
        s.phi,
        s.phi_star,
        s.wall,
        s.kinetic,
        s.phi_star + s.wall + s.kinetic,
        s.conserved,
        s.temperature,
        s.scale,
    ]
}

struct Observables {
    clock: Clock,
    values: Vec<Series>,
    replica: Series,
    radii: Series,
}

struct Frames {
    clock: Clock,
    position: Series,
    velocity: Option<Series>,
}

struct Inherent {
    clock: Clock,
    energy: Series,
    position: Series,
    iterations: Series,
    max_force: Series,
    converged: Series,
    replica: Series,
}

struct Temperature {
    observables: Observables,
    frames: Option<Frames>,
    inherent: Option<Inherent>,
}

impl Temperature {
    fn series(&mut self) -> Vec<&mut Series> {
        let o = &mut self.observables;
        let mut v: Vec<&mut Series> = o.clock.series().into_iter().collect();
        v.extend(o.values.iter_mut());
        v.push(&mut o.replica);
        v.push(&mut o.radii);
        if let Some(f) = &mut self.frames {
            v.extend(f.clock.series());
            v.push(&mut f.position);
            if let Some(vel) = &mut f.velocity {
                v.push(vel);
            }
        }
        if let Some(q) = &mut self.inherent {
            v.extend(q.clock.series());
            v.extend([
                &mut q.energy,
                &mut q.position,
                &mut q.iterations,
                &mut q.max_force,
                &mut q.converged,
                &mut q.replica,
            ]);
        }
        v
    }
}

struct TemperingData {
    clock: Clock,
    index: Series,
    accepted: Dataset,
    attempted: Dataset,
    round_trips: Dataset,
    exchanges: Dataset,
}

/// The HDF5 writer of one rank (every rank of the run holds one; all calls that touch the
/// file are collective).
pub struct Writer {
    file: File,
    layout: Layout,
    root: bool,
    temperatures: Vec<Temperature>,
    tempering: TemperingData,
}

/// Name of the group of temperature index `t` of `k`: T00, T01, … (zero-padded).
pub fn group_name(t: usize, k: usize) -> String {
    let width = (k.saturating_sub(1)).to_string().len().max(2);
    format!("T{t:0width$}")
}

fn pos_tail(layout: &Layout) -> [usize; 2] {
    [layout.atoms, 3]
}

impl Writer {
    /// Create the run file at `path` on every rank of `comm` (collective); with `replace`
    /// an existing file is replaced, otherwise creating over one fails.
    pub fn create(
        comm: mpi::ffi::MPI_Comm,
        path: &Path,
        replace: bool,
        layout: Layout,
        parameters: &Parameters,
        root: bool,
    ) -> H5Result<Writer> {
        let builder = {
            let mut b = File::with_options();
            b.with_fapl(|p| p.mpio(comm, None));
            b
        };
        let file = if replace {
            builder.create(path)?
        } else {
            builder.create_excl(path)?
        };
        write_h5md(&file, parameters)?;
        write_parameters(&file, parameters, &layout, root)?;
        let k = layout.temperatures.len();
        let particles = file.create_group("particles")?;
        let observables = file.create_group("observables")?;
        let inherent = if layout.quench_interval > 0 {
            Some(file.create_group("inherent_structures")?)
        } else {
            None
        };
        let mut temperatures = Vec::with_capacity(k);
        for (t, &temp) in layout.temperatures.iter().enumerate() {
            let name = group_name(t, k);
            // Observables.
            let og = observables.create_group(&name)?;
            temperature_attrs(&og, t, temp)?;
            let first = og.create_group(OBSERVABLES[0].0)?;
            let clock = Clock::new(&first, layout.energy_interval)?;
            let mut values = Vec::new();
            for (i, (obs, unit)) in OBSERVABLES.iter().enumerate() {
                let g = if i == 0 {
                    first.clone()
                } else {
                    let g = og.create_group(obs)?;
                    link_clock(&g, &format!("/observables/{name}/{}", OBSERVABLES[0].0))?;
                    g
                };
                values.push(Series::f64(&g, "value", &[], layout.energy_interval, unit)?);
            }
            let rg = og.create_group("replica")?;
            link_clock(&rg, &format!("/observables/{name}/{}", OBSERVABLES[0].0))?;
            let replica = Series::i64(&rg, "value", layout.energy_interval, "1")?;
            let gg = og.create_group("radii_of_gyration")?;
            link_clock(&gg, &format!("/observables/{name}/{}", OBSERVABLES[0].0))?;
            let radii = Series::f64(&gg, "value", &[3], layout.energy_interval, "angstrom")?;
            let observables = Observables {
                clock,
                values,
                replica,
                radii,
            };
            // Particles.
            let pg = particles.create_group(&name)?;
            temperature_attrs(&pg, t, temp)?;
            h5::string_attr(&pg, "element", &layout.element)?;
            let bx = pg.create_group("box")?;
            h5::number_attr(&bx, "dimension", &[3i32])?;
            h5::strings_attr(
                &bx,
                "boundary",
                &["none".into(), "none".into(), "none".into()],
            )?;
            let frames = if layout.positions_interval > 0 {
                let pos = pg.create_group("position")?;
                let clock = Clock::new(&pos, layout.positions_interval)?;
                let position = Series::f64(
                    &pos,
                    "value",
                    &pos_tail(&layout),
                    layout.positions_interval,
                    "angstrom",
                )?;
                let velocity = if layout.velocities {
                    let vg = pg.create_group("velocity")?;
                    link_clock(&vg, &format!("/particles/{name}/position"))?;
                    Some(Series::f64(
                        &vg,
                        "value",
                        &pos_tail(&layout),
                        layout.positions_interval,
                        "angstrom/fs",
                    )?)
                } else {
                    None
                };
                Some(Frames {
                    clock,
                    position,
                    velocity,
                })
            } else {
                None
            };
            // Inherent structures.
            let inherent = match &inherent {
                Some(ig) => {
                    let g = ig.create_group(&name)?;
                    temperature_attrs(&g, t, temp)?;
                    let iv = layout.quench_interval;
                    Some(Inherent {
                        clock: Clock::new(&g, iv)?,
                        energy: Series::f64(&g, "energy", &[], iv, "eV")?,
                        position: Series::f64(&g, "position", &pos_tail(&layout), iv, "angstrom")?,
                        iterations: Series::i64(&g, "iterations", iv, "1")?,
                        max_force: Series::f64(&g, "max_force", &[], iv, "eV/angstrom")?,
                        converged: Series::i64(&g, "converged", iv, "1")?,
                        replica: Series::i64(&g, "replica", iv, "1")?,
                    })
                }
                None => None,
            };
            temperatures.push(Temperature {
                observables,
                frames,
                inherent,
            });
        }
        // Tempering.
        let tg = file.create_group("tempering")?;
        let temps = h5::fixed::<f64>(&tg, "temperature", &[k], "K")?;
        h5::write_whole(&temps, &layout.temperatures, root)?;
        let pairs = k.saturating_sub(1);
        let accepted = h5::fixed::<i64>(&tg, "accepted", &[pairs], "1")?;
        let attempted = h5::fixed::<i64>(&tg, "attempted", &[pairs], "1")?;
        let round_trips = h5::fixed::<i64>(&tg, "round_trips", &[k], "1")?;
        let exchanges = h5::fixed::<i64>(&tg, "exchanges", &[], "1")?;
        let ig = tg.create_group("index_process")?;
        let clock = Clock::new(&ig, layout.swap_interval)?;
        let index = Series::new::<i64>(&ig, "value", &[k], layout.swap_interval, "1", false)?;
        let mut w = Writer {
            file,
            layout,
            root,
            temperatures,
            tempering: TemperingData {
                clock,
                index,
                accepted,
                attempted,
                round_trips,
                exchanges,
            },
        };
        w.flush(0, &Statistics::new(k))?;
        Ok(w)
    }

    /// Open an existing run file for continuing at `step` of a run of `steps` steps
    /// (collective): every time series is cut back to the rows of steps ≤ `step`, so
    /// nothing is duplicated, and `/parameters/steps` is set to `steps`.
    pub fn resume(
        comm: mpi::ffi::MPI_Comm,
        path: &Path,
        layout: Layout,
        (step, steps): (u64, u64),
        statistics: &Statistics,
        root: bool,
    ) -> H5Result<Writer> {
        let file = {
            let mut b = File::with_options();
            b.with_fapl(|p| p.mpio(comm, None));
            b.open_rw(path)?
        };
        h5::write_whole(&file.dataset("parameters/steps")?, &[steps as i64], root)?;
        let k = layout.temperatures.len();
        let mut temperatures = Vec::with_capacity(k);
        for t in 0..k {
            let name = group_name(t, k);
            let og = file.group(&format!("observables/{name}"))?;
            let first = og.group(OBSERVABLES[0].0)?;
            let clock = Clock::open(&first, layout.energy_interval)?;
            let mut values = Vec::new();
            for (obs, _) in OBSERVABLES {
                values.push(Series::open(
                    &og.group(obs)?,
                    "value",
                    layout.energy_interval,
                    true,
                )?);
            }
            let observables = Observables {
                clock,
                values,
                replica: Series::open(
                    &og.group("replica")?,
                    "value",
                    layout.energy_interval,
                    false,
                )?,
                radii: Series::open(
                    &og.group("radii_of_gyration")?,
                    "value",
                    layout.energy_interval,
                    true,
                )?,
            };
            let frames = if layout.positions_interval > 0 {
                let iv = layout.positions_interval;
                let pos = file.group(&format!("particles/{name}/position"))?;
                Some(Frames {
                    clock: Clock::open(&pos, iv)?,
                    position: Series::open(&pos, "value", iv, true)?,
                    velocity: if layout.velocities {
                        let vg = file.group(&format!("particles/{name}/velocity"))?;
                        Some(Series::open(&vg, "value", iv, true)?)
                    } else {
                        None
                    },
                })
            } else {
                None
            };
            let inherent = if layout.quench_interval > 0 {
                let iv = layout.quench_interval;
                let g = file.group(&format!("inherent_structures/{name}"))?;
                Some(Inherent {
                    clock: Clock::open(&g, iv)?,
                    energy: Series::open(&g, "energy", iv, true)?,
                    position: Series::open(&g, "position", iv, true)?,
                    iterations: Series::open(&g, "iterations", iv, false)?,
                    max_force: Series::open(&g, "max_force", iv, true)?,
                    converged: Series::open(&g, "converged", iv, false)?,
                    replica: Series::open(&g, "replica", iv, false)?,
                })
            } else {
                None
            };
            temperatures.push(Temperature {
                observables,
                frames,
                inherent,
            });
        }
        let tg = file.group("tempering")?;
        let ig = tg.group("index_process")?;
        let mut w = Writer {
            tempering: TemperingData {
                clock: Clock::open(&ig, layout.swap_interval)?,
                index: Series::open(&ig, "value", layout.swap_interval, false)?,
                accepted: tg.dataset("accepted")?,
                attempted: tg.dataset("attempted")?,
                round_trips: tg.dataset("round_trips")?,
                exchanges: tg.dataset("exchanges")?,
            },
            file,
            layout,
            root,
            temperatures,
        };
        w.flush(step, statistics)?;
        Ok(w)
    }

    /// Collective: write everything buffered, size every series to the steps ≤ `step`,
    /// write the tempering `statistics`, and flush the file to disk.
    pub fn flush(&mut self, step: u64, statistics: &Statistics) -> H5Result<()> {
        for t in &mut self.temperatures {
            for s in t.series() {
                s.flush(step)?;
            }
        }
        let tp = &mut self.tempering;
        for s in tp.clock.series() {
            s.flush(step)?;
        }
        tp.index.flush(step)?;
        let words = |v: &[u64]| v.iter().map(|&x| x as i64).collect::<Vec<i64>>();
        h5::write_whole(&tp.accepted, &words(&statistics.accepted), self.root)?;
        h5::write_whole(&tp.attempted, &words(&statistics.attempts), self.root)?;
        h5::write_whole(&tp.round_trips, &words(&statistics.round_trips), self.root)?;
        h5::write_whole(&tp.exchanges, &[statistics.exchanges as i64], self.root)?;
        self.file.flush()
    }

    fn ps_per_step(&self) -> f64 {
        self.layout.timestep_fs * 1e-3
    }
}

fn interleaved(c: &Coords) -> Vec<f64> {
    c.to_points().into_iter().flatten().collect()
}

impl Recorder for Writer {
    fn sample(&mut self, step: u64, temperature: usize, replica: usize, s: &Sample) {
        let ps = self.ps_per_step();
        let o = &mut self.temperatures[temperature].observables;
        o.clock.push(step, ps);
        for (series, v) in o.values.iter_mut().zip(observable_values(s)) {
            series.push_f64(step, &[v]);
        }
        o.replica.push_i64(step, replica as i64);
        o.radii.push_f64(step, &s.radii);
    }

    fn frame(&mut self, step: u64, temperature: usize, _replica: usize, x: &Coords, v: &Coords) {
        let ps = self.ps_per_step();
        if let Some(f) = &mut self.temperatures[temperature].frames {
            if !step.is_multiple_of(f.position.interval) {
                return;
            }
            f.clock.push(step, ps);
            f.position.push_f64(step, &interleaved(x));
            if let Some(vel) = &mut f.velocity {
                vel.push_f64(step, &interleaved(v));
            }
        }
    }

    fn quench(&mut self, step: u64, temperature: usize, replica: usize, q: &Quench) {
        let ps = self.ps_per_step();
        if let Some(i) = &mut self.temperatures[temperature].inherent {
            i.clock.push(step, ps);
            i.energy.push_f64(step, &[q.energy]);
            i.position.push_f64(step, &interleaved(&q.positions));
            i.iterations.push_i64(step, q.force_evaluations as i64);
            i.max_force.push_f64(step, &[q.max_force]);
            i.converged.push_i64(step, i64::from(q.converged));
            i.replica.push_i64(step, replica as i64);
        }
    }

    fn exchange(&mut self, step: u64, _attempts: &[(usize, bool)], statistics: &Statistics) {
        if self.root {
            let ps = self.ps_per_step();
            let tp = &mut self.tempering;
            tp.clock.push(step, ps);
            let row: Vec<i64> = statistics.replica_at.iter().map(|&r| r as i64).collect();
            tp.index.rows.push(tp.index.row(step));
            if let Buffer::I64(b) = &mut tp.index.buf {
                b.extend_from_slice(&row);
            }
        }
    }
}

fn temperature_attrs(g: &Group, t: usize, temperature: f64) -> H5Result<()> {
    h5::number_attr(g, "temperature", &[temperature])?;
    h5::string_attr(g, "temperature_unit", "K")?;
    h5::number_attr(g, "temperature_index", &[t as i64])
}

fn link_clock(g: &Group, from: &str) -> H5Result<()> {
    g.link_hard(&format!("{from}/step"), "step")?;
    g.link_hard(&format!("{from}/time"), "time")
}

fn write_h5md(file: &File, p: &Parameters) -> H5Result<()> {
    let h = file.create_group("h5md")?;
    h5::number_attr(&h, "version", &[1i32, 1])?;
    let author = h.create_group("author")?;
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    h5::string_attr(&author, "name", &user)?;
    let creator = h.create_group("creator")?;
    h5::string_attr(&creator, "name", "pelt")?;
    h5::string_attr(&creator, "version", &p.pelt_version)
}

fn write_parameters(file: &File, p: &Parameters, layout: &Layout, root: bool) -> H5Result<()> {
    let g = file.create_group("parameters")?;
    for (name, value) in [
        ("input", p.input_text.as_str()),
        ("input_path", &p.input_path),
        ("potential_file", &p.potential_file),
        ("potential_sha256", &p.potential_sha256),
        ("thermostat", &p.thermostat),
        ("kernel", &p.kernel),
        ("pelt_version", &p.pelt_version),
        ("mpi_version", &p.mpi_version),
        ("hdf5_version", &p.hdf5_version),
        ("command_line", &p.command_line),
        ("element", &layout.element),
    ] {
        h5::string_attr(&g, name, value)?;
    }
    h5::strings_attr(&g, "hosts", &p.hosts)?;
    let n = layout.atoms as f64;
    let reals: [(&str, f64, &str); 9] = [
        ("epsilon", p.epsilon, "eV^(1-m)"),
        ("phi0", p.phi0, "eV"),
        ("phi0_per_atom", p.phi0 / n, "eV"),
        ("phi_s", p.phi_s, "eV"),
        ("phi_s_per_atom", p.phi_s / n, "eV"),
        ("reference_energy", p.reference_energy, "eV"),
        ("timestep", layout.timestep_fs, "fs"),
        ("timestep_ps", layout.timestep_fs * 1e-3, "ps"),
        ("boltzmann_constant", crate::units::KB, "eV/K"),
    ];
    for (name, v, unit) in reals {
        let ds = h5::fixed::<f64>(&g, name, &[], unit)?;
        h5::write_whole(&ds, &[v], root)?;
    }
    let seed = h5::fixed::<u64>(&g, "seed", &[], "1")?;
    h5::write_whole(&seed, &[p.seed], root)?;
    let ints: [(&str, i64); 11] = [
        ("m", p.m),
        ("equilibration", p.equilibration as i64),
        ("ranks", p.hosts.len() as i64),
        ("atoms", layout.atoms as i64),
        ("steps", p.steps as i64),
        ("energy_interval", layout.energy_interval as i64),
        ("positions_interval", layout.positions_interval as i64),
        ("quench_interval", layout.quench_interval as i64),
        (
            "swap_interval",
            if layout.swaps {
                layout.swap_interval as i64
            } else {
                0
            },
        ),
        ("exchange_interval", layout.swap_interval as i64),
        ("velocities", i64::from(layout.velocities)),
    ];
    for (name, v) in ints {
        let ds = h5::fixed::<i64>(&g, name, &[], "1")?;
        h5::write_whole(&ds, &[v], root)?;
    }
    Ok(())
}
