//! The maturity model as shown: the stage per dimension and its history.

use super::ReportInput;
use crate::report::charts::ChartFile;
use crate::report::format::month;
use serde::Serialize;

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
