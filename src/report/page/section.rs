//! One section per business objective: its KPI lines with period over period, the use cases
//! and what could not be measured.

use super::{ReportInput, RoiLine};
use crate::report::charts::ChartFile;
use crate::report::format::{Change, in_unit, month};
use crate::report::shape::KpiOverview;
use serde::Serialize;
use std::collections::BTreeMap;

/// One business objective.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Objective id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Use cases with KPIs.
    pub use_cases: Vec<UseCaseView>,
    /// ROI lines of its use cases.
    pub roi: Vec<RoiLine>,
    /// Charts.
    pub charts: Vec<ChartFile>,
    /// Use cases (or KPIs) that could not be measured.
    pub missing: Vec<Missing>,
}

/// A use case in its section.
#[derive(Debug, Clone, Serialize)]
pub struct UseCaseView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// KPI lines.
    pub kpis: Vec<KpiLine>,
    /// How to read figures that answer different questions (the sidecar's `reading`).
    pub reading: Vec<String>,
}

/// One KPI line.
#[derive(Debug, Clone, Serialize)]
pub struct KpiLine {
    /// KPI id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Window value.
    pub window: String,
    /// Last month label.
    pub month: String,
    /// Last month's value.
    pub current: String,
    /// The month before.
    pub previous: String,
    /// Change, with an arrow.
    pub change: String,
    /// How it is computed.
    pub formula: String,
}

/// KPI lines of a use case from the overview.
pub fn kpi_lines(input: &ReportInput, use_case: &str, overview: &[KpiOverview]) -> Vec<KpiLine> {
    let c = &input.currency;
    overview
        .iter()
        .filter(|o| {
            input
                .value(&o.kpi, "all")
                .is_some_and(|v| v.use_case == use_case)
        })
        .map(|o| {
            let meta = input.meta(&o.kpi);
            let unit = meta.as_ref().map_or("count", |m| m.unit.as_str());
            let show = |v: Option<f64>| v.map_or_else(|| "–".into(), |x| in_unit(x, unit, c));
            KpiLine {
                id: o.kpi.clone(),
                name: meta
                    .as_ref()
                    .map_or_else(|| o.kpi.clone(), |m| m.name.clone()),
                // A KPI with an interval (the engine's bootstrap KPIs) shows it beside the value.
                window: match input
                    .value(&o.kpi, "all")
                    .and_then(|v| v.ci_low.zip(v.ci_high))
                {
                    Some((lo, hi)) => format!(
                        "{} (95 % CI {} – {})",
                        show(o.window),
                        in_unit(lo, unit, c),
                        in_unit(hi, unit, c)
                    ),
                    None => show(o.window),
                },
                month: o.month.as_deref().map(month).unwrap_or_default(),
                current: show(o.current),
                previous: show(o.previous),
                // Ratios change in points, signed quantities and small bases by their
                // difference, the rest in per cent (format::Change).
                change: Change::of(unit, o.current, o.previous)
                    .map(|ch| ch.text(unit, c))
                    .unwrap_or_default(),
                formula: meta.map(|m| m.formula).unwrap_or_default(),
            }
        })
        .collect()
}

/// Something that could not be measured.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    /// Use case id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The KPI, when only one is affected.
    pub kpi: Option<String>,
    /// Tables it needs.
    pub needs: String,
}

/// What could not be measured, per objective.
pub fn missing(input: &ReportInput) -> BTreeMap<String, Vec<Missing>> {
    let mut out: BTreeMap<String, Vec<Missing>> = BTreeMap::new();
    for m in &input.kpis.not_measurable {
        let objective = input
            .catalogue
            .use_case(&m.use_case)
            .map(|u| u.objective.clone())
            .unwrap_or_default();
        out.entry(objective).or_default().push(Missing {
            id: m.use_case.clone(),
            name: input.use_case_name(&m.use_case),
            kpi: m.kpi.clone(),
            needs: m.needs.join(", "),
        });
    }
    out
}
