//! Reading a run file back (`docs/FORMAT.md`) into [`RunData`] for the analysis.

use crate::analysis::{Exchanges, Frames, Quenches, RunData, Samples, TemperatureData};
use crate::landscape::Transform;
use hdf5::types::VarLenUnicode;
use hdf5::{File, Group, H5Type};
use std::path::Path;

/// Why a run file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Not an HDF5 file, or a dataset is missing or of the wrong shape.
    #[error("{path}: {what}: {message}")]
    Format {
        /// The file.
        path: String,
        /// The group or dataset.
        what: String,
        /// What went wrong.
        message: String,
    },
}

/// What to read besides the energies.
#[derive(Clone, Copy, Debug, Default)]
pub struct Parts {
    /// Position frames (large).
    pub frames: bool,
    /// The positions of the inherent structures (large).
    pub quench_positions: bool,
}

impl Parts {
    /// The energies and the position frames.
    pub fn with_frames() -> Parts {
        Parts {
            frames: true,
            ..Parts::default()
        }
    }
}

struct Ctx<'a> {
    path: &'a str,
}

impl Ctx<'_> {
    fn err(&self, what: &str, e: impl std::fmt::Display) -> ReadError {
        ReadError::Format {
            path: self.path.to_string(),
            what: what.to_string(),
            message: e.to_string(),
        }
    }
    fn vec<T: H5Type>(&self, g: &Group, name: &str) -> Result<Vec<T>, ReadError> {
        let what = format!("{}/{name}", g.name());
        g.dataset(name)
            .and_then(|d| d.read_raw::<T>())
            .map_err(|e| self.err(&what, e))
    }
    fn scalar<T: H5Type>(&self, g: &Group, name: &str) -> Result<T, ReadError> {
        let what = format!("{}/{name}", g.name());
        g.dataset(name)
            .and_then(|d| d.read_scalar::<T>())
            .map_err(|e| self.err(&what, e))
    }
    /// Every series of `group` has the `n` rows of its step series.
    fn same_rows(&self, group: &str, lens: &[(&str, usize)], n: usize) -> Result<(), ReadError> {
        match lens.iter().find(|(_, len)| *len != n) {
            Some((what, len)) => Err(self.err(
                &format!("{group}/{what}"),
                format!("{len} rows, but step has {n}"),
            )),
            None => Ok(()),
        }
    }
    fn group(&self, g: &Group, name: &str) -> Result<Group, ReadError> {
        g.group(name)
            .map_err(|e| self.err(&format!("{}/{name}", g.name()), e))
    }
}

/// Whether `path` starts with the HDF5 signature (at offset 0; pelt never writes a user
/// block).
fn has_hdf5_signature(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|_| head == *b"\x89HDF\r\n\x1a\n")
}

/// The leading rows of a step series that belong to the run: written (not the fill −1)
/// and at most `done` (`/parameters/steps_done`).
fn valid_steps(step: Vec<i64>, done: u64) -> Vec<u64> {
    step.iter()
        .take_while(|&&s| s > 0 && s as u64 <= done)
        .map(|&s| s as u64)
        .collect()
}

/// Read `path` (energies, quenches and the index process; frames if `parts.frames`).
pub fn read(path: &Path, parts: Parts) -> Result<RunData, ReadError> {
    let shown = path.display().to_string();
    let c = Ctx { path: &shown };
    // The operating system's word for a file that cannot be read (HDF5's message repeats
    // itself and hides it).
    std::fs::File::open(path).map_err(|e| c.err("open", e))?;
    let file = File::open(path).map_err(|e| {
        if path.exists() && !has_hdf5_signature(path) {
            c.err(
                "open",
                "not an HDF5 file (a pelt run file is run.h5 in a run's folder)",
            )
        } else {
            c.err("open", e)
        }
    })?;
    let root: &Group = &file;
    if file.group("parameters").is_err() || file.group("h5md").is_err() {
        return Err(c.err(
            "/",
            "not a pelt run file (an HDF5 file without /h5md and /parameters; pelt reads the \
             run.h5 that `pelt run` writes)",
        ));
    }
    let p = c.group(root, "parameters")?;
    // Rows of steps beyond /parameters/steps_done are not part of the run yet (docs/FORMAT.md).
    let done = c.scalar::<i64>(&p, "steps_done")?.max(0) as u64;
    let atoms = c.scalar::<i64>(&p, "atoms")? as usize;
    let eps = c.scalar::<f64>(&p, "epsilon")?;
    let phi0 = c.scalar::<f64>(&p, "phi0")?;
    let m = c.scalar::<i64>(&p, "m")?;
    let transform = Transform::new(eps, phi0, m as u32)
        .map_err(|e| c.err("/parameters/epsilon, phi0, m", e))?;
    let kb = c.scalar::<f64>(&p, "boltzmann_constant")?;
    let timestep_ps = c.scalar::<f64>(&p, "timestep_ps")?;
    let equilibration = c.scalar::<i64>(&p, "equilibration")?.max(0) as u64;
    let swaps = c.scalar::<i64>(&p, "swap_interval")? > 0;
    let potential_sha256 = p
        .attr("potential_sha256")
        .and_then(|a| a.read_scalar::<VarLenUnicode>())
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let potential_file = p
        .attr("potential_file")
        .and_then(|a| a.read_scalar::<VarLenUnicode>())
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();

    let tg = c.group(root, "tempering")?;
    let ladder = c.vec::<f64>(&tg, "temperature")?;
    let kk = ladder.len();
    let ip = c.group(&tg, "index_process")?;
    let ex_step = valid_steps(c.vec::<i64>(&ip, "step")?, done);
    let mut ex_val = c.vec::<i64>(&ip, "value")?;
    ex_val.truncate(ex_step.len() * kk);
    if ex_val.len() != ex_step.len() * kk {
        return Err(c.err(
            "/tempering/index_process/value",
            format!(
                "{} values for {} exchanges of {kk} temperatures",
                ex_val.len(),
                ex_step.len()
            ),
        ));
    }
    let exchanges = Exchanges {
        step: ex_step,
        replica_at: ex_val.chunks(kk.max(1)).map(<[i64]>::to_vec).collect(),
    };
    let mut swap_statistics = crate::analysis::SwapStatistics {
        attempted: c.vec::<i64>(&tg, "attempted")?,
        accepted: c.vec::<i64>(&tg, "accepted")?,
        round_trips: c.vec::<i64>(&tg, "round_trips")?,
        exchanges: c.scalar::<i64>(&tg, "exchanges")?,
        adapted_rounds: 0,
    };
    // An adaptive ladder: the counts of the production ladder are those after the last
    // round (the file's counts are cumulative over the run).
    if let Ok(ad) = tg.group("adaptation") {
        let rounds = c.vec::<i64>(&ad, "exchanges")?.len();
        if rounds > 0 {
            let last = |name: &str| -> Result<Vec<i64>, ReadError> {
                let v = c.vec::<i64>(&ad, name)?;
                let w = v.len() / rounds;
                Ok(v[(rounds - 1) * w..].to_vec())
            };
            let s = &mut swap_statistics;
            for (total, at_freeze) in [
                (&mut s.attempted, last("attempted")?),
                (&mut s.accepted, last("accepted")?),
                (&mut s.round_trips, last("round_trips")?),
            ] {
                for (t, f) in total.iter_mut().zip(at_freeze) {
                    *t -= f;
                }
            }
            s.exchanges -= last("exchanges")?[0];
        }
        swap_statistics.adapted_rounds = rounds;
    }

    // pelt 0.6 keeps the energies in /pelt/observables; 0.5 files have them in /observables.
    let obs_path = if file.group("pelt/observables").is_ok() {
        "/pelt/observables"
    } else {
        "/observables"
    };
    let obs = root.group(obs_path).map_err(|e| c.err(obs_path, e))?;
    let particles = c.group(root, "particles")?;
    let inherent = root.group("inherent_structures").ok();
    let mut temperatures = Vec::with_capacity(kk);
    for (k, &temp) in ladder.iter().enumerate() {
        let name = crate::output::group_name(k, kk);
        let o = c.group(&obs, &name)?;
        let series = |what: &str| -> Result<Vec<f64>, ReadError> {
            c.vec::<f64>(&c.group(&o, what)?, "value")
        };
        let pe = c.group(&o, "potential_energy")?;
        let step = valid_steps(c.vec::<i64>(&pe, "step")?, done);
        let n = step.len();
        let series = |what: &str| -> Result<Vec<f64>, ReadError> {
            let mut v = series(what)?;
            let width = if what == "radii_of_gyration" { 3 } else { 1 };
            v.truncate(n * width);
            Ok(v)
        };
        let radii_flat = series("radii_of_gyration")?;
        let samples = Samples {
            phi: series("potential_energy")?,
            phi_star: series("transformed_potential_energy")?,
            wall: series("wall_energy")?,
            kinetic: series("kinetic_energy")?,
            total: series("total_energy")?,
            force_scale: series("force_scale")?,
            replica: {
                let mut v = c.vec::<i64>(&c.group(&o, "replica")?, "value")?;
                v.truncate(n);
                v
            },
            radii: radii_flat
                .chunks_exact(3)
                .map(|r| [r[0], r[1], r[2]])
                .collect(),
            step,
        };
        let n = samples.step.len();
        c.same_rows(
            &format!("{obs_path}/{name}"),
            &[
                ("potential_energy/value", samples.phi.len()),
                ("transformed_potential_energy/value", samples.phi_star.len()),
                ("wall_energy/value", samples.wall.len()),
                ("kinetic_energy/value", samples.kinetic.len()),
                ("total_energy/value", samples.total.len()),
                ("force_scale/value", samples.force_scale.len()),
                ("replica/value", samples.replica.len()),
                ("radii_of_gyration/value", samples.radii.len()),
            ],
            n,
        )?;
        let mut frames = Frames::default();
        if parts.frames {
            let pg = c.group(&particles, &name)?;
            if let Ok(pos) = pg.group("position") {
                frames.step = valid_steps(c.vec::<i64>(&pos, "step")?, done);
                let mut flat = c.vec::<f64>(&pos, "value")?;
                flat.truncate(frames.step.len() * atoms * 3);
                if flat.len() != frames.step.len() * atoms * 3 {
                    return Err(c.err(
                        &format!("/particles/{name}/position/value"),
                        format!(
                            "{} values for {} frames of {atoms} atoms",
                            flat.len(),
                            frames.step.len()
                        ),
                    ));
                }
                frames.positions = flat
                    .chunks_exact(3 * atoms.max(1))
                    .map(|f| f.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect())
                    .collect();
            }
        }
        let mut quenches = Quenches::default();
        if let Some(ig) = &inherent {
            let g = c.group(ig, &name)?;
            quenches.step = valid_steps(c.vec::<i64>(&g, "step")?, done);
            let n = quenches.step.len();
            quenches.energy = c.vec::<f64>(&g, "energy")?;
            quenches.energy.truncate(n);
            quenches.replica = c.vec::<i64>(&g, "replica")?;
            quenches.replica.truncate(n);
            let mut conv = c.vec::<i64>(&g, "converged")?;
            conv.truncate(n);
            quenches.converged = conv.iter().map(|&x| x != 0).collect();
            c.same_rows(
                &format!("/inherent_structures/{name}"),
                &[
                    ("energy", quenches.energy.len()),
                    ("replica", quenches.replica.len()),
                    ("converged", quenches.converged.len()),
                ],
                n,
            )?;
            if parts.quench_positions {
                let mut flat = c.vec::<f64>(&g, "position")?;
                flat.truncate(n * atoms * 3);
                if flat.len() != n * atoms * 3 {
                    return Err(c.err(
                        &format!("/inherent_structures/{name}/position"),
                        format!("{} values for {n} quenches of {atoms} atoms", flat.len()),
                    ));
                }
                quenches.positions = flat
                    .chunks_exact(3 * atoms.max(1))
                    .map(|f| f.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect())
                    .collect();
            }
        }
        temperatures.push(TemperatureData {
            temperature: temp,
            samples,
            frames,
            quenches,
        });
    }
    Ok(RunData {
        source: shown.clone(),
        atoms,
        kb,
        transform,
        timestep_ps,
        equilibration,
        swaps,
        potential_sha256,
        potential_file,
        temperatures,
        exchanges,
        swap_statistics,
    })
}
