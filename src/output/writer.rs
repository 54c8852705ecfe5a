//! The run file: one HDF5 file laid out after H5MD 1.1, written collectively by every rank
//! through MPI-IO. Samples, frames, quenches and the index process are buffered in memory
//! and written at [`Writer::flush`] (at every checkpoint and at the end of the run); the row
//! of every record follows from its step, so each rank writes exactly the rows it holds.
//! Every dataset is allocated for the whole run when the file is made, so that no HDF5
//! metadata changes afterwards (crash consistency: [`Writer`], docs/FORMAT.md).

use super::h5::{self, H5Result};
use crate::system::Coords;
use crate::tempering::{Quench, Recorder, Sample, Statistics};
use hdf5::{Dataset, File, Group, H5Type};
use ndarray::s;
use std::path::{Path, PathBuf};

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
    /// MD steps of the whole run: every time series is allocated for it at creation.
    pub steps: u64,
}

impl Layout {
    /// Bytes of data the run file holds for the whole run (it is allocated whole).
    pub fn bytes(&self) -> u64 {
        let k = self.temperatures.len() as u64;
        let xyz = 3 * self.atoms as u64;
        let rows = |iv: u64| self.rows(iv) as u64;
        // 8-byte elements, and one byte per atom and frame for the species.
        let per_t = 8 * rows(self.energy_interval) * (2 + OBSERVABLES.len() as u64 + 1 + 3)
            + rows(self.positions_interval)
                * (8 * (2 + 3 + xyz * (1 + u64::from(self.velocities))) + self.atoms as u64)
            + 8 * rows(self.quench_interval) * (2 + 1 + xyz + 4);
        k * per_t + 8 * rows(self.swap_interval) * (2 + k)
    }

    /// Rows of a series recorded every `interval` steps over the whole run.
    fn rows(&self, interval: u64) -> usize {
        self.steps.checked_div(interval).unwrap_or(0) as usize
    }
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
    /// The precision of the MD pair terms, hence of every recorded energy and swap
    /// (`double` or `mixed`).
    pub precision: String,
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
    /// The rounds of an adaptive ladder, once it is frozen (`/tempering/adaptation`).
    pub adaptation: Option<Adaptation>,
}

/// How an adaptive ladder came about: the start ladder and every round.
#[derive(Clone, Debug)]
pub struct Adaptation {
    /// The ladder the run started with (K).
    pub initial: Vec<f64>,
    /// The rounds, in order.
    pub rounds: Vec<crate::tempering::Round>,
}

/// The element type of a series (its buffer holds rows of that type).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    F64,
    I64,
    U8,
}

enum Buffer {
    F64(Vec<f64>),
    I64(Vec<i64>),
    U8(Vec<u8>),
}

/// Run `$body` with `$b` bound to the buffer's vector, whatever its type.
macro_rules! each {
    ($buf:expr, $b:ident => $body:expr) => {
        match $buf {
            Buffer::F64($b) => $body,
            Buffer::I64($b) => $body,
            Buffer::U8($b) => $body,
        }
    };
}

/// Whether the run file is being made (with its provenance) or opened to continue.
enum Mode<'a> {
    Make(&'a Parameters),
    Open,
}

/// One preallocated dataset whose row r holds the record of step (r + 1)·interval, with the
/// rows this rank has recorded since the last flush.
struct Series {
    ds: Dataset,
    interval: u64,
    rows: Vec<u64>,
    buf: Buffer,
}

impl Series {
    /// Make (or open and check) the dataset `name` of `g` for a record every `interval`
    /// steps of the run in `layout`, rows shaped `tail`.
    fn at(
        mode: &Mode,
        layout: &Layout,
        g: &Group,
        name: &str,
        (tail, interval, unit): (&[usize], u64, &str),
        kind: Kind,
    ) -> H5Result<Series> {
        let rows = layout.rows(interval);
        let ds = match mode {
            Mode::Make(_) => match kind {
                Kind::F64 => h5::preallocated(g, name, rows, tail, unit, f64::NAN)?,
                Kind::I64 => h5::preallocated(g, name, rows, tail, unit, -1i64)?,
                Kind::U8 => h5::preallocated(g, name, rows, tail, unit, 0u8)?,
            },
            Mode::Open => {
                let ds = g.dataset(name)?;
                let mut want = vec![rows];
                want.extend_from_slice(tail);
                if ds.shape() != want {
                    return Err(hdf5::Error::from(format!(
                        "{}: shape {:?}, a run of {} steps needs {want:?}",
                        ds.name(),
                        ds.shape(),
                        layout.steps
                    )));
                }
                ds
            }
        };
        Ok(Series {
            ds,
            interval,
            rows: Vec::new(),
            buf: match kind {
                Kind::F64 => Buffer::F64(Vec::new()),
                Kind::I64 => Buffer::I64(Vec::new()),
                Kind::U8 => Buffer::U8(Vec::new()),
            },
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
            _ => unreachable!("f64 record into an integer dataset"),
        }
    }

    fn push_i64(&mut self, step: u64, values: &[i64]) {
        self.rows.push(self.row(step));
        match &mut self.buf {
            Buffer::I64(b) => b.extend_from_slice(values),
            _ => unreachable!("i64 record into another dataset"),
        }
    }

    /// A row of `value` repeated (species: the atomic number of every atom).
    fn push_u8(&mut self, step: u64, value: u8, count: usize) {
        self.rows.push(self.row(step));
        match &mut self.buf {
            Buffer::U8(b) => b.extend(std::iter::repeat_n(value, count)),
            _ => unreachable!("u8 record into another dataset"),
        }
    }

    /// Collective: write this rank's buffered rows (the dataset keeps its shape).
    fn flush(&mut self) -> H5Result<()> {
        if self.ds.shape()[0] == 0 {
            // A run shorter than the interval: no storage, nothing to write (every rank
            // sees the same shape, so every rank skips).
            return Ok(());
        }
        each!(&mut self.buf, b => {
            h5::write_rows(&self.ds, &self.rows, b)?;
            b.clear();
        });
        self.rows.clear();
        Ok(())
    }

    /// Collective: copy the first rows of `old` (the same dataset in an earlier file), as
    /// far as they hold steps ≤ `step`; rank 0 (`root`) reads and writes, the others take
    /// part with nothing.
    fn copy_from(&mut self, old: Option<&File>, step: u64, root: bool) -> H5Result<()> {
        let n = ((step / self.interval) as usize).min(self.ds.shape()[0]);
        if n == 0 {
            return Ok(());
        }
        let src = match (root, old) {
            (true, Some(old)) => Some(old.dataset(&self.ds.name())?),
            _ => None,
        };
        if let Some(src) = &src {
            if src.shape()[0] < n {
                return Err(hdf5::Error::from(format!(
                    "{}: {} rows, the checkpoint at step {step} needs {n}",
                    src.name(),
                    src.shape()[0]
                )));
            }
        }
        // Blocks of rows, so that memory stays small; every rank takes part in every block
        // (the block count follows from n, the same everywhere).
        const BLOCK: usize = 4096;
        for start in (0..n).step_by(BLOCK) {
            let end = (start + BLOCK).min(n);
            let rows: Vec<u64> = match &src {
                Some(_) => (start as u64..end as u64).collect(),
                None => Vec::new(),
            };
            each!(&self.buf, b => copy_block(&self.ds, src.as_ref(), &rows, (start, end), b)?);
        }
        Ok(())
    }
}

/// Collective: rows `start..end` of `src` (rank 0) into rows `rows` of `dst`; `_like` (a
/// series' buffer) gives the element type.
fn copy_block<T: H5Type + Copy>(
    dst: &Dataset,
    src: Option<&Dataset>,
    rows: &[u64],
    (start, end): (usize, usize),
    _like: &[T],
) -> H5Result<()> {
    let v: Vec<T> = match src {
        Some(d) => read_rows(d, start, end)?,
        None => Vec::new(),
    };
    h5::write_rows(dst, rows, &v)
}

/// Rows `start..end` of `ds` (1 to 3 dimensions), flattened.
fn read_rows<T: H5Type + Copy>(ds: &Dataset, start: usize, end: usize) -> H5Result<Vec<T>> {
    Ok(match ds.ndim() {
        1 => ds.read_slice_1d::<T, _>(s![start..end])?.to_vec(),
        2 => ds
            .read_slice_2d::<T, _>(s![start..end, ..])?
            .iter()
            .copied()
            .collect(),
        _ => ds
            .read_slice::<T, _, ndarray::Ix3>(s![start..end, .., ..])?
            .iter()
            .copied()
            .collect(),
    })
}

/// Time series sharing step and time: the H5MD `step`, `time` pair of a group and its
/// values.
struct Clock {
    step: Series,
    time: Series,
}

impl Clock {
    fn at(mode: &Mode, layout: &Layout, g: &Group, interval: u64) -> H5Result<Clock> {
        Ok(Clock {
            step: Series::at(mode, layout, g, "step", (&[], interval, "1"), Kind::I64)?,
            time: Series::at(mode, layout, g, "time", (&[], interval, "ps"), Kind::F64)?,
        })
    }

    fn push(&mut self, step: u64, ps_per_step: f64) {
        self.step.push_i64(step, &[step as i64]);
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
    /// Atomic numbers per frame (H5MD `species`; ZnH5MD reads it).
    species: Series,
    /// Box edges per frame: zeros, there is no box (ZnH5MD needs them; MDAnalysis reads
    /// zero edges as no box).
    edges: Series,
    /// The atomic number written to `species`.
    number: u8,
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
            v.push(&mut f.species);
            v.push(&mut f.edges);
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
///
/// The file is made whole before the run writes a sample: every dataset is allocated for
/// the full run ([`h5::preallocated`]) in a new file `run.h5.new` that is synced and then
/// renamed over `run.h5`. From then on the HDF5 metadata is never modified; a flush writes
/// only the bytes of the rows it adds, and `/parameters/steps_done` ([`Writer::mark`]) says
/// up to which step the rows are valid. A crash inside a flush can only damage rows beyond
/// the last checkpoint, which a resume writes again.
pub struct Writer {
    file: File,
    path: PathBuf,
    layout: Layout,
    root: bool,
    temperatures: Vec<Temperature>,
    tempering: TemperingData,
    steps_done: Dataset,
}

/// Name of the group of temperature index `t` of `k`: T00, T01, … (zero-padded).
pub fn group_name(t: usize, k: usize) -> String {
    let width = (k.saturating_sub(1)).to_string().len().max(2);
    format!("T{t:0width$}")
}

fn pos_tail(layout: &Layout) -> [usize; 2] {
    [layout.atoms, 3]
}

/// The file a new or rebuilt run file is written to before it is renamed into place.
fn staging_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".new");
    PathBuf::from(s)
}

/// A group: made, or opened.
fn group(mode: &Mode, parent: &Group, name: &str) -> H5Result<Group> {
    match mode {
        Mode::Make(_) => parent.create_group(name),
        Mode::Open => parent.group(name),
    }
}

/// Every group and dataset of the file in `layout`: made (with attributes and provenance)
/// or opened and checked against the layout.
fn tree(
    file: &File,
    mode: &Mode,
    layout: &Layout,
    root: bool,
) -> H5Result<(Vec<Temperature>, TemperingData, Dataset)> {
    let making = matches!(mode, Mode::Make(_));
    let steps_done = if let Mode::Make(p) = mode {
        write_h5md(file, p)?;
        write_parameters(file, p, layout, root)?
    } else {
        file.dataset("parameters/steps_done")?
    };
    let k = layout.temperatures.len();
    let particles = group(mode, file, "particles")?;
    // The dense energy series live in pelt's own group: a reader that attaches row i of
    // every /observables series to frame i (MDAnalysis) would give frames wrong energies,
    // since energies and frames are recorded at different intervals.
    let observables = group(mode, &group(mode, file, "pelt")?, "observables")?;
    let inherent = if layout.quench_interval > 0 {
        Some(group(mode, file, "inherent_structures")?)
    } else {
        None
    };
    let ev = layout.energy_interval;
    let mut temperatures = Vec::with_capacity(k);
    for (t, &temp) in layout.temperatures.iter().enumerate() {
        let name = group_name(t, k);
        let clock_path = format!("/pelt/observables/{name}/{}", OBSERVABLES[0].0);
        // Observables: one step/time pair, hard-linked into every observable group.
        let og = group(mode, &observables, &name)?;
        let first = group(mode, &og, OBSERVABLES[0].0)?;
        let clock = Clock::at(mode, layout, &first, ev)?;
        let sub = |obs: &str| -> H5Result<Group> {
            if obs == OBSERVABLES[0].0 {
                return Ok(first.clone());
            }
            let g = group(mode, &og, obs)?;
            if making {
                link_clock(&g, &clock_path)?;
            }
            Ok(g)
        };
        let mut values = Vec::new();
        for (obs, unit) in OBSERVABLES {
            let g = sub(obs)?;
            values.push(Series::at(
                mode,
                layout,
                &g,
                "value",
                (&[], ev, unit),
                Kind::F64,
            )?);
        }
        let replica = Series::at(
            mode,
            layout,
            &sub("replica")?,
            "value",
            (&[], ev, "1"),
            Kind::I64,
        )?;
        let radii_group = sub("radii_of_gyration")?;
        let radii = Series::at(
            mode,
            layout,
            &radii_group,
            "value",
            (&[3], ev, "Angstrom"),
            Kind::F64,
        )?;
        let observables = Observables {
            clock,
            values,
            replica,
            radii,
        };
        // Particles.
        let pg = group(mode, &particles, &name)?;
        if making {
            temperature_attrs(&og, t, temp)?;
            temperature_attrs(&pg, t, temp)?;
            h5::string_attr(&pg, "element", &layout.element)?;
        }
        let bx = group(mode, &pg, "box")?;
        if making {
            h5::number_attr(&bx, "dimension", &[3i32])?;
            h5::strings_attr(
                &bx,
                "boundary",
                &["none".into(), "none".into(), "none".into()],
            )?;
        }
        let pv = layout.positions_interval;
        let frames = if pv > 0 {
            let pos = group(mode, &pg, "position")?;
            let clock = Clock::at(mode, layout, &pos, pv)?;
            let position = Series::at(
                mode,
                layout,
                &pos,
                "value",
                (&pos_tail(layout), pv, "Angstrom"),
                Kind::F64,
            )?;
            let velocity = if layout.velocities {
                let vg = group(mode, &pg, "velocity")?;
                if making {
                    link_clock(&vg, &format!("/particles/{name}/position"))?;
                }
                let spec = (&pos_tail(layout)[..], pv, "Angstrom fs-1");
                Some(Series::at(mode, layout, &vg, "value", spec, Kind::F64)?)
            } else {
                None
            };
            let linked = |parent: &Group, child: &str| -> H5Result<Group> {
                let g = group(mode, parent, child)?;
                if making {
                    link_clock(&g, &format!("/particles/{name}/position"))?;
                }
                Ok(g)
            };
            let species = Series::at(
                mode,
                layout,
                &linked(&pg, "species")?,
                "value",
                (&[layout.atoms], pv, "1"),
                Kind::U8,
            )?;
            let edges = Series::at(
                mode,
                layout,
                &linked(&bx, "edges")?,
                "value",
                (&[3], pv, "Angstrom"),
                Kind::F64,
            )?;
            Some(Frames {
                clock,
                position,
                velocity,
                species,
                edges,
                number: crate::system::atomic_number(&layout.element).unwrap_or(0) as u8,
            })
        } else {
            None
        };
        // Inherent structures.
        let inherent = match &inherent {
            Some(ig) => {
                let g = group(mode, ig, &name)?;
                if making {
                    temperature_attrs(&g, t, temp)?;
                }
                let iv = layout.quench_interval;
                let s = |name: &str, tail: &[usize], unit: &str, f: Kind| {
                    Series::at(mode, layout, &g, name, (tail, iv, unit), f)
                };
                Some(Inherent {
                    clock: Clock::at(mode, layout, &g, iv)?,
                    energy: s("energy", &[], "eV", Kind::F64)?,
                    position: s("position", &pos_tail(layout), "Angstrom", Kind::F64)?,
                    iterations: s("iterations", &[], "1", Kind::I64)?,
                    max_force: s("max_force", &[], "eV Angstrom-1", Kind::F64)?,
                    converged: s("converged", &[], "1", Kind::I64)?,
                    replica: s("replica", &[], "1", Kind::I64)?,
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
    let tg = group(mode, file, "tempering")?;
    let pairs = k.saturating_sub(1);
    let fixed = |name: &str, shape: &[usize]| -> H5Result<Dataset> {
        if making {
            h5::fixed::<i64>(&tg, name, shape, "1")
        } else {
            tg.dataset(name)
        }
    };
    let accepted = fixed("accepted", &[pairs])?;
    let attempted = fixed("attempted", &[pairs])?;
    let round_trips = fixed("round_trips", &[k])?;
    let exchanges = fixed("exchanges", &[])?;
    if making {
        let temps = h5::fixed::<f64>(&tg, "temperature", &[k], "K")?;
        h5::write_whole(&temps, &layout.temperatures, root)?;
        if let Mode::Make(Parameters {
            adaptation: Some(a),
            ..
        }) = mode
        {
            adaptation_group(&tg, a, k, root)?;
        }
    }
    let ig = group(mode, &tg, "index_process")?;
    let sv = layout.swap_interval;
    let tempering = TemperingData {
        clock: Clock::at(mode, layout, &ig, sv)?,
        index: Series::at(mode, layout, &ig, "value", (&[k], sv, "1"), Kind::I64)?,
        accepted,
        attempted,
        round_trips,
        exchanges,
    };
    Ok((temperatures, tempering, steps_done))
}

/// `/tempering/adaptation`: the start ladder and every round of an adaptive ladder.
fn adaptation_group(tg: &Group, a: &Adaptation, k: usize, root: bool) -> H5Result<()> {
    let g = tg.create_group("adaptation")?;
    let n = a.rounds.len();
    let pairs = k.saturating_sub(1);
    let mut ladders = a.initial.clone();
    let (mut att, mut acc, mut trips) = (Vec::new(), Vec::new(), Vec::new());
    for r in &a.rounds {
        ladders.extend(&r.temperatures);
        att.extend(r.attempts.iter().map(|&v| v as i64));
        acc.extend(r.accepted.iter().map(|&v| v as i64));
        trips.extend(r.round_trips.iter().map(|&v| v as i64));
    }
    let ints = |name: &str, shape: &[usize], v: &[i64]| -> H5Result<()> {
        let ds = h5::fixed::<i64>(&g, name, shape, "1")?;
        h5::write_whole(&ds, v, root)
    };
    let ds = h5::fixed::<f64>(&g, "temperature", &[n + 1, k], "K")?;
    h5::write_whole(&ds, &ladders, root)?;
    ints(
        "step",
        &[n],
        &a.rounds.iter().map(|r| r.step as i64).collect::<Vec<_>>(),
    )?;
    ints(
        "exchanges",
        &[n],
        &a.rounds
            .iter()
            .map(|r| r.exchanges as i64)
            .collect::<Vec<_>>(),
    )?;
    ints("attempted", &[n, pairs], &att)?;
    ints("accepted", &[n, pairs], &acc)?;
    ints("round_trips", &[n, k], &trips)
}

/// Check, read-only, that the run file at `path` holds the records of `step` (a
/// checkpoint's) for the run in `layout`: it is a pelt run file, and the `step` rows of the
/// first temperature's energies and of the index process at `step` name that step (not the
/// fill value, not another step). Returns the steps the file is allocated for
/// (`/parameters/steps`) and its ladder (`/tempering/temperature`). Every rank may call it:
/// it only reads.
pub fn verify(path: &Path, layout: &Layout, step: u64) -> H5Result<(u64, Vec<f64>)> {
    let file = File::open(path)?;
    if file.group("h5md").is_err() || file.group("parameters").is_err() {
        return Err(hdf5::Error::from(
            "not a pelt run file (no /h5md, /parameters)",
        ));
    }
    let steps = file
        .dataset("parameters/steps")?
        .read_scalar::<i64>()?
        .max(0) as u64;
    let k = layout.temperatures.len();
    for (name, interval) in [
        (
            format!(
                "pelt/observables/{}/{}/step",
                group_name(0, k),
                OBSERVABLES[0].0
            ),
            layout.energy_interval,
        ),
        (
            "tempering/index_process/step".to_string(),
            layout.swap_interval,
        ),
    ] {
        if step < interval {
            continue;
        }
        let ds = file.dataset(&name)?;
        let row = (step / interval - 1) as usize;
        if ds.shape().first().is_none_or(|&n| n <= row) {
            return Err(hdf5::Error::from(format!(
                "/{name} has {:?} rows, the checkpoint's step {step} is in row {row}",
                ds.shape()
            )));
        }
        let v = ds.read_slice_1d::<i64, _>(s![row..row + 1])?[0];
        if v != step as i64 {
            return Err(hdf5::Error::from(format!(
                "/{name} row {row} holds step {v}, expected {step}"
            )));
        }
    }
    let ladder = file.dataset("tempering/temperature")?.read_raw::<f64>()?;
    if ladder.len() != k {
        return Err(hdf5::Error::from(format!(
            "/tempering/temperature holds {} temperatures, the run has {k}",
            ladder.len()
        )));
    }
    Ok((steps, ladder))
}

/// Open `path` with MPI-IO on `comm`, read-write.
fn open_rw(comm: mpi::ffi::MPI_Comm, path: &Path) -> H5Result<File> {
    let mut b = File::with_options();
    b.with_fapl(|p| p.mpio(comm, None));
    b.open_rw(path)
}

/// Make the staging file of `path` with MPI-IO on `comm` (replacing a leftover one).
fn create_staging(comm: mpi::ffi::MPI_Comm, path: &Path) -> H5Result<File> {
    let mut b = File::with_options();
    b.with_fapl(|p| p.mpio(comm, None));
    b.create(staging_path(path))
}

/// Collective: a barrier on `comm`.
fn barrier(comm: mpi::ffi::MPI_Comm) {
    // SAFETY: a plain MPI call on a valid communicator every rank passes.
    unsafe {
        mpi::ffi::MPI_Barrier(comm);
    }
}

/// Sync `path`'s data to stable storage (every rank syncs what it wrote).
fn sync_file(path: &Path) -> H5Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(|e| hdf5::Error::from(format!("syncing {}: {e}", path.display())))
}

/// Sync the folder holding `path` (so that a rename in it is durable).
pub fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// Error of a fault point, as an HDF5-layer error.
fn fault(point: &'static str) -> H5Result<()> {
    crate::fault::point(point).map_err(|f| hdf5::Error::from(f.to_string()))
}

impl Writer {
    /// Make the run file at `path` on every rank of `comm` (collective): written whole as
    /// `path.new`, synced and renamed over `path` (replacing what was there: the caller
    /// decides whether that is allowed), then opened for writing.
    pub fn create(
        comm: mpi::ffi::MPI_Comm,
        path: &Path,
        layout: Layout,
        parameters: &Parameters,
        root: bool,
    ) -> H5Result<Writer> {
        let file = create_staging(comm, path)?;
        // Made whole (every dataset allocated and filled), then closed before the rename.
        drop(tree(&file, &Mode::Make(parameters), &layout, root)?);
        Self::publish(comm, file, path, root)?;
        Self::open(comm, path, layout, root)
    }

    /// Close the staging `file` of `path`, sync it and rename it over `path` (collective).
    fn publish(comm: mpi::ffi::MPI_Comm, file: File, path: &Path, root: bool) -> H5Result<()> {
        file.flush()?;
        drop(file);
        let staging = staging_path(path);
        sync_file(&staging)?;
        fault("create-before-rename")?;
        barrier(comm);
        if root {
            std::fs::rename(&staging, path).map_err(|e| {
                hdf5::Error::from(format!(
                    "renaming {} to {}: {e}",
                    staging.display(),
                    path.display()
                ))
            })?;
            sync_parent(path);
        }
        barrier(comm);
        Ok(())
    }

    /// Open the run file at `path` to continue (collective), checking that every dataset
    /// has the shape of `layout` (a run of `layout.steps` steps).
    pub fn open(
        comm: mpi::ffi::MPI_Comm,
        path: &Path,
        layout: Layout,
        root: bool,
    ) -> H5Result<Writer> {
        let file = open_rw(comm, path)?;
        let (temperatures, tempering, steps_done) = tree(&file, &Mode::Open, &layout, root)?;
        Ok(Writer {
            file,
            path: path.to_path_buf(),
            layout,
            root,
            temperatures,
            tempering,
            steps_done,
        })
    }

    /// Make a new run file for `layout` (another run length) holding the rows of steps ≤
    /// `step` of the file at `path`, and put it in place of `path` (collective). The old
    /// file stays whole until the new one, complete and synced, is renamed over it.
    pub fn rebuild(
        comm: mpi::ffi::MPI_Comm,
        path: &Path,
        layout: Layout,
        parameters: &Parameters,
        step: u64,
        root: bool,
    ) -> H5Result<Writer> {
        let old = if root { Some(File::open(path)?) } else { None };
        let file = create_staging(comm, path)?;
        let (mut temperatures, mut tempering, steps_done) =
            tree(&file, &Mode::Make(parameters), &layout, root)?;
        let mut all: Vec<&mut Series> = temperatures.iter_mut().flat_map(|t| t.series()).collect();
        all.extend(tempering.clock.series());
        all.push(&mut tempering.index);
        let half = all.len() / 2;
        for (i, s) in all.into_iter().enumerate() {
            if i == half {
                fault("rebuild-mid-copy")?;
            }
            s.copy_from(old.as_ref(), step, root)?;
        }
        h5::write_whole(&steps_done, &[step as i64], root)?;
        drop(old);
        drop(temperatures);
        drop(tempering);
        drop(steps_done);
        fault("rebuild-before-rename")?;
        Self::publish(comm, file, path, root)?;
        Self::open(comm, path, layout, root)
    }

    /// Collective: write everything buffered and the tempering `statistics`, and sync the
    /// file to disk. The rows written are those of steps ≤ `step`; `/parameters/steps_done`
    /// is not changed (see [`Writer::mark`]).
    pub fn flush(&mut self, statistics: &Statistics) -> H5Result<()> {
        fault("flush-start")?;
        let mut all: Vec<&mut Series> = self
            .temperatures
            .iter_mut()
            .flat_map(|t| t.series())
            .collect();
        all.extend(self.tempering.clock.series());
        all.push(&mut self.tempering.index);
        let half = all.len() / 2;
        for (i, s) in all.into_iter().enumerate() {
            if i == half {
                fault("flush-mid")?;
            }
            s.flush()?;
        }
        let tp = &self.tempering;
        let words = |v: &[u64]| v.iter().map(|&x| x as i64).collect::<Vec<i64>>();
        h5::write_whole(&tp.accepted, &words(&statistics.accepted), self.root)?;
        h5::write_whole(&tp.attempted, &words(&statistics.attempts), self.root)?;
        h5::write_whole(&tp.round_trips, &words(&statistics.round_trips), self.root)?;
        h5::write_whole(&tp.exchanges, &[statistics.exchanges as i64], self.root)?;
        fault("flush-data-written")?;
        self.file.flush()?;
        fault("flush-before-sync")?;
        sync_file(&self.path)
    }

    /// Collective: record that the rows of steps ≤ `step` are complete
    /// (`/parameters/steps_done`), after the checkpoint of `step` is safe.
    pub fn mark(&mut self, step: u64) -> H5Result<()> {
        h5::write_whole(&self.steps_done, &[step as i64], self.root)?;
        self.file.flush()?;
        fault("marker-written")
    }

    /// Collective: set `/parameters/equilibration` (the step after which the summary
    /// averages).
    pub fn set_equilibration(&mut self, equilibration: u64) -> H5Result<()> {
        let ds = self.file.dataset("parameters/equilibration")?;
        h5::write_whole(&ds, &[equilibration as i64], self.root)
    }

    /// What the file holds.
    pub fn layout(&self) -> &Layout {
        &self.layout
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
        o.replica.push_i64(step, &[replica as i64]);
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
            f.species.push_u8(step, f.number, x.len());
            f.edges.push_f64(step, &[0.0; 3]);
        }
    }

    fn quench(&mut self, step: u64, temperature: usize, replica: usize, q: &Quench) {
        let ps = self.ps_per_step();
        if let Some(i) = &mut self.temperatures[temperature].inherent {
            i.clock.push(step, ps);
            i.energy.push_f64(step, &[q.energy]);
            i.position.push_f64(step, &interleaved(&q.positions));
            i.iterations.push_i64(step, &[q.force_evaluations as i64]);
            i.max_force.push_f64(step, &[q.max_force]);
            i.converged.push_i64(step, &[i64::from(q.converged)]);
            i.replica.push_i64(step, &[replica as i64]);
        }
    }

    fn exchange(&mut self, step: u64, _attempts: &[(usize, bool)], statistics: &Statistics) {
        if self.root {
            let ps = self.ps_per_step();
            let tp = &mut self.tempering;
            tp.clock.push(step, ps);
            let row: Vec<i64> = statistics.replica_at.iter().map(|&r| r as i64).collect();
            tp.index.push_i64(step, &row);
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

/// The person running pelt: `$USER`, `$LOGNAME`, the name of this uid in /etc/passwd, or
/// "uid N".
pub(crate) fn author() -> String {
    for v in ["USER", "LOGNAME"] {
        if let Ok(u) = std::env::var(v) {
            if !u.trim().is_empty() {
                return u;
            }
        }
    }
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                let f: Vec<&str> = l.split(':').collect();
                (f.len() > 2 && f[2] == uid.to_string()).then(|| f[0].to_string())
            })
        })
        .unwrap_or_else(|| format!("uid {uid}"))
}

fn write_h5md(file: &File, p: &Parameters) -> H5Result<()> {
    let h = file.create_group("h5md")?;
    h5::number_attr(&h, "version", &[1i32, 1])?;
    let who = h.create_group("author")?;
    h5::string_attr(&who, "name", &author())?;
    let creator = h.create_group("creator")?;
    h5::string_attr(&creator, "name", "pelt")?;
    h5::string_attr(&creator, "version", &p.pelt_version)?;
    // The units module: every `unit` attribute follows its grammar (Angstrom, fs-1, …).
    let units = h.create_group("modules")?.create_group("units")?;
    h5::number_attr(&units, "version", &[1i32, 0])?;
    h5::fixed_ascii_attr(&units, "system", "SI")
}

/// `/parameters`; returns `/parameters/steps_done` (0 until the first checkpoint).
fn write_parameters(file: &File, p: &Parameters, layout: &Layout, root: bool) -> H5Result<Dataset> {
    let g = file.create_group("parameters")?;
    for (name, value) in [
        ("input", p.input_text.as_str()),
        ("input_path", &p.input_path),
        ("potential_file", &p.potential_file),
        ("potential_sha256", &p.potential_sha256),
        ("thermostat", &p.thermostat),
        ("kernel", &p.kernel),
        ("precision", &p.precision),
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
    // ε φ^m is an energy: ε is in eV^(1−m), written in the H5MD units grammar.
    let epsilon_unit = format!("eV{}", 1 - p.m);
    let reals: [(&str, f64, &str); 9] = [
        ("epsilon", p.epsilon, epsilon_unit.as_str()),
        ("phi0", p.phi0, "eV"),
        ("phi0_per_atom", p.phi0 / n, "eV"),
        ("phi_s", p.phi_s, "eV"),
        ("phi_s_per_atom", p.phi_s / n, "eV"),
        ("reference_energy", p.reference_energy, "eV"),
        ("timestep", layout.timestep_fs, "fs"),
        ("timestep_ps", layout.timestep_fs * 1e-3, "ps"),
        ("boltzmann_constant", crate::units::KB, "eV K-1"),
    ];
    for (name, v, unit) in reals {
        let ds = h5::fixed::<f64>(&g, name, &[], unit)?;
        h5::write_whole(&ds, &[v], root)?;
    }
    let seed = h5::fixed::<u64>(&g, "seed", &[], "1")?;
    h5::write_whole(&seed, &[p.seed], root)?;
    let ints: [(&str, i64); 12] = [
        ("steps_done", 0),
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
    g.dataset("steps_done")
}
