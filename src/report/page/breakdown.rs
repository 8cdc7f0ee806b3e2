//! A breakdown as the page shows it: the first rows (largest first by the sorting KPI), the
//! others one click away in a `<details>` (every value stays on the page, none is summed
//! into an "other" that a ratio could not be summed into), the total, and a bar chart of
//! the sorting KPI.

use super::ReportInput;
use crate::report::breakdowns::{Breakdown, BreakdownRow};
use crate::report::charts::ChartFile;
use crate::report::format::{fixed, in_unit};
use serde::Serialize;

/// Rows shown before the "show the others" fold.
pub const SHOWN: usize = 10;

/// One breakdown table.
#[derive(Debug, Clone, Serialize)]
pub struct BreakdownView {
    /// Anchor: `uc04-campaign_id`.
    pub anchor: String,
    /// "Per campaign", for the heading.
    pub title: String,
    /// The dimension in words (`campaign`).
    pub noun: String,
    /// Column headings: the KPIs' names.
    pub columns: Vec<String>,
    /// The sorting KPI's name and what `n` counts.
    pub sorted_by: String,
    /// The first rows.
    pub top: Vec<CellRow>,
    /// The others, behind the fold.
    pub rest: Vec<CellRow>,
    /// The total over every value, when any KPI has one.
    pub total: Option<CellRow>,
    /// Bar chart of the sorting KPI.
    pub chart: Option<ChartFile>,
}

/// A row of text cells.
#[derive(Debug, Clone, Serialize)]
pub struct CellRow {
    /// The dimension value (id or name).
    pub key: String,
    /// Its name when the data has one, else empty.
    pub label: String,
    /// Values in their units.
    pub cells: Vec<String>,
    /// `n` behind the sorting KPI's value.
    pub n: String,
}

/// A breakdown's cells in the units of its KPIs.
pub fn cells(b: &Breakdown, values: &[Option<f64>], currency: &str) -> Vec<String> {
    b.kpis
        .iter()
        .zip(values)
        .map(|(k, v)| v.map_or_else(|| "–".into(), |x| in_unit(x, &k.unit, currency)))
        .collect()
}

fn row(b: &Breakdown, r: &BreakdownRow, currency: &str) -> CellRow {
    CellRow {
        key: r.key.clone(),
        label: r.label.clone().unwrap_or_default(),
        cells: cells(b, &r.values, currency),
        n: r.n.map_or_else(String::new, |n| fixed(n as f64, 0)),
    }
}

/// The view of `b`, with its chart.
pub fn view(input: &ReportInput, b: &Breakdown, chart: Option<ChartFile>) -> BreakdownView {
    let c = &input.currency;
    let rows: Vec<CellRow> = b.rows.iter().map(|r| row(b, r, c)).collect();
    let (top, rest) = rows.split_at(rows.len().min(SHOWN));
    let noun = b.noun();
    BreakdownView {
        anchor: format!("{}-{}", b.use_case.to_lowercase(), b.dimension),
        title: format!("Per {noun}"),
        columns: b.kpis.iter().map(|k| k.name.clone()).collect(),
        sorted_by: b.kpis[b.sorted_by].name.clone(),
        top: top.to_vec(),
        rest: rest.to_vec(),
        total: b.total.iter().any(Option::is_some).then(|| CellRow {
            key: format!("all {noun}s"),
            label: String::new(),
            cells: cells(b, &b.total, c),
            n: String::new(),
        }),
        chart,
        noun,
    }
}
