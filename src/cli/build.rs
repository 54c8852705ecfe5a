use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use pelt::system::{builders, xyz, Coords, Structure};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct BuildArgs {
    #[command(subcommand)]
    shape: Shape,
    /// Nearest-neighbour distance (Å).
    #[arg(long, global = true, default_value_t = 2.86)]
    nn_distance: f64,
    /// Element symbol written to the file.
    #[arg(long, global = true, default_value = "Al")]
    element: String,
    /// Output file (extended xyz, whatever its name). Default: stdout.
    #[arg(short, long, global = true)]
    output: Option<PathBuf>,
    /// Accepted for old scripts: every output is extended xyz now.
    #[arg(long, global = true, hide = true)]
    extended: bool,
    /// Replace the output file if it exists.
    #[arg(long, global = true)]
    force: bool,
}

#[derive(Subcommand, Debug)]
enum Shape {
    /// Mackay icosahedron (13, 55, 147, 309, … atoms).
    Icosahedron(Magic),
    /// Cuboctahedron (13, 55, 147, 309, … atoms).
    Cuboctahedron(Magic),
    /// Decahedron: regular, Ino-truncated (--ino) or Marks (--marks).
    Decahedron {
        /// Atoms along an edge of the untruncated pentagonal bipyramid (and the 5-fold axis).
        #[arg(long)]
        edge: usize,
        /// Layers cut from each of the five equatorial edges (Ino {100} facets).
        #[arg(long, default_value_t = 0)]
        ino: usize,
        /// Layers of the re-entrant notches at the twin boundaries (Marks).
        #[arg(long, default_value_t = 0)]
        marks: usize,
    },
    /// Truncated octahedron (38, 201, … for edge = 3·cut + 1; cut 0 gives the octahedron).
    TruncatedOctahedron {
        /// Atoms along an edge of the octahedron.
        #[arg(long)]
        edge: usize,
        /// Atomic layers removed at each of the six vertices.
        #[arg(long, default_value_t = 1)]
        cut: usize,
    },
    /// Random compact cluster of any size with a minimum interatomic distance.
    Random {
        /// Number of atoms.
        #[arg(long)]
        atoms: usize,
        /// Minimum interatomic distance (Å); default 0.85 × the nearest-neighbour distance.
        #[arg(long)]
        min_distance: Option<f64>,
        /// Seed of the random stream.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Args, Debug)]
struct Magic {
    /// Number of atoms (a magic number: 13, 55, 147, 309, …).
    #[arg(long, conflicts_with = "shells", required_unless_present = "shells")]
    atoms: Option<usize>,
    /// Number of shells around the central atom.
    #[arg(long)]
    shells: Option<usize>,
}

impl Magic {
    fn shells(&self, shape: &str) -> Result<usize> {
        match (self.atoms, self.shells) {
            (_, Some(s)) => Ok(s),
            (Some(n), None) => builders::icosahedron_shells_for(n).with_context(|| {
                let magic: Vec<String> = (1..=5)
                    .map(|k| ((10 * k * k * k + 15 * k * k + 11 * k + 3) / 3).to_string())
                    .collect();
                format!(
                    "--atoms {n}: a closed-shell {shape} has 13, 55, 147, … atoms ({}, …); use `pelt build random --atoms {n}` for other sizes",
                    magic.join(", ")
                )
            }),
            (None, None) => bail!("give --atoms or --shells"),
        }
    }
}

pub fn run(a: BuildArgs) -> Result<()> {
    let d = a.nn_distance;
    let (pos, what): (Coords, String) = match &a.shape {
        Shape::Icosahedron(m) => (
            builders::icosahedron(m.shells("icosahedron")?, d)?,
            "Mackay icosahedron".into(),
        ),
        Shape::Cuboctahedron(m) => (
            builders::cuboctahedron(m.shells("cuboctahedron")?, d)?,
            "cuboctahedron".into(),
        ),
        Shape::Decahedron { edge, ino, marks } => (
            builders::decahedron(*edge, *ino, *marks, d)?,
            match (ino, marks) {
                (0, 0) => format!("regular decahedron (edge {edge})"),
                (_, 0) => format!("Ino decahedron (edge {edge}, ino {ino})"),
                _ => format!("Marks decahedron (edge {edge}, ino {ino}, marks {marks})"),
            },
        ),
        Shape::TruncatedOctahedron { edge, cut } => (
            builders::truncated_octahedron(*edge, *cut, d)?,
            format!("truncated octahedron (edge {edge}, cut {cut})"),
        ),
        Shape::Random {
            atoms,
            min_distance,
            seed,
        } => {
            let dmin = min_distance.unwrap_or(0.85 * d);
            (
                builders::random_compact(*atoms, dmin, *seed)?,
                format!("random compact cluster (min distance {dmin} A, seed {seed})"),
            )
        }
    };
    let comment = format!(
        "{what}, {} atoms, nn distance {d} A, built by pelt {}",
        pos.len(),
        pelt::version::PELT_VERSION
    );
    let s = Structure::new(&a.element, pos, comment);
    // Always extended xyz: readers (ASE, OVITO) parse the comment line as key=value pairs,
    // and a free-text comment becomes junk keys.
    let info = [
        ("nn_distance", format!("{d}")),
        ("pelt_version", pelt::version::PELT_VERSION.to_string()),
    ];
    let text = xyz::to_extxyz(&s, &info, None);
    match &a.output {
        Some(path) => {
            xyz::write_new(path, &text, a.force)?;
            log::info!("wrote {} ({} atoms, {what})", path.display(), s.len());
        }
        None => print!("{text}"),
    }
    Ok(())
}
