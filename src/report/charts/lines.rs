//! Monthly trend of one KPI: a line with points, months on the horizontal axis.

use super::{Axis, PALETTE, Plot, draw_grid, e, no_data, tick};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A KPI's monthly values.
#[derive(Debug, Clone)]
pub(crate) struct Trend {
    /// Title (the KPI's name).
    pub title: String,
    /// The value axis, with unit.
    pub axis: String,
    /// (month label, value) in order; gaps (`None`) break the line.
    pub points: Vec<(String, Option<f64>)>,
    /// How the value axis reads.
    pub unit: Axis,
}

impl Plot for Trend {
    fn size(&self) -> (u32, u32) {
        (640, 340)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let known: Vec<f64> = self.points.iter().filter_map(|p| p.1).collect();
        if known.is_empty() {
            return no_data(root, &self.title);
        }
        root.fill(&WHITE).map_err(e)?;
        let (lo, hi) = known
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
        let lo = if lo >= 0.0 { 0.0 } else { lo * 1.1 };
        let hi = if hi <= 0.0 { 0.0 } else { hi * 1.1 }.max(lo + 1e-9);
        let n = self.points.len();
        let labels: Vec<String> = self.points.iter().map(|p| p.0.clone()).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(
                &self.title,
                (super::FONT, 17)
                    .into_font()
                    .style(FontStyle::Bold)
                    .color(&super::INK),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(72)
            .build_cartesian_2d(0..n.saturating_sub(1).max(1), lo..hi)
            .map_err(e)?;
        let every = n.div_ceil(6).max(1);
        draw_grid(
            chart
                .configure_mesh()
                .x_labels(n)
                .x_label_formatter(&|i| {
                    if i % every == 0 {
                        labels.get(*i).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .y_desc(&self.axis)
                .y_label_formatter(&|v| tick(self.unit, *v, hi - lo)),
            12,
            13,
        )?;
        let colour = PALETTE[0];
        let mut run: Vec<(usize, f64)> = Vec::new();
        let mut runs = Vec::new();
        for (i, p) in self.points.iter().enumerate() {
            match p.1 {
                Some(v) => run.push((i, v)),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for r in runs.into_iter().filter(|r| !r.is_empty()) {
            chart
                .draw_series(LineSeries::new(r.clone(), colour.stroke_width(3)))
                .map_err(e)?;
            chart
                .draw_series(r.into_iter().map(|p| Circle::new(p, 4, colour.filled())))
                .map_err(e)?;
        }
        Ok(())
    }
}
