//! Charts with plotters, each written as PNG and SVG (the SVG also goes inline into the
//! page). One colour-blind-safe palette (Okabe–Ito) for every chart, DejaVu Sans embedded so
//! PNGs render the same on a machine with no fonts, titles and axis labels with units.

pub mod area;
pub mod bars;
pub mod counterfactual;
pub mod dumbbell;
pub mod lines;
pub mod radar;

use crate::analyses::roi::Evidence;
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::Once;

/// Okabe–Ito colours: blue, orange, green, vermillion, sky blue, reddish purple, yellow, grey.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(204, 121, 167),
    RGBColor(240, 228, 66),
    RGBColor(153, 153, 153),
];

/// Dark grey for text and axes.
pub(crate) const INK: RGBColor = RGBColor(51, 51, 51);

/// The colour of an evidence class (grey for none), the same in every chart and on the page.
pub(crate) fn evidence_colour(evidence: Option<Evidence>) -> RGBColor {
    let (r, g, b) = evidence.map_or(Evidence::NONE_RGB, Evidence::rgb);
    RGBColor(r, g, b)
}

/// `#rrggbb` of a colour (for the page's legend).
pub(crate) fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The font family every chart uses.
pub(crate) const FONT: &str = "sans-serif";

/// Registers the embedded DejaVu Sans as the charts' font (once per process).
pub(crate) fn fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The embedded font files are valid; a failure would only mean a blank label.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Something drawable on any plotters backend.
pub trait Plot {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the chart.
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String>;
}

/// A chart written to disk.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChartFile {
    /// Title.
    pub title: String,
    /// `charts/<objective>/<name>.png`, relative to the run folder.
    pub png: String,
    /// The SVG file, relative to the run folder.
    pub svg_file: String,
    /// The SVG markup (inline in the page).
    pub svg: String,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

/// Draws `plot` into `<run_dir>/charts/<group>/<name>.png` and `.svg`.
pub fn render(
    plot: &impl Plot,
    title: &str,
    run_dir: &Path,
    group: &str,
    name: &str,
) -> Result<ChartFile> {
    fonts();
    let dir = run_dir.join("charts").join(group);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let (png, svg_path) = (
        dir.join(format!("{name}.png")),
        dir.join(format!("{name}.svg")),
    );
    let what = format!("chart {group}/{name}");
    {
        let root = BitMapBackend::new(&png, plot.size()).into_drawing_area();
        plot.draw(&root).map_err(|e| Error::report(&what, e))?;
        root.present().map_err(|e| Error::report(&what, e))?;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, plot.size()).into_drawing_area();
        plot.draw(&root).map_err(|e| Error::report(&what, e))?;
        root.present().map_err(|e| Error::report(&what, e))?;
    }
    std::fs::write(&svg_path, &svg).map_err(|e| Error::io(&svg_path, e))?;
    Ok(ChartFile {
        title: title.to_string(),
        png: format!("charts/{group}/{name}.png"),
        svg_file: format!("charts/{group}/{name}.svg"),
        svg,
        size: plot.size(),
    })
}

/// A plotters error as text.
pub fn e<E: std::fmt::Debug>(err: E) -> String {
    format!("{err:?}")
}

/// Title style.
pub(crate) fn title_font() -> TextStyle<'static> {
    (FONT, 20).into_font().style(FontStyle::Bold).color(&INK)
}

/// Axis label and tick style.
pub(crate) fn label_font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// How a value axis reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Axis {
    /// Plain numbers (amounts, minutes).
    Number,
    /// Counts: whole numbers only (a tick between two whole numbers gets no label, so an
    /// axis never reads "7.0 ideas").
    Count,
    /// Ratios shown as percentages.
    Percent,
    /// Differences of rates in percentage points.
    Points,
}

/// Draws `mesh` in the house style: one light line between bold ones, pale grey grid lines,
/// tick labels of `label` px and axis titles of `desc` px.
pub(crate) fn draw_grid<X, Y, XT, YT, DB>(
    mesh: &mut plotters::chart::MeshStyle<'_, '_, X, Y, DB>,
    label: u32,
    desc: u32,
) -> Result<(), String>
where
    X: plotters::coord::ranged1d::Ranged<ValueType = XT>
        + plotters::coord::ranged1d::ValueFormatter<XT>,
    Y: plotters::coord::ranged1d::Ranged<ValueType = YT>
        + plotters::coord::ranged1d::ValueFormatter<YT>,
    DB: DrawingBackend,
{
    mesh.max_light_lines(1)
        .label_style(label_font(label))
        .axis_desc_style(label_font(desc))
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(210, 210, 210))
        .draw()
        .map_err(e)
}

/// A tick label for `v` on an axis spanning `span` (decimals follow the span, so one axis
/// never mixes `50.0` with `500`).
pub(crate) fn tick(axis: Axis, v: f64, span: f64) -> String {
    let decimals = |scale: f64| {
        let s = span.abs() * scale;
        if s >= 10.0 {
            0
        } else if s >= 1.0 {
            1
        } else {
            2
        }
    };
    match axis {
        Axis::Percent => format!("{:.*} %", decimals(100.0), v * 100.0).replace('-', "−"),
        Axis::Points => format!("{:.*} pp", decimals(100.0), v * 100.0).replace('-', "−"),
        Axis::Number => crate::report::format::fixed(v, decimals(1.0)),
        Axis::Count if (v - v.round()).abs() < 1e-9 => crate::report::format::fixed(v, 0),
        Axis::Count => String::new(),
    }
}

/// A legend drawn as one row of swatches in its own band (never over the data).
pub(crate) fn legend_band<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor)],
) -> std::result::Result<(), String> {
    let mut x = 24;
    for (label, colour) in entries {
        area.draw(&Rectangle::new([(x, 8), (x + 14, 22)], colour.filled()))
            .map_err(e)?;
        area.draw(&Text::new(label.clone(), (x + 20, 8), label_font(14)))
            .map_err(e)?;
        x += 40 + 8 * label.chars().count() as i32;
    }
    Ok(())
}

/// "(no data)" in the middle of an empty chart.
pub(crate) fn no_data<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> std::result::Result<(), String> {
    root.fill(&WHITE).map_err(e)?;
    let (w, h) = root.dim_in_pixel();
    root.draw(&Text::new(title.to_string(), (16, 12), title_font()))
        .map_err(e)?;
    root.draw(&Text::new(
        "no data in the window".to_string(),
        (w as i32 / 2 - 90, h as i32 / 2),
        label_font(16),
    ))
    .map_err(e)
}

#[cfg(test)]
mod tests {
    use super::{Axis, tick};

    #[test]
    fn count_axes_label_whole_numbers_only() {
        assert_eq!(tick(Axis::Count, 7.0, 8.0), "7");
        assert_eq!(tick(Axis::Count, 7.5, 8.0), "");
        assert_eq!(tick(Axis::Count, 1200.0, 2000.0), "1,200");
        // Plain numbers keep the decimals their span needs.
        assert_eq!(tick(Axis::Number, 7.0, 8.0), "7.0");
    }
}
