//! The figures of `pelt minima`: the most visited minima against energy coloured by their
//! occupation at each temperature, and the harmonic superposition C(T) beside the
//! tempering C.

use super::superposition::Point;
use super::Occupation;
use crate::analysis::plot::{draw, heat, Panel, Series, Style, COLORS, GREY};
use crate::analysis::AnalysisError;
use std::path::Path;

/// `minima.png`: left, each of the `top` most visited minima as a row at its energy above
/// the lowest (eV), with a marker at every temperature where it was seen, coloured by its
/// occupation there (blue rare, red dominant); right, the occupation of the six most visited
/// against T.
pub fn minima(
    occupation: &[Occupation],
    energies: &[f64],
    top: usize,
    path: &Path,
) -> Result<(), AnalysisError> {
    let mut visits = vec![0usize; energies.len()];
    for o in occupation {
        for &(m, c) in &o.counts {
            visits[m] += c;
        }
    }
    let mut order: Vec<usize> = (0..energies.len()).filter(|&m| visits[m] > 0).collect();
    order.sort_by(|&a, &b| visits[b].cmp(&visits[a]).then(a.cmp(&b)));
    order.truncate(top);
    let e0 = order
        .iter()
        .map(|&m| energies[m])
        .fold(f64::INFINITY, f64::min);
    // Occupation bins, each one series of one colour.
    let bins = [0.0, 0.01, 0.05, 0.2, 0.5, 1.0001];
    let mut left = Panel {
        title: format!("the {} most visited minima", order.len()),
        x_label: "T (K)".into(),
        y_label: "E_min - E_lowest (eV)".into(),
        empty_note: "no converged quenches after the equilibration".into(),
        ..Default::default()
    };
    for (b, w) in bins.windows(2).enumerate() {
        let pts: Vec<(f64, f64, f64)> = occupation
            .iter()
            .flat_map(|o| {
                let total = o.quenches.max(1) as f64;
                order.iter().filter_map(move |&m| {
                    let c = o.counts.iter().find(|x| x.0 == m)?.1 as f64 / total;
                    (c > w[0] && c <= w[1]).then_some((o.temperature, energies[m] - e0, f64::NAN))
                })
            })
            .collect();
        if !pts.is_empty() {
            left.series.push(Series {
                label: format!("occupation {}-{}", w[0], w[1].min(1.0)),
                points: pts,
                style: Style::Markers,
                color: heat(b as f64 / (bins.len() - 2) as f64),
            });
        }
    }
    let mut right = Panel {
        title: "occupation of the most visited minima".into(),
        x_label: "T (K)".into(),
        y_label: "fraction of quenches".into(),
        empty_note: "no converged quenches after the equilibration".into(),
        ..Default::default()
    };
    for (i, &m) in order.iter().take(COLORS.len()).enumerate() {
        right.series.push(Series {
            label: format!("minimum {} ({:+.3} eV)", m + 1, energies[m] - e0),
            points: occupation
                .iter()
                .map(|o| {
                    let c = o.counts.iter().find(|x| x.0 == m).map_or(0, |x| x.1);
                    (o.temperature, c as f64 / o.quenches.max(1) as f64, f64::NAN)
                })
                .collect(),
            style: Style::Line,
            color: COLORS[i],
        });
    }
    right.series.push(Series {
        label: "distinct minima / quenches".into(),
        points: occupation
            .iter()
            .map(|o| {
                (
                    o.temperature,
                    o.distinct() as f64 / o.quenches.max(1) as f64,
                    f64::NAN,
                )
            })
            .collect(),
        style: Style::Thin,
        color: GREY,
    });
    draw(path, &[left, right], 2, (1600, 650))
}

/// `heat_capacity.png`: C(T) of the harmonic superposition over the catalogue (line) and
/// the tempering C from the fluctuations of H* (markers with errors), per atom in k_B.
pub fn heat_capacity(
    harmonic: &[Point],
    tempering: &[(f64, f64, f64)],
    atoms: usize,
    path: &Path,
) -> Result<(), AnalysisError> {
    let n = atoms.max(1) as f64;
    let panel = Panel {
        title: "heat capacity: harmonic superposition over the minima found vs tempering".into(),
        x_label: "T (K)".into(),
        y_label: "C / N (k_B)".into(),
        series: vec![
            Series {
                label: "harmonic superposition (catalogued minima)".into(),
                points: harmonic
                    .iter()
                    .map(|p| (p.temperature, p.heat_capacity / n, f64::NAN))
                    .collect(),
                style: Style::Line,
                color: COLORS[0],
            },
            Series {
                label: "tempering, Var(H*)/(k_B T^2)".into(),
                points: tempering
                    .iter()
                    .map(|&(t, c, e)| (t, c / n, e / n))
                    .collect(),
                style: Style::Markers,
                color: COLORS[1],
            },
        ],
        empty_note: "no minimum with positive modes".into(),
        ..Default::default()
    };
    draw(path, &[panel], 1, (1000, 650))
}
