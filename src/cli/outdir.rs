//! Output folders of the analysis commands: created when missing, and never a file
//! overwritten unless `--force` is given.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// The default output folder `name` beside the run file `run`.
pub fn beside(run: &Path, name: &str) -> PathBuf {
    run.parent()
        .map_or_else(|| PathBuf::from(name), |p| p.join(name))
}

/// Make `dir` ready for `files`: create it, and refuse if any of them is already there.
pub fn prepare(dir: &Path, files: &[&str], force: bool) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    if !force {
        let there: Vec<String> = files
            .iter()
            .filter(|f| dir.join(f).exists())
            .map(|f| f.to_string())
            .collect();
        if !there.is_empty() {
            bail!(
                "{}: already holds {}; give another folder with -o, or --force to replace them",
                dir.display(),
                there.join(", ")
            );
        }
    }
    Ok(())
}

/// A time in ps from "5", "5ps", "5 ps" or "500 fs".
pub fn time_ps(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, scale) = if let Some(v) = t.strip_suffix("fs") {
        (v, 1e-3)
    } else if let Some(v) = t.strip_suffix("ps") {
        (v, 1.0)
    } else if let Some(v) = t.strip_suffix("ns") {
        (v, 1e3)
    } else {
        (t, 1.0)
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v * scale),
        _ => Err(format!(
            "\"{s}\": expected a positive time such as 5, 5ps or 500fs"
        )),
    }
}

/// Two times in ps, "a,b" with a < b.
pub fn window_ps(s: &str) -> Result<(f64, f64), String> {
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() != 2 {
        return Err(format!(
            "\"{s}\": expected two times START,END such as 0.5,2.5"
        ));
    }
    let (a, b) = (time_ps(parts[0])?, time_ps(parts[1])?);
    if a >= b {
        return Err(format!("\"{s}\": START must be below END"));
    }
    Ok((a, b))
}

/// `--errors asymptotic|bootstrap`.
pub fn error_method(s: &str) -> Result<pelt::analysis::mbar::ErrorMethod, String> {
    use pelt::analysis::mbar::ErrorMethod;
    match s {
        "asymptotic" => Ok(ErrorMethod::Asymptotic),
        "bootstrap" => Ok(ErrorMethod::Bootstrap),
        _ => Err(format!("\"{s}\": expected asymptotic or bootstrap")),
    }
}
