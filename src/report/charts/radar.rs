//! Radar chart of the maturity stages: one axis per dimension (stages 1–5 as rings), the
//! data-driven stages as a filled polygon and the self-assessment as an outline.

use super::{FONT, INK, PALETTE, Plot, e, label_font, legend_band, title_font};
use plotters::coord::Shift;
use plotters::prelude::*;

/// Stages per dimension.
#[derive(Debug, Clone)]
pub(crate) struct Radar {
    /// Title.
    pub title: String,
    /// (dimension, stage from data, self-assessed stage).
    pub axes: Vec<(String, f64, Option<f64>)>,
}

impl Plot for Radar {
    fn size(&self) -> (u32, u32) {
        (640, 560)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(e)?;
        let (w, h) = root.dim_in_pixel();
        let (plot, band) = root.split_vertically(h as i32 - 34);
        plot.draw(&Text::new(self.title.clone(), (20, 12), title_font()))
            .map_err(e)?;
        let (cx, cy, radius) = (w as f64 / 2.0, (h as f64 - 34.0) / 2.0 + 18.0, 170.0);
        let n = self.axes.len().max(3);
        let point = |i: usize, stage: f64| {
            let angle = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n as f64;
            let r = radius * stage / 5.0;
            ((cx + r * angle.cos()) as i32, (cy + r * angle.sin()) as i32)
        };
        for ring in 1..=5 {
            let pts: Vec<(i32, i32)> = (0..=n).map(|i| point(i % n, f64::from(ring))).collect();
            plot.draw(&PathElement::new(pts, RGBColor(215, 215, 215)))
                .map_err(e)?;
            plot.draw(&Text::new(
                ring.to_string(),
                (
                    point(0, f64::from(ring)).0 + 4,
                    point(0, f64::from(ring)).1 - 14,
                ),
                label_font(12),
            ))
            .map_err(e)?;
        }
        for (i, (name, _, _)) in self.axes.iter().enumerate() {
            plot.draw(&PathElement::new(
                vec![point(i, 0.0), point(i, 5.0)],
                RGBColor(190, 190, 190),
            ))
            .map_err(e)?;
            let (x, y) = point(i, 5.55);
            let width = 7 * name.chars().count() as i32;
            let x = if x < cx as i32 - 10 {
                x - width
            } else if x > cx as i32 + 10 {
                x
            } else {
                x - width / 2
            };
            plot.draw(&Text::new(
                name.clone(),
                (x, y - 8),
                (FONT, 15).into_font().color(&INK),
            ))
            .map_err(e)?;
        }
        let data: Vec<(i32, i32)> = self
            .axes
            .iter()
            .enumerate()
            .map(|(i, a)| point(i, a.1))
            .collect();
        plot.draw(&Polygon::new(data.clone(), PALETTE[0].mix(0.35).filled()))
            .map_err(e)?;
        let mut outline = data.clone();
        outline.push(data[0]);
        plot.draw(&PathElement::new(outline, PALETTE[0].stroke_width(3)))
            .map_err(e)?;
        let mut legend = vec![("stage from the data".to_string(), PALETTE[0])];
        if self.axes.iter().all(|a| a.2.is_some()) {
            let mut own: Vec<(i32, i32)> = self
                .axes
                .iter()
                .enumerate()
                .map(|(i, a)| point(i, a.2.unwrap_or(0.0)))
                .collect();
            own.push(own[0]);
            plot.draw(&PathElement::new(own, PALETTE[1].stroke_width(3)))
                .map_err(e)?;
            legend.push(("self-assessment (median)".to_string(), PALETTE[1]));
        }
        legend_band(&band, &legend)
    }
}
