//! `pelt minima RUN.h5`: the distinct minima of a run's inherent structures, their
//! properties, occupation per temperature, the hops between them, the harmonic
//! superposition heat capacity, and PATHSAMPLE's `min.data` / `points.min`
//! (docs/ANALYSIS.md, "Minima"; the files in docs/FORMAT.md, "`pelt minima`").
//!
//! The folder is a database: run again on a run file that has grown (a resumed or longer
//! run) and only the new quenches are filed; the ids of the minima already there stay.

use super::compare::SameMinimum;
use super::outdir;
use anyhow::{bail, Context, Result};
use clap::Args;
use pelt::analysis::minima::catalogue::{Catalogue, Entry, Tolerances};
use pelt::analysis::minima::network::{self, Visit};
use pelt::analysis::minima::pathsample::{self, MinData};
use pelt::analysis::minima::superposition::{self, Well};
use pelt::analysis::minima::{self, figures, Filed, Properties};
use pelt::analysis::observables::{heat_capacity_fluctuation, temperature_bootstrap, Options};
use pelt::analysis::{par_map, RunData};
use pelt::minimize::{self, Convergence, Lbfgs, Termination};
use pelt::output::reader::{self, Parts};
use pelt::potential;
use pelt::system::Coords;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct MinimaArgs {
    /// The run file.
    run: PathBuf,
    /// Output folder (default: `minima/` beside the run file). When it holds a catalogue of
    /// this run, only quenches not yet filed are added.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The potential (default: the file the run names, checked against the SHA-256 it
    /// recorded).
    #[arg(long)]
    potential: Option<PathBuf>,
    #[command(flatten)]
    same: SameMinimum,
    /// Minima drawn in minima.png (the most visited).
    #[arg(long, default_value_t = 30)]
    top: usize,
    /// Start afresh: replace the catalogue (and any file of these names) in the folder.
    #[arg(long)]
    force: bool,
}

const FILES: [&str; 11] = [
    "state.json",
    "points.min",
    "min.data",
    "catalogue.csv",
    "occupation.csv",
    "quenches.csv",
    "hops.csv",
    "residence.csv",
    "superposition.csv",
    "minima.png",
    "heat_capacity.png",
];

const STATE_FORMAT: &str = "pelt-minima-1";

/// Quenches are polished to this max |F| (eV/Å) before they are filed.
const POLISH_FMAX: f64 = 1e-6;

/// What the folder keeps between calls: the run it belongs to, the rule, the minima's
/// properties and every quench filed (positions are in points.min).
#[derive(serde::Serialize, serde::Deserialize)]
struct State {
    format: String,
    pelt_version: String,
    atoms: usize,
    potential_sha256: String,
    ladder: Vec<f64>,
    tolerances: Tolerances,
    minima: Vec<Properties>,
    quenches: Vec<Filed>,
}

/// The potential of the run: `--potential` or the file the run names, either way with the
/// SHA-256 the run recorded.
fn potential_of(run: &RunData, given: Option<&Path>) -> Result<potential::Eam> {
    let (path, how) = match given {
        Some(p) => (p.to_path_buf(), "--potential"),
        None => (
            PathBuf::from(&run.potential_file),
            "the potential file the run names",
        ),
    };
    let bytes = std::fs::read(&path).with_context(|| {
        format!(
            "{}: reading {how} {} (give the potential with --potential)",
            run.source,
            path.display()
        )
    })?;
    let sha = pelt::output::sha256_hex(&bytes);
    if !run.potential_sha256.is_empty() && sha != run.potential_sha256 {
        bail!(
            "{}: {how} {} has SHA-256 {sha}, but the run used a potential with {}; the \
             Hessians must come from the run's potential",
            run.source,
            path.display(),
            run.potential_sha256
        );
    }
    Ok(potential::load(&path)?)
}

/// One quench of the run file.
struct Quench<'a> {
    k: usize,
    step: u64,
    replica: i64,
    energy: f64,
    converged: bool,
    positions: &'a [[f64; 3]],
}

fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, dir.join(name))
        .with_context(|| format!("renaming {} to {name}", tmp.display()))
}

/// The catalogue already in `dir`, checked against this run and rule.
fn load_state(dir: &Path, run: &RunData, tol: &Tolerances) -> Result<Option<(State, Catalogue)>> {
    let sp = dir.join("state.json");
    if !sp.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&sp).with_context(|| format!("reading {}", sp.display()))?;
    let st: State = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a pelt minima catalogue ({STATE_FORMAT}); give another folder with -o, \
             or --force to start afresh",
            sp.display()
        )
    })?;
    let refuse = |what: String| -> anyhow::Error {
        anyhow::anyhow!(
            "{}: the catalogue there {what}; give another folder with -o, or --force to \
             start afresh",
            dir.display()
        )
    };
    if st.format != STATE_FORMAT {
        return Err(refuse(format!(
            "is in format {:?}, this pelt writes {STATE_FORMAT:?}",
            st.format
        )));
    }
    if st.atoms != run.atoms
        || st.ladder != run.ladder()
        || st.potential_sha256 != run.potential_sha256
    {
        return Err(refuse(format!(
            "belongs to another run ({} atoms, {} temperatures) than {} ({} atoms, {} \
             temperatures) or used another potential",
            st.atoms,
            st.ladder.len(),
            run.source,
            run.atoms,
            run.ladder().len()
        )));
    }
    if st.tolerances != *tol {
        return Err(refuse(format!(
            "was filed with distance {} A, energy {} eV, enantiomers {}, not the {} A, {} eV, \
             {} asked",
            st.tolerances.distance,
            st.tolerances.energy,
            if st.tolerances.mirror {
                "together"
            } else {
                "apart"
            },
            tol.distance,
            tol.energy,
            if tol.mirror { "together" } else { "apart" }
        )));
    }
    let pp = dir.join("points.min");
    let bytes = std::fs::read(&pp).with_context(|| format!("reading {}", pp.display()))?;
    let points = pathsample::read_points_min(&bytes, run.atoms, &pp.display().to_string())
        .map_err(anyhow::Error::msg)?;
    if points.len() != st.minima.len() {
        return Err(refuse(format!(
            "is damaged: points.min holds {} minima and state.json {}",
            points.len(),
            st.minima.len()
        )));
    }
    let mut cat = Catalogue::new(*tol);
    for (p, x) in st.minima.iter().zip(&points) {
        cat.push(Entry::new(p.energy, x));
    }
    Ok(Some((st, cat)))
}

pub fn run(a: MinimaArgs) -> Result<()> {
    let tol = a.same.tolerances()?;
    let t0 = Instant::now();
    let data = reader::read(
        &a.run,
        Parts {
            frames: false,
            quench_positions: true,
        },
    )?;
    let total: usize = data
        .temperatures
        .iter()
        .map(|t| t.quenches.step.len())
        .sum();
    if total == 0 {
        bail!(
            "{}: no inherent structures; pelt minima files the quenches of a run with \
             [quench] interval > 0",
            a.run.display()
        );
    }
    let pot = potential_of(&data, a.potential.as_deref())?;
    let dir = a
        .output
        .clone()
        .unwrap_or_else(|| outdir::beside(&a.run, "minima"));
    let loaded = if a.force {
        None
    } else {
        load_state(&dir, &data, &tol)?
    };
    if loaded.is_none() {
        outdir::prepare(&dir, &FILES, a.force)?;
    }
    let (mut filed, mut props, mut cat) = match loaded {
        Some((st, cat)) => (st.quenches, st.minima, cat),
        None => (Vec::new(), Vec::new(), Catalogue::new(tol)),
    };
    let read_s = t0.elapsed().as_secs_f64();

    // Every quench of the run, in time order.
    let mut all: Vec<Quench> = Vec::with_capacity(total);
    for (k, t) in data.temperatures.iter().enumerate() {
        let q = &t.quenches;
        for i in 0..q.step.len() {
            all.push(Quench {
                k,
                step: q.step[i],
                replica: q.replica[i],
                energy: q.energy[i],
                converged: q.converged[i],
                positions: &q.positions[i],
            });
        }
    }
    all.sort_by_key(|q| (q.step, q.k));
    // The quenches filed before must still be in the run, unchanged.
    let mut index = std::collections::HashMap::with_capacity(all.len());
    for (i, q) in all.iter().enumerate() {
        index.insert((q.k, q.step), i);
    }
    for f in &filed {
        let ok = index.get(&(f.temperature, f.step)).is_some_and(|&i| {
            let e = all[i].energy;
            (e - f.energy).abs() <= 1e-12 * e.abs().max(1.0) && all[i].replica == f.replica
        });
        if !ok {
            bail!(
                "{}: the catalogue in {} filed a quench at step {} of {} K that {} no longer \
                 holds as it was; the run file changed under the catalogue. Give another \
                 folder with -o, or --force to start afresh",
                a.run.display(),
                dir.display(),
                f.step,
                data.temperatures[f.temperature].temperature,
                a.run.display()
            );
        }
    }
    let done: HashSet<(usize, u64)> = filed.iter().map(|f| (f.temperature, f.step)).collect();
    let new: Vec<&Quench> = all
        .iter()
        .filter(|q| !done.contains(&(q.k, q.step)))
        .collect();
    let bad = new
        .iter()
        .find(|q| !q.energy.is_finite() || q.positions.iter().flatten().any(|x| !x.is_finite()));
    if let Some(q) = bad {
        bail!(
            "{}: the quench at step {} of {} K has a non-finite energy or position; it cannot \
             be filed",
            a.run.display(),
            q.step,
            data.temperatures[q.k].temperature
        );
    }
    let t1 = Instant::now();
    // Each converged quench is polished to max |F| ≤ POLISH_FMAX before filing: quenches to
    // 1e-4 eV/Å can stop 0.2 Å and 1 meV short of a soft minimum, which would file one
    // minimum twice (docs/ANALYSIS.md, "Minima").
    let polished: Vec<(f64, Vec<[f64; 3]>, bool)> = par_map(&new, |q| {
        if !q.converged {
            return (q.energy, Vec::new(), false);
        }
        let mut lb = Lbfgs::default();
        let (x, out) = minimize::quench(
            &mut lb,
            &pot,
            &Coords::from_points(q.positions),
            Convergence {
                fmax: POLISH_FMAX,
                max_iterations: 5000,
            },
        );
        (
            out.energy,
            x.to_points(),
            out.termination == Termination::Converged,
        )
    });
    let unpolished = polished
        .iter()
        .zip(&new)
        .filter(|(p, q)| q.converged && !p.2)
        .count();
    let to_file: Vec<(f64, &[[f64; 3]])> = polished
        .iter()
        .zip(&new)
        .filter(|(_, q)| q.converged)
        .map(|(p, _)| (p.0, p.1.as_slice()))
        .collect();
    let before = cat.minima.len();
    let ids = cat.file_all(&to_file);
    let mut next = ids.into_iter();
    for q in &new {
        filed.push(Filed {
            temperature: q.k,
            step: q.step,
            replica: q.replica,
            energy: q.energy,
            minimum: if q.converged { next.next() } else { None },
        });
    }
    let file_s = t1.elapsed().as_secs_f64();
    // Properties of the new minima, on all cores.
    let t2 = Instant::now();
    let fresh: Vec<usize> = (before..cat.minima.len()).collect();
    let mass = pot.mass();
    let computed = par_map(&fresh, |&id| {
        let m = &cat.minima[id];
        minima::properties(&pot, &m.positions, m.energy, mass)
    });
    props.extend(computed);
    let props_s = t2.elapsed().as_secs_f64();

    // What the catalogue says.
    let ladder = data.ladder();
    let occ = minima::occupation(&filed, &ladder, data.equilibration);
    let nmin = cat.minima.len();
    let mut visits = vec![0usize; nmin];
    let mut first: Vec<Option<(u64, usize)>> = vec![None; nmin];
    let mut last: Vec<Option<(u64, usize)>> = vec![None; nmin];
    let mut by_time: Vec<&Filed> = filed.iter().collect();
    by_time.sort_by_key(|f| (f.step, f.temperature));
    for f in &by_time {
        if let Some(m) = f.minimum {
            visits[m] += 1;
            first[m].get_or_insert((f.step, f.temperature));
            last[m] = Some((f.step, f.temperature));
        }
    }
    let mut csv = String::from(
        "minimum,energy_eV,point_group_order,inertia_1_amu_A2,inertia_2_amu_A2,inertia_3_amu_A2,\
         ln_product_frequencies,soft_modes,lowest_eigenvalue_eV_A2,quenches,first_step,\
         first_temperature_K,last_step,last_temperature_K\n",
    );
    for (m, p) in props.iter().enumerate() {
        let (fs, fk) = first[m].unwrap_or((0, 0));
        let (ls, lk) = last[m].unwrap_or((0, 0));
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{fs},{},{ls},{}",
            m + 1,
            p.energy,
            p.point_group_order,
            p.inertia[0],
            p.inertia[1],
            p.inertia[2],
            p.ln_product_frequencies,
            p.soft_modes,
            p.lowest_eigenvalue,
            visits[m],
            ladder[fk],
            ladder[lk]
        );
    }
    let mut occ_csv = String::from("temperature_K,minimum,quenches,occupation\n");
    for o in &occ {
        for &(m, c) in &o.counts {
            let _ = writeln!(
                occ_csv,
                "{},{},{c},{}",
                o.temperature,
                m + 1,
                c as f64 / o.quenches as f64
            );
        }
    }
    let mut q_csv = String::from("temperature_K,step,replica,energy_eV,minimum\n");
    for f in &by_time {
        let _ = writeln!(
            q_csv,
            "{},{},{},{},{}",
            ladder[f.temperature],
            f.step,
            f.replica,
            f.energy,
            f.minimum.map_or(String::new(), |m| (m + 1).to_string())
        );
    }
    // Hops, from the quenches after the equilibration.
    let mut hops_csv = String::from("temperature_K,from,to,count,rate_per_ps\n");
    let mut res_csv = String::from("temperature_K,minimum,time_ps,exits,mean_wait_ps\n");
    let mut hop_counts = vec![0usize; ladder.len()];
    for (k, &t) in ladder.iter().enumerate() {
        let visits: Vec<Visit> = by_time
            .iter()
            .filter(|f| f.temperature == k && f.step > data.equilibration)
            .map(|f| Visit {
                step: f.step,
                replica: f.replica,
                minimum: f.minimum,
            })
            .collect();
        let (edges, res) = network::network(k, &visits, &data.exchanges, data.timestep_ps);
        for e in &edges {
            hop_counts[k] += e.count;
            let _ = writeln!(
                hops_csv,
                "{t},{},{},{},{}",
                e.from + 1,
                e.to + 1,
                e.count,
                e.rate
            );
        }
        for r in &res {
            let _ = writeln!(
                res_csv,
                "{t},{},{},{},{}",
                r.minimum + 1,
                r.time,
                r.exits,
                r.mean_wait
            );
        }
    }
    // The harmonic superposition against the tempering C.
    let kappa = data.dof();
    let wells: Vec<Well> = props
        .iter()
        .filter(|p| p.soft_modes == 0)
        .map(|p| Well {
            energy: p.energy,
            order: p.point_group_order,
            ln_product_frequencies: p.ln_product_frequencies,
        })
        .collect();
    let excluded = props.len() - wells.len();
    let (tlo, thi) = (ladder[0], ladder[ladder.len() - 1]);
    let grid: Vec<f64> = (0..=120)
        .map(|i| tlo + (thi - tlo) * i as f64 / 120.0)
        .collect();
    let line: Vec<superposition::Point> = grid
        .iter()
        .map(|&t| superposition::at(&wells, t, data.kb, kappa, &data.transform))
        .collect();
    // The tempering C from the fluctuations of H*, as `pelt analyze` gives it (its default
    // resamples and bootstrap streams).
    let opt = Options::default();
    let tempering: Vec<(f64, f64, f64)> = data
        .temperatures
        .iter()
        .enumerate()
        .map(|(k, t)| {
            let s: Vec<f64> = t
                .samples
                .step
                .iter()
                .zip(&t.samples.total)
                .filter(|(st, _)| **st > data.equilibration)
                .map(|x| *x.1)
                .collect();
            let mut boot = temperature_bootstrap(&opt, k);
            let c = heat_capacity_fluctuation(&s, t.temperature, data.kb, &mut boot, opt.resamples);
            (t.temperature, c.value, c.error)
        })
        .collect();
    let mut sp_csv = String::from(
        "temperature_K,C_harmonic_kB,lowest_probability_harmonic,C_tempering_kB,C_tempering_error_kB,lowest_occupation_observed\n",
    );
    let lowest = props
        .iter()
        .enumerate()
        .filter(|(_, p)| p.soft_modes == 0)
        .min_by(|x, y| x.1.energy.total_cmp(&y.1.energy))
        .map(|x| x.0);
    for (k, &(t, c, ce)) in tempering.iter().enumerate() {
        let h = superposition::at(&wells, t, data.kb, kappa, &data.transform);
        let seen = lowest.map_or(f64::NAN, |m| {
            occ[k]
                .counts
                .iter()
                .find(|x| x.0 == m)
                .map_or(0.0, |x| x.1 as f64)
                / occ[k].quenches.max(1) as f64
        });
        let _ = writeln!(
            sp_csv,
            "{t},{},{},{c},{ce},{seen}",
            h.heat_capacity, h.lowest_probability
        );
    }
    let rows: Vec<MinData> = props
        .iter()
        .map(|p| MinData {
            energy: p.energy,
            ln_product_eigenvalues: 2.0 * p.ln_product_frequencies,
            order: p.point_group_order,
            inertia: p.inertia,
        })
        .collect();
    let positions: Vec<&[[f64; 3]]> = cat.minima.iter().map(|m| m.positions.as_slice()).collect();

    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    figures::minima(
        &occ,
        &props.iter().map(|p| p.energy).collect::<Vec<_>>(),
        a.top,
        &dir.join(".minima.png"),
    )?;
    std::fs::rename(dir.join(".minima.png"), dir.join("minima.png"))?;
    figures::heat_capacity(
        &line,
        &tempering,
        data.atoms,
        &dir.join(".heat_capacity.png"),
    )?;
    std::fs::rename(
        dir.join(".heat_capacity.png"),
        dir.join("heat_capacity.png"),
    )?;
    for (name, text) in [
        ("catalogue.csv", &csv),
        ("occupation.csv", &occ_csv),
        ("quenches.csv", &q_csv),
        ("hops.csv", &hops_csv),
        ("residence.csv", &res_csv),
        ("superposition.csv", &sp_csv),
        ("min.data", &pathsample::min_data(&rows)),
    ] {
        write_atomic(&dir, name, text.as_bytes())?;
    }
    // points.min before state.json: a kill between them leaves a mismatch that the next
    // call detects, never a catalogue pointing at the wrong coordinates.
    write_atomic(&dir, "points.min", &pathsample::points_min(&positions))?;
    let state = State {
        format: STATE_FORMAT.into(),
        pelt_version: pelt::version::PELT_VERSION.to_string(),
        atoms: data.atoms,
        potential_sha256: data.potential_sha256.clone(),
        ladder: ladder.clone(),
        tolerances: tol,
        minima: props.clone(),
        quenches: filed.clone(),
    };
    write_atomic(
        &dir,
        "state.json",
        serde_json::to_string(&state)?.as_bytes(),
    )?;

    // The summary.
    let unconverged = filed.iter().filter(|f| f.minimum.is_none()).count();
    println!(
        "{}: {} quenches ({} new, {} not converged and left out); {} distinct minima ({} new)",
        a.run.display(),
        filed.len(),
        new.len(),
        unconverged,
        nmin,
        nmin - before
    );
    println!(
        "matches: every structure filed into a known minimum lay within {:.2e} A and {:.2e} eV \
         of it (tolerances {} A, {} eV)",
        cat.largest_match.0, cat.largest_match.1, tol.distance, tol.energy
    );
    let t3 = Instant::now();
    let closest = cat.closest_pair(4.0 * tol.distance);
    let closest_s = t3.elapsed().as_secs_f64();
    match closest {
        Some((d, i, j)) => println!(
            "resolution: the closest distinct minima are {} and {}, {d:.3e} A and {:.2e} eV \
             apart ({closest_s:.1} s to find)",
            i + 1,
            j + 1,
            (cat.minima[i].energy - cat.minima[j].energy).abs()
        ),
        None => println!(
            "resolution: no two distinct minima within {} eV and {} A of each other",
            tol.energy,
            4.0 * tol.distance
        ),
    }
    if unpolished > 0 {
        println!(
            "{unpolished} quenches did not reach max |F| <= {POLISH_FMAX} eV/A in 5000 L-BFGS \
             iterations of polishing; filed where the polishing stopped"
        );
    }
    println!(
        "polished and filed in {file_s:.1} s, properties of the new minima in {props_s:.1} s (read {read_s:.1} s)"
    );
    let soft: Vec<usize> = (0..nmin).filter(|&m| props[m].soft_modes > 0).collect();
    if !soft.is_empty() {
        println!(
            "{} minima have zero or negative modes beyond the six (not true minima; left out \
             of the superposition): {}",
            soft.len(),
            soft.iter()
                .take(10)
                .map(|m| (m + 1).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(m) = lowest {
        let p = &props[m];
        println!(
            "lowest: minimum {} at {:.6} eV, point group order {}, ln prod omega {:.4} (rad/ps)",
            m + 1,
            p.energy,
            p.point_group_order,
            p.ln_product_frequencies
        );
    }
    println!(
        "{:>9} {:>8} {:>8} {:>18} {:>6} {:>12} {:>12}",
        "T (K)", "quenches", "minima", "most visited", "hops", "C_HSA (kB)", "C_PT (kB)"
    );
    for (k, o) in occ.iter().enumerate() {
        let top = o.counts.first().map_or("-".to_string(), |&(m, c)| {
            format!("{} ({:.2})", m + 1, c as f64 / o.quenches as f64)
        });
        let h = superposition::at(&wells, o.temperature, data.kb, kappa, &data.transform);
        println!(
            "{:>9.1} {:>8} {:>8} {:>18} {:>6} {:>12.2} {:>7.2} ± {:<5.2}",
            o.temperature,
            o.quenches,
            o.distinct(),
            top,
            hop_counts[k],
            h.heat_capacity,
            tempering[k].1,
            tempering[k].2
        );
    }
    if excluded > 0 {
        println!("({excluded} minima with soft modes are not in C_HSA)");
    }
    println!("written: {}/{{{}}}", dir.display(), FILES.join(", "));
    Ok(())
}
