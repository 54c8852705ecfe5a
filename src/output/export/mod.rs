//! `pelt export`: one trajectory out of a run file, in a format the tools of the field read
//! as they are — a self-contained H5MD file (`particles/trajectory`, observables on the
//! frames' own step grid: [`h5md`]) or multi-frame extended xyz ([`extxyz`]).
//!
//! A trajectory is either one temperature of the ladder or one replica followed through its
//! swaps (demultiplexed). A record of step s belongs to the replica that held the
//! temperature during (s − exchange_interval, s] (docs/FORMAT.md, "Exchange steps"). Only
//! rows up to `/parameters/steps_done` are read.

mod extxyz;
mod h5md;

use super::reader::{self, Parts, ReadError};
use crate::analysis::RunData;
use hdf5::File;
use ndarray::s;
use std::path::{Path, PathBuf};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The run file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The selection or options do not fit the run.
    #[error("{0}")]
    Selection(String),
    /// The output could not be written.
    #[error("{path}: {message}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

/// Which trajectory.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Selection {
    /// Temperature index k of the ladder.
    Temperature(usize),
    /// Replica r, followed through its swaps.
    Replica(usize),
}

/// What to export.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// The trajectory.
    pub selection: Selection,
    /// First step (inclusive).
    pub from_step: Option<u64>,
    /// Last step (inclusive).
    pub to_step: Option<u64>,
    /// Every n-th record of the selection.
    pub every: usize,
    /// The inherent structures (quenched minima) instead of the MD frames.
    pub inherent: bool,
}

/// The output formats, by file extension.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Format {
    /// `.h5md` (or `.h5`).
    H5md,
    /// `.extxyz` (or `.xyz`).
    Extxyz,
}

impl Format {
    /// The format the name of `path` asks for.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "h5md" | "h5" => Some(Format::H5md),
            "extxyz" | "xyz" => Some(Format::Extxyz),
            _ => None,
        }
    }
}

/// The energies of one record (eV; K for the kinetic temperature). MD frames carry all of
/// them; inherent structures only φ (E_IS) and φ*.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Energies {
    /// φ.
    pub phi: f64,
    /// φ*.
    pub phi_star: f64,
    /// Wall, kinetic, total energy and kinetic temperature, for MD frames.
    pub dynamics: Option<[f64; 4]>,
}

/// One exported record.
#[derive(Clone, Debug)]
pub struct Record {
    /// MD step.
    pub step: u64,
    /// Time (ps).
    pub time: f64,
    /// Temperature index and temperature (K) at which it was recorded.
    pub temperature_index: usize,
    /// The ladder temperature (K).
    pub temperature: f64,
    /// The replica.
    pub replica: usize,
    /// Positions, x y z per atom (Å).
    pub positions: Vec<f64>,
    /// Velocities (Å/fs), when the run stored them (MD frames only).
    pub velocities: Option<Vec<f64>>,
    /// Energies.
    pub energies: Energies,
}

/// What every record of an export shares.
#[derive(Clone, Debug)]
pub struct Header {
    /// Atoms.
    pub atoms: usize,
    /// Chemical symbol.
    pub element: String,
    /// Records to come.
    pub records: usize,
    /// Whether records carry velocities.
    pub velocities: bool,
    /// Whether records carry the dynamics energies (MD frames).
    pub dynamics: bool,
    /// The run file and the selection, for provenance.
    pub source: String,
}

/// Where records go (one file per format).
trait Sink {
    fn record(&mut self, r: &Record) -> Result<(), String>;
    fn finish(self: Box<Self>) -> Result<(), String>;
}

/// One row to read: (step, temperature index, row in that temperature's datasets).
struct Row {
    step: u64,
    temperature: usize,
    row: usize,
}

fn selection_error(message: String) -> ExportError {
    ExportError::Selection(message)
}

/// The temperature index replica `r` held during the steps before `step` (the index
/// process row of the last exchange before `step`; replica k at temperature k before the
/// first).
fn temperature_of(run: &RunData, r: usize, step: u64) -> usize {
    let k = run.exchanges.step.partition_point(|&s| s < step);
    if k == 0 {
        return r;
    }
    run.exchanges.replica_at[k - 1]
        .iter()
        .position(|&x| x == r as i64)
        .unwrap_or(r)
}

/// The replica at temperature `t` during the steps before `step`.
fn replica_at(run: &RunData, t: usize, step: u64) -> usize {
    let k = run.exchanges.step.partition_point(|&s| s < step);
    if k == 0 {
        t
    } else {
        run.exchanges.replica_at[k - 1][t] as usize
    }
}

/// Steps of a group's `step` dataset that belong to the run (≤ steps_done, not fill).
fn steps_of(file: &File, path: &str, done: u64) -> Result<Vec<u64>, String> {
    let v = file
        .dataset(path)
        .and_then(|d| d.read_raw::<i64>())
        .map_err(|e| format!("{path}: {e}"))?;
    Ok(v.iter()
        .take_while(|&&s| s > 0 && s as u64 <= done)
        .map(|&s| s as u64)
        .collect())
}

/// Write the trajectory `spec` of the run file `run_path` to `out` (never replacing a
/// file unless `force`); `progress(done, total)` is called as records are written.
/// Returns the number of records.
pub fn export(
    run_path: &Path,
    spec: Spec,
    out: &Path,
    force: bool,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize, ExportError> {
    let format = Format::of(out).ok_or_else(|| {
        selection_error(format!(
            "{}: the output's extension names its format: .h5md (H5MD) or .extxyz (extended xyz)",
            out.display()
        ))
    })?;
    crate::system::xyz::ensure_writable(out, force).map_err(|e| ExportError::Write {
        path: out.to_path_buf(),
        message: e.to_string(),
    })?;
    if spec.every == 0 {
        return Err(selection_error("--every 0: expected at least 1".into()));
    }
    let run = reader::read(run_path, Parts::default())?;
    let shown = run_path.display().to_string();
    let read_err = |what: String| {
        ExportError::Read(ReadError::Format {
            path: shown.clone(),
            what: "export".into(),
            message: what,
        })
    };
    let file = File::open(run_path).map_err(|e| read_err(e.to_string()))?;
    let done = file
        .dataset("parameters/steps_done")
        .and_then(|d| d.read_scalar::<i64>())
        .map_err(|e| read_err(e.to_string()))?
        .max(0) as u64;
    let element = file
        .group("parameters")
        .and_then(|g| g.attr("element"))
        .and_then(|a| a.read_scalar::<hdf5::types::VarLenUnicode>())
        .ok()
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|| "X".into());
    let k = run.temperatures.len();
    let names: Vec<String> = (0..k).map(|t| super::group_name(t, k)).collect();
    match spec.selection {
        Selection::Temperature(t) if t >= k => {
            return Err(selection_error(format!(
                "--temperature-index {t}: the run has {k} temperatures (0 to {})",
                k - 1
            )))
        }
        Selection::Replica(r) if r >= k => {
            return Err(selection_error(format!(
                "--replica {r}: the run has {k} replicas (0 to {})",
                k - 1
            )))
        }
        _ => {}
    }
    let within =
        |s: u64| spec.from_step.is_none_or(|f| s >= f) && spec.to_step.is_none_or(|t| s <= t);

    // Which rows, in time order.
    let mut rows: Vec<Row> = Vec::new();
    if spec.inherent {
        if file.group("inherent_structures").is_err() {
            return Err(selection_error(format!(
                "{shown} has no inherent structures ([quench] interval = 0)"
            )));
        }
        for (t, name) in names.iter().enumerate() {
            if let Selection::Temperature(want) = spec.selection {
                if t != want {
                    continue;
                }
            }
            let g = format!("inherent_structures/{name}");
            let steps = steps_of(&file, &format!("{g}/step"), done).map_err(read_err)?;
            let replicas = file
                .dataset(&format!("{g}/replica"))
                .and_then(|d| d.read_raw::<i64>())
                .map_err(|e| read_err(e.to_string()))?;
            for (row, &step) in steps.iter().enumerate() {
                let keep = match spec.selection {
                    Selection::Temperature(_) => true,
                    Selection::Replica(r) => replicas[row] == r as i64,
                };
                if keep && within(step) {
                    rows.push(Row {
                        step,
                        temperature: t,
                        row,
                    });
                }
            }
        }
        rows.sort_by_key(|r| r.step);
    } else {
        if file
            .group(&format!("particles/{}/position", names[0]))
            .is_err()
        {
            return Err(selection_error(format!(
                "{shown} has no position frames ([output] positions_interval = 0)"
            )));
        }
        let steps = steps_of(
            &file,
            &format!("particles/{}/position/step", names[0]),
            done,
        )
        .map_err(read_err)?;
        for (row, &step) in steps.iter().enumerate() {
            if !within(step) {
                continue;
            }
            let temperature = match spec.selection {
                Selection::Temperature(t) => t,
                Selection::Replica(r) => temperature_of(&run, r, step),
            };
            rows.push(Row {
                step,
                temperature,
                row,
            });
        }
    }
    let rows: Vec<Row> = rows.into_iter().step_by(spec.every).collect();
    if rows.is_empty() {
        return Err(selection_error(format!(
            "nothing to export: {shown} holds no {} in the steps asked for (up to step {done})",
            if spec.inherent {
                "inherent structures"
            } else {
                "frames"
            }
        )));
    }

    let velocities = !spec.inherent
        && file
            .dataset(&format!("particles/{}/velocity/value", names[0]))
            .is_ok();
    // Energies at each frame's step, from the samples of its temperature (the same state).
    let sample = |t: usize, step: u64| -> Option<usize> {
        run.temperatures[t].samples.step.binary_search(&step).ok()
    };
    let dynamics = !spec.inherent && rows.iter().all(|r| sample(r.temperature, r.step).is_some());
    if !spec.inherent && !dynamics {
        let interval = |name: &str| {
            file.dataset(&format!("parameters/{name}"))
                .and_then(|d| d.read_scalar::<i64>())
                .unwrap_or(0)
        };
        let missing = rows
            .iter()
            .find(|r| sample(r.temperature, r.step).is_none())
            .map_or(0, |r| r.step);
        return Err(selection_error(format!(
            "{shown}: frames every {} steps, energies every {} steps: the frame of step \
             {missing} has no energy sample; export with --every N such that N × {} is a \
             multiple of {}",
            interval("positions_interval"),
            interval("energy_interval"),
            interval("positions_interval"),
            interval("energy_interval")
        )));
    }
    let header = Header {
        atoms: run.atoms,
        element,
        records: rows.len(),
        velocities,
        dynamics,
        source: format!(
            "{shown}, {}{}",
            match spec.selection {
                Selection::Temperature(t) => format!("temperature index {t}"),
                Selection::Replica(r) => format!("replica {r}"),
            },
            if spec.inherent {
                ", inherent structures"
            } else {
                ""
            }
        ),
    };
    let tmp = {
        let mut s = out.as_os_str().to_owned();
        s.push(format!(".part{}", std::process::id()));
        PathBuf::from(s)
    };
    let write_err = |message: String| ExportError::Write {
        path: out.to_path_buf(),
        message,
    };
    let mut sink: Box<dyn Sink> = match format {
        Format::H5md => Box::new(h5md::H5md::create(&tmp, &header).map_err(write_err)?),
        Format::Extxyz => Box::new(extxyz::Extxyz::create(&tmp, &header).map_err(write_err)?),
    };
    let kb = run.kb;
    let dof = crate::dynamics::degrees_of_freedom(run.atoms) as f64;
    let read_row = |path: String, row: usize| -> Result<Vec<f64>, ExportError> {
        file.dataset(&path)
            .and_then(|d| d.read_slice::<f64, _, ndarray::Ix3>(s![row..row + 1, .., ..]))
            .map(|a| a.iter().copied().collect())
            .map_err(|e| read_err(format!("{path}: {e}")))
    };
    let result = (|| -> Result<(), ExportError> {
        for (i, r) in rows.iter().enumerate() {
            let name = &names[r.temperature];
            let td = &run.temperatures[r.temperature];
            let record = if spec.inherent {
                let g = format!("inherent_structures/{name}");
                let e = file
                    .dataset(&format!("{g}/energy"))
                    .and_then(|d| d.read_slice_1d::<f64, _>(s![r.row..r.row + 1]))
                    .map_err(|e| read_err(e.to_string()))?[0];
                let replica = file
                    .dataset(&format!("{g}/replica"))
                    .and_then(|d| d.read_slice_1d::<i64, _>(s![r.row..r.row + 1]))
                    .map_err(|e| read_err(e.to_string()))?[0];
                Record {
                    step: r.step,
                    time: r.step as f64 * run.timestep_ps,
                    temperature_index: r.temperature,
                    temperature: td.temperature,
                    replica: replica as usize,
                    positions: read_row(format!("{g}/position"), r.row)?,
                    velocities: None,
                    energies: Energies {
                        phi: e,
                        phi_star: run.transform.energy(e),
                        dynamics: None,
                    },
                }
            } else {
                let j = sample(r.temperature, r.step).expect("checked above");
                let sm = &td.samples;
                Record {
                    step: r.step,
                    time: r.step as f64 * run.timestep_ps,
                    temperature_index: r.temperature,
                    temperature: td.temperature,
                    replica: replica_at(&run, r.temperature, r.step),
                    positions: read_row(format!("particles/{name}/position/value"), r.row)?,
                    velocities: if velocities {
                        Some(read_row(format!("particles/{name}/velocity/value"), r.row)?)
                    } else {
                        None
                    },
                    energies: Energies {
                        phi: sm.phi[j],
                        phi_star: sm.phi_star[j],
                        dynamics: Some([
                            sm.wall[j],
                            sm.kinetic[j],
                            sm.total[j],
                            if dof > 0.0 {
                                2.0 * sm.kinetic[j] / (dof * kb)
                            } else {
                                0.0
                            },
                        ]),
                    },
                }
            };
            sink.record(&record).map_err(write_err)?;
            progress(i + 1, rows.len());
        }
        sink.finish().map_err(write_err)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, out).map_err(|e| write_err(e.to_string()))?;
    Ok(rows.len())
}
