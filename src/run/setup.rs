//! Before a run: the input, the output folder and its lock, and (for `--resume`) the
//! checkpoint, verified against what the run is about to do.

use super::{Options, RunError, CHECKPOINT_FILE, LOCK_FILE, RUN_FILE};
use crate::config::{self, Config, Prepared};
use crate::output::{sha256_hex, Checkpoint, Sources};
use std::path::{Path, PathBuf};

/// Input keys a resumed run may change: they do not alter the physics or the file's layout.
/// `steps` and `equilibration` change the length and the averaging (docs/RELIABILITY.md),
/// `directory` is where the run is, and `checkpoint_interval` only how often it is saved.
const FREE_KEYS: [&str; 4] = [
    "tempering.steps",
    "tempering.equilibration",
    "output.directory",
    "output.checkpoint_interval",
];

/// What every rank sets up before the run.
pub(super) struct Setup {
    pub cfg: Config,
    pub prep: Prepared,
    pub out: PathBuf,
    pub sources: Sources,
    pub checkpoint: Option<Checkpoint>,
    /// The equilibration step the summary uses.
    pub equilibration: u64,
    /// The summary starts over (a resume whose new equilibration lies beyond the checkpoint).
    pub fresh_summary: bool,
    /// Notes for the log (rank 0).
    pub notes: Vec<String>,
    /// The output folder's lock (rank 0).
    pub lock: Option<Lock>,
    /// The kernel of the MD potential (`PELT_KERNEL` or the fastest at the precision).
    pub kernel: &'static str,
}

fn refused(message: String) -> RunError {
    RunError::Refused(message)
}

/// The digest of `text`'s TOML data written canonically (sorted keys, no comments).
pub(super) fn canonical_digest(text: &str) -> String {
    match toml::from_str::<toml::Table>(text) {
        Ok(t) => sha256_hex(&serde_json::to_vec(&t).unwrap_or_default()),
        Err(_) => sha256_hex(text.as_bytes()),
    }
}

fn file_digest(path: &Path) -> Result<String, RunError> {
    let bytes = std::fs::read(path).map_err(|e| RunError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Ok(sha256_hex(&bytes))
}

/// The SHA-256 of what `cfg` is made from.
pub(super) fn sources(cfg: &Config) -> Result<Sources, RunError> {
    Ok(Sources {
        input: canonical_digest(&cfg.text),
        potential_file: cfg.potential.file.display().to_string(),
        potential: file_digest(&cfg.potential.file)?,
        structure_file: cfg.system.structure.display().to_string(),
        structure: file_digest(&cfg.system.structure)?,
    })
}

pub(super) fn setup(o: &Options, ranks: usize, root: bool) -> Result<Setup, RunError> {
    let mut cfg = config::load(&o.input)?;
    let kernel = crate::potential::Kernel::default_choice_for(cfg.dynamics.precision).name();
    if let Some(steps) = o.steps {
        if steps == 0 {
            return Err(refused("--steps 0: expected at least 1 step".into()));
        }
        cfg.tempering.steps = steps;
    }
    let asked_equilibration = cfg.tempering.equilibration.min(cfg.tempering.steps / 2);
    if let Some(dir) = &o.output {
        cfg.output.directory = dir.clone();
    }
    if !o.progress_every.is_finite() || o.progress_every <= 0.0 {
        return Err(refused(format!(
            "--progress-every {}: expected a positive number of seconds",
            o.progress_every
        )));
    }
    let k = cfg.tempering.ladder.len();
    if ranks > k {
        return Err(refused(format!(
            "{ranks} MPI ranks for {k} temperature replicas in {}: use at most {k} ranks \
             (mpirun -np {k}); a rank holds one or more whole replicas",
            cfg.path.display()
        )));
    }
    let out = cfg.output.directory.clone();
    let sources = sources(&cfg)?;
    // Before anything in the folder is looked at or written.
    let lock = if root { Some(lock(&out)?) } else { None };
    let mut notes = Vec::new();
    let (checkpoint, equilibration, fresh_summary) = if o.resume {
        let c = check_resume(&cfg, &out, &sources, kernel)?;
        // Averages accumulate from the equilibration step the run started with. A new
        // equilibration beyond the checkpoint can still be honoured exactly (nothing after
        // it has been averaged yet); an earlier one cannot.
        if asked_equilibration >= c.tempering.step {
            if asked_equilibration != c.equilibration {
                notes.push(format!(
                    "equilibration: {} steps (was {}); the summary starts over, nothing after \
                     step {} has been averaged yet",
                    asked_equilibration, c.equilibration, c.tempering.step
                ));
            }
            (Some(c), asked_equilibration, true)
        } else {
            if asked_equilibration != c.equilibration {
                notes.push(format!(
                    "equilibration stays at {} steps: the summary has averaged every sample \
                     after step {} up to the checkpoint at step {}, and the input now asks for \
                     {} (the run file keeps every sample for averages from any step)",
                    c.equilibration, c.equilibration, c.tempering.step, asked_equilibration
                ));
            }
            let eq = c.equilibration;
            (Some(c), eq, false)
        }
    } else {
        check_output(&out, o.force)?;
        (None, asked_equilibration, true)
    };
    cfg.tempering.equilibration = equilibration;
    let prep = config::prepare(&cfg)?;
    Ok(Setup {
        cfg,
        prep,
        out,
        sources,
        checkpoint,
        equilibration,
        fresh_summary,
        notes,
        lock,
        kernel,
    })
}

/// Every file a run writes into its output folder.
const FILES: [&str; 5] = [
    RUN_FILE,
    CHECKPOINT_FILE,
    "summary.csv",
    "lowest.xyz",
    "input.toml",
];

/// Refuse to write into a folder holding a run unless `force`.
fn check_output(out: &Path, force: bool) -> Result<(), RunError> {
    if out.is_file() {
        return Err(refused(format!(
            "output folder {} is a file",
            out.display()
        )));
    }
    if !force {
        if let Some(f) = FILES.iter().map(|f| out.join(f)).find(|p| p.exists()) {
            return Err(refused(format!(
                "{} already exists; not overwriting results (continue it with --resume, choose \
                 another --output, or pass --force to replace it)",
                f.display()
            )));
        }
    }
    Ok(())
}

/// The keys (dotted) whose values differ between two TOML tables, with both values.
fn changed_keys(old: &toml::Table, new: &toml::Table, prefix: &str, out: &mut Vec<String>) {
    let keys: std::collections::BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let name = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (old.get(key), new.get(key)) {
            (Some(toml::Value::Table(a)), Some(toml::Value::Table(b))) => {
                changed_keys(a, b, &name, out)
            }
            (a, b) if a == b => {}
            _ if FREE_KEYS.contains(&name.as_str()) => {}
            (a, b) => {
                let show = |v: Option<&toml::Value>| {
                    v.map_or("(absent)".into(), |v| {
                        serde_json::to_string(v).unwrap_or_default()
                    })
                };
                out.push(format!("{name}: {} → {}", show(a), show(b)));
            }
        }
    }
}

/// The checkpoint of the run in `out`, checked against what this run would do.
fn check_resume(
    cfg: &Config,
    out: &Path,
    sources: &Sources,
    kernel: &str,
) -> Result<Checkpoint, RunError> {
    let path = out.join(CHECKPOINT_FILE);
    if !path.exists() {
        return Err(refused(format!(
            "--resume: {} does not exist (no checkpoint to continue from; start the run \
             without --resume)",
            path.display()
        )));
    }
    if !out.join(RUN_FILE).exists() {
        return Err(refused(format!(
            "--resume: {} does not exist next to its checkpoint",
            out.join(RUN_FILE).display()
        )));
    }
    let c = Checkpoint::read(&path).map_err(|e| refused(format!("--resume: {e}")))?;
    let old: toml::Table = toml::from_str(&c.input).unwrap_or_default();
    let new: toml::Table = toml::from_str(&cfg.text).unwrap_or_default();
    let mut changed = Vec::new();
    changed_keys(&old, &new, "", &mut changed);
    if !changed.is_empty() {
        return Err(refused(format!(
            "--resume: {} changes what the run in {} computes: {}. Resume with the input it \
             was started with (kept in {}); only {} may change (and comments or whitespace)",
            cfg.path.display(),
            out.display(),
            changed.join("; "),
            path.display(),
            FREE_KEYS.join(", ")
        )));
    }
    for (what, file, was, now) in [
        (
            "potential",
            &sources.potential_file,
            &c.sources.potential,
            &sources.potential,
        ),
        (
            "start structure",
            &sources.structure_file,
            &c.sources.structure,
            &sources.structure,
        ),
    ] {
        if was != now {
            return Err(refused(format!(
                "--resume: the {what} file {file} has changed since the run in {} started \
                 (SHA-256 {was}, now {now}); restore it to continue this run",
                out.display()
            )));
        }
    }
    if c.kernel != kernel {
        return Err(refused(format!(
            "--resume: the run in {} was computed with the {} kernel and this process would \
             use {kernel}; kernels differ in the last bits, so the continuation would not be \
             the same run. Set PELT_KERNEL={} to continue it",
            out.display(),
            c.kernel,
            c.kernel
        )));
    }
    let precision = if kernel == crate::potential::Kernel::Scalar.name() {
        crate::potential::Precision::Double
    } else {
        cfg.dynamics.precision
    };
    if c.precision != precision.name() {
        return Err(refused(format!(
            "--resume: the run in {} was computed in {} precision and this input asks for \
             {precision} ([dynamics] precision; \"mixed\" is the default); set [dynamics] \
             precision = \"{}\" to continue it",
            out.display(),
            c.precision,
            c.precision
        )));
    }
    if c.replicas.len() != cfg.tempering.ladder.len() {
        return Err(refused(format!(
            "--resume: {} holds {} replicas, the input has {}",
            path.display(),
            c.replicas.len(),
            cfg.tempering.ladder.len()
        )));
    }
    if c.tempering.step > cfg.tempering.steps {
        return Err(refused(format!(
            "--resume: the checkpoint is at step {}, beyond the {} steps asked for",
            c.tempering.step, cfg.tempering.steps
        )));
    }
    Ok(c)
}

/// An exclusive lock on the output folder, held while the run writes there.
pub(super) struct Lock {
    _file: Option<std::fs::File>,
}

/// Take the lock of `out` (rank 0), making the folder if needed. Another process holding
/// it is an error; a file system without `flock` gets a warning and no lock.
pub(super) fn lock(out: &Path) -> Result<Lock, RunError> {
    use std::os::fd::AsRawFd;
    let io = |path: &Path, e: std::io::Error| RunError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let path = out.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| io(&path, e))?;
    // SAFETY: flock on a descriptor this function owns.
    let code = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if code != 0 {
        let e = std::io::Error::last_os_error();
        return match e.raw_os_error() {
            Some(libc::EWOULDBLOCK) => {
                let holder = std::fs::read_to_string(&path).unwrap_or_default();
                Err(refused(format!(
                    "{} is in use by another pelt run ({}); two runs must not write the same \
                     folder. Wait for it to end, or choose another --output",
                    out.display(),
                    if holder.trim().is_empty() {
                        "its process is unknown".to_string()
                    } else {
                        holder.trim().to_string()
                    }
                )))
            }
            Some(libc::ENOLCK) | Some(libc::EOPNOTSUPP) | Some(libc::ENOSYS) => {
                log::warn!(
                    "{}: this file system does not support flock ({e}); pelt cannot stop a \
                     second run from writing into {} at the same time: make sure none does",
                    path.display(),
                    out.display()
                );
                Ok(Lock { _file: None })
            }
            _ => Err(io(&path, e)),
        };
    }
    let host = mpi::environment::processor_name().unwrap_or_default();
    let _ = file.set_len(0);
    let _ = std::io::Write::write_all(
        &mut &file,
        format!("pid {} on {host}\n", std::process::id()).as_bytes(),
    );
    Ok(Lock { _file: Some(file) })
}
