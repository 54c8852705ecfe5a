//! A self-contained H5MD 1.1 file of one trajectory: `/particles/trajectory` (position,
//! velocity when stored, species, box without boundaries) and
//! `/observables/trajectory/<name>` (φ, φ*, kinetic energy, ladder temperature, replica; the
//! rest in `/pelt/observables`) on the frames' own step grid (their `step` and `time` are hard links to the positions'), so that a
//! reader attaching observable row i to frame i (MDAnalysis's `ts.data`) is right.
//! MDAnalysis opens it without a topology (`MDAnalysis.Universe("x.h5md")`).

use super::{Header, Record, Sink};
use crate::output::h5;
use hdf5::{Dataset, File, Group, H5Type};
use ndarray::{s, Array3};

pub(super) struct H5md {
    _file: File,
    step: Dataset,
    time: Dataset,
    position: Dataset,
    velocity: Option<Dataset>,
    species: (Dataset, i64),
    /// (dataset, which value of a record).
    observables: Vec<(Dataset, Observable)>,
    row: usize,
}

#[derive(Clone, Copy)]
enum Observable {
    Phi,
    PhiStar,
    Dynamics(usize),
    Temperature,
    TemperatureIndex,
    Replica,
}

fn err(e: hdf5::Error) -> String {
    e.to_string()
}

fn dataset<T: H5Type>(
    g: &Group,
    name: &str,
    shape: &[usize],
    unit: &str,
) -> Result<Dataset, String> {
    let ds = g
        .new_dataset::<T>()
        .shape(shape.to_vec())
        .create(name)
        .map_err(err)?;
    if !unit.is_empty() {
        h5::string_attr(&ds, "unit", unit).map_err(err)?;
    }
    Ok(ds)
}

impl H5md {
    pub(super) fn create(path: &std::path::Path, h: &Header) -> Result<H5md, String> {
        let n = h.records;
        let file = File::create(path).map_err(err)?;
        let meta = file.create_group("h5md").map_err(err)?;
        h5::number_attr(&meta, "version", &[1i32, 1]).map_err(err)?;
        let author = meta.create_group("author").map_err(err)?;
        h5::string_attr(&author, "name", &crate::output::writer::author()).map_err(err)?;
        let creator = meta.create_group("creator").map_err(err)?;
        h5::string_attr(&creator, "name", "pelt").map_err(err)?;
        h5::string_attr(&creator, "version", crate::version::PELT_VERSION).map_err(err)?;
        let units = meta
            .create_group("modules")
            .and_then(|m| m.create_group("units"))
            .map_err(err)?;
        h5::number_attr(&units, "version", &[1i32, 0]).map_err(err)?;
        h5::fixed_ascii_attr(&units, "system", "SI").map_err(err)?;

        let traj = file
            .create_group("particles")
            .and_then(|p| p.create_group("trajectory"))
            .map_err(err)?;
        h5::string_attr(&traj, "source", &h.source).map_err(err)?;
        let bx = traj.create_group("box").map_err(err)?;
        h5::number_attr(&bx, "dimension", &[3i32]).map_err(err)?;
        h5::strings_attr(
            &bx,
            "boundary",
            &["none".into(), "none".into(), "none".into()],
        )
        .map_err(err)?;
        let pos = traj.create_group("position").map_err(err)?;
        let step = dataset::<i64>(&pos, "step", &[n], "")?;
        let time = dataset::<f64>(&pos, "time", &[n], "ps")?;
        let position = dataset::<f64>(&pos, "value", &[n, h.atoms, 3], "Angstrom")?;
        let link = |g: &Group| -> Result<(), String> {
            g.link_hard("/particles/trajectory/position/step", "step")
                .and_then(|_| g.link_hard("/particles/trajectory/position/time", "time"))
                .map_err(err)
        };
        let velocity = if h.velocities {
            let vg = traj.create_group("velocity").map_err(err)?;
            link(&vg)?;
            Some(dataset::<f64>(
                &vg,
                "value",
                &[n, h.atoms, 3],
                "Angstrom fs-1",
            )?)
        } else {
            None
        };
        // Observables of the particles group `trajectory` (the H5MD convention ZnH5MD reads;
        // MDAnalysis gives them as ts.data["trajectory/<name>"]). MDAnalysis reads every
        // observable of every frame (about 0.12 ms each per frame, measured): the five a
        // user wants per frame sit there, the derivable rest in /pelt/observables.
        // Time-dependent species (atomic numbers) and box edges (zeros: no box; every
        // boundary is none), which ZnH5MD needs; MDAnalysis reads zero edges as no box.
        let sg = traj.create_group("species").map_err(err)?;
        link(&sg)?;
        let species = dataset::<i64>(&sg, "value", &[n, h.atoms], "")?;
        let eg = bx.create_group("edges").map_err(err)?;
        link(&eg)?;
        dataset::<f64>(&eg, "value", &[n, 3], "Angstrom")?;
        let obs = file
            .create_group("observables")
            .and_then(|o| o.create_group("trajectory"))
            .map_err(err)?;
        let more = file
            .create_group("pelt")
            .and_then(|p| p.create_group("observables"))
            .map_err(err)?;
        let mut list: Vec<(&Group, &str, &str, Observable)> = vec![
            (&obs, "potential_energy", "eV", Observable::Phi),
            (
                &obs,
                "transformed_potential_energy",
                "eV",
                Observable::PhiStar,
            ),
        ];
        if h.dynamics {
            list.extend([
                (&obs, "kinetic_energy", "eV", Observable::Dynamics(1)),
                (&more, "wall_energy", "eV", Observable::Dynamics(0)),
                (&more, "total_energy", "eV", Observable::Dynamics(2)),
                (&more, "kinetic_temperature", "K", Observable::Dynamics(3)),
            ]);
        }
        list.push((&obs, "temperature", "K", Observable::Temperature));
        let mut observables = Vec::new();
        for (parent, name, unit, what) in list {
            let g = parent.create_group(name).map_err(err)?;
            link(&g)?;
            observables.push((dataset::<f64>(&g, "value", &[n], unit)?, what));
        }
        for (parent, name, what) in [
            (&obs, "replica", Observable::Replica),
            (&more, "temperature_index", Observable::TemperatureIndex),
        ] {
            let g = parent.create_group(name).map_err(err)?;
            link(&g)?;
            observables.push((dataset::<i64>(&g, "value", &[n], "")?, what));
        }
        Ok(H5md {
            _file: file,
            step,
            time,
            position,
            velocity,
            species: (
                species,
                crate::system::atomic_number(&h.element).unwrap_or(0) as i64,
            ),
            observables,
            row: 0,
        })
    }
}

impl Sink for H5md {
    fn record(&mut self, r: &Record) -> Result<(), String> {
        let i = self.row;
        let atoms = r.positions.len() / 3;
        self.step
            .write_slice(&[r.step as i64], s![i..i + 1])
            .map_err(err)?;
        self.time
            .write_slice(&[r.time], s![i..i + 1])
            .map_err(err)?;
        let block = |v: &[f64]| Array3::from_shape_vec((1, atoms, 3), v.to_vec());
        let p = block(&r.positions).map_err(|e| e.to_string())?;
        self.position
            .write_slice(&p, s![i..i + 1, .., ..])
            .map_err(err)?;
        let z = ndarray::Array2::from_elem((1, atoms), self.species.1);
        self.species
            .0
            .write_slice(&z, s![i..i + 1, ..])
            .map_err(err)?;
        if let (Some(ds), Some(v)) = (&self.velocity, &r.velocities) {
            let v = block(v).map_err(|e| e.to_string())?;
            ds.write_slice(&v, s![i..i + 1, .., ..]).map_err(err)?;
        }
        let e = &r.energies;
        for (ds, what) in &self.observables {
            match *what {
                Observable::TemperatureIndex => {
                    ds.write_slice(&[r.temperature_index as i64], s![i..i + 1])
                }
                Observable::Replica => ds.write_slice(&[r.replica as i64], s![i..i + 1]),
                w => {
                    let v = match w {
                        Observable::Phi => e.phi,
                        Observable::PhiStar => e.phi_star,
                        Observable::Dynamics(k) => e.dynamics.map_or(f64::NAN, |d| d[k]),
                        _ => r.temperature,
                    };
                    ds.write_slice(&[v], s![i..i + 1])
                }
            }
            .map_err(err)?;
        }
        self.row += 1;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), String> {
        self._file.flush().map_err(err)
    }
}
