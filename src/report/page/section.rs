//! One section per business objective: its KPI lines with period over period, the use cases
//! and what could not be measured.

use super::{ReportInput, RoiLine};
use crate::report::charts::ChartFile;
use crate::report::format::{Change, fixed, in_unit, month};
use crate::report::noise::{Observed, Verdict, judge};
use crate::report::shape::KpiOverview;
use crate::stats::proportion::wilson;
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
    /// Its attributed use cases' ROI under every attribution model.
    pub models: Option<super::models::ModelsView>,
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
    /// Its KPIs broken down per campaign, event, topic, segment or channel.
    pub breakdowns: Vec<super::breakdown::BreakdownView>,
    /// Its launches, judged against their counterfactuals.
    pub launches: Vec<super::launches::LaunchView>,
    /// Its holdout experiments, read.
    pub experiments: Vec<super::experiments::ExperimentView>,
    /// The holdout that would measure it, when its evidence is weaker than an experiment.
    pub plan: Option<super::plans::PlanView>,
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
    /// `within noise` when the change is not beyond sampling noise (`report::noise`),
    /// `beyond noise` when it is; empty when the KPI is not judged.
    pub noise: String,
    /// An alert fired on the KPI's last complete month (its band, in words).
    pub alert: Option<String>,
    /// What `n` the whole period's value rests on.
    pub n: String,
    /// What it tells the reader, in one sentence.
    pub plain: String,
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
                // A KPI with an interval shows it beside the value: the engine's bootstrap
                // KPIs their own, a share of a small n its Wilson interval.
                window: match input.value(&o.kpi, "all").and_then(|v| {
                    v.ci_low.zip(v.ci_high).or_else(|| {
                        let share = meta.as_ref().is_some_and(|m| m.share_of_n);
                        let small = (v.n as u64) < WILSON_BELOW_N;
                        (share && small)
                            .then(|| v.value.and_then(|x| wilson(x, v.n as u64)))
                            .flatten()
                    })
                }) {
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
                noise: noise_note(meta.as_ref(), o),
                alert: input
                    .alerts
                    .iter()
                    .find(|a| a.kpi.as_deref() == Some(o.kpi.as_str()))
                    .map(|a| a.explanation.clone()),
                n: input
                    .value(&o.kpi, "all")
                    .map_or_else(String::new, |v| fixed(v.n as f64, 0)),
                plain: meta
                    .as_ref()
                    .and_then(|m| m.plain.clone())
                    .unwrap_or_default(),
                formula: meta.map(|m| m.formula).unwrap_or_default(),
            }
        })
        .collect()
}

/// Shares on fewer units than this get their Wilson interval beside the value (above it
/// the interval is narrower than about ±1.5 points).
pub const WILSON_BELOW_N: u64 = 4_000;

fn noise_note(meta: Option<&crate::kpi::sidecar::KpiMeta>, o: &KpiOverview) -> String {
    let observed = |v: Option<f64>, n: Option<u64>| Some(Observed { value: v?, n: n? });
    let verdict = meta
        .zip(observed(o.current, o.n_current))
        .zip(observed(o.previous, o.n_previous))
        .and_then(|((m, cur), prev)| judge(m, cur, prev));
    match verdict {
        Some(Verdict::Within) => "within noise".into(),
        Some(Verdict::Beyond) => "beyond noise".into(),
        None => String::new(),
    }
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
