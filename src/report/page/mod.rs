//! The report's content, assembled from the run's results: the executive summary (investment,
//! value, ROI with its interval and evidence mix, payback, strongest and weakest use cases,
//! coverage warnings in plain words) and one section per business objective (KPI table with
//! period over period, ROI rows, charts, what could not be measured). Formatting happens
//! here; the template only lays it out. This file holds the input and the page with its
//! banners; `summary`, `section`, `perception` and `maturity` each build one part.

pub mod breakdown;
pub mod experiments;
pub mod launches;
mod maturity;
pub mod models;
mod perception;
pub mod plans;
mod recovery;
mod section;
mod summary;

pub use maturity::{DimensionView, MaturityView, maturity};
pub use perception::{PerceptionView, SegmentView, perception};
pub use recovery::{RecoveryLine, RecoveryView, recovery};
pub use section::{KpiLine, Missing, Section, UseCaseView, kpi_lines, missing};
pub use summary::{Mix, RoiLine, Summary, evidence_legend, roi_line, summary};

use super::charts::ChartFile;
use crate::analyses::attribution::AttributionRow;
use crate::analyses::experiments::ExperimentResult;
use crate::analyses::roi::Roi;
use crate::kpi::load::QuerySet;
use crate::kpi::run::{KpiOutcome, KpiValue};
use crate::kpi::sidecar::KpiMeta;
use crate::kpi::use_cases::UseCases;
use serde::Serialize;

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
    /// Each attribution model's recovery of planted effects and agreement, when computed.
    pub attribution_recovery: Option<&'a [crate::analyses::attribution::recovery::RecoveryRow]>,
    /// Experiments, when any.
    pub experiments: Option<&'a [ExperimentResult]>,
    /// The alerts that fired this run (none when nothing fired or they were not judged).
    pub alerts: &'a [crate::analyses::alerts::Alert],
    /// Experiment plans of the weakly evidenced use cases, when made.
    pub plans: Option<&'a [crate::analyses::plans::PlanRow]>,
    /// The perception gap, when surveyed.
    pub perception: Option<&'a crate::analyses::perception::Perception>,
    /// Contacts per channel and month.
    pub channel_mix: Option<&'a [crate::analyses::channel_mix::MixRow]>,
    /// The maturity assessment.
    pub maturity: Option<&'a crate::analyses::maturity::Maturity>,
    /// Launches judged against their counterfactuals.
    pub impact: Option<&'a crate::analyses::impact::Impact>,
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
    /// Names of the campaigns and events breakdowns report by id, when read.
    pub labels: Option<&'a crate::kpi::labels::Labels>,
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
    /// The print layout's paper: `letter` for amounts in US or Canadian dollars, else `A4`.
    pub paper: &'static str,
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
    /// The attribution models scored (method section).
    pub recovery: Option<RecoveryView>,
}

/// The paper a report in `currency` is printed on: Letter where it is the usual size.
pub fn paper(currency: &str) -> &'static str {
    match currency {
        "USD" | "CAD" | "MXN" | "CLP" | "COP" | "PHP" => "letter",
        _ => "A4",
    }
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
/// the embedded sample says it is demo data; a window that ends inside a month says that the
/// last month's figures and changes are not like for like.
pub(crate) fn banners(input: &ReportInput) -> Vec<Banner> {
    let mut out = Vec::new();
    if !input.alerts.is_empty() {
        out.push(Banner {
            kind: "alert",
            title: format!(
                "{} alert{}: beyond what the history expects",
                input.alerts.len(),
                if input.alerts.len() == 1 { "" } else { "s" }
            ),
            lines: input
                .alerts
                .iter()
                .map(|a| format!("{} ({}; {})", a.explanation, a.use_case, a.method))
                .collect(),
        });
    }
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
    if let Some(lines) = partial_last_month(&input.window.1) {
        out.push(Banner {
            kind: "partial",
            title: "The last month is partial".into(),
            lines,
        });
    }
    out
}

/// When the window's last day (`YYYY-MM-DD`, inclusive) is not the last day of its month:
/// what that means for the "last month" and "change" columns.
fn partial_last_month(last_day: &str) -> Option<Vec<String>> {
    let last = chrono::NaiveDate::parse_from_str(last_day, "%Y-%m-%d").ok()?;
    let next = last.succ_opt()?;
    if chrono::Datelike::day(&next) == 1 {
        return None;
    }
    Some(vec![format!(
        "The period ends {last_day}, inside {}: its last month holds {} days, so the last month's figures and their change against the month before are not like for like.",
        crate::report::format::month(&last.format("%Y-%m").to_string()),
        chrono::Datelike::day(&last)
    )])
}
