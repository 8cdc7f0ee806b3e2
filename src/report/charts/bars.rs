//! Bar charts: horizontal bars with interval whiskers (ROI per use case, experiment lift),
//! vertical bars (funnel, cost per contact) and grouped bars (credit per channel by model).
//! Categories sit at the centres of unit slots of a numeric axis, labelled there.

use super::{
    Axis, INK, PALETTE, Plot, draw_grid, e, label_font, legend_band, no_data, tick, title_font,
};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One horizontal bar.
#[derive(Debug, Clone)]
pub(crate) struct HBar {
    /// Category label (left axis).
    pub label: String,
    /// Bar length.
    pub value: f64,
    /// Interval whisker, if known.
    pub interval: Option<(f64, f64)>,
    /// Bar colour.
    pub colour: RGBColor,
}

/// Horizontal bars with whiskers and a legend of colours.
#[derive(Debug, Clone)]
pub(crate) struct HBars {
    /// Title.
    pub title: String,
    /// The value axis, with unit.
    pub axis: String,
    /// Bars, top to bottom.
    pub bars: Vec<HBar>,
    /// (label, colour) legend entries, in a band under the chart.
    pub legend: Vec<(String, RGBColor)>,
    /// How the value axis reads.
    pub unit: Axis,
}

/// The label of slot `x` (a category's centre is at i + 0.5), or "".
fn slot_label(labels: &[String], x: f64) -> String {
    let i = x.floor();
    if (x - i - 0.5).abs() < 1e-6 && i >= 0.0 {
        labels.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

impl Plot for HBars {
    fn size(&self) -> (u32, u32) {
        (900, 150 + 40 * self.bars.len().max(3) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        if self.bars.is_empty() {
            return no_data(root, &self.title);
        }
        root.fill(&WHITE).map_err(e)?;
        let (_, h) = root.dim_in_pixel();
        let (plot, band) = root.split_vertically(h as i32 - 34);
        let ends = self.bars.iter().flat_map(|b| {
            let (lo, hi) = b.interval.unwrap_or((b.value, b.value));
            [b.value, lo, hi, 0.0]
        });
        let (lo, hi) = ends.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
        let pad = ((hi - lo) * 0.06).max(1e-9);
        let n = self.bars.len();
        // Top bar first: category k sits in slot n − 1 − k.
        let labels: Vec<String> = self.bars.iter().rev().map(|b| b.label.clone()).collect();
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, title_font())
            .margin(14)
            .x_label_area_size(48)
            .y_label_area_size(260)
            .build_cartesian_2d(lo - pad..hi + pad, 0.0..n as f64)
            .map_err(e)?;
        let span = hi - lo;
        draw_grid(
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(2 * n + 1)
                .y_label_formatter(&|y| slot_label(&labels, *y))
                .x_desc(&self.axis)
                .x_label_formatter(&|x| tick(self.unit, *x, span)),
            14,
            15,
        )?;
        for (k, b) in self.bars.iter().enumerate() {
            let y = (n - 1 - k) as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.18), (b.value, y + 0.82)],
                    b.colour.filled(),
                )))
                .map_err(e)?;
            if let Some((l, h)) = b.interval {
                chart
                    .draw_series([
                        PathElement::new(vec![(l, y + 0.5), (h, y + 0.5)], INK.stroke_width(2)),
                        PathElement::new(vec![(l, y + 0.32), (l, y + 0.68)], INK.stroke_width(2)),
                        PathElement::new(vec![(h, y + 0.32), (h, y + 0.68)], INK.stroke_width(2)),
                    ])
                    .map_err(e)?;
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (0.0, n as f64)],
                INK.stroke_width(1),
            )))
            .map_err(e)?;
        legend_band(&band, &self.legend)
    }
}

/// Vertical bars of one series.
#[derive(Debug, Clone)]
pub(crate) struct VBars {
    /// Title.
    pub title: String,
    /// The value axis, with unit.
    pub axis: String,
    /// (category, value) left to right.
    pub bars: Vec<(String, f64)>,
    /// Bar colour.
    pub colour: RGBColor,
    /// Value labels on top of the bars.
    pub value_label: fn(f64) -> String,
}

impl Plot for VBars {
    fn size(&self) -> (u32, u32) {
        (760, 420)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        if self.bars.is_empty() {
            return no_data(root, &self.title);
        }
        root.fill(&WHITE).map_err(e)?;
        let top = self.bars.iter().map(|b| b.1).fold(0.0, f64::max).max(1e-9) * 1.15;
        let n = self.bars.len();
        let labels: Vec<String> = self.bars.iter().map(|b| b.0.clone()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, title_font())
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..n as f64, 0.0..top)
            .map_err(e)?;
        draw_grid(
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(2 * n + 1)
                .x_label_formatter(&|x| slot_label(&labels, *x))
                .y_desc(&self.axis)
                .y_label_formatter(&|v| tick(Axis::Number, *v, top)),
            14,
            15,
        )?;
        for (i, (_, v)) in self.bars.iter().enumerate() {
            let x = i as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x + 0.2, 0.0), (x + 0.8, *v)],
                    self.colour.filled(),
                )))
                .map_err(e)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    (self.value_label)(*v),
                    (x + 0.5, *v + top * 0.02),
                    label_font(14).pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Bottom,
                    )),
                )))
                .map_err(e)?;
        }
        Ok(())
    }
}

/// Grouped vertical bars: one group per category, one bar per series.
#[derive(Debug, Clone)]
pub struct Grouped {
    /// Title.
    pub title: String,
    /// The value axis, with unit.
    pub axis: String,
    /// Categories, left to right.
    pub groups: Vec<String>,
    /// (series name, value per group).
    pub series: Vec<(String, Vec<f64>)>,
}

impl Plot for Grouped {
    fn size(&self) -> (u32, u32) {
        (1000, 480)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        if self.groups.is_empty() || self.series.is_empty() {
            return no_data(root, &self.title);
        }
        root.fill(&WHITE).map_err(e)?;
        let (_, h) = root.dim_in_pixel();
        let (plot, band) = root.split_vertically(h as i32 - 34);
        let top = self
            .series
            .iter()
            .flat_map(|s| s.1.iter().copied())
            .fold(0.0, f64::max)
            .max(1e-9)
            * 1.1;
        let (n, k) = (self.groups.len(), self.series.len());
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, title_font())
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(0.0..n as f64, 0.0..top)
            .map_err(e)?;
        draw_grid(
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(2 * n + 1)
                .x_label_formatter(&|x| slot_label(&self.groups, *x))
                .y_desc(&self.axis)
                .y_label_formatter(&|v| tick(Axis::Number, *v, top)),
            13,
            15,
        )?;
        let width = 0.8 / k as f64;
        let mut legend = Vec::new();
        for (s, (name, values)) in self.series.iter().enumerate() {
            let colour = PALETTE[s % PALETTE.len()];
            chart
                .draw_series(values.iter().enumerate().map(|(g, v)| {
                    let x0 = g as f64 + 0.1 + s as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width * 0.92, *v)], colour.filled())
                }))
                .map_err(e)?;
            legend.push((name.clone(), colour));
        }
        legend_band(&band, &legend)
    }
}
