//! Figures (PNG) drawn with `plotters`: a small description of panels and series, and
//! the figures of `pelt analyze` and `pelt hops` built from it.
//!
//! Text needs a TrueType font: `$PELT_FONT`, else DejaVu Sans or Liberation Sans from the
//! usual system folders (Debian: `fonts-dejavu-core`, installed by `scripts/setup.sh`).

use super::hops::Hops;
use super::observables::Analysis;
use super::AnalysisError;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// A line through the points.
    Line,
    /// A thin line (fits, bands).
    Thin,
    /// Filled circles with error bars.
    Markers,
    /// Small translucent dots (many points).
    Dots,
}

/// One series: points (x, y, standard error of y or NaN).
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend text (empty: not in the legend).
    pub label: String,
    /// Points.
    pub points: Vec<(f64, f64, f64)>,
    /// How it is drawn.
    pub style: Style,
    /// Colour.
    pub color: RGBColor,
}

/// One panel: axes, series and marked x values.
#[derive(Clone, Debug, Default)]
pub struct Panel {
    /// Title above the panel.
    pub title: String,
    /// x-axis label with unit.
    pub x_label: String,
    /// y-axis label with unit.
    pub y_label: String,
    /// The series.
    pub series: Vec<Series>,
    /// Vertical lines at x with a legend label.
    pub marks: Vec<(f64, String)>,
    /// A note shown when there is nothing to draw.
    pub empty_note: String,
}

/// Colours for series, readable on white and in grey print.
pub const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

/// Grey for fits and marks.
pub const GREY: RGBColor = RGBColor(110, 110, 110);

/// A colour from blue (f = 0, cold) to red (f = 1, hot).
pub fn heat(f: f64) -> RGBColor {
    let f = f.clamp(0.0, 1.0);
    RGBColor(
        (30.0 + 200.0 * f) as u8,
        (80.0 + 40.0 * (1.0 - (2.0 * f - 1.0).abs())) as u8,
        (220.0 - 190.0 * f) as u8,
    )
}

const FONT_PLACES: [&str; 5] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
];

/// Register the font once; the error says where pelt looked.
fn font() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        let places: Vec<String> = match std::env::var("PELT_FONT") {
            Ok(p) if !p.is_empty() => vec![p],
            _ => FONT_PLACES.iter().map(|s| s.to_string()).collect(),
        };
        for p in &places {
            if let Ok(bytes) = std::fs::read(p) {
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                return plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
                    .map_err(|_| format!("{p} is not a TrueType font"));
            }
        }
        Err(format!(
            "no TrueType font found (looked for {}); install fonts-dejavu-core \
             (scripts/setup.sh does) or set PELT_FONT to a .ttf file",
            places.join(", ")
        ))
    })
    .clone()
}

fn range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return None;
    }
    let pad = if hi > lo {
        0.06 * (hi - lo)
    } else {
        0.5 * lo.abs().max(1e-3)
    };
    Some((lo - pad, hi + pad))
}

/// Decimals for tick labels on an axis spanning `span` (about ten ticks).
fn ticks(span: f64) -> usize {
    if span.is_nan() || span <= 0.0 {
        return 2;
    }
    (-(span / 10.0).log10().floor()).clamp(0.0, 6.0) as usize
}

/// ε as a person writes it: 0, -3.4e-5, 2e-4.
pub fn epsilon_text(eps: f64) -> String {
    if eps == 0.0 {
        "0".into()
    } else {
        format!("{eps:e}")
    }
}

/// Draw `panels` side by side (`columns` per row) into a PNG of `size` pixels.
pub fn draw(
    path: &Path,
    panels: &[Panel],
    columns: usize,
    size: (u32, u32),
) -> Result<(), AnalysisError> {
    let fail = |m: String| AnalysisError::Plot {
        path: path.display().to_string(),
        message: m,
    };
    font().map_err(fail)?;
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
    let rows = panels.len().div_ceil(columns.max(1));
    let areas = root.split_evenly((rows, columns.max(1)));
    for (area, panel) in areas.iter().zip(panels) {
        draw_panel(area, panel).map_err(fail)?;
    }
    root.present().map_err(|e| fail(e.to_string()))?;
    Ok(())
}

fn draw_panel(
    area: &DrawingArea<BitMapBackend, plotters::coord::Shift>,
    p: &Panel,
) -> Result<(), String> {
    let e = |x: &dyn std::fmt::Display| x.to_string();
    let xs = p
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|q| q.0))
        .chain(p.marks.iter().map(|m| m.0));
    let ys = p.series.iter().flat_map(|s| {
        s.points.iter().flat_map(|&(_, y, err)| {
            if err.is_finite() {
                vec![y - err, y + err]
            } else {
                vec![y]
            }
        })
    });
    let (Some((x0, x1)), Some((y0, y1))) = (range(xs), range(ys)) else {
        let mut chart = ChartBuilder::on(area)
            .caption(&p.title, ("sans-serif", 22))
            .margin(14)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(0f64..1f64, 0f64..1f64)
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .x_desc(&p.x_label)
            .y_desc(&p.y_label)
            .disable_mesh()
            .draw()
            .map_err(|x| e(&x))?;
        chart
            .draw_series(std::iter::once(Text::new(
                p.empty_note.clone(),
                (0.05, 0.5),
                ("sans-serif", 18).into_font().color(&GREY),
            )))
            .map_err(|x| e(&x))?;
        return Ok(());
    };
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, ("sans-serif", 22))
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|x| e(&x))?;
    let (xf, yf) = (ticks(x1 - x0), ticks(y1 - y0));
    chart
        .configure_mesh()
        .x_desc(&p.x_label)
        .y_desc(&p.y_label)
        .x_label_formatter(&|v| format!("{:.*}", xf, v))
        .y_label_formatter(&|v| format!("{:.*}", yf, v))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(|x| e(&x))?;
    let mut legend = false;
    for s in &p.series {
        let color = s.color;
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|q| q.0.is_finite() && q.1.is_finite())
            .map(|q| (q.0, q.1))
            .collect();
        let anno = match s.style {
            Style::Line => chart
                .draw_series(LineSeries::new(pts, color.stroke_width(2)))
                .map_err(|x| e(&x))?,
            Style::Thin => chart
                .draw_series(LineSeries::new(pts, color.mix(0.8).stroke_width(1)))
                .map_err(|x| e(&x))?,
            Style::Dots => chart
                .draw_series(
                    pts.iter()
                        .map(|&q| Circle::new(q, 2, color.mix(0.5).filled())),
                )
                .map_err(|x| e(&x))?,
            Style::Markers => {
                chart
                    .draw_series(
                        s.points
                            .iter()
                            .filter(|q| q.0.is_finite() && q.1.is_finite() && q.2.is_finite())
                            .map(|&(x, y, err)| {
                                PathElement::new(
                                    vec![(x, y - err), (x, y + err)],
                                    color.stroke_width(1),
                                )
                            }),
                    )
                    .map_err(|x| e(&x))?;
                chart
                    .draw_series(pts.iter().map(|&q| Circle::new(q, 4, color.filled())))
                    .map_err(|x| e(&x))?
            }
        };
        if !s.label.is_empty() {
            legend = true;
            let style = s.style;
            anno.label(s.label.clone())
                .legend(move |(x, y)| match style {
                    Style::Markers | Style::Dots => {
                        Circle::new((x + 10, y), 4, color.filled()).into_dyn()
                    }
                    _ => PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                        .into_dyn(),
                });
        }
    }
    for (i, (x, label)) in p.marks.iter().enumerate() {
        let c = MARKS[i % MARKS.len()];
        let anno = chart
            .draw_series(LineSeries::new(vec![(*x, y0), (*x, y1)], c.stroke_width(2)))
            .map_err(|x| e(&x))?;
        if !label.is_empty() {
            legend = true;
            anno.label(label.clone()).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
            });
        }
    }
    if legend {
        chart
            .configure_series_labels()
            .label_font(("sans-serif", 15))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(|x| e(&x))?;
    }
    Ok(())
}

fn markers(label: &str, pts: Vec<(f64, f64, f64)>, color: RGBColor) -> Series {
    Series {
        label: label.into(),
        points: pts,
        style: Style::Markers,
        color,
    }
}

fn line(label: &str, pts: Vec<(f64, f64, f64)>, color: RGBColor, style: Style) -> Series {
    Series {
        label: label.into(),
        points: pts,
        style,
        color,
    }
}

fn mark(x: f64, label: String) -> Vec<(f64, String)> {
    if x.is_finite() {
        vec![(x, label)]
    } else {
        Vec::new()
    }
}

/// The two lines of a T_g fit, each drawn over its own temperatures and on to the
/// crossing (y divided by `scale`).
fn fit_lines(fit: &super::stats::TwoLines, t: &[f64], scale: f64) -> Vec<Series> {
    let (lo, hi) = (t[0], t[t.len() - 1]);
    let x = if fit.crossing.is_finite() {
        fit.crossing.clamp(lo, hi)
    } else {
        t[fit.split]
    };
    let low_end = x.max(t[fit.split - 1]);
    let high_start = x.min(t[fit.split]);
    [(fit.low, lo, low_end), (fit.high, high_start, hi)]
        .iter()
        .map(|&(l, a, b)| {
            line(
                "",
                vec![
                    (a, l.at(a) / scale, f64::NAN),
                    (b, l.at(b) / scale, f64::NAN),
                ],
                GREY,
                Style::Thin,
            )
        })
        .collect()
}

/// Colours of the vertical marks (T_g, T_s, T_m), in order.
const MARKS: [RGBColor; 3] = [
    RGBColor(90, 90, 90),
    RGBColor(230, 120, 0),
    RGBColor(0, 150, 150),
];

const T_LABEL: &str = "T (K)";
const SIZE: (u32, u32) = (900, 620);

/// Draw every figure of an analysis into `dir`; returns the files written.
pub fn figures(a: &Analysis, dir: &Path) -> Result<Vec<PathBuf>, AnalysisError> {
    let n = a.atoms as f64;
    let t: Vec<f64> = a.rows.iter().map(|r| r.temperature).collect();
    let per = |f: &dyn Fn(&super::observables::Row) -> super::observables::Value, scale: f64| {
        a.rows
            .iter()
            .zip(&t)
            .map(|(r, &ti)| {
                let v = f(r);
                (ti, v.value / scale, v.error / scale)
            })
            .collect::<Vec<_>>()
    };
    let ch = &a.characteristic;
    let mut written = Vec::new();
    let mut out = |name: &str, panels: Vec<Panel>, cols: usize, size: (u32, u32)| {
        let p = dir.join(name);
        draw(&p, &panels, cols, size).map(|_| written.push(p))
    };
    let title = |what: &str| format!("{what} — N = {}, ε = {}", a.atoms, epsilon_text(a.epsilon));

    // E(T)
    let mut energy = Panel {
        title: title("Energy"),
        x_label: T_LABEL.into(),
        y_label: "energy per atom (eV)".into(),
        ..Panel::default()
    };
    energy
        .series
        .push(markers("⟨φ⟩", per(&|r| r.phi, n), COLORS[0]));
    if a.epsilon != 0.0 {
        energy
            .series
            .push(markers("⟨φ*⟩", per(&|r| r.phi_star, n), COLORS[1]));
    }
    energy.series.push(markers(
        "⟨H*⟩ = ⟨φ* + K⟩",
        per(&|r| r.total_energy, n),
        COLORS[2],
    ));
    energy.series.push(line(
        "⟨φ⟩ by MBAR",
        a.mbar_curve
            .iter()
            .map(|e| (e.value.temperature, e.value.phi / n, f64::NAN))
            .collect(),
        COLORS[0],
        Style::Line,
    ));
    if let Some(fit) = ch.tg_energy_fit {
        energy.series.extend(fit_lines(&fit, &t, n));
    }
    energy.marks = mark(
        ch.tg_energy,
        format!("T_g (⟨φ⟩ fits) = {:.0} K", ch.tg_energy),
    );
    out("energy.png", vec![energy], 1, SIZE)?;

    // V(T)
    let volume = Panel {
        title: title("Cluster volume"),
        x_label: T_LABEL.into(),
        y_label: "volume (Å³)".into(),
        series: vec![
            markers(
                "convex hull of the atoms",
                per(&|r| r.hull_volume, 1.0),
                COLORS[0],
            ),
            markers(
                "ellipsoid of the gyration tensor",
                per(&|r| r.ellipsoid_volume, 1.0),
                COLORS[1],
            ),
        ],
        ..Panel::default()
    };
    out("volume.png", vec![volume], 1, SIZE)?;

    // C(T)
    let mut cv = Panel {
        title: title("Heat capacity"),
        x_label: T_LABEL.into(),
        y_label: "C / (N k_B)".into(),
        ..Panel::default()
    };
    cv.series.push(line(
        "MBAR over all temperatures",
        a.mbar_curve
            .iter()
            .map(|e| (e.value.temperature, e.value.heat_capacity / n, f64::NAN))
            .collect(),
        COLORS[0],
        Style::Line,
    ));
    for sign in [-1.0, 1.0] {
        cv.series.push(line(
            if sign > 0.0 { "MBAR ± 1σ" } else { "" },
            a.mbar_curve
                .iter()
                .map(|e| {
                    (
                        e.value.temperature,
                        (e.value.heat_capacity + sign * e.heat_capacity_error) / n,
                        f64::NAN,
                    )
                })
                .collect(),
            COLORS[5],
            Style::Thin,
        ));
    }
    cv.series.push(markers(
        "fluctuations of H* at each T",
        per(&|r| r.heat_capacity_fluctuation, n),
        COLORS[1],
    ));
    cv.marks = mark(ch.tm, format!("T_m (C peak) = {:.0} K", ch.tm));
    out("heat_capacity.png", vec![cv], 1, SIZE)?;

    // Radii and ΔR
    let mut radii = Panel {
        title: title("Principal radii of gyration"),
        x_label: T_LABEL.into(),
        y_label: "radius (Å)".into(),
        ..Panel::default()
    };
    for (i, name) in ["R_1 (smallest)", "R_2", "R_3 (largest)"]
        .iter()
        .enumerate()
    {
        radii
            .series
            .push(markers(name, per(&|r| r.radii[i], 1.0), COLORS[i]));
    }
    let mut dr = Panel {
        title: title("ΔR = R_max − R_min"),
        x_label: T_LABEL.into(),
        y_label: "ΔR (Å)".into(),
        ..Panel::default()
    };
    dr.series
        .push(markers("ΔR", per(&|r| r.delta_r, 1.0), COLORS[3]));
    if let Some(fit) = ch.tg_delta_r_fit {
        dr.series.extend(fit_lines(&fit, &t, 1.0));
    }
    dr.marks = mark(
        ch.tg_delta_r,
        format!("T_g (ΔR fits) = {:.0} K", ch.tg_delta_r),
    );
    dr.marks
        .extend(mark(ch.ts, format!("T_s = {:.0} K", ch.ts)));
    out("radii.png", vec![radii, dr], 2, (1500, 600))?;

    // D(T), Arrhenius form
    let cm2 = super::diffusion::ANGSTROM2_PER_PS_IN_CM2_PER_S;
    let d_pts: Vec<(f64, f64, f64)> = a
        .rows
        .iter()
        .filter_map(|r| {
            let d = r.diffusion.as_ref()?;
            // Only D measurably above zero (> 2σ) has a logarithm worth plotting.
            d.resolved().then(|| {
                (
                    1000.0 / r.temperature,
                    (d.coefficient * cm2).log10(),
                    d.error / (d.coefficient * std::f64::consts::LN_10),
                )
            })
        })
        .collect();
    let mut diff = Panel {
        title: title("Diffusion (Arrhenius form)"),
        x_label: "1000 / T (1/K)".into(),
        y_label: "log₁₀ D (D in cm²/s)".into(),
        empty_note: format!(
            "no constant-temperature segment spans the MSD window ({}–{} ps): \
             store positions more often or use swap_interval = 0",
            a.options.window.start, a.options.window.end
        ),
        ..Panel::default()
    };
    if !d_pts.is_empty() {
        diff.series
            .push(markers("D from the MSD", d_pts, COLORS[0]));
    }
    for (fit, name, c) in [
        (a.arrhenius_low, "below T_g", COLORS[2]),
        (a.arrhenius_high, "above T_g", COLORS[1]),
    ] {
        if let Some(f) = fit {
            let ends = [f.range.0, f.range.1];
            diff.series.push(line(
                &format!("{name}: E_a = {:.3} eV", f.activation_energy),
                ends.iter()
                    .map(|&tt| {
                        let d = f.prefactor
                            * (-f.activation_energy / (a.boltzmann_constant * tt)).exp();
                        (1000.0 / tt, (d * cm2).log10(), f64::NAN)
                    })
                    .collect(),
                c,
                Style::Line,
            ));
        }
    }
    out("diffusion.png", vec![diff], 1, SIZE)?;

    // s(T)
    let s_panel = Panel {
        title: title("Force scale s(φ)"),
        x_label: T_LABEL.into(),
        y_label: "⟨s⟩".into(),
        series: vec![markers("⟨s⟩", per(&|r| r.force_scale, 1.0), COLORS[0])],
        ..Panel::default()
    };
    let inv = Panel {
        title: if a.phi_s.is_finite() {
            format!("Forces reversed (φ ≤ φ_s = {:.2} eV)", a.phi_s)
        } else {
            "Forces reversed (no φ_s: s ≥ 1)".into()
        },
        x_label: T_LABEL.into(),
        y_label: "fraction of time with s ≤ 0".into(),
        series: vec![markers(
            "s ≤ 0",
            a.rows
                .iter()
                .map(|r| (r.temperature, r.inverted_fraction, f64::NAN))
                .collect(),
            COLORS[1],
        )],
        ..Panel::default()
    };
    out("force_scale.png", vec![s_panel, inv], 2, (1500, 600))?;

    // E_IS distribution: every quench against T, and the histogram per temperature.
    let mut strip = Panel {
        title: title("Inherent-structure energies"),
        x_label: T_LABEL.into(),
        y_label: "E_IS per atom (eV)".into(),
        empty_note: "no quenches in this run (quench interval = 0)".into(),
        ..Panel::default()
    };
    let mut is = Panel {
        title: "Distribution of E_IS".into(),
        x_label: "E_IS per atom (eV)".into(),
        y_label: "fraction of quenches per bin".into(),
        empty_note: strip.empty_note.clone(),
        ..Panel::default()
    };
    let (tlo, thi) = (t[0], t[t.len() - 1]);
    let spread = if t.len() > 1 {
        0.15 * (thi - tlo) / (t.len() - 1) as f64
    } else {
        1.0
    };
    for (k, q) in a.inherent.iter().enumerate() {
        let f = if thi > tlo {
            (q.0 - tlo) / (thi - tlo)
        } else {
            0.0
        };
        // Spread the points sideways a little so that repeated minima show as a band.
        strip.series.push(Series {
            label: String::new(),
            points: q
                .1
                .iter()
                .enumerate()
                .map(|(i, &e)| {
                    let jitter = ((i * 7919 + k * 104_729) % 101) as f64 / 100.0 - 0.5;
                    (q.0 + spread * jitter, e / n, f64::NAN)
                })
                .collect(),
            style: Style::Dots,
            color: heat(f),
        });
    }
    for h in &a.inherent_histograms {
        let f = if thi > tlo {
            (h.temperature - tlo) / (thi - tlo)
        } else {
            0.0
        };
        let width = if h.centres.len() > 1 {
            h.centres[1] - h.centres[0]
        } else {
            1.0
        };
        is.series.push(line(
            &format!("{:.0} K", h.temperature),
            h.centres
                .iter()
                .zip(&h.density)
                .map(|(&c, &d)| (c / n, d * width, f64::NAN))
                .collect(),
            heat(f),
            Style::Line,
        ));
    }
    out("is_energy.png", vec![strip, is], 2, (1500, 600))?;

    // Swaps: acceptance per pair and the local barrier λ(T).
    let note = "no swaps in this run (swap_interval = 0)".to_string();
    let mut acc = Panel {
        title: title("Swap acceptance"),
        x_label: "√(T_k T_k+1) (K)".into(),
        y_label: "acceptance of the pair".into(),
        empty_note: note.clone(),
        ..Panel::default()
    };
    let mut lam = Panel {
        title: "Local communication barrier".into(),
        x_label: "√(T_k T_k+1) (K)".into(),
        y_label: "λ (eV)".into(),
        empty_note: note,
        ..Panel::default()
    };
    if let Some(m) = &a.mixing {
        acc.series.push(markers(
            "acceptance",
            m.local_barrier
                .iter()
                .zip(&m.acceptance)
                .map(|(l, &x)| (l.0, x, f64::NAN))
                .collect(),
            COLORS[0],
        ));
        lam.series.push(line(
            &format!("λ; Λ = {:.2}", m.barrier),
            m.local_barrier
                .iter()
                .map(|l| (l.0, l.1, f64::NAN))
                .collect(),
            COLORS[1],
            Style::Line,
        ));
    }
    out("swaps.png", vec![acc, lam], 2, (1500, 600))?;
    Ok(written)
}

/// The E_c and R_c series of `pelt hops`, with the hops marked.
pub fn hops_figure(h: &Hops, atoms: usize, path: &Path) -> Result<(), AnalysisError> {
    let n = atoms as f64;
    let mut e = Panel {
        title: format!("E_c(t) at {:.0} K (Δt = {} ps)", h.temperature, h.window),
        x_label: "t (ps)".into(),
        y_label: "E_c per atom (eV)".into(),
        empty_note: "no constant-temperature segment spans the window".into(),
        ..Panel::default()
    };
    let mut r = Panel {
        title: format!("R_c(t) at {:.0} K", h.temperature),
        x_label: "t (ps)".into(),
        y_label: "R_c (Å)".into(),
        empty_note: e.empty_note.clone(),
        ..Panel::default()
    };
    for (i, s) in h.series.iter().enumerate() {
        let label = if i == 0 { "trajectory" } else { "" };
        e.series.push(line(
            label,
            s.iter().map(|p| (p.time, p.energy / n, f64::NAN)).collect(),
            COLORS[0],
            Style::Line,
        ));
        r.series.push(line(
            label,
            s.iter()
                .map(|p| (p.time, p.displacement, f64::NAN))
                .collect(),
            COLORS[3],
            Style::Line,
        ));
    }
    if !h.series.is_empty() {
        let (t0, t1) = h
            .series
            .iter()
            .flatten()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
                (a.min(p.time), b.max(p.time))
            });
        r.series.push(line(
            "threshold",
            vec![
                (t0, h.thresholds.0, f64::NAN),
                (t1, h.thresholds.0, f64::NAN),
            ],
            GREY,
            Style::Thin,
        ));
    }
    if !h.hops.is_empty() {
        r.series.push(markers(
            "hops",
            h.hops
                .iter()
                .map(|x| (x.time, x.displacement, f64::NAN))
                .collect(),
            COLORS[1],
        ));
    }
    draw(path, &[e, r], 1, (1200, 900))
}
