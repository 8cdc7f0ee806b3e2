//! The outcome series a launch is judged on: the rows of a model query
//! `models/impact_<outcome>.sql` (one per day and scope cell), summed into whole periods of
//! the window (days or Monday-to-Sunday weeks) for one scope, or for all of them.

use crate::config::params::Parameters;
use crate::error::{Error, Result};
use crate::kpi::load::QuerySet;
use crate::kpi::sidecar::Grain;
use chrono::{Datelike, Duration, NaiveDate};
use datafusion::arrow::array::Array;
use datafusion::prelude::SessionContext;

/// The columns a launch's scope may name, in the order of [`Cell::scope`].
pub const SCOPES: [&str; 4] = ["segment", "industry", "country", "channel"];

/// One row of an outcome query.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The day.
    pub day: NaiveDate,
    /// segment, industry, country, channel (as [`SCOPES`]); `None` when unknown.
    pub scope: [Option<String>; 4],
    /// The outcome.
    pub y: f64,
    /// Its money value, when any unit of it has one.
    pub value: Option<f64>,
    /// Units of `y` with a value.
    pub valued: f64,
}

/// The model query of `outcome`.
pub fn model_name(outcome: &str) -> String {
    format!("impact_{outcome}")
}

/// Runs the outcome query of `outcome`.
pub async fn read(
    ctx: &SessionContext,
    queries: &QuerySet,
    params: &Parameters,
    outcome: &str,
) -> Result<Vec<Cell>> {
    let out = queries.run_model(ctx, params, &model_name(outcome)).await?;
    let mut cells = Vec::new();
    for b in out.iter() {
        let day = b.text("day")?;
        let scope = SCOPES
            .iter()
            .map(|s| b.text(s))
            .collect::<Result<Vec<_>>>()?;
        let (y, value, valued) = (b.floats("y")?, b.floats("value")?, b.floats("valued")?);
        for i in 0..b.num_rows() {
            let d = day.value(i);
            let day =
                NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| Error::QueryDefinition {
                    file: out.file.clone(),
                    problem: format!("`day` {d:?} is not a date YYYY-MM-DD: {e}"),
                })?;
            cells.push(Cell {
                day,
                scope: std::array::from_fn(|k| {
                    (!scope[k].is_null(i)).then(|| scope[k].value(i).to_string())
                }),
                y: y[i].unwrap_or(0.0),
                value: value[i],
                valued: valued[i].unwrap_or(0.0),
            });
        }
    }
    Ok(cells)
}

/// The whole periods of `grain` inside [start, end): their first days.
pub fn periods(grain: Grain, start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let (first, step) = match grain {
        Grain::Day => (start, 1),
        Grain::Week => {
            let back = i64::from(start.weekday().num_days_from_monday());
            let monday = start - Duration::days(back);
            (
                if back == 0 {
                    monday
                } else {
                    monday + Duration::days(7)
                },
                7,
            )
        }
    };
    let mut out = Vec::new();
    let mut d = first;
    while d + Duration::days(step) <= end {
        out.push(d);
        d += Duration::days(step);
    }
    out
}

/// Days of one period.
pub fn period_days(grain: Grain) -> i64 {
    match grain {
        Grain::Day => 1,
        Grain::Week => 7,
    }
}

/// One series: per period, the outcome, its value and the units valued.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// The outcome per period.
    pub y: Vec<f64>,
    /// Its money value per period.
    pub value: Vec<f64>,
    /// Units valued per period.
    pub valued: Vec<f64>,
}

/// The series of the cells `keep` selects, over `periods` (0 where a period has none).
pub fn series(
    cells: &[Cell],
    periods: &[NaiveDate],
    grain: Grain,
    keep: impl Fn(&Cell) -> bool,
) -> Series {
    let n = periods.len();
    let mut s = Series {
        y: vec![0.0; n],
        value: vec![0.0; n],
        valued: vec![0.0; n],
    };
    let Some(&first) = periods.first() else {
        return s;
    };
    let step = period_days(grain);
    for c in cells.iter().filter(|c| keep(c)) {
        let offset = (c.day - first).num_days();
        if offset < 0 {
            continue;
        }
        let i = (offset / step) as usize;
        if i < n {
            s.y[i] += c.y;
            s.value[i] += c.value.unwrap_or(0.0);
            s.valued[i] += c.valued;
        }
    }
    s
}

/// The distinct known values of scope column `k`, sorted.
pub fn units(cells: &[Cell], k: usize) -> Vec<String> {
    let mut u: Vec<String> = cells.iter().filter_map(|c| c.scope[k].clone()).collect();
    u.sort();
    u.dedup();
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_are_whole_and_start_on_mondays() {
        // 2025-11-01 is a Saturday, 2026-11-01 a Sunday (exclusive).
        let w = periods(Grain::Week, d("2025-11-01"), d("2026-11-01"));
        assert_eq!(w.first(), Some(&d("2025-11-03")));
        assert_eq!(w.last(), Some(&d("2026-10-19")));
        assert_eq!(w.len(), 51);
        assert!(w.iter().all(|m| m.weekday() == chrono::Weekday::Mon));
        let days = periods(Grain::Day, d("2026-01-01"), d("2026-01-04"));
        assert_eq!(
            days,
            vec![d("2026-01-01"), d("2026-01-02"), d("2026-01-03")]
        );
    }

    #[test]
    fn cells_sum_into_their_period_and_scope() {
        let cell = |day: &str, country: &str, y: f64| Cell {
            day: d(day),
            scope: [None, None, Some(country.into()), None],
            y,
            value: Some(2.0 * y),
            valued: y,
        };
        let cells = vec![
            cell("2026-01-05", "IT", 1.0),
            cell("2026-01-11", "IT", 2.0),
            cell("2026-01-12", "IT", 4.0),
            cell("2026-01-12", "DE", 8.0),
            cell("2026-01-19", "IT", 16.0), // after the last period
        ];
        let p = periods(Grain::Week, d("2026-01-05"), d("2026-01-19"));
        let it = series(&cells, &p, Grain::Week, |c| {
            c.scope[2].as_deref() == Some("IT")
        });
        assert_eq!(it.y, vec![3.0, 4.0]);
        assert_eq!(it.value, vec![6.0, 8.0]);
        let all = series(&cells, &p, Grain::Week, |_| true);
        assert_eq!(all.y, vec![3.0, 12.0]);
        assert_eq!(units(&cells, 2), vec!["DE".to_string(), "IT".to_string()]);
    }
}
