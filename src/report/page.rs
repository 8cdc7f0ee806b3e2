//! The report's content, assembled from the run's results: the executive summary (investment,
//! value, ROI with its interval and evidence mix, payback, strongest and weakest use cases,
//! coverage warnings in plain words) and one section per business objective (KPI table with
//! period over period, ROI rows, charts, what could not be measured). Formatting happens
//! here; the template only lays it out.

use super::charts::{ChartFile, evidence_colour, hex};
use super::format::{in_unit, money, month, number, pct};
use super::shape::KpiOverview;
use crate::attribution::AttributionRow;
use crate::experiments::ExperimentResult;
use crate::kpi::load::QuerySet;
use crate::kpi::run::{KpiOutcome, KpiValue};
use crate::kpi::sidecar::KpiMeta;
use crate::kpi::use_cases::UseCases;
use crate::roi::Evidence;
use crate::roi::{Roi, RoiRow};
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything the report is made from.
pub struct ReportInput<'a> {
    /// The run's as-of day.
    pub as_of: String,
    /// First and last day of the window.
    pub window: (String, String),
    /// Currency code of amounts.
    pub currency: String,
    /// Use cases and objectives.
    pub catalogue: &'a UseCases,
    /// KPI metadata.
    pub queries: &'a QuerySet,
    /// KPI values and what could not be measured.
    pub kpis: &'a KpiOutcome,
    /// ROI, when computed.
    pub roi: Option<&'a Roi>,
    /// Attribution rows, when computed.
    pub attribution: Option<&'a [AttributionRow]>,
    /// Experiments, when any.
    pub experiments: Option<&'a [ExperimentResult]>,
    /// The perception gap, when surveyed.
    pub perception: Option<&'a crate::perception::Perception>,
    /// Contacts per channel and month.
    pub channel_mix: Option<&'a [crate::channel_mix::MixRow]>,
    /// The maturity assessment.
    pub maturity: Option<&'a crate::maturity::Maturity>,
    /// Rows rejected at ingestion.
    pub rejected: u64,
    /// Rows read.
    pub rows_read: u64,
    /// Bootstrap replicates and seed.
    pub bootstrap: (i64, i64),
    /// Default attribution model.
    pub default_model: String,
    /// Shared cost allocation rule.
    pub allocation: String,
    /// What failed in this run (a use case, a model, a stage): the page opens with them.
    pub failures: &'a [crate::kpi::run::QueryFailure],
    /// The data is misura's embedded demo sample, not the company's.
    pub demo_data: bool,
    /// Notes of the run that a reader of the figures must see ("Read with care"): absent
    /// tables a figure needs, a brand that matches no mention, a clipped window.
    pub notes: &'a [String],
}

impl ReportInput<'_> {
    /// The KPI metadata of `id`, from its sidecar.
    pub fn meta(&self, id: &str) -> Option<KpiMeta> {
        self.queries
            .kpis
            .iter()
            .flat_map(|q| &q.meta.kpis)
            .find(|k| k.id == id)
            .cloned()
    }

    /// The display name of a use case.
    pub fn use_case_name(&self, id: &str) -> String {
        self.catalogue
            .use_case(id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    }

    /// The value of `kpi` for `period`, dimension null.
    pub fn value(&self, kpi: &str, period: &str) -> Option<&KpiValue> {
        crate::kpi::run::find(&self.kpis.values, kpi, period, None)
    }
}

/// A ROI line as shown.
#[derive(Debug, Clone, Serialize)]
pub struct RoiLine {
    /// Use case id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Cost.
    pub cost: String,
    /// Value (or "not measured").
    pub value: String,
    /// Net.
    pub net: String,
    /// ROI (or "undefined").
    pub roi: String,
    /// "95 % interval a to b".
    pub interval: String,
    /// Payback.
    pub payback: String,
    /// Evidence class.
    pub evidence: String,
    /// Its colour.
    pub colour: String,
    /// Coverage.
    pub coverage: String,
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

/// A use case in its section.
#[derive(Debug, Clone, Serialize)]
pub struct UseCaseView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// KPI lines.
    pub kpis: Vec<KpiLine>,
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

/// The executive summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Total investment.
    pub investment: String,
    /// Total value.
    pub value: String,
    /// Net.
    pub net: String,
    /// ROI.
    pub roi: String,
    /// Its interval.
    pub interval: String,
    /// Payback.
    pub payback: String,
    /// Share of the value per evidence class.
    pub evidence_mix: Vec<Mix>,
    /// Largest contributors.
    pub top: Vec<RoiLine>,
    /// Weakest.
    pub weak: Vec<RoiLine>,
    /// Plain-word warnings.
    pub warnings: Vec<String>,
}

/// One evidence class's share of the value.
#[derive(Debug, Clone, Serialize)]
pub struct Mix {
    /// Evidence class.
    pub class: String,
    /// Share, formatted.
    pub share: String,
    /// Share in percent (bar width).
    pub width: f64,
    /// Colour.
    pub colour: String,
}

/// The perception gap of one segment.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentView {
    /// Segment value.
    pub name: String,
    /// Spearman's ρ, formatted.
    pub rho: String,
    /// The largest significant gaps in words.
    pub findings: Vec<String>,
    /// Dumbbell chart.
    pub chart: Option<ChartFile>,
}

/// The perception-gap section.
#[derive(Debug, Clone, Serialize)]
pub struct PerceptionView {
    /// The survey column segmented by.
    pub segment_by: String,
    /// Segments.
    pub segments: Vec<SegmentView>,
}

/// The perception-gap section's content (charts drawn by the caller).
pub fn perception(
    input: &ReportInput,
    mut charts: Vec<(String, ChartFile)>,
) -> Option<PerceptionView> {
    let p = input.perception?;
    let segments = p
        .ranks
        .iter()
        .map(|r| {
            let mut gaps: Vec<_> = p
                .gaps
                .iter()
                .filter(|g| g.segment_value == r.segment_value)
                .filter(|g| g.p_value_adjusted.is_some_and(|x| x < 0.05))
                .collect();
            gaps.sort_by(|a, b| b.gap.unwrap_or(0.0).abs().total_cmp(&a.gap.unwrap_or(0.0).abs()));
            let mut findings: Vec<String> = gaps
                .iter()
                .take(3)
                .map(|g| {
                    let gap = g.gap.unwrap_or(0.0);
                    format!(
                        "“{}”: {} of customers vs {} of the business — customers choose it {:.0} points {} often than the business believes (Holm-adjusted p = {:.3}).",
                        g.reason.replace('_', " "),
                        pct(g.customer_share.unwrap_or(0.0)),
                        pct(g.business_share.unwrap_or(0.0)),
                        gap.abs() * 100.0,
                        if gap > 0.0 { "more" } else { "less" },
                        g.p_value_adjusted.unwrap_or(1.0)
                    )
                })
                .collect();
            if findings.is_empty() {
                findings.push("No gap is significant after Holm's adjustment (p ≥ 0.05): the sample may be too small to tell.".into());
            }
            let chart = charts
                .iter()
                .position(|(s, _)| *s == r.segment_value)
                .map(|i| charts.remove(i).1);
            SegmentView {
                name: r.segment_value.clone(),
                rho: r.spearman_rho.map_or_else(
                    || "–".into(),
                    |x| format!("{x:.2}").replace('-', "−"),
                ),
                findings,
                chart,
            }
        })
        .collect();
    Some(PerceptionView {
        segment_by: p
            .ranks
            .first()
            .map(|r| r.segment_by.clone())
            .unwrap_or_default(),
        segments,
    })
}

/// One dimension as shown.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionView {
    /// Name.
    pub name: String,
    /// "3 Listening".
    pub stage: String,
    /// Self-assessment, formatted.
    pub self_assessed: String,
    /// Self-assessment one stage or more away from the data.
    pub gap_flag: bool,
    /// Next steps.
    pub next_steps: String,
    /// What blocks the next stage.
    pub blocked_by: String,
}

/// The maturity section.
#[derive(Debug, Clone, Serialize)]
pub struct MaturityView {
    /// Overall stage.
    pub overall: String,
    /// Dimensions.
    pub dimensions: Vec<DimensionView>,
    /// Month labels of the history.
    pub months: Vec<String>,
    /// (dimension, stage per month).
    pub history: Vec<(String, Vec<u8>)>,
    /// Radar chart.
    pub chart: Option<ChartFile>,
}

/// The maturity section's content.
pub fn maturity(input: &ReportInput, chart: Option<ChartFile>) -> Option<MaturityView> {
    let m = input.maturity?;
    let name = |stage: u8| {
        [
            "Island",
            "Channel",
            "Listening",
            "Social CRM",
            "Social Business",
        ]
        .get(usize::from(stage.max(1)) - 1)
        .copied()
        .unwrap_or_default()
    };
    let months: Vec<String> = m
        .dimensions
        .first()
        .map(|d| d.history.iter().map(|(p, _)| month(p)).collect())
        .unwrap_or_default();
    Some(MaturityView {
        overall: format!("{} {}", m.overall, name(m.overall)),
        dimensions: m
            .dimensions
            .iter()
            .map(|d| DimensionView {
                name: d.name.clone(),
                stage: format!("{} {}", d.stage, d.stage_name),
                self_assessed: d
                    .self_assessed
                    .map_or_else(|| "–".into(), |s| format!("{s:.1}")),
                gap_flag: d.gap_flag,
                next_steps: d
                    .next_steps
                    .clone()
                    .unwrap_or_else(|| "The last stage: keep it.".into()),
                blocked_by: d.blocked_by.join("; "),
            })
            .collect(),
        months,
        history: m
            .dimensions
            .iter()
            .map(|d| (d.name.clone(), d.history.iter().map(|h| h.1).collect()))
            .collect(),
        chart,
    })
}

/// The whole page.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// Period in words.
    pub period: String,
    /// As-of day.
    pub as_of: String,
    /// Tool and version.
    pub generator: String,
    /// Currency.
    pub currency: String,
    /// Banners above everything: the run failed (what failed), or the data is the demo.
    pub banners: Vec<Banner>,
    /// Summary.
    pub summary: Summary,
    /// ROI of every use case.
    pub roi: Vec<RoiLine>,
    /// The summary's ROI chart.
    pub roi_chart: Option<ChartFile>,
    /// Sections.
    pub sections: Vec<Section>,
    /// The perception gap.
    pub perception: Option<PerceptionView>,
    /// The maturity assessment.
    pub maturity: Option<MaturityView>,
    /// (class, colour, meaning).
    pub evidence_legend: Vec<(String, String, String)>,
    /// How the figures were computed.
    pub method: Vec<String>,
}

/// A banner at the top of the page.
#[derive(Debug, Clone, Serialize)]
pub struct Banner {
    /// `failed` (red) or `demo` (blue).
    pub kind: &'static str,
    /// The heading.
    pub title: String,
    /// The lines under it.
    pub lines: Vec<String>,
}

/// The page's banners: a failed run says what failed and that its figures are incomplete;
/// the embedded sample says it is demo data.
pub fn banners(input: &ReportInput) -> Vec<Banner> {
    let mut out = Vec::new();
    if !input.failures.is_empty() {
        out.push(Banner {
            kind: "failed",
            title: "This run failed: the figures below are incomplete".into(),
            lines: input
                .failures
                .iter()
                .map(|f| {
                    let first = f.error.lines().next().unwrap_or_default();
                    let who = if f.use_case.starts_with("UC") {
                        format!("{} ({})", input.use_case_name(&f.use_case), f.use_case)
                    } else {
                        f.use_case.clone()
                    };
                    format!("{who} could not be computed ({}): {first}", f.file)
                })
                .chain(std::iter::once(
                    "The last successful report for this day, if any, is unchanged; `latest` still points to it (misura status lists every run).".to_string(),
                ))
                .collect(),
        });
    }
    if input.demo_data {
        out.push(Banner {
            kind: "demo",
            title: "Demo data".into(),
            lines: vec![
                "These figures come from misura's embedded sample company, not from your data. Run with --data DIR to measure your own programme.".into(),
            ],
        });
    }
    out
}

/// The ROI line of a row.
pub fn roi_line(input: &ReportInput, r: &RoiRow) -> RoiLine {
    let c = &input.currency;
    let evidence = r
        .evidence
        .map_or_else(|| "not measured".into(), |e| e.as_str().to_string());
    RoiLine {
        id: r.use_case.clone(),
        name: input.use_case_name(&r.use_case),
        cost: money(r.cost, c),
        value: r
            .value
            .map_or_else(|| "not measured".into(), |v| money(v, c)),
        net: r.net.map_or_else(|| "–".into(), |v| money(v, c)),
        roi: r.roi.map_or_else(
            || {
                if r.cost == 0.0 && r.value.is_some() {
                    "undefined (no cost)".into()
                } else {
                    "–".into()
                }
            },
            pct,
        ),
        interval: match (r.roi_ci_low, r.roi_ci_high) {
            (Some(l), Some(h)) => format!("{} to {}", pct(l), pct(h)),
            _ => "–".into(),
        },
        payback: r
            .payback_months
            .filter(|_| r.cost > 0.0)
            .map_or_else(|| "–".into(), |m| format!("{} months", number(m))),
        colour: hex(evidence_colour(r.evidence)),
        evidence,
        coverage: r.coverage.map_or_else(|| "–".into(), pct),
    }
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
            let ratio = matches!(unit, "ratio" | "share" | "rate");
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
                // Ratios change in percentage points, other KPIs in per cent.
                change: match (ratio, o.current, o.previous) {
                    (true, Some(c), Some(p)) => {
                        arrow(c - p, format!("{:.1} pp", (c - p).abs() * 100.0))
                    }
                    (false, ..) => o
                        .change
                        .map_or_else(String::new, |x| arrow(x, pct(x.abs()))),
                    _ => String::new(),
                },
                formula: meta.map(|m| m.formula).unwrap_or_default(),
            }
        })
        .collect()
}

fn arrow(x: f64, size: String) -> String {
    let a = if x > 0.0 {
        "▲"
    } else if x < 0.0 {
        "▼"
    } else {
        "="
    };
    format!("{a} {size}")
}

/// The executive summary's figures and warnings.
pub fn summary(input: &ReportInput) -> Summary {
    let c = &input.currency;
    let mut s = Summary::default();
    // Notes are sentences of the log; on the page they start with a capital.
    s.warnings.extend(input.notes.iter().map(|n| {
        let mut c = n.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    }));
    if let Some(roi) = input.roi {
        let t = &roi.total;
        s.investment = money(t.cost, c);
        s.value = money(t.value, c);
        s.net = money(t.value - t.cost, c);
        s.roi = t
            .roi
            .map_or_else(|| "undefined (no cost recorded)".into(), pct);
        s.interval = match (t.roi_ci_low, t.roi_ci_high) {
            (Some(l), Some(h)) => format!("95 % interval {} to {}", pct(l), pct(h)),
            _ => String::new(),
        };
        s.payback = t.payback_months.map_or_else(
            || "not within the data".into(),
            |m| format!("{} months", number(m)),
        );
        let total: f64 = t.value_by_evidence.values().map(|v| v.max(0.0)).sum();
        s.evidence_mix = t
            .value_by_evidence
            .iter()
            .filter(|(_, v)| **v > 0.0 && total > 0.0)
            .map(|(k, v)| Mix {
                class: k.clone(),
                share: pct(v / total),
                width: (v / total * 1000.0).round() / 10.0,
                colour: hex(evidence_colour(Evidence::parse(k))),
            })
            .collect();
        let mut valued: Vec<&RoiRow> = roi.rows.iter().filter(|r| r.value.is_some()).collect();
        valued.sort_by(|a, b| b.net.unwrap_or(0.0).total_cmp(&a.net.unwrap_or(0.0)));
        s.top = valued.iter().take(3).map(|r| roi_line(input, r)).collect();
        let mut weak: Vec<&RoiRow> = roi.rows.iter().filter(|r| r.roi.is_some()).collect();
        weak.sort_by(|a, b| a.roi.unwrap_or(0.0).total_cmp(&b.roi.unwrap_or(0.0)));
        s.weak = weak
            .iter()
            .filter(|r| !s.top.iter().any(|t| t.id == r.use_case))
            .take(3)
            .map(|r| roi_line(input, r))
            .collect();
        let unmeasured: Vec<String> = roi
            .rows
            .iter()
            .filter(|r| r.value.is_none() && r.cost > 0.0 && r.use_case != crate::roi::UNALLOCATED)
            .map(|r| format!("{} ({})", input.use_case_name(&r.use_case), r.use_case))
            .collect();
        if !unmeasured.is_empty() {
            s.warnings.push(format!(
                "{} carry cost but no measured value in the data: they lower the programme's ROI; their benefit has to be argued from their KPIs.",
                unmeasured.join(", ")
            ));
        }
        let free: Vec<String> = roi
            .rows
            .iter()
            .filter(|r| r.cost == 0.0 && r.value.is_some())
            .map(|r| r.use_case.clone())
            .collect();
        if !free.is_empty() {
            s.warnings.push(format!(
                "No cost is recorded for {}: their ROI is undefined, and the programme total counts their value without a cost.",
                free.join(", ")
            ));
        }
    }
    if let Some(rows) = input.attribution
        && let Some(cov) = rows.iter().find_map(|r| r.coverage)
        && cov < 0.95
    {
        s.warnings.push(format!(
            "{} of conversions had no tracked touch before them: attributed value rests on the {} that had one.",
            pct(1.0 - cov),
            pct(cov)
        ));
    }
    if let Some(v) = input
        .value("uc01.identity_match_rate", "all")
        .and_then(|v| v.value)
        && v < 0.95
    {
        s.warnings.push(format!(
            "{} of the people mentioning the brand could not be linked to a customer record: social selling and advocacy figures rest on the linked part only.",
            pct(1.0 - v)
        ));
    }
    if input.rejected > 0 {
        s.warnings.push(format!(
            "{} of {} input rows were set aside as invalid (see rejects/ and manifest.json).",
            number(input.rejected as f64),
            number(input.rows_read as f64)
        ));
    }
    if let Some(ex) = input.experiments {
        for x in ex.iter().filter(|x| x.label != "significant") {
            s.warnings.push(format!(
                "Experiment {} ({}) is {}: its lift may be zero; the interval is shown with it.",
                x.experiment_id, x.use_case, x.label
            ));
        }
    }
    s
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

/// Evidence classes in words, strongest first.
pub fn evidence_legend() -> Vec<(String, String, String)> {
    Evidence::ALL
        .iter()
        .map(|e| {
            let colour = hex(evidence_colour(Some(*e)));
            (e.as_str().to_string(), colour, e.meaning().to_string())
        })
        .collect()
}
