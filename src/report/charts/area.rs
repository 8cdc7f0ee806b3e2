//! Stacked area chart: monthly totals split by series (contacts per channel).

use super::{Axis, PALETTE, Plot, draw_grid, e, legend_band, no_data, tick, title_font};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Monthly values per series, stacked.
#[derive(Debug, Clone)]
pub(crate) struct Stacked {
    /// Title.
    pub title: String,
    /// The value axis, with unit.
    pub axis: String,
    /// Month labels, in order.
    pub months: Vec<String>,
    /// (series, value per month), bottom to top.
    pub series: Vec<(String, Vec<f64>)>,
}

impl Plot for Stacked {
    fn size(&self) -> (u32, u32) {
        (1000, 460)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let n = self.months.len();
        if n < 2 || self.series.is_empty() {
            return no_data(root, &self.title);
        }
        root.fill(&WHITE).map_err(e)?;
        let (_, h) = root.dim_in_pixel();
        let (plot, band) = root.split_vertically(h as i32 - 34);
        let mut cumulative = vec![vec![0.0; n]; self.series.len() + 1];
        for (s, (_, values)) in self.series.iter().enumerate() {
            let (below, above) = cumulative.split_at_mut(s + 1);
            let padded = values.iter().copied().chain(std::iter::repeat(0.0));
            for ((c, b), v) in above[0].iter_mut().zip(&below[s]).zip(padded) {
                *c = b + v;
            }
        }
        let top = cumulative
            .last()
            .map_or(1.0, |c| c.iter().copied().fold(0.0, f64::max))
            * 1.08;
        let every = n.div_ceil(8).max(1);
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, title_font())
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(0..n - 1, 0.0..top.max(1e-9))
            .map_err(e)?;
        draw_grid(
            chart
                .configure_mesh()
                .x_labels(n)
                .x_label_formatter(&|i| {
                    if i % every == 0 {
                        self.months.get(*i).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .y_desc(&self.axis)
                .y_label_formatter(&|v| tick(Axis::Number, *v, top)),
            13,
            15,
        )?;
        // Top band first, each lower band painted over it.
        for s in (0..self.series.len()).rev() {
            let colour = PALETTE[s % PALETTE.len()];
            chart
                .draw_series(AreaSeries::new(
                    (0..n).map(|m| (m, cumulative[s + 1][m])),
                    0.0,
                    colour.mix(0.9).filled(),
                ))
                .map_err(e)?;
        }
        let legend: Vec<(String, RGBColor)> = self
            .series
            .iter()
            .enumerate()
            .map(|(s, (name, _))| (name.clone(), PALETTE[s % PALETTE.len()]))
            .collect();
        legend_band(&band, &legend)
    }
}
