//! xyz and extended xyz files (first frame).
//!
//! Plain xyz: a line with the atom count, a comment line, then one line per atom with the
//! element symbol and x y z in Å. Extended xyz puts `key=value` pairs on the comment line;
//! `Properties=species:S:1:pos:R:3[:…]` names the columns. pelt reads `species` and `pos`
//! from it, and refuses periodic structures (`pbc` with any `T`): clusters are isolated.

use super::{Coords, Structure, StructureError};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Read the first frame of an xyz or extended xyz file.
pub fn read(path: &Path) -> Result<Structure, StructureError> {
    let text = std::fs::read_to_string(path).map_err(|cause| StructureError::Io {
        path: path.to_path_buf(),
        cause,
    })?;
    parse(&text, path)
}

fn err(path: &Path, line: usize, message: impl Into<String>) -> StructureError {
    StructureError::Parse {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Parse xyz text; `path` is used in error messages only.
pub fn parse(text: &str, path: &Path) -> Result<Structure, StructureError> {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines
        .first()
        .ok_or_else(|| err(path, 1, "file is empty; expected the number of atoms"))?;
    let n: usize = first.trim().parse().map_err(|_| {
        err(
            path,
            1,
            format!(
                "expected the number of atoms (a positive integer), found '{}'",
                first.trim()
            ),
        )
    })?;
    if n == 0 {
        return Err(err(
            path,
            1,
            "the number of atoms is 0; expected at least 1",
        ));
    }
    // Checked against what the file holds before anything is allocated for n atoms (a count
    // of 99999999999999 must be an error, not an allocation failure).
    let available = lines.len().saturating_sub(2);
    if n > available {
        return Err(err(
            path,
            lines.len(),
            format!("file ended after {available} atom lines; line 1 announces {n} atoms"),
        ));
    }
    let comment = lines.get(1).ok_or_else(|| {
        err(
            path,
            1,
            "file ends after the atom count; expected a comment line",
        )
    })?;
    let layout = Layout::from_comment(comment).map_err(|m| err(path, 2, m))?;

    let mut symbols = Vec::with_capacity(n);
    let mut positions = Coords::zeros(n);
    for i in 0..n {
        let ln = i + 3;
        let line = lines.get(i + 2).ok_or_else(|| {
            err(
                path,
                lines.len(),
                format!("file ended after {i} atom lines; line 1 announces {n} atoms"),
            )
        })?;
        let tok: Vec<&str> = line.split_whitespace().collect();
        if tok.len() < layout.columns {
            return Err(err(
                path,
                ln,
                format!(
                    "expected {} columns ({}), found {}",
                    layout.columns,
                    layout.describe(),
                    tok.len()
                ),
            ));
        }
        let sym = tok[layout.species];
        if !sym.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            return Err(err(
                path,
                ln,
                format!(
                    "expected an element symbol in column {}, found '{sym}'",
                    layout.species + 1
                ),
            ));
        }
        symbols.push(sym.to_string());
        let mut p = [0.0; 3];
        for (k, v) in p.iter_mut().enumerate() {
            let t = tok[layout.pos + k];
            *v = t.parse::<f64>().map_err(|_| {
                err(
                    path,
                    ln,
                    format!(
                        "expected a number for {} in column {}, found '{t}'",
                        ["x", "y", "z"][k],
                        layout.pos + k + 1
                    ),
                )
            })?;
            if !v.is_finite() {
                return Err(err(
                    path,
                    ln,
                    format!("{} = {t} is not a finite number", ["x", "y", "z"][k]),
                ));
            }
        }
        positions.set(i, p);
    }
    if let Some((k, _)) = lines
        .iter()
        .enumerate()
        .skip(n + 2)
        .find(|(_, l)| !l.trim().is_empty())
    {
        return Err(err(
            path,
            k + 1,
            format!(
                "line 1 announces {n} atoms but more lines follow (pelt reads one structure per file)"
            ),
        ));
    }
    Ok(Structure {
        symbols,
        positions,
        comment: layout.comment,
    })
}

/// Where the species and position columns are.
struct Layout {
    species: usize,
    pos: usize,
    columns: usize,
    comment: String,
}

impl Layout {
    fn describe(&self) -> String {
        format!(
            "species in column {}, x y z in columns {}-{}",
            self.species + 1,
            self.pos + 1,
            self.pos + 3
        )
    }

    fn from_comment(line: &str) -> Result<Layout, String> {
        let plain = Layout {
            species: 0,
            pos: 1,
            columns: 4,
            comment: line.trim().to_string(),
        };
        let has_lattice = line.to_ascii_lowercase().contains("lattice=");
        if !line.contains("Properties=") && !has_lattice {
            return Ok(plain);
        }
        let pairs = key_values(line)?;
        let key = |name: &str| pairs.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        if key("lattice") && !key("pbc") {
            // ASE, OVITO and the extended-xyz convention read Lattice= without pbc as
            // periodic in all three directions.
            return Err(
                "Lattice= without pbc: extended-xyz readers take this as a periodic crystal \
                 (pbc=\"T T T\"), and pelt simulates isolated clusters; remove Lattice= or add \
                 pbc=\"F F F\" to say the structure is an isolated cluster"
                    .into(),
            );
        }
        let mut layout = Layout {
            comment: String::new(),
            ..plain
        };
        let mut props = None;
        for (k, v) in &pairs {
            match k.to_ascii_lowercase().as_str() {
                "properties" => props = Some(v.clone()),
                "pbc"
                    if v.split_whitespace()
                        .any(|t| t.eq_ignore_ascii_case("t") || t == "1") =>
                {
                    return Err(format!(
                        "pbc=\"{v}\": periodic structures are not supported; pelt simulates isolated clusters (expected pbc=\"F F F\" or no pbc key)"
                    ));
                }
                "comment" => layout.comment = v.clone(),
                _ => {}
            }
        }
        let props = props.unwrap_or_default();
        let f: Vec<&str> = props.split(':').collect();
        if !f.len().is_multiple_of(3) {
            return Err(format!(
                "Properties={props}: expected name:type:count triples"
            ));
        }
        let (mut col, mut species, mut pos) = (0usize, None, None);
        for t in f.chunks(3) {
            let count: usize = t[2].parse().map_err(|_| {
                format!(
                    "Properties: count '{}' of '{}' is not an integer",
                    t[2], t[0]
                )
            })?;
            match t[0] {
                "species" | "symbols" => species = Some(col),
                "pos" | "positions" => {
                    if count != 3 || !t[1].eq_ignore_ascii_case("R") {
                        return Err(format!(
                            "Properties: expected pos:R:3, found {}:{}:{}",
                            t[0], t[1], t[2]
                        ));
                    }
                    pos = Some(col)
                }
                _ => {}
            }
            col += count;
        }
        layout.species =
            species.ok_or("Properties has no species column (expected species:S:1)")?;
        layout.pos = pos.ok_or("Properties has no pos column (expected pos:R:3)")?;
        layout.columns = col;
        Ok(layout)
    }
}

/// Split an extended-xyz comment line into key=value pairs (values may be "quoted").
fn key_values(line: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut chars = line.trim().chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            if chars.peek() == Some(&'"') {
                chars.next();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '"' {
                        closed = true;
                        break;
                    }
                    value.push(c);
                }
                if !closed {
                    return Err(format!("unclosed quote in the value of key '{key}'"));
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
            }
        } else {
            value = "T".into();
        }
        out.push((key, value));
    }
    Ok(out)
}

/// The text of an xyz file. With `extended`, the comment line carries
/// `Properties=species:S:1:pos:R:3 pbc="F F F"`, the `info` pairs and the comment
/// ([`to_extxyz`]); without, the comment as it is.
pub fn to_string(s: &Structure, extended: bool, info: &[(&str, String)]) -> String {
    if extended {
        return to_extxyz(s, info, None);
    }
    let comment = s.comment.replace(['\n', '"'], " ");
    with_header(s, &comment, None)
}

/// The text of an extended-xyz file: `Properties=species:S:1:pos:R:3` (with
/// `:forces:R:3` and a forces column when `forces` is given, eV/Å), `pbc="F F F"`, the
/// `info` pairs, and the structure's comment as `comment="…"` (ASE reads every key).
pub fn to_extxyz(s: &Structure, info: &[(&str, String)], forces: Option<&Coords>) -> String {
    let mut header = format!(
        "Properties=species:S:1:pos:R:3{} pbc=\"F F F\"",
        if forces.is_some() { ":forces:R:3" } else { "" }
    );
    for (k, v) in info {
        let _ = write!(header, " {k}={v}");
    }
    let comment = s.comment.replace(['\n', '"'], " ");
    if !comment.is_empty() {
        let _ = write!(header, " comment=\"{comment}\"");
    }
    with_header(s, &header, forces)
}

/// The count line, `header`, and one line per atom (symbol, x y z, forces if given).
fn with_header(s: &Structure, header: &str, forces: Option<&Coords>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", s.len());
    let _ = writeln!(out, "{header}");
    for i in 0..s.len() {
        let p = s.positions.get(i);
        let _ = write!(
            out,
            "{:<3} {:>20.12} {:>20.12} {:>20.12}",
            s.symbols[i], p[0], p[1], p[2]
        );
        if let Some(f) = forces {
            let f = f.get(i);
            let _ = write!(out, " {:>20.12e} {:>20.12e} {:>20.12e}", f[0], f[1], f[2]);
        }
        out.push('\n');
    }
    out
}

/// A file's name for a header key (`potential=Al_EA.eam.alloy`): no folders, no spaces or
/// quotes.
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().replace([' ', '"'], "_"))
        .unwrap_or_default()
}

/// The rule of [`write_new`] on its own, for commands that check before long work: an
/// existing `path` may only be replaced with `force`.
pub fn ensure_writable(path: &Path, force: bool) -> Result<(), StructureError> {
    if path.exists() && !force {
        return Err(StructureError::Exists {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// Write a file without ever replacing an existing one unless `force` is set. The text goes
/// to a temporary file beside the target first and is renamed over it, so an interrupted
/// write never leaves a half-written file behind.
pub fn write_new(path: &Path, text: &str, force: bool) -> Result<(), StructureError> {
    ensure_writable(path, force)?;
    let io = |cause| StructureError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let mut tmp: PathBuf = path.to_path_buf();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tmp.set_file_name(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })
}
