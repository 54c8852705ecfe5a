//! Multi-frame extended xyz: one block per record, every header with `energy=` (φ, eV),
//! `step=`, `time=` (ps), `temperature=` (the ladder's, K), `replica=` and the other
//! energies; positions (Å) and, when stored, velocities (Å/fs) as columns.

use super::{Header, Record, Sink};
use std::fmt::Write as _;
use std::io::Write;

pub(super) struct Extxyz {
    out: std::io::BufWriter<std::fs::File>,
    element: String,
}

impl Extxyz {
    pub(super) fn create(path: &std::path::Path, header: &Header) -> Result<Extxyz, String> {
        let f = std::fs::File::create(path).map_err(|e| e.to_string())?;
        Ok(Extxyz {
            out: std::io::BufWriter::new(f),
            element: header.element.clone(),
        })
    }
}

impl Sink for Extxyz {
    fn record(&mut self, r: &Record) -> Result<(), String> {
        let n = r.positions.len() / 3;
        let mut t = String::new();
        let _ = writeln!(t, "{n}");
        let _ = write!(
            t,
            "Properties=species:S:1:pos:R:3{} pbc=\"F F F\" energy={:.10} phi_star={:.10} \
             step={} time={} temperature={} temperature_index={} replica={}",
            if r.velocities.is_some() {
                ":vel:R:3"
            } else {
                ""
            },
            r.energies.phi,
            r.energies.phi_star,
            r.step,
            r.time,
            r.temperature,
            r.temperature_index,
            r.replica
        );
        if let Some([wall, kinetic, total, tkin]) = r.energies.dynamics {
            let _ = write!(
                t,
                " wall_energy={wall:.10} kinetic_energy={kinetic:.10} total_energy={total:.10} \
                 kinetic_temperature={tkin:.6}"
            );
        }
        t.push('\n');
        for i in 0..n {
            let p = &r.positions[3 * i..3 * i + 3];
            let _ = write!(
                t,
                "{:<3} {:>20.12} {:>20.12} {:>20.12}",
                self.element, p[0], p[1], p[2]
            );
            if let Some(v) = &r.velocities {
                let v = &v[3 * i..3 * i + 3];
                let _ = write!(t, " {:>20.12e} {:>20.12e} {:>20.12e}", v[0], v[1], v[2]);
            }
            t.push('\n');
        }
        self.out.write_all(t.as_bytes()).map_err(|e| e.to_string())
    }

    fn finish(mut self: Box<Self>) -> Result<(), String> {
        self.out.flush().map_err(|e| e.to_string())?;
        self.out.get_ref().sync_all().map_err(|e| e.to_string())
    }
}
