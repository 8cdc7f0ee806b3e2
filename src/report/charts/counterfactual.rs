//! A launch against its counterfactual, in three panels sharing one time axis (as
//! CausalImpact draws it): the outcome and what it would have been without the launch, with
//! the 95 % band; the effect per period; the cumulative effect with its band. A dashed grey
//! line marks the launch.

use super::{Axis, INK, PALETTE, Plot, draw_grid, e, label_font, tick, title_font};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One period of the chart.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    /// Period label (its first day).
    pub label: String,
    /// The outcome observed.
    pub actual: f64,
    /// The counterfactual (before the launch: the model's fit).
    pub counterfactual: f64,
    /// Its band, after the launch.
    pub band: Option<(f64, f64)>,
    /// Cumulative effect and its band, after the launch.
    pub cumulative: Option<(f64, Option<(f64, f64)>)>,
}

/// The three panels of one launch.
#[derive(Debug, Clone)]
pub(crate) struct Counterfactual {
    /// Title.
    pub title: String,
    /// The outcome's axis title (what and per what).
    pub outcome: String,
    /// How the outcome's axis reads (counts: whole numbers only).
    pub unit: Axis,
    /// Periods in order.
    pub points: Vec<Point>,
    /// Index of the first period after the launch.
    pub launch: usize,
}

const BAND: RGBColor = RGBColor(200, 220, 236);

impl Counterfactual {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (axis, unit): (&str, Axis),
        lines: &[(Vec<(usize, f64)>, ShapeStyle)],
        band: &[(usize, f64, f64)],
        zero: bool,
        x_labels: bool,
    ) -> Result<(), String> {
        let values = lines
            .iter()
            .flat_map(|l| l.0.iter().map(|p| p.1))
            .chain(band.iter().flat_map(|b| [b.1, b.2]))
            .chain(zero.then_some(0.0));
        let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
        let pad = ((hi - lo) * 0.08).max(1e-9);
        let (lo, hi) = (lo - pad, hi + pad);
        let n = self.points.len();
        let every = n.div_ceil(8).max(1);
        let mut chart = ChartBuilder::on(area)
            .margin_left(12)
            .margin_right(16)
            .margin_top(6)
            .x_label_area_size(if x_labels { 34 } else { 8 })
            .y_label_area_size(78)
            .build_cartesian_2d(0..n.saturating_sub(1).max(1), lo..hi)
            .map_err(e)?;
        draw_grid(
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(n)
                .x_label_formatter(&|i| {
                    if x_labels && i % every == 0 {
                        self.points
                            .get(*i)
                            .map(|p| p.label.clone())
                            .unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .y_desc(axis)
                .y_labels(5)
                .y_label_formatter(&|v| tick(unit, *v, hi - lo)),
            12,
            13,
        )?;
        if !band.is_empty() {
            let upper = band.iter().map(|b| (b.0, b.2));
            let lower = band.iter().rev().map(|b| (b.0, b.1));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    upper.chain(lower).collect::<Vec<_>>(),
                    BAND.filled(),
                )))
                .map_err(e)?;
        }
        if zero {
            chart
                .draw_series(LineSeries::new(
                    [(0, 0.0), (n.saturating_sub(1), 0.0)],
                    INK.stroke_width(1),
                ))
                .map_err(e)?;
        }
        // The launch: a dashed vertical line between the last period before it and the first after.
        let x = self.launch.min(n.saturating_sub(1));
        chart
            .draw_series(DashedLineSeries::new(
                [(x, lo), (x, hi)],
                6,
                4,
                PALETTE[7].stroke_width(2),
            ))
            .map_err(e)?;
        for (points, style) in lines {
            chart
                .draw_series(LineSeries::new(points.clone(), *style))
                .map_err(e)?;
        }
        Ok(())
    }
}

impl Plot for Counterfactual {
    fn size(&self) -> (u32, u32) {
        (860, 640)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        root.fill(&WHITE).map_err(e)?;
        let (head, body) = root.split_vertically(64);
        head.draw(&Text::new(self.title.as_str(), (16, 8), title_font()))
            .map_err(e)?;
        let key = [
            ("actual", PALETTE[0]),
            ("without the launch (counterfactual)", PALETTE[3]),
        ];
        let mut x = 16;
        for (label, colour) in key {
            let y = 46;
            head.draw(&PathElement::new(
                vec![(x, y), (x + 26, y)],
                colour.stroke_width(3),
            ))
            .map_err(e)?;
            head.draw(&Text::new(label, (x + 32, y - 8), label_font(13)))
                .map_err(e)?;
            x += 40 + 8 * label.len() as i32;
        }
        head.draw(&Rectangle::new([(x, 40), (x + 26, 52)], BAND.filled()))
            .map_err(e)?;
        head.draw(&Text::new(
            "95 % band; dashed grey line: the launch",
            (x + 32, 38),
            label_font(13),
        ))
        .map_err(e)?;
        let panels = body.split_evenly((3, 1));
        let line = |f: &dyn Fn(&Point) -> Option<f64>| -> Vec<(usize, f64)> {
            let points = self.points.iter().enumerate();
            points.filter_map(|(i, p)| f(p).map(|v| (i, v))).collect()
        };
        let band = |f: &dyn Fn(&Point) -> Option<(f64, f64)>| -> Vec<(usize, f64, f64)> {
            let points = self.points.iter().enumerate();
            points
                .filter_map(|(i, p)| f(p).map(|(l, h)| (i, l, h)))
                .collect()
        };
        self.panel(
            &panels[0],
            (&self.outcome, self.unit),
            &[
                (
                    line(&|p| Some(p.counterfactual)),
                    PALETTE[3].stroke_width(2),
                ),
                (line(&|p| Some(p.actual)), PALETTE[0].stroke_width(3)),
            ],
            &band(&|p| p.band),
            false,
            false,
        )?;
        self.panel(
            &panels[1],
            ("effect per period", Axis::Number),
            &[(
                line(&|p| Some(p.actual - p.counterfactual)),
                PALETTE[0].stroke_width(2),
            )],
            &band(&|p| p.band.map(|(l, h)| (p.actual - h, p.actual - l))),
            true,
            false,
        )?;
        self.panel(
            &panels[2],
            ("cumulative effect", Axis::Number),
            &[(
                line(&|p| p.cumulative.map(|c| c.0)),
                PALETTE[0].stroke_width(3),
            )],
            &band(&|p| p.cumulative.and_then(|c| c.1)),
            true,
            true,
        )
    }
}
