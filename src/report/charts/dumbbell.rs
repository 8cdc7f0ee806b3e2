//! Dumbbell chart: per category two shares (customers, business) joined by a line, the
//! categories sorted by the gap — the perception gap of one segment at a glance.

use super::{Axis, PALETTE, Plot, draw_grid, e, legend_band, no_data, tick, title_font};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Two shares per category.
#[derive(Debug, Clone)]
pub(crate) struct Dumbbell {
    /// Title.
    pub title: String,
    /// (category, left share, right share), top to bottom.
    pub rows: Vec<(String, f64, f64)>,
    /// Names of the two series (left, right).
    pub series: (String, String),
}

impl Plot for Dumbbell {
    fn size(&self) -> (u32, u32) {
        (800, 130 + 30 * self.rows.len().max(3) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        if self.rows.is_empty() {
            return no_data(root, &self.title);
        }
        root.fill(&WHITE).map_err(e)?;
        let (_, h) = root.dim_in_pixel();
        let (plot, band) = root.split_vertically(h as i32 - 34);
        let n = self.rows.len();
        let labels: Vec<String> = self
            .rows
            .iter()
            .rev()
            .map(|r| r.0.replace('_', " "))
            .collect();
        let mut chart = ChartBuilder::on(&plot)
            .caption(&self.title, title_font())
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(150)
            .build_cartesian_2d(0.0..1.0, 0.0..n as f64)
            .map_err(e)?;
        draw_grid(
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(2 * n + 1)
                .y_label_formatter(&|y| {
                    let i = y.floor();
                    if (y - i - 0.5).abs() < 1e-6 && i >= 0.0 {
                        labels.get(i as usize).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .x_desc("share of respondents selecting the reason")
                .x_label_formatter(&|x| tick(Axis::Percent, *x, 1.0)),
            13,
            14,
        )?;
        let (left, right) = (PALETTE[0], PALETTE[1]);
        for (k, (_, a, b)) in self.rows.iter().enumerate() {
            let y = (n - 1 - k) as f64 + 0.5;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*a, y), (*b, y)],
                    RGBColor(150, 150, 150).stroke_width(3),
                )))
                .map_err(e)?;
            chart
                .draw_series([
                    Circle::new((*a, y), 6, left.filled()),
                    Circle::new((*b, y), 6, right.filled()),
                ])
                .map_err(e)?;
        }
        legend_band(
            &band,
            &[
                (self.series.0.clone(), left),
                (self.series.1.clone(), right),
            ],
        )
    }
}
